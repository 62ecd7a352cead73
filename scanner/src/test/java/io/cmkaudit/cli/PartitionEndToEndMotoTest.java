package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * {@code cmk-audit scan} end to end (collect → analysis → fixes, then the fix applied and a second scan) in the
 * AWS GovCloud (US) partition ({@code us-gov-west-1}) and in China ({@code cn-north-1}), against moto_server.
 *
 * <p>moto answers STS, KMS, EC2 and Organizations in the partition of the region a request is signed for. IAM is
 * the one service it has answered with {@code arn:aws:} ARNs whatever the region, so the scan runs through
 * {@link AwsProxy#partition}, which rewrites IAM's {@code arn:aws:} to the partition's as AWS GovCloud (US) and China
 * answer (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-arns.html,
 * https://docs.amazonaws.cn/en_us/aws/latest/userguide/ARNs.html).
 *
 * <p>The seed per partition: a management account and one member ({@code prod}) with a key whose policy delegates to
 * the account in the partition's form ({@code arn:aws-us-gov:iam::ACCOUNT:root}), user {@code alice} who may start
 * instances but has no {@code kms:CreateGrant} (start blocked), role {@code kms-admin} with {@code kms:*} on
 * {@code *}, role {@code decryptor} allowed {@code kms:Decrypt} on {@code arn:PARTITION:kms:*:*:key/*} (every key
 * of the partition), and an instance whose volume uses the key. Before partitions drove the scan, such an
 * organization came back as one account with 0 findings.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionEndToEndMotoTest {

    record Seed(String region, String partition, OrgSeeder org, OrgSeeder.Account prod, OrgSeeder.Key key,
                String instance) {
    }

    MotoServer moto;
    Seed gov;
    Seed cn;

    static String doc(String statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}";
    }

    static Seed seed(MotoServer server, String region) {
        OrgSeeder org = new OrgSeeder(server.endpoint(), Region.of(region)).organization();
        String p = org.partition();
        OrgSeeder.Account prod = org.account("prod", "Workloads");
        OrgSeeder.Key key = prod.key(region, "prod data").policy(doc("{\"Sid\":\"EnableIamPolicies\","
                + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:" + p + ":iam::" + prod.id() + ":root\"},"
                + "\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        prod.user("alice").inline("start", doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\","
                + "\"ec2:DescribeInstances\"],\"Resource\":\"*\"}"));
        prod.role("kms-admin", org.trustManagement()).inline("kms-everything",
                doc("{\"Sid\":\"KmsAll\",\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        prod.role("decryptor", org.trustManagement()).inline("decrypt-partition", doc("{\"Sid\":\"DecryptEvery\","
                + "\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"arn:" + p + ":kms:*:*:key/*\"}"));
        String instance = prod.instance(region).tag("Name", "web-1").volume("/dev/xvda", key.arn()).stopped().launch();
        return new Seed(region, p, org, prod, key, instance);
    }

    @BeforeAll
    void seedBoth(MotoServer server) {
        moto = server;
        gov = seed(server, "us-gov-west-1");
        cn = seed(server, "cn-north-1");
    }

    @AfterAll
    void close() {
        gov.org().close();
        cn.org().close();
    }

    static ScanEndToEndMotoTest.Result scan(AwsProxy proxy, Seed s, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("scan", "--endpoint-url", proxy.endpoint().toString(),
                "--region", s.region(), "--regions", s.region(), "--role-name", "OrganizationAccountAccessRole",
                "--out", out.toString()));
        args.addAll(List.of(more));
        return ScanEndToEndMotoTest.run(args.toArray(String[]::new));
    }

    @Test
    void govCloudOrganizationIsScannedWholeWithPartitionArnsAndWorkingFixes(@TempDir Path out) throws IOException {
        scanFixRescan(gov, out);
    }

    @Test
    void chinaOrganizationIsScannedWholeWithPartitionArnsAndWorkingFixes(@TempDir Path out) throws IOException {
        scanFixRescan(cn, out);
    }

    private void scanFixRescan(Seed s, Path out) throws IOException {
        String p = s.partition();
        String prodId = s.prod().id();
        try (AwsProxy proxy = AwsProxy.partition(moto.endpoint(), p)) {
            ScanEndToEndMotoTest.Result first = scan(proxy, s, out);
            assertThat(first.code()).as(first.err() + first.out()).isEqualTo(ExitCodes.FINDINGS);

            // collect: the whole organization of the partition, complete
            Path run1 = first.runDir();
            Snapshot snap = SnapshotJson.read(run1.resolve("snapshot.json"));
            assertThat(snap.run().callerArn()).startsWith("arn:" + p + ":");
            assertThat(snap.accounts().stream().map(a -> a.accountId()).sorted().toList())
                    .containsExactlyInAnyOrder(OrgSeeder.MANAGEMENT_ACCOUNT_ID, prodId);
            assertThat(snap.organization().readable()).isTrue();
            assertThat(first.out()).contains("  accounts          2 (2 fully scanned)\n", "  coverage          complete\n");

            // analysis: findings with the partition's ARNs only
            List<CSVRecord> rows = ScanEndToEndMotoTest.csv(run1.resolve("findings.csv"));
            assertThat(rows).isNotEmpty();
            for (CSVRecord r : rows) {
                for (String col : List.of("principal_arn", "key_arn", "remediation_policy", "evidence")) {
                    assertThat(r.get(col)).as(col).doesNotContain("arn:aws:");
                }
            }
            String alice = "arn:" + p + ":iam::" + prodId + ":user/alice";
            String kmsAdmin = "arn:" + p + ":iam::" + prodId + ":role/kms-admin";
            String decryptor = "arn:" + p + ":iam::" + prodId + ":role/decryptor";
            CSVRecord blocked = only(rows, "START_BLOCKED_KMS_DENIED", alice);
            assertThat(blocked.get("instance_id")).isEqualTo(s.instance());
            assertThat(blocked.get("key_arn")).isEqualTo(s.key().arn()).startsWith("arn:" + p + ":kms:" + s.region());
            only(rows, "KMS_FULL_ACCESS", kmsAdmin);
            only(rows, "KMS_CREATEGRANT_UNCONSTRAINED", kmsAdmin);
            // "every key" of the partition reaches keys of other accounts that trust the role's account
            only(rows, "KMS_DECRYPT_ALL_KEYS", decryptor);

            // fixes: the key policy's delegation to the account (arn:PARTITION:iam::ACCOUNT:root) is recognised,
            // so narrowing kms-admin's kms:* never rewrites the key policy (which would strip key administration)
            JsonNode findings = new ObjectMapper().readTree(run1.resolve("findings.json").toFile()).get("findings");
            for (JsonNode f : StreamSupport.stream(findings.spliterator(), false)
                    .filter(f -> kmsAdmin.equals(f.path("principalArn").asText())).toList()) {
                assertThat(f.path("remediationPolicy").asText()).as(f.path("type").asText())
                        .doesNotContain("EnableIamPolicies").doesNotContain(":root");
            }
            String snippet = blocked.get("remediation_policy");
            String suffix = "aws-cn".equals(p) ? ".amazonaws.com.cn" : ".amazonaws.com";
            assertThat(snippet).contains("\"kms:CreateGrant\"", s.key().arn(), "kms:GrantIsForAWSResource",
                    "ec2." + s.region() + suffix);

            // the fix applied in the partition: alice's finding is RESOLVED on the next scan
            s.prod().iam().putUserPolicy(r -> r.userName("alice").policyName("cmk-audit-fix").policyDocument(snippet));
            try {
                ScanEndToEndMotoTest.Result second = scan(proxy, s, out, "--previous", "latest");
                List<CSVRecord> rows2 = ScanEndToEndMotoTest.csv(second.runDir().resolve("findings.csv"));
                assertThat(rows2.stream().filter(r -> r.get("principal_arn").equals(alice))
                        .map(r -> r.get("type") + " " + r.get("change")))
                        .containsExactly("START_BLOCKED_KMS_DENIED RESOLVED");
            } finally {
                s.prod().iam().deleteUserPolicy(r -> r.userName("alice").policyName("cmk-audit-fix"));
            }
        }
    }

    private static CSVRecord only(List<CSVRecord> rows, String type, String principal) {
        List<CSVRecord> m = rows.stream().filter(r -> r.get("type").equals(type)
                && r.get("principal_arn").equals(principal)).toList();
        assertThat(m).as(type + " " + principal + " in " + rows.stream().map(r -> r.get("type") + " "
                + r.get("principal_arn")).toList()).hasSize(1);
        return m.get(0);
    }
}
