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
                List.of(new Finding.Resource(Finding.ResourceKind.INSTANCE, "i-0a1b2c3d4e5f60718", "app-dev",
                                "eu-west-1", List.of("vol-1"), DEV),
                        new Finding.Resource(Finding.ResourceKind.INSTANCE, "i-0f1e2d3c4b5a69788", "app-prod",
                                "eu-west-1", List.of("vol-2"), PROD),
                        new Finding.Resource(Finding.ResourceKind.INSTANCE, "i-0c0c0c0c0c0c0c0c0", null,
                                "eu-west-1", List.of("vol-3"), DEV)),
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
        assertThat(ps.get("instance_count")).isEqualTo("3");
        assertThat(rows.stream().filter(r -> !r.get("permission_set_arn").isEmpty())).hasSize(1);
        assertThat(rows.stream().filter(r -> r.get("permission_set_arn").isEmpty()))
                .allMatch(r -> r.get("permission_set_name").isEmpty());
    }

    /**
     * The merged finding's {@code account_id} is the management account, where the fix is made; the instances are
     * in the permission set's accounts: {@code instance_account_id} names each one's account, in the order of
     * {@code instance_id} (newcomer review item 8: a spreadsheet user could not filter such a row by account).
     */
    @Test
    void csvAndXlsxNameTheAccountOfEveryInstanceOfAMergedFinding() throws IOException {
        List<Finding> findings = new ArrayList<>(ReportFixtures.sampleFindings());
        findings.add(permissionSetFinding());
        RunOutput run = new ReportWriter().write(ReportFixtures.result(findings, ReportFixtures.sampleCoverage()),
                new ReportOptions(out, null, null, null, ReportFixtures.CLOCK), java.util.Map.of(),
                new OutputSelection(java.util.Set.of("csv", "json"), io.cmkaudit.analysis.Severity.INFO,
                        List.of(XlsxReport.export()), null, Owners.NONE));
        List<CSVRecord> rows = CsvReportsTest.parse(Files.readString(run.runDir().resolve("findings.csv"),
                StandardCharsets.UTF_8));
        CSVRecord ps = rows.stream().filter(r -> r.get("permission_set_arn").equals(PS)).findFirst().orElseThrow();
        assertThat(ps.get("account_id")).isEqualTo("999988887777");
        assertThat(ps.get("instance_id")).isEqualTo("i-0a1b2c3d4e5f60718; i-0f1e2d3c4b5a69788; i-0c0c0c0c0c0c0c0c0");
        assertThat(ps.get("instance_account_id")).isEqualTo(DEV + "; " + PROD + "; " + DEV);
        // findings of one account: every instance in the finding's account
        assertThat(rows).filteredOn(r -> r.get("permission_set_arn").isEmpty() && !r.get("instance_id").isEmpty())
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.get("instance_account_id").split("; "))
                        .hasSize(r.get("instance_id").split("; ").length)
                        .containsOnly(r.get("account_id")));
        try (java.io.InputStream in = Files.newInputStream(run.runDir().resolve(XlsxReport.FILE));
             org.apache.poi.xssf.usermodel.XSSFWorkbook wb = new org.apache.poi.xssf.usermodel.XSSFWorkbook(in)) {
            org.apache.poi.ss.usermodel.Sheet all = wb.getSheet(XlsxReport.ALL);
            int col = CsvReports.FINDINGS_COLUMNS.indexOf("instance_account_id");
            assertThat(all.getRow(0).getCell(col).getStringCellValue()).isEqualTo("instance_account_id");
            int psCol = CsvReports.FINDINGS_COLUMNS.indexOf("permission_set_arn");
            org.apache.poi.ss.usermodel.Row row = null;
            for (org.apache.poi.ss.usermodel.Row r : all) {
                if (r.getCell(psCol) != null && PS.equals(r.getCell(psCol).getStringCellValue())) {
                    row = r;
                }
            }
            assertThat(row).isNotNull();
            assertThat(row.getCell(col).getStringCellValue()).isEqualTo(DEV + "; " + PROD + "; " + DEV);
        }
    }

    /** A RESOLVED row, read back from the previous findings.json, keeps the account of each instance. */
    @Test
    void resolvedMergedFindingKeepsTheAccountOfEveryInstance() throws IOException {
        RunOutput first = write(out.resolve("a"), null);
        PreviousRun previous = PreviousRun.read(first.findingsJson());
        RunOutput second = new ReportWriter().write(ReportFixtures.result(ReportFixtures.sampleFindings(),
                ReportFixtures.sampleCoverage()), new ReportOptions(out.resolve("b"), null, previous, null,
                ReportFixtures.CLOCK));
        List<CSVRecord> rows = CsvReportsTest.parse(Files.readString(second.runDir().resolve("findings.csv"),
                StandardCharsets.UTF_8));
        CSVRecord ps = rows.stream().filter(r -> r.get("permission_set_arn").equals(PS)).findFirst().orElseThrow();
        assertThat(ps.get("change")).isEqualTo("RESOLVED");
        assertThat(ps.get("instance_account_id")).isEqualTo(DEV + "; " + PROD + "; " + DEV);
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
