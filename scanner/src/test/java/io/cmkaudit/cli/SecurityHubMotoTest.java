package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.securityhub.SecurityHubClient;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;
import software.amazon.awssdk.services.securityhub.model.Resource;

/**
 * {@code scan --security-hub} against moto_server's Security Hub: a small organization (a member account with a user
 * whose starts fail and a disabled key under an instance) is scanned; the findings land in the Security Hub of the
 * scanner's own (management) account and home region, filed under that account, with the affected account, region
 * and resources in {@code Resources} and {@code ProductFields}; {@code --format ocsf,asff} writes the same findings
 * to files. After the key is enabled in moto, a second scan with {@code --previous latest} archives the finding that
 * is RESOLVED. moto does not check that {@code AwsAccountId} is the caller's account (AWS does): the test does.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityHubMotoTest {

    static final String EU = "eu-west-1";
    static final ObjectMapper JSON = new ObjectMapper();

    MotoServer moto;
    OrgSeeder org;
    OrgSeeder.Account prod;
    OrgSeeder.Key old;

    @BeforeAll
    void seed(MotoServer server) {
        moto = server;
        org = new OrgSeeder(server.endpoint()).organization();
        prod = org.account("prod", "Workloads");
        String root = "{\"Sid\":\"EnableIamPolicies\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                + prod.id() + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}";
        OrgSeeder.Key app = prod.key(EU, "app").policy("{\"Version\":\"2012-10-17\",\"Statement\":[" + root + "]}");
        prod.user("alice").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess");
        prod.instance(EU).tag("Name", "web-1").volume("/dev/xvda", app.arn()).launch();
        old = prod.key(EU, "old").policy("{\"Version\":\"2012-10-17\",\"Statement\":[" + root + "]}");
        prod.instance(EU).tag("Name", "legacy-1").volume("/dev/xvda", old.arn()).stopped().launch();
        old.disable();
    }

    @AfterAll
    void close() {
        org.close();
    }

    SecurityHubClient hub() {
        return SecurityHubClient.builder().endpointOverride(moto.endpoint()).region(Region.of(EU))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing",
                        "testing"))).build();
    }

    List<AwsSecurityFinding> hubFindings() {
        try (SecurityHubClient h = hub()) {
            List<AwsSecurityFinding> out = new ArrayList<>();
            h.getFindingsPaginator(r -> r.maxResults(100)).findings().forEach(out::add);
            return out;
        }
    }

    @Test
    void importsIntoTheScannersAccountThenArchivesWhatIsResolved(@TempDir Path out) throws IOException {
        ScanEndToEndMotoTest.Result first = ScanEndToEndMotoTest.scanVia(moto.endpoint().toString(), out,
                "--regions", EU, "--region", EU, "--security-hub", "--format", "html,csv,json,ocsf,asff");
        assertThat(first.code()).as(first.err()).isEqualTo(ExitCodes.FINDINGS);
        Path run1 = first.runDir();
        List<CSVRecord> rows = ScanEndToEndMotoTest.csv(run1.resolve("findings.csv"));
        int n = rows.size();
        assertThat(first.err()).contains("imported " + ScanCommand.plural(n, "finding") + " into Security Hub (" + EU + ", account "
                + OrgSeeder.MANAGEMENT_ACCOUNT_ID + ") and archived 0 resolved ones");

        List<AwsSecurityFinding> found = hubFindings();
        assertThat(found).hasSize(n);
        assertThat(found).allSatisfy(f -> {
            assertThat(f.awsAccountId()).isEqualTo(OrgSeeder.MANAGEMENT_ACCOUNT_ID);
            assertThat(f.productArn()).isEqualTo("arn:aws:securityhub:" + EU + ":" + OrgSeeder.MANAGEMENT_ACCOUNT_ID
                    + ":product/" + OrgSeeder.MANAGEMENT_ACCOUNT_ID + "/default");
            assertThat(f.recordStateAsString()).isEqualTo("ACTIVE");
            assertThat(f.region()).isEqualTo(EU);
        });
        assertThat(found.stream().map(AwsSecurityFinding::id).collect(Collectors.toSet()))
                .isEqualTo(rows.stream().map(r -> "cmk-audit/" + r.get("finding_id")).collect(Collectors.toSet()));
        CSVRecord unusable = rows.stream().filter(r -> r.get("type").equals("START_BLOCKED_KEY_UNUSABLE"))
                .findFirst().orElseThrow();
        AwsSecurityFinding u = found.stream().filter(f -> f.id().equals("cmk-audit/" + unusable.get("finding_id")))
                .findFirst().orElseThrow();
        assertThat(u.resources()).extracting(Resource::type).containsExactly("AwsAccount", "AwsKmsKey",
                "AwsEc2Instance");
        assertThat(u.resources().get(0).id()).isEqualTo("AWS::::Account:" + prod.id());
        assertThat(u.resources().get(1).id()).isEqualTo(old.arn());
        assertThat(u.resources().get(2).id()).isEqualTo("arn:aws:ec2:" + EU + ":" + prod.id() + ":instance/"
                + unusable.get("instance_id"));
        assertThat(u.productFields()).containsEntry("cmk-audit/AccountId", prod.id())
                .containsEntry("cmk-audit/AccountName", "prod").containsEntry("cmk-audit/Region", EU)
                .containsEntry("cmk-audit/KeyState", "Disabled");
        assertThat(u.severity().labelAsString()).isEqualTo(unusable.get("severity"));

        // the files hold the same findings
        JsonNode asff = JSON.readTree(run1.resolve("findings.asff.json").toFile());
        assertThat(asff.size()).isEqualTo(n);
        JsonNode ocsf = JSON.readTree(run1.resolve("findings.ocsf.json").toFile());
        List<String> uids = new ArrayList<>();
        ocsf.forEach(e -> uids.add(e.path("finding_info").path("uid").asText()));
        assertThat(uids).containsExactlyInAnyOrderElementsOf(rows.stream().map(r -> r.get("finding_id")).toList());
        assertThat(ocsf.get(0).path("class_uid").asInt()).isEqualTo(2004);

        // fix the key in moto: the next run archives exactly that finding
        prod.kms(EU).enableKey(r -> r.keyId(old.keyId()));
        try {
            ScanEndToEndMotoTest.Result second = ScanEndToEndMotoTest.scanVia(moto.endpoint().toString(), out,
                    "--regions", EU, "--region", EU, "--security-hub", "--previous", "latest");
            assertThat(second.code()).as(second.err()).isEqualTo(ExitCodes.FINDINGS);
            assertThat(second.err()).contains("findings into Security Hub", "and archived 1 resolved one in");
            Map<String, String> state = hubFindings().stream().collect(Collectors.toMap(AwsSecurityFinding::id,
                    AwsSecurityFinding::recordStateAsString));
            List<CSVRecord> rows2 = ScanEndToEndMotoTest.csv(second.runDir().resolve("findings.csv"));
            // the current findings of the second run are ACTIVE (enabling the key opened a new one: alice can start
            // legacy-1 now but not create the grant), the resolved one ARCHIVED
            rows2.forEach(r -> assertThat(state.get("cmk-audit/" + r.get("finding_id")))
                    .as(r.get("type") + " " + r.get("change"))
                    .isEqualTo(r.get("change").equals("RESOLVED") ? "ARCHIVED" : "ACTIVE"));
            assertThat(state.get(u.id())).isEqualTo("ARCHIVED");
            assertThat(state.entrySet().stream().filter(e -> e.getValue().equals("ARCHIVED")).count()).isEqualTo(1);
        } finally {
            old.disable();
        }
    }
}
