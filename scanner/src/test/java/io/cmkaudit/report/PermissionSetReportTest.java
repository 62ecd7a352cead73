package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finding merged across the accounts of an IAM Identity Center permission set in every report: the appended CSV
 * columns {@code permission_set_arn} / {@code permission_set_name}, the {@code permissionSet} object of findings.json
 * (read back as the next run's {@code --previous}), and the HTML section that groups findings by permission set with
 * who gets it.
 */
class PermissionSetReportTest {

    static final String PS = "arn:aws:sso:::permissionSet/ssoins-72231f1a9c0e5b8d/ps-3f5e8c1a7b2d4e60";
    static final String INSTANCE = "arn:aws:sso:::instance/ssoins-72231f1a9c0e5b8d";
    static final String DEV = "111122223333";
    static final String PROD = "444455556666";

    @TempDir
    Path out;

    static Finding permissionSetFinding() {
        Finding.PermissionSetRef ps = new Finding.PermissionSetRef(PS, "PowerUser", INSTANCE,
                List.of(new Finding.Account(DEV, "dev", "Root/Workloads"),
                        new Finding.Account(PROD, "prod", "Root/Workloads")),
                List.of("arn:aws:iam::" + DEV + ":role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PowerUser_a1b2c3d4e5f60001",
                        "arn:aws:iam::" + PROD + ":role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PowerUser_a1b2c3d4e5f60002"),
                List.of("arn:aws:kms:eu-west-1:" + DEV + ":key/0b7c3e1a-1111-4f1e-9b7a-3c2d1e0f9a8b",
                        "arn:aws:kms:eu-west-1:" + PROD + ":key/0b7c3e1a-2222-4f1e-9b7a-3c2d1e0f9a8b"),
                List.of(new Finding.Assignment(DEV, "GROUP", "g-1", "Developers"),
                        new Finding.Assignment(PROD, "USER", "u-2", null)));
        String id = Finding.permissionSetGroupId(FindingType.START_BLOCKED_KMS_DENIED, PS, List.of("identity"));
        return new Finding(id, FindingType.START_BLOCKED_KMS_DENIED, FindingType.START_BLOCKED_KMS_DENIED.defaultSeverity(),
                new Finding.Account("999988887777", "management", "Root"), "eu-west-1",
                List.of(Finding.Resource.instance("i-0a1b2c3d4e5f60718", "app-dev", "eu-west-1", List.of("vol-1")),
                        Finding.Resource.instance("i-0f1e2d3c4b5a69788", "app-prod", "eu-west-1", List.of("vol-2"))),
                null, new Finding.Principal(PS, Finding.PERMISSION_SET_PRINCIPAL),
                new Finding.Details(List.of("identity"), List.of(), "permission set `PowerUser` ...",
                        "add the snippet's statement to the inline policy of IAM Identity Center permission set `PowerUser`",
                        "{\"Version\": \"2012-10-17\"}"), ps);
    }

    RunOutput write(Path root, PreviousRun previous) throws IOException {
        List<Finding> findings = new ArrayList<>(ReportFixtures.sampleFindings());
        findings.add(permissionSetFinding());
        return new ReportWriter().write(ReportFixtures.result(findings, ReportFixtures.sampleCoverage()),
                new ReportOptions(root, null, previous, null, ReportFixtures.CLOCK));
    }

    @Test
    void csvFillsThePermissionSetColumnsOnlyForPermissionSetFindings() throws IOException {
        RunOutput run = write(out, null);
        List<CSVRecord> rows = CsvReportsTest.parse(Files.readString(run.runDir().resolve("findings.csv"),
                StandardCharsets.UTF_8));
        CSVRecord ps = rows.stream().filter(r -> r.get("permission_set_arn").equals(PS)).findFirst().orElseThrow();
        assertThat(ps.get("permission_set_name")).isEqualTo("PowerUser");
        assertThat(ps.get("principal_arn")).isEqualTo(PS);
        assertThat(ps.get("principal_type")).isEqualTo("permission-set");
        assertThat(ps.get("instance_count")).isEqualTo("2");
        assertThat(rows.stream().filter(r -> !r.get("permission_set_arn").isEmpty())).hasSize(1);
        assertThat(rows.stream().filter(r -> r.get("permission_set_arn").isEmpty()))
                .allMatch(r -> r.get("permission_set_name").isEmpty());
    }

    @Test
    void findingsJsonCarriesThePermissionSetAndReadsItBack() throws IOException {
        RunOutput first = write(out.resolve("a"), null);
        JsonNode root = new ObjectMapper().readTree(first.findingsJson().toFile());
        JsonNode f = null;
        for (JsonNode n : root.get("findings")) {
            if (PS.equals(n.path("permissionSetArn").asText(null))) {
                f = n;
            }
        }
        assertThat(f).isNotNull();
        assertThat(f.get("permissionSetName").asText()).isEqualTo("PowerUser");
        assertThat(f.at("/permissionSet/instanceArn").asText()).isEqualTo(INSTANCE);
        assertThat(f.at("/permissionSet/accounts/1/accountId").asText()).isEqualTo(PROD);
        assertThat(f.at("/permissionSet/keyArns").size()).isEqualTo(2);
        assertThat(f.at("/permissionSet/assignments/0/principalName").asText()).isEqualTo("Developers");
        assertThat(f.at("/permissionSet/assignments/1/principalName").isNull()).isTrue();
        for (JsonNode n : root.get("findings")) {
            if (n != f) {
                assertThat(n.get("permissionSet").isNull()).isTrue();
                assertThat(n.get("permissionSetArn").isNull()).isTrue();
            }
        }
        PreviousRun previous = PreviousRun.read(first.findingsJson());
        assertThat(previous.findings()).filteredOn(r -> PS.equals(r.permissionSetArn())).singleElement()
                .satisfies(r -> assertThat(r.permissionSet()).isEqualTo(permissionSetFinding().permissionSet()));
        RunOutput second = write(out.resolve("b"), previous);
        assertThat(second.findings()).filteredOn(r -> PS.equals(r.permissionSetArn())).singleElement()
                .satisfies(r -> assertThat(r.change()).isEqualTo(ReportedFinding.Change.UNCHANGED));
    }

    @Test
    void htmlGroupsFindingsByPermissionSetWithWhoGetsIt() throws IOException {
        RunOutput run = write(out, null);
        String html = Files.readString(run.runDir().resolve("report.html"), StandardCharsets.UTF_8);
        int section = html.indexOf("id=\"permission-sets\"");
        assertThat(section).isPositive();
        String ps = html.substring(section, html.indexOf("</section>", section));
        assertThat(ps).contains(PS, INSTANCE, "dev (" + DEV + "), prod (" + PROD + ")",
                "group Developers in dev (" + DEV + ")", "user u-2 in prod (" + PROD + ")");
        // the section links to the finding's row in the findings list
        String id = Finding.permissionSetGroupId(FindingType.START_BLOCKED_KMS_DENIED, PS, List.of("identity"));
        int row = html.indexOf("data-fid=\"" + id + "\"");
        assertThat(row).isPositive();
        String domId = html.substring(html.lastIndexOf("id=\"", row) + 4, html.indexOf('"', html.lastIndexOf("id=\"", row) + 4));
        assertThat(ps).contains("href=\"#" + domId + "\"");
        // the row shows the permission set as principal and the number of keys
        String tbody = html.substring(row, html.indexOf("</tbody>", row));
        assertThat(tbody).contains("PowerUser", "permission set", "2 keys");
    }
}
