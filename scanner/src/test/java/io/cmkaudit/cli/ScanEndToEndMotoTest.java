package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.report.CsvReports;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * {@code cmk-audit scan} end to end against moto_server, through {@link Main#run}: a seeded organization (management
 * account and three members in two OUs, two regions) with the seed case, a key pending deletion, a key policy that
 * doesn't delegate to IAM, a fixed user, a role with {@code kms:*}; then the diff against earlier runs, a fix made in
 * moto, an account whose audit role can't be assumed, the S3 upload, bad input, and run folders that never overwrite.
 *
 * <p>The SDK keeps its production (adaptive) retry mode here, as in {@link CollectCommandTest}: the seed avoids the
 * calls moto answers with HTTP 500 (EBS encryption by default is off, so {@code GetEbsDefaultKmsKeyId} is not
 * called), and {@code --regions} spares the walk over every region moto knows. The moto state is shared by the
 * tests; the one test that changes it (the fix) undoes the change before it returns.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScanEndToEndMotoTest {

    static final String EU = "eu-west-1";
    static final String US = "us-east-1";
    static final String EC2_FULL = "arn:aws:iam::aws:policy/AmazonEC2FullAccess";
    static final List<String> RUN_FILES = List.of("coverage.csv", "findings.csv", "findings.json", "findings.xlsx",
            "manifest.json", "report.html",
            "snapshot.json");
    static final Pattern RUN_NAME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z(-\\d+)?");

    record Result(int code, String out, String err) {
        /** @return the run folder named on the first stdout line */
        Path runDir() {
            Matcher m = Pattern.compile("^cmk-audit report: (.+)$", Pattern.MULTILINE).matcher(out);
            assertThat(m.find()).as("stdout names the run folder: " + out + err).isTrue();
            return Path.of(m.group(1));
        }
    }

    /**
     * One findings.csv row, reduced to what identifies it.
     *
     * @param type      finding type
     * @param severity  severity
     * @param account   account name
     * @param region    region, empty for account-wide findings
     * @param instance  instance id, empty when not about an instance
     * @param principal principal ARN, empty when not about a principal
     * @param key       key ARN, empty when not about one key
     * @param layer     deciding layer(s)
     */
    record F(String type, String severity, String account, String region, String instance, String principal,
             String key, String layer) {
    }

    static final Comparator<F> ORDER = Comparator.comparing(F::type).thenComparing(F::account)
            .thenComparing(F::instance).thenComparing(F::principal).thenComparing(F::key);

    MotoServer moto;
    OrgSeeder org;
    OrgSeeder.Account prod;
    OrgSeeder.Account dev;
    OrgSeeder.Account data;
    OrgSeeder.Key app;
    OrgSeeder.Key db;
    OrgSeeder.Key old;
    String web1;
    String db1;
    String devOld;

    static String doc(String statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}";
    }

    static String rootDelegation(String account) {
        return "{\"Sid\":\"EnableIamPolicies\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + account
                + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}";
    }

    @BeforeAll
    void seed(MotoServer server) {
        moto = server;
        org = new OrgSeeder(server.endpoint()).organization();
        prod = org.account("prod", "Workloads");
        dev = org.account("dev", "Workloads");
        data = org.account("data", "Platform");

        // prod, eu-west-1: the seed case (alice), the fixed user (bob), a role with kms:* on *
        app = prod.key(EU, "prod application data").policy(doc(rootDelegation(prod.id()))).alias("alias/app");
        prod.user("alice").attach(EC2_FULL);
        prod.user("bob").inline("start-and-grant-for-ec2", doc("{\"Sid\":\"Start\",\"Effect\":\"Allow\",\"Action\":"
                + "\"ec2:StartInstances\",\"Resource\":\"*\"},{\"Sid\":\"GrantForEc2Only\",\"Effect\":\"Allow\","
                + "\"Action\":\"kms:CreateGrant\",\"Resource\":\"" + app.arn() + "\",\"Condition\":{\"Bool\":"
                + "{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        prod.role("kms-admin", OrgSeeder.TRUST_MANAGEMENT).inline("kms-everything",
                doc("{\"Sid\":\"KmsAll\",\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        web1 = prod.instance(EU).tag("Name", "web-1").volume("/dev/xvda", app.arn()).launch();

        // data, eu-west-1: a key policy that doesn't delegate to IAM (only role db-admin)
        data.role("db-admin", OrgSeeder.TRUST_MANAGEMENT);
        db = data.key(EU, "database").policy(doc("{\"Sid\":\"OnlyDbAdmin\",\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":\"arn:aws:iam::" + data.id() + ":role/db-admin\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        db1 = data.instance(EU).tag("Name", "db-1").volume("/dev/xvda", db.arn()).stopped().launch();

        // dev, us-east-1: a key pending deletion
        old = dev.key(US, "retired").policy(doc(rootDelegation(dev.id())));
        devOld = dev.instance(US).tag("Name", "dev-old").volume("/dev/xvda", old.arn()).stopped().launch();
        old.scheduleDeletion(7);
    }

    @AfterAll
    void close() {
        org.close();
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    Result scan(Path out, String... more) {
        return scanVia(moto.endpoint().toString(), out, more);
    }

    static Result scanVia(String endpoint, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("scan", "--endpoint-url", endpoint, "--out", out.toString()));
        if (!List.of(more).contains("--regions")) {
            args.addAll(List.of("--regions", EU + "," + US));
        }
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    static String role(OrgSeeder.Account a, String name) {
        return "arn:aws:iam::" + a.id() + ":role/" + name;
    }

    /** The findings of the seeded organization, sorted by {@link #ORDER}. */
    List<F> expectedFindings() {
        String prodAdmin = role(prod, "OrganizationAccountAccessRole");
        String devAdmin = role(dev, "OrganizationAccountAccessRole");
        String dataAdmin = role(data, "OrganizationAccountAccessRole");
        String kmsAdmin = role(prod, "kms-admin");
        String dbAdmin = role(data, "db-admin");
        return Stream.of(
                new F("START_BLOCKED_KMS_DENIED", "HIGH", "prod", EU, web1, "arn:aws:iam::" + prod.id() + ":user/alice",
                        app.arn(), "identity"),
                new F("START_BLOCKED_KMS_DENIED", "HIGH", "data", EU, db1, dataAdmin, db.arn(), "resource"),
                new F("START_BLOCKED_KEY_UNUSABLE", "CRITICAL", "dev", US, devOld, "", old.arn(), "keyState"),
                new F("KMS_CREATEGRANT_UNCONSTRAINED", "HIGH", "prod", EU, "", prodAdmin, app.arn(), "identity; resource"),
                new F("KMS_CREATEGRANT_UNCONSTRAINED", "HIGH", "prod", EU, "", kmsAdmin, app.arn(), "identity; resource"),
                new F("KMS_CREATEGRANT_UNCONSTRAINED", "HIGH", "dev", US, "", devAdmin, old.arn(), "identity; resource"),
                new F("KMS_CREATEGRANT_UNCONSTRAINED", "HIGH", "data", EU, "", dbAdmin, db.arn(), "resource"),
                new F("KMS_FULL_ACCESS", "HIGH", "prod", EU, "", prodAdmin, app.arn(), "identity; resource"),
                new F("KMS_FULL_ACCESS", "HIGH", "prod", EU, "", kmsAdmin, app.arn(), "identity; resource"),
                new F("KMS_FULL_ACCESS", "HIGH", "dev", US, "", devAdmin, old.arn(), "identity; resource"),
                new F("KMS_FULL_ACCESS", "HIGH", "data", EU, "", dbAdmin, db.arn(), "resource"),
                new F("KMS_DECRYPT_ALL_KEYS", "MEDIUM", "prod", "", "", prodAdmin, "", "identity"),
                new F("KMS_DECRYPT_ALL_KEYS", "MEDIUM", "prod", "", "", kmsAdmin, "", "identity"),
                new F("KMS_DECRYPT_ALL_KEYS", "MEDIUM", "dev", "", "", devAdmin, "", "identity"),
                new F("KMS_DECRYPT_ALL_KEYS", "MEDIUM", "data", "", "", dataAdmin, "", "identity"))
                .sorted(ORDER).toList();
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text.charAt(0)).isEqualTo('\uFEFF');
        try (Reader r = new StringReader(text.substring(1));
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            if (file.getFileName().toString().equals("findings.csv")) {
                assertThat(p.getHeaderNames()).startsWith(CsvReports.FINDINGS_COLUMNS.toArray(String[]::new));
            }
            return p.getRecords();
        }
    }

    static F tuple(CSVRecord r) {
        return new F(r.get("type"), r.get("severity"), r.get("account_name"), r.get("region"), r.get("instance_id"),
                r.get("principal_arn"), r.get("key_arn"), r.get("deciding_layer"));
    }

    static List<F> tuples(List<CSVRecord> rows) {
        return rows.stream().map(ScanEndToEndMotoTest::tuple).sorted(ORDER).toList();
    }

    static List<String> column(List<CSVRecord> rows, String name) {
        return rows.stream().map(r -> r.get(name)).toList();
    }

    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void findingsThenUnchangedThenExactlyOneResolvedAfterAFix(@TempDir Path out) throws IOException {
        List<F> expected = expectedFindings();

        // 1. first run: the exact findings; HIGH findings give exit code 1 with the default --fail-on HIGH
        Result first = scan(out);
        assertThat(first.code()).as(first.err()).isEqualTo(ExitCodes.FINDINGS);
        Path run1 = first.runDir();
        assertThat(run1.getParent()).isEqualTo(out);
        assertThat(run1.getFileName().toString()).matches(RUN_NAME);
        assertThat(files(run1)).containsExactlyElementsOf(RUN_FILES);
        List<CSVRecord> rows1 = csv(run1.resolve("findings.csv"));
        assertThat(tuples(rows1)).containsExactlyElementsOf(expected);
        assertThat(column(rows1, "status")).hasSize(15).containsOnly("OPEN");
        assertThat(column(rows1, "change")).hasSize(15).containsOnly("");
        assertThat(first.out()).contains(
                "  accounts          4 (4 fully scanned)\n",
                "  instances         3 (3 with customer managed keys, 0 AWS managed key only, 0 unencrypted)\n",
                "  open findings     15 (CRITICAL 1, HIGH 10, MEDIUM 4, LOW 0, INFO 0); suppressed 0\n",
                "  coverage          complete\n");
        assertThat(first.out()).doesNotContain("since previous");
        Snapshot snapshot = SnapshotJson.read(run1.resolve("snapshot.json"));
        assertThat(snapshot.accounts().stream().map(a -> a.accountId()).sorted().toList())
                .containsExactlyElementsOf(Stream.of(OrgSeeder.MANAGEMENT_ACCOUNT_ID, prod.id(), dev.id(), data.id())
                        .sorted().toList());

        // 2. the same organization against the first run's findings.json: everything UNCHANGED, same exit code
        Result second = scan(out, "--previous", run1.resolve("findings.json").toString());
        assertThat(second.code()).as(second.err()).isEqualTo(ExitCodes.FINDINGS);
        Path run2 = second.runDir();
        assertThat(run2).isNotEqualTo(run1);
        List<CSVRecord> rows2 = csv(run2.resolve("findings.csv"));
        assertThat(tuples(rows2)).containsExactlyElementsOf(expected);
        assertThat(column(rows2, "change")).hasSize(15).containsOnly("UNCHANGED");
        assertThat(column(rows2, "finding_id")).containsExactlyInAnyOrderElementsOf(column(rows1, "finding_id"));
        assertThat(second.out()).contains("  since previous    new 0, changed 0, unchanged 15, resolved 0\n");

        // ... and against `latest` (the second run), with --fail-on NONE: exit code 0
        Result third = scan(out, "--previous", "latest", "--fail-on", "NONE");
        assertThat(third.code()).as(third.err()).isEqualTo(ExitCodes.OK);
        List<CSVRecord> rows3 = csv(third.runDir().resolve("findings.csv"));
        assertThat(tuples(rows3)).containsExactlyElementsOf(expected);
        assertThat(column(rows3, "change")).hasSize(15).containsOnly("UNCHANGED");
        assertThat(third.out()).contains("  since previous    new 0, changed 0, unchanged 15, resolved 0\n");

        // 3. fix alice in moto with the least-privilege snippet of her finding, and scan again: one RESOLVED
        CSVRecord aliceRow = rows1.stream().filter(r -> r.get("principal_arn").endsWith(":user/alice"))
                .findFirst().orElseThrow();
        String snippet = aliceRow.get("remediation_policy");
        assertThat(snippet).contains("\"kms:CreateGrant\"", app.arn(), "kms:GrantIsForAWSResource");
        prod.iam().putUserPolicy(r -> r.userName("alice").policyName("cmk-audit-fix").policyDocument(snippet));
        try {
            Result fourth = scan(out, "--previous", "latest");
            assertThat(fourth.code()).as(fourth.err()).isEqualTo(ExitCodes.FINDINGS);
            List<CSVRecord> rows4 = csv(fourth.runDir().resolve("findings.csv"));
            assertThat(tuples(rows4)).containsExactlyElementsOf(expected);
            List<CSVRecord> resolved = rows4.stream().filter(r -> r.get("change").equals("RESOLVED")).toList();
            assertThat(tuples(resolved)).containsExactly(tuple(aliceRow));
            assertThat(column(resolved, "finding_id")).containsExactly(aliceRow.get("finding_id"));
            assertThat(rows4.stream().filter(r -> !r.get("change").equals("RESOLVED")).map(r -> r.get("change")))
                    .hasSize(14).containsOnly("UNCHANGED");
            assertThat(fourth.out()).contains(
                    "  open findings     14 (CRITICAL 1, HIGH 9, MEDIUM 4, LOW 0, INFO 0); suppressed 0\n",
                    "  since previous    new 0, changed 0, unchanged 14, resolved 1\n");
            String html = Files.readString(fourth.runDir().resolve("report.html"));
            assertThat(Pattern.compile("<tr class=\"resolved\"[^>]*data-fid=\"([0-9a-f]+)\"").matcher(html).results()
                    .map(m -> m.group(1)).toList()).containsExactly(aliceRow.get("finding_id"));
            JsonNode json = new ObjectMapper().readTree(fourth.runDir().resolve("findings.json").toFile());
            assertThat(json.at("/summary/findings/byChange").toString())
                    .isEqualTo("{\"NEW\":0,\"UNCHANGED\":14,\"CHANGED\":0,\"RESOLVED\":1}");
            assertThat(json.at("/previousRun/source").asText())
                    .isEqualTo(third.runDir().resolve("findings.json").toString());
        } finally {
            prod.iam().deleteUserPolicy(r -> r.userName("alice").policyName("cmk-audit-fix"));
        }
        // 7. (also) four runs into one --out: four folders, nothing overwritten, no temporary folder left
        assertThat(files(out)).hasSize(4).allMatch(n -> RUN_NAME.matcher(n).matches());
    }

    @Test
    void anAccountWhoseRoleCantBeAssumedSetsBit2AndTheReportShowsTheGap(@TempDir Path out) throws IOException {
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO,
                q -> q.assumesRoleIn(Set.of(data.id())))) {
            Result r = scanVia(proxy.endpoint().toString(), out);
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS | ExitCodes.COVERAGE_INCOMPLETE);
            assertThat(r.code() & ExitCodes.COVERAGE_INCOMPLETE).isEqualTo(2);
            Path run = r.runDir();
            assertThat(files(run)).containsExactlyElementsOf(RUN_FILES);

            // the findings of the other accounts are all there; none of the unread account
            assertThat(tuples(csv(run.resolve("findings.csv"))))
                    .containsExactlyElementsOf(expectedFindings().stream().filter(f -> !f.account().equals("data")).toList());

            List<String> coverage = csv(run.resolve("coverage.csv")).stream()
                    .filter(c -> c.get("account_id").equals(data.id()))
                    .map(c -> String.join("|", c.get("account_name"), c.get("region"), c.get("status"),
                            c.get("error_code"), c.get("error_message"), c.get("instances"), c.get("cmk_keys"),
                            c.get("principals")))
                    .toList();
            String message = "STS.AssumeRole " + role(data, "cmk-audit-read")
                    + ": User is not authorized to perform: sts:AssumeRole (denied by the test proxy)";
            assertThat(coverage).containsExactly(
                    "data|global|ASSUME_ROLE_DENIED|AccessDenied|" + message + "|0|0|0",
                    "data|eu-west-1|ASSUME_ROLE_DENIED|AccessDenied|" + message + "|0|0|0",
                    "data|us-east-1|ASSUME_ROLE_DENIED|AccessDenied|" + message + "|0|0|0");

            String html = Files.readString(run.resolve("report.html"));
            String gaps = html.substring(html.indexOf("<table class=\"coverage gaps\">"));
            gaps = gaps.substring(0, gaps.indexOf("</table>"));
            List<String> gapRows = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(gaps).results()
                    .map(m -> m.group(1).replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").trim()).toList();
            String why = "AccessDenied STS.AssumeRole " + role(data, "cmk-audit-read")
                    + ": User is not authorized to perform: sts:AssumeRole (denied by the test proxy)";
            assertThat(gapRows).containsExactly(
                    "Account Region Status Why Instances Keys Principals",
                    "data " + data.id() + " global ASSUME_ROLE_DENIED " + why + " 0 0 0",
                    "data " + data.id() + " eu-west-1 ASSUME_ROLE_DENIED " + why + " 0 0 0",
                    "data " + data.id() + " us-east-1 ASSUME_ROLE_DENIED " + why + " 0 0 0");
            assertThat(r.out()).contains("  accounts          4 (3 fully scanned)\n",
                    "  coverage          3 account/region entries not covered (see coverage.csv)\n");
        }
    }

    S3Client s3() {
        return S3Client.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS).build();
    }

    @Test
    void uploadCopiesTheRunFolderToS3WithServerSideEncryption(@TempDir Path out) throws IOException {
        try (S3Client s3 = s3()) {
            s3.createBucket(b -> b.bucket("cmk-audit-runs"));
            // the bucket's default encryption is SSE-KMS with its own key (as the scanner stack's bucket): without
            // --upload-kms-key the objects get it, not an SSE-S3 header that would override it
            String bucketKey = org.management().key(US, "bucket default key").arn();
            s3.putBucketEncryption(e -> e.bucket("cmk-audit-runs").serverSideEncryptionConfiguration(c -> c.rules(
                    rule -> rule.applyServerSideEncryptionByDefault(d -> d.sseAlgorithm(ServerSideEncryption.AWS_KMS)
                            .kmsMasterKeyID(bucketKey)))));
            Result r = scan(out, "--accounts", prod.id(), "--regions", EU, "--upload", "s3://cmk-audit-runs/org/nightly/");
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS);
            Path run = r.runDir();
            String prefix = "org/nightly/" + run.getFileName() + "/";
            assertThat(r.err()).endsWith("cmk-audit: uploaded " + RUN_FILES.size() + " files to s3://cmk-audit-runs/" + prefix + "\n");
            List<String> keys = s3.listObjectsV2(l -> l.bucket("cmk-audit-runs")).contents().stream()
                    .map(S3Object::key).sorted().toList();
            assertThat(keys).containsExactlyElementsOf(RUN_FILES.stream().map(f -> prefix + f).toList());
            for (String file : RUN_FILES) {
                HeadObjectResponse head = s3.headObject(h -> h.bucket("cmk-audit-runs").key(prefix + file));
                assertThat(head.serverSideEncryption()).as(file).isEqualTo(ServerSideEncryption.AWS_KMS);
                assertThat(head.ssekmsKeyId()).as(file).isEqualTo(bucketKey);
                ResponseBytes<GetObjectResponse> body = s3.getObjectAsBytes(g -> g.bucket("cmk-audit-runs")
                        .key(prefix + file));
                assertThat(body.asByteArray()).as(file).isEqualTo(Files.readAllBytes(run.resolve(file)));
            }
            assertThat(s3.headObject(h -> h.bucket("cmk-audit-runs").key(prefix + "report.html")).contentType())
                    .isEqualTo("text/html; charset=utf-8");
        }
    }

    @Test
    void uploadWithAKmsKeyUsesSseKms(@TempDir Path out) {
        try (S3Client s3 = s3()) {
            s3.createBucket(b -> b.bucket("cmk-audit-kms"));
            String key = org.management().key(US, "report bucket key").arn();
            Result r = scan(out, "--accounts", prod.id(), "--regions", EU, "--upload", "s3://cmk-audit-kms",
                    "--upload-kms-key", key);
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS);
            String name = r.runDir().getFileName().toString();
            HeadObjectResponse head = s3.headObject(h -> h.bucket("cmk-audit-kms").key(name + "/findings.json"));
            assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AWS_KMS);
            assertThat(head.ssekmsKeyId()).isEqualTo(key);
        }
    }

    @Test
    void failedUploadGivesExit70AndKeepsTheRunFolder(@TempDir Path out) throws IOException {
        Result r = scan(out, "--accounts", prod.id(), "--regions", EU, "--upload", "s3://no-such-bucket/runs");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.INTERNAL);
        Path run = r.runDir();
        assertThat(files(run)).containsExactlyElementsOf(RUN_FILES);
        String last = r.err().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last).startsWith("cmk-audit: upload of s3://no-such-bucket/runs/" + run.getFileName()
                + "/coverage.csv failed: The specified bucket does not exist (Service: S3, Status Code: 404,")
                .endsWith(" (the reports are intact in " + run + ")");
    }

    @Test
    void badConfigFileStopsWithExit64BeforeAnyAwsCall(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("scanner.yaml");
        Files.writeString(config, "roleName: Audit\n\nconcurrency: eight\n");
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, q -> false)) {
            Result r = scanVia(proxy.endpoint().toString(), dir.resolve("out"), "--config", config.toString());
            assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).isEqualTo("cmk-audit: " + config + ":3: concurrency: wrong type: expected a whole number\n");
            assertThat(r.out()).isEmpty();
            assertThat(proxy.forwarded() + proxy.denied()).isZero();
            assertThat(dir.resolve("out")).doesNotExist();
        }
    }

    @Test
    void badSuppressionsFileStopsWithExit64BeforeAnyAwsCall(@TempDir Path dir) throws IOException {
        Path suppressions = dir.resolve("suppressions.yaml");
        Files.writeString(suppressions, "suppressions:\n  - type: KMS_FULL_ACCESS\n    reason: [unclosed\n");
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, q -> false)) {
            Result r = scanVia(proxy.endpoint().toString(), dir.resolve("out"), "--suppressions",
                    suppressions.toString());
            assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).isEqualTo("cmk-audit: " + suppressions + ":3: not valid YAML: while parsing a flow "
                    + "sequence\n");
            assertThat(r.out()).isEmpty();
            assertThat(proxy.forwarded() + proxy.denied()).isZero();
            assertThat(dir.resolve("out")).doesNotExist();
        }
    }

    @Test
    void badUploadLocationStopsWithExit64BeforeAnyAwsCall(@TempDir Path dir) {
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, q -> false)) {
            Result r = scanVia(proxy.endpoint().toString(), dir.resolve("out"), "--upload", "https://bucket/x");
            assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).isEqualTo("cmk-audit: --upload: expected s3://bucket/prefix, got `https://bucket/x`\n");
            assertThat(proxy.forwarded() + proxy.denied()).isZero();
        }
    }

    @Test
    void unusableOutFolderStopsWithExit64BeforeAnyAwsCall(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, q -> false)) {
            Result r = scanVia(proxy.endpoint().toString(), file.resolve("reports"));
            assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).isEqualTo("cmk-audit: --out: cannot create folder `" + file.resolve("reports")
                    + "`: Not a directory\n");
            assertThat(proxy.forwarded() + proxy.denied()).isZero();
        }
    }

    @Test
    void uploadKmsKeyWithoutUploadIsAUsageError(@TempDir Path dir) {
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, q -> false)) {
            Result r = scanVia(proxy.endpoint().toString(), dir.resolve("out"), "--upload-kms-key", "alias/reports");
            assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).isEqualTo("cmk-audit: --upload-kms-key: only used with --upload s3://BUCKET/PREFIX\n");
            assertThat(proxy.forwarded() + proxy.denied()).isZero();
        }
    }

    @Test
    void twoScansIntoTheSameOutGiveTwoFolders(@TempDir Path out) throws IOException {
        Result a = scan(out, "--accounts", prod.id(), "--regions", EU);
        Result b = scan(out, "--accounts", prod.id(), "--regions", EU, "-q");
        assertThat(a.code()).as(a.err()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(b.code()).as(b.err()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(b.err()).isEmpty();
        assertThat(files(out)).containsExactlyInAnyOrder(a.runDir().getFileName().toString(),
                b.runDir().getFileName().toString());
        assertThat(a.runDir()).isNotEqualTo(b.runDir());
        for (Path run : List.of(a.runDir(), b.runDir())) {
            assertThat(run.getFileName().toString()).matches(RUN_NAME);
            assertThat(files(run)).containsExactlyElementsOf(RUN_FILES);
            assertThat(tuples(csv(run.resolve("findings.csv")))).containsExactlyElementsOf(
                    expectedFindings().stream().filter(f -> f.account().equals("prod")).toList());
        }
    }

    @Test
    void anAccountsIdOutsideTheOrganizationIsAWarningAndExitBit2(@TempDir Path out) {
        Result r = scan(out, "--accounts", prod.id() + ",999999999999", "--regions", EU);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS | ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(r.err()).containsPattern("cmk-audit: warning: --accounts: 999999999999 is not in organization "
                + "o-[a-z0-9]+ \\(not scanned; check the id\\)\n");
        assertThat(r.out()).contains("  coverage          incomplete\n    --accounts: 999999999999 is not in");
    }

    @Test
    void noAccountLeftToScanSaysSo(@TempDir Path out) {
        Result r = scan(out, "--accounts", "999999999999,888888888888", "--regions", EU);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(r.err()).containsPattern("cmk-audit: warning: --accounts: 888888888888, 999999999999 are not in "
                + "organization o-[a-z0-9]+ \\(not scanned; check the ids\\)\n")
                .containsPattern("cmk-audit: warning: no account to scan: --accounts / --exclude-accounts leave no "
                + "ACTIVE account of organization o-[a-z0-9]+\n");
        assertThat(r.out()).doesNotContain("coverage          complete");
    }

    @Test
    void planAndCollectWarnAboutAnAccountsIdOutsideTheOrganization(@TempDir Path dir) throws IOException {
        String endpoint = moto.endpoint().toString();
        Result plan = run("plan", "--endpoint-url", endpoint, "--regions", EU, "--accounts", "999999999999",
                "-o", dir.resolve("plan.json").toString());
        assertThat(plan.code()).as(plan.err()).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(plan.err()).contains("cmk-audit: warning: --accounts: 999999999999 is not in organization o-")
                .contains("cmk-audit: warning: no account to scan");
        assertThat(dir.resolve("plan.json")).exists();
        Result collect = run("collect", "--endpoint-url", endpoint, "--regions", EU, "--accounts",
                data.id() + ",999999999999", "-o", dir.resolve("s.json").toString());
        assertThat(collect.code()).as(collect.err()).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(collect.err()).contains("cmk-audit: warning: --accounts: 999999999999 is not in organization")
                .doesNotContain("no account to scan");
    }
}
