package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.shard.PlanJson;
import io.cmkaudit.shard.SnapshotMerger;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The parts equal the whole: against moto_server, {@code plan} → one {@code collect --plan --shard I/4} per account →
 * {@code merge} → {@code report}, each a separate {@code java} process of the command line (the test's class path,
 * {@code io.cmkaudit.cli.Main}), gives the same findings (ids, types, severities, every field) and counts as one
 * {@code scan} of the same organization. The organization has a key used across accounts that land in different
 * shards, an SCP on an OU, and an excluded account. The plan goes through S3 (moto), the parts through files.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardedRunEquivalenceTest {

    static final String EU = "eu-west-1";
    static final String US = "us-east-1";
    static final ObjectMapper JSON = new ObjectMapper();

    MotoServer moto;
    OrgSeeder org;
    String sandboxId;
    String retiredKeyArn;
    List<String> scanned = new ArrayList<>();

    static String doc(String statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}";
    }

    static String allow(String principal, String action) {
        return "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":\"" + action
                + "\",\"Resource\":\"*\"}";
    }

    @BeforeAll
    void seed(MotoServer server) {
        moto = server;
        org = new OrgSeeder(server.endpoint()).organization();
        OrgSeeder.Account security = org.account("security", "Security");
        OrgSeeder.Account apps = org.account("apps", "Workloads/Prod");
        OrgSeeder.Account dev = org.account("dev", "Workloads/Dev");
        OrgSeeder.Account sandbox = org.account("sandbox", "Sandbox");
        sandboxId = sandbox.id();
        scanned.addAll(List.of(OrgSeeder.MANAGEMENT_ACCOUNT_ID, security.id(), apps.id(), dev.id()));

        // a key of the security account that apps' volumes use: read by whichever shard scans apps
        OrgSeeder.Key shared = security.key(EU, "shared data key").policy(doc(
                allow("arn:aws:iam::" + security.id() + ":root", "kms:*") + ","
                + allow("arn:aws:iam::" + apps.id() + ":root", "kms:*"))).alias("alias/shared");
        OrgSeeder.Key appsKey = apps.key(EU, "apps key").policy(doc(allow("arn:aws:iam::" + apps.id() + ":root", "kms:*")));
        apps.user("alice").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess");
        apps.role("kms-admin", OrgSeeder.TRUST_MANAGEMENT).inline("kms-all",
                doc("{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        apps.instance(EU).tag("Name", "web").volume("/dev/xvda", shared.arn()).launch();
        apps.instance(EU).tag("Name", "db").volume("/dev/xvda", appsKey.arn()).volume("/dev/sdf", shared.arn()).launch();
        // the security account's own volume on the same key
        security.instance(EU).tag("Name", "vault").volume("/dev/xvda", shared.arn()).launch();

        // a disabled key of the security account that volumes of apps and dev use: one START_BLOCKED_KEY_UNUSABLE
        // finding (the key's) listing instances of accounts in different shards
        OrgSeeder.Key retired = security.key(EU, "retired key").policy(doc(
                allow("arn:aws:iam::" + security.id() + ":root", "kms:*") + ","
                + allow("arn:aws:iam::" + apps.id() + ":root", "kms:*") + ","
                + allow("arn:aws:iam::" + dev.id() + ":root", "kms:*")));
        retiredKeyArn = retired.arn();
        apps.instance(EU).tag("Name", "archive").volume("/dev/xvda", retired.arn()).stopped().launch();
        dev.instance(EU).tag("Name", "old-build").volume("/dev/xvda", retired.arn()).stopped().launch();
        retired.disable();

        OrgSeeder.Key devKey = dev.key(US, "dev key").policy(doc(allow("arn:aws:iam::" + dev.id() + ":root", "kms:*")));
        dev.user("dana").inline("ec2-and-kms", doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\","
                + "\"kms:*\"],\"Resource\":\"*\"}"));
        dev.instance(US).tag("Name", "build").volume("/dev/xvda", devKey.arn()).stopped().launch();
        org.scp("DenyGrantsInDev", doc("{\"Effect\":\"Deny\",\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\"}"),
                org.ou("Workloads/Dev"));

        sandbox.user("sam").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess");
        try (S3Client s3 = S3Client.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS).build()) {
            s3.createBucket(r -> r.bucket("shard-runs"));
        }
    }

    record Run(int code, String out, String err) {
        Path runDir() {
            Matcher m = Pattern.compile("^cmk-audit report: (.+)$", Pattern.MULTILINE).matcher(out);
            assertThat(m.find()).as("stdout names the run folder: " + out + err).isTrue();
            return Path.of(m.group(1));
        }
    }

    /** Runs the command line in a new JVM with moto's management credentials. */
    Run cli(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Daws.disableEc2Metadata=true", "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "io.cmkaudit.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_ACCESS_KEY_ID", "testing");
        env.put("AWS_SECRET_ACCESS_KEY", "testing");
        env.put("AWS_REGION", US);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("cmk-audit " + String.join(" ", args) + " did not finish in 240 s: "
                    + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    String[] common(String... more) {
        List<String> a = new ArrayList<>(List.of(more));
        a.addAll(List.of("--endpoint-url", moto.endpoint().toString(), "--regions", EU + "," + US,
                "--exclude-accounts", sandboxId));
        return a.toArray(String[]::new);
    }

    @Test
    void planShardsMergeAndReportGiveTheFindingsOfOneScan(@TempDir Path dir) throws Exception {
        Run scan = cli(dir, common("scan", "--out", dir.resolve("single").toString(), "--fail-on", "NONE"));
        assertThat(scan.code()).as(scan.err()).isIn(0, 2);
        JsonNode single = JSON.readTree(scan.runDir().resolve("findings.json").toFile());

        String planUrl = "s3://shard-runs/run-1/plan.json";
        Run plan = cli(dir, common("plan", "-o", planUrl, "--accounts-output", "s3://shard-runs/run-1/accounts.json"));
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.err()).contains(scanned.size() + " accounts to scan", "1 reported without a scan");

        List<String> parts = new ArrayList<>();
        int shards = scanned.size(); // one account per shard: the shared key is always read across shards
        for (int i = 1; i <= shards; i++) {
            Path part = dir.resolve("part-" + i + ".json");
            Run c = cli(dir, "collect", "--plan", planUrl, "--shard", i + "/" + shards, "-o", part.toString(),
                    "--endpoint-url", moto.endpoint().toString(), "--regions", EU + "," + US);
            assertThat(c.code()).as(c.err()).isZero();
            parts.add(part.toString());
            Snapshot s = SnapshotJson.read(part);
            assertThat(s.organization().id()).isEqualTo(single.path("run").path("organizationId").asText());
            // Organizations is not walked again by a shard
            assertThat(s.run().apiCalls().keySet()).noneMatch(k -> k.startsWith("Organizations."));
        }
        // every planned account is scanned by exactly one part
        List<String> owned = new ArrayList<>();
        for (String part : parts) {
            SnapshotJson.read(Path.of(part)).accounts().stream()
                    .filter(a -> !isKeyOnly(a)).map(AccountSnapshot::accountId).forEach(owned::add);
        }
        assertThat(owned).containsExactlyInAnyOrderElementsOf(scanned);
        assertThat(parts.stream().flatMap(p -> SnapshotJson.read(Path.of(p)).accounts().stream())
                .filter(a -> a.coverage(Coverage.GLOBAL).map(c -> SnapshotMerger.OTHER_SHARD.equals(c.errorCode()))
                        .orElse(false)))
                .as("the key of the security account, read by the shard of apps").isNotEmpty();

        Path merged = dir.resolve("merged.json");
        List<String> mergeArgs = new ArrayList<>(List.of("merge", "--plan", planUrl, "-o", merged.toString(),
                "--endpoint-url", moto.endpoint().toString()));
        mergeArgs.addAll(parts);
        Run merge = cli(dir, mergeArgs.toArray(String[]::new));
        assertThat(merge.code()).as(merge.err()).isZero();

        Run report = cli(dir, "report", merged.toString(), "--out", dir.resolve("sharded").toString(),
                "--fail-on", "NONE");
        assertThat(report.code()).as(report.err()).isEqualTo(scan.code());
        JsonNode sharded = JSON.readTree(report.runDir().resolve("findings.json").toFile());

        assertThat(single.path("findings").size()).as("the organization yields findings").isGreaterThan(3);
        assertThat(typeCounts(sharded)).isEqualTo(typeCounts(single));
        assertThat(findings(sharded)).isEqualTo(findings(single));
        assertThat(sharded.path("summary")).isEqualTo(single.path("summary"));
        assertThat(coverage(sharded)).isEqualTo(coverage(single));
    }

    /**
     * Issue 11 item 3: the report per shard and merge-findings. plan → one collect per shard → merge → one
     * {@code report SNAPSHOT --plan --shard I/N -o PART} per shard (each keeping only its accounts in full) →
     * {@code merge-findings}, every step a separate process, gives the findings (every field), summary, coverage and
     * exit code of one scan. The retired key's START_BLOCKED_KEY_UNUSABLE finding lists instances of two shards: each
     * part has the instance of its shard, the joined finding both.
     */
    @Test
    void reportPerShardAndMergeFindingsGiveTheFindingsOfOneScan(@TempDir Path dir) throws Exception {
        Run scan = cli(dir, common("scan", "--out", dir.resolve("single").toString(), "--fail-on", "NONE"));
        assertThat(scan.code()).as(scan.err()).isIn(0, 2);
        JsonNode single = JSON.readTree(scan.runDir().resolve("findings.json").toFile());

        Path plan = dir.resolve("plan.json");
        assertThat(cli(dir, common("plan", "-o", plan.toString())).code()).isZero();
        int shards = scanned.size();
        List<String> parts = new ArrayList<>();
        for (int i = 1; i <= shards; i++) {
            Path part = dir.resolve("part-" + i + ".json");
            Run c = cli(dir, "collect", "--plan", plan.toString(), "--shard", i + "/" + shards, "-o", part.toString(),
                    "--endpoint-url", moto.endpoint().toString(), "--regions", EU + "," + US);
            assertThat(c.code()).as(c.err()).isZero();
            parts.add(part.toString());
        }
        Path merged = dir.resolve("merged.json");
        List<String> mergeArgs = new ArrayList<>(List.of("merge", "--plan", plan.toString(), "-o", merged.toString()));
        mergeArgs.addAll(parts);
        assertThat(cli(dir, mergeArgs.toArray(String[]::new)).code()).isZero();

        Path findingsParts = Files.createDirectories(dir.resolve("findings-parts"));
        int withRetiredKey = 0;
        for (int i = 1; i <= shards; i++) {
            Path part = findingsParts.resolve("shard-" + i + ".json");
            Run r = cli(dir, "report", merged.toString(), "--plan", plan.toString(), "--shard", i + "/" + shards,
                    "-o", part.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).contains("shard " + i + "/" + shards + ": ", "wrote " + part);
            JsonNode p = JSON.readTree(part.toFile());
            assertThat(p.path("accounts")).hasSize(1);
            for (JsonNode f : p.path("findings")) {
                if ("START_BLOCKED_KEY_UNUSABLE".equals(f.path("type").asText())
                        && retiredKeyArn.equals(f.path("keyArn").asText())) {
                    assertThat(f.path("instances")).as("a part lists the instances of its shard").hasSize(1);
                    withRetiredKey++;
                }
            }
        }
        assertThat(withRetiredKey).as("the retired key's finding is in the parts of apps and dev").isEqualTo(2);

        Run join = cli(dir, "merge-findings", "--plan", plan.toString(), "--out", dir.resolve("sharded").toString(),
                "--fail-on", "NONE", findingsParts.toString());
        assertThat(join.code()).as(join.err()).isEqualTo(scan.code());
        assertThat(join.err()).doesNotContain("warning", "error");
        Path runDir = join.runDir();
        for (String file : List.of("report.html", "findings.csv", "findings.xlsx", "coverage.csv", "findings.json",
                "manifest.json")) {
            assertThat(runDir.resolve(file)).as(file).isRegularFile();
        }
        JsonNode sharded = JSON.readTree(runDir.resolve("findings.json").toFile());
        assertThat(typeCounts(sharded)).isEqualTo(typeCounts(single));
        assertThat(findings(sharded)).isEqualTo(findings(single));
        assertThat(sharded.path("summary")).isEqualTo(single.path("summary"));
        assertThat(coverage(sharded)).isEqualTo(coverage(single));
        JsonNode retiredFinding = null;
        for (JsonNode f : sharded.path("findings")) {
            if ("START_BLOCKED_KEY_UNUSABLE".equals(f.path("type").asText())
                    && retiredKeyArn.equals(f.path("keyArn").asText())) {
                retiredFinding = f;
            }
        }
        assertThat(retiredFinding).as("the retired key's finding").isNotNull();
        assertThat(retiredFinding.path("instances")).hasSize(2);
        // the findings.csv of the joined run lists the same findings as the scan's
        assertThat(Files.readAllLines(runDir.resolve("findings.csv")).size())
                .isEqualTo(Files.readAllLines(scan.runDir().resolve("findings.csv")).size());

        // a missing shard and a shard given twice: one error line each, an ERROR coverage row, exit bit 2
        List<String> partFiles = new ArrayList<>();
        for (int i = 1; i <= shards; i++) {
            partFiles.add(findingsParts.resolve("shard-" + i + ".json").toString());
        }
        List<String> missingArgs = new ArrayList<>(List.of("merge-findings", "--plan", plan.toString(), "--out",
                dir.resolve("missing").toString(), "--fail-on", "NONE"));
        missingArgs.addAll(partFiles.subList(1, shards));
        Run missing = cli(dir, missingArgs.toArray(String[]::new));
        assertThat(missing.code() & ExitCodes.COVERAGE_INCOMPLETE).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(missing.err()).contains("cmk-audit: error: account ", "none of the " + (shards - 1)
                + " findings parts analyzed it");
        assertThat(Files.readString(missing.runDir().resolve("coverage.csv"))).contains(MergeFindingsCommand.NOT_ANALYZED);

        List<String> twiceArgs = new ArrayList<>(List.of("merge-findings", "--plan", plan.toString(), "--out",
                dir.resolve("twice").toString(), "--fail-on", "NONE"));
        twiceArgs.addAll(partFiles);
        twiceArgs.add(partFiles.get(0));
        Run twice = cli(dir, twiceArgs.toArray(String[]::new));
        assertThat(twice.code() & ExitCodes.COVERAGE_INCOMPLETE).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(twice.err()).contains("was analyzed by 2 findings parts");
        JsonNode twiceFindings = JSON.readTree(twice.runDir().resolve("findings.json").toFile());
        assertThat(findings(twiceFindings)).as("a part given twice adds nothing").isEqualTo(findings(single));
        assertThat(Files.readString(twice.runDir().resolve("coverage.csv"))).contains(MergeFindingsCommand.ANALYZED_TWICE);

        // a part of another plan: one line, usage error, nothing written
        Path otherPlan = dir.resolve("plan-2.json");
        assertThat(cli(dir, common("plan", "-o", otherPlan.toString())).code()).isZero();
        List<String> otherArgs = new ArrayList<>(List.of("merge-findings", "--plan", otherPlan.toString(), "--out",
                dir.resolve("other").toString()));
        otherArgs.addAll(partFiles);
        Run other = cli(dir, otherArgs.toArray(String[]::new));
        assertThat(other.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(other.err().strip().lines()).hasSize(1);
        assertThat(other.err()).contains("a findings part of plan ", "not of --plan " + otherPlan);
        // a snapshot given as a part
        Run notAPart = cli(dir, "merge-findings", "--plan", plan.toString(), "--out", dir.resolve("x").toString(),
                merged.toString());
        assertThat(notAPart.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(notAPart.err()).contains("not a findings part");
    }

    /**
     * The commands the Step Functions state machine runs (config/deploy/distributed-scan.asl.json), in its order and
     * with its S3 layout: plan with --parallel-shards and the account list; the Distributed Map's batches of
     * accounts (ItemBatcher) written to S3 by the child, one `collect --plan --accounts-file` per batch writing its
     * part under parts/; the reduce `merge` over the parts/ prefix with --report and --upload. The reports equal one
     * scan's.
     */
    @Test
    void theStepFunctionsCommandsGiveTheFindingsOfOneScan(@TempDir Path dir) throws Exception {
        Run scan = cli(dir, common("scan", "--out", dir.resolve("single").toString(), "--fail-on", "NONE"));
        assertThat(scan.code()).as(scan.err()).isIn(0, 2);
        JsonNode single = JSON.readTree(scan.runDir().resolve("findings.json").toFile());

        String run = "s3://shard-runs/runs/exec-1";
        Run plan = cli(dir, common("plan", "--parallel-shards", "2", "--log-format", "json", "-o", run + "/plan.json",
                "--accounts-output", run + "/accounts.json"));
        assertThat(plan.code()).as(plan.err()).isZero();
        List<String> items = new ArrayList<>();
        try (S3Client s3 = s3()) {
            JSON.readTree(s3.getObjectAsBytes(r -> r.bucket("shard-runs").key("runs/exec-1/accounts.json")).asByteArray())
                    .forEach(n -> items.add(n.asText()));
            assertThat(items).containsExactlyInAnyOrderElementsOf(scanned);
            // ItemBatcher with MaxItemsPerBatch 3: two children; each writes its batch, named after its first item
            for (int i = 0; i < items.size(); i += 3) {
                List<String> batch = items.subList(i, Math.min(items.size(), i + 3));
                s3.putObject(r -> r.bucket("shard-runs").key("runs/exec-1/shards/" + batch.get(0) + ".json"),
                        software.amazon.awssdk.core.sync.RequestBody.fromString(JSON.writeValueAsString(batch)));
                Run c = cli(dir, "collect", "--regions", EU + "," + US, "--log-format", "json", "--plan",
                        run + "/plan.json", "--accounts-file", run + "/shards/" + batch.get(0) + ".json", "-o",
                        run + "/parts/" + batch.get(0) + ".json", "--endpoint-url", moto.endpoint().toString());
                assertThat(c.code()).as(c.err()).isZero();
            }
        }
        Run merge = cli(dir, "merge", "--plan", run + "/plan.json", "-o", run + "/snapshot.json", "--report", "--out",
                dir.resolve("sharded").toString(), "--fail-on", "NONE", "--upload", "s3://shard-runs/reports",
                "--endpoint-url", moto.endpoint().toString(), run + "/parts/");
        assertThat(merge.code()).as(merge.err()).isEqualTo(scan.code());
        assertThat(merge.err()).contains("merged 2 partial snapshots", "uploaded ");
        JsonNode sharded = JSON.readTree(merge.runDir().resolve("findings.json").toFile());
        assertThat(findings(sharded)).isEqualTo(findings(single));
        assertThat(sharded.path("summary")).isEqualTo(single.path("summary"));
        assertThat(coverage(sharded)).isEqualTo(coverage(single));
        try (S3Client s3 = s3()) {
            List<String> uploaded = s3.listObjectsV2Paginator(r -> r.bucket("shard-runs").prefix("reports/"))
                    .contents().stream().map(o -> o.key()).toList();
            assertThat(uploaded).anyMatch(k -> k.endsWith("/findings.json")).anyMatch(k -> k.endsWith("/report.html"));
            assertThat(SnapshotJson.read(new java.io.ByteArrayInputStream(s3.getObjectAsBytes(r -> r.bucket("shard-runs")
                    .key("runs/exec-1/snapshot.json")).asByteArray()), "snapshot.json").accounts()).isNotEmpty();
        }
    }

    /**
     * Issue 11 item 4: the state machine's own commands, run as Step Functions would run them against moto. The
     * definition {@code config/deploy/distributed-scan.asl.json} is read with its placeholders substituted (as
     * CloudFormation's DefinitionSubstitutions do) and every {@code Command.$} evaluated with the run's name, each
     * batch's items and each listed object: plan; the Shards map's batches (ItemBatcher) written to S3 and collected;
     * merge into one snapshot in S3 (no report); the ShardReports map over the batch files it lists (ItemReader
     * ListObjectsV2, ItemSelector), each {@code report s3://…/snapshot.json --plan --accounts-file s3://… -o
     * s3://…/findings-parts/N.json} streaming the snapshot from S3; merge-findings over the findings-parts/ prefix
     * with --upload. The reports equal one scan's (every field of every finding, summary, coverage, exit code), and
     * the uploaded findings.json is the one written.
     */
    @Test
    void theStateMachineWithAReportPerShardGivesTheFindingsOfOneScan(@TempDir Path dir) throws Exception {
        Run scan = cli(dir, common("scan", "--out", dir.resolve("single").toString(), "--fail-on", "NONE"));
        assertThat(scan.code()).as(scan.err()).isIn(0, 2);
        JsonNode single = JSON.readTree(scan.runDir().resolve("findings.json").toFile());

        Map<String, String> values = new java.util.HashMap<>(Map.ofEntries(Map.entry("Partition", "aws"),
                Map.entry("Region", US), Map.entry("ClusterArn", "arn:aws:ecs:us-east-1:123456789012:cluster/c"),
                Map.entry("TaskDefinitionArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/t:1"),
                Map.entry("ContainerName", "cmk-audit"), Map.entry("SubnetIdsJson", "[\"subnet-1\"]"),
                Map.entry("SecurityGroupIdsJson", "[\"sg-1\"]"), Map.entry("AssignPublicIp", "DISABLED"),
                Map.entry("AuditRoleName", "cmk-audit-read"), Map.entry("ExternalIdArgs", ""),
                Map.entry("Regions", EU + "," + US), Map.entry("MaxConcurrency", "2"),
                Map.entry("AccountsPerShard", "3"), Map.entry("ToleratedFailurePercentage", "0"),
                Map.entry("ReduceTaskCpu", "4096"), Map.entry("ReduceTaskMemory", "16384"),
                Map.entry("Bucket", "shard-runs"), Map.entry("RunsBucket", "shard-runs"),
                Map.entry("RunsPrefix", "sfn/runs"),
                Map.entry("ReportsPrefix", "sfn/reports"), Map.entry("UploadKmsKeyArgs", ""),
                Map.entry("PreviousArgs", "'--previous', 's3://shard-runs/sfn/reports/', "),
                Map.entry("SecurityHubArgs", "'--security-hub', ")));
        JsonNode states = definition(values).path("States");
        String exec = "exec-2";
        String endpoint = moto.endpoint().toString();

        List<String> planCmd = command(states.path("Plan"), Map.of("$$.Execution.Name", exec));
        planCmd.addAll(List.of("--endpoint-url", endpoint, "--exclude-accounts", sandboxId));
        Run plan = cli(dir, planCmd.toArray(String[]::new));
        assertThat(plan.code()).as(plan.err()).isZero();

        JsonNode shardsMap = states.path("Shards");
        String accountsKey = format(shardsMap.path("ItemReader").path("Parameters").path("Key.$").asText(),
                Map.of("$$.Execution.Name", exec));
        JsonNode collectStates = shardsMap.path("ItemProcessor").path("States");
        int perBatch = shardsMap.path("ItemBatcher").path("MaxItemsPerBatch").asInt();
        assertThat(perBatch).isEqualTo(3);
        List<String> items = new ArrayList<>();
        try (S3Client s3 = s3()) {
            JSON.readTree(s3.getObjectAsBytes(r -> r.bucket("shard-runs").key(accountsKey)).asByteArray())
                    .forEach(n -> items.add(n.asText()));
            assertThat(items).containsExactlyInAnyOrderElementsOf(scanned);
            for (int i = 0; i < items.size(); i += perBatch) {
                List<String> batch = items.subList(i, Math.min(items.size(), i + perBatch));
                Map<String, String> child = Map.of("$.BatchInput.run", exec, "$.Items[0]", batch.get(0));
                String batchKey = format(collectStates.path("WriteShardAccounts").path("Parameters").path("Key.$")
                        .asText(), child);
                s3.putObject(r -> r.bucket("shard-runs").key(batchKey),
                        software.amazon.awssdk.core.sync.RequestBody.fromString(JSON.writeValueAsString(batch)));
                List<String> collect = command(collectStates.path("CollectShard"), child);
                collect.addAll(List.of("--endpoint-url", endpoint));
                Run c = cli(dir, collect.toArray(String[]::new));
                assertThat(c.code()).as(c.err()).isZero();
            }
        }

        List<String> mergeCmd = command(states.path("Merge"), Map.of("$$.Execution.Name", exec));
        mergeCmd.addAll(List.of("--endpoint-url", endpoint));
        Run merge = cli(dir, mergeCmd.toArray(String[]::new));
        assertThat(merge.code()).as(merge.err()).isEqualTo(scan.code() & ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(merge.out()).as("merge writes no report").doesNotContain("cmk-audit report: ");

        JsonNode reportsMap = states.path("ShardReports");
        String batchesPrefix = format(reportsMap.path("ItemReader").path("Parameters").path("Prefix.$").asText(),
                Map.of("$$.Execution.Name", exec));
        List<String> batchKeys;
        try (S3Client s3 = s3()) {
            batchKeys = s3.listObjectsV2Paginator(r -> r.bucket("shard-runs").prefix(batchesPrefix)).contents()
                    .stream().map(o -> o.key()).toList();
        }
        assertThat(batchKeys).hasSize((items.size() + perBatch - 1) / perBatch);
        JsonNode reportState = reportsMap.path("ItemProcessor").path("States").path("ReportShard");
        int withRetiredKey = 0;
        for (int index = 0; index < batchKeys.size(); index++) {
            Map<String, String> context = Map.of("$$.Execution.Name", exec, "$$.Map.Item.Value.Key",
                    batchKeys.get(index), "$$.Map.Item.Index", String.valueOf(index));
            Map<String, String> input = new TreeMap<>();
            reportsMap.path("ItemSelector").fields().forEachRemaining(f -> {
                assertThat(f.getKey()).endsWith(".$");
                assertThat(context).containsKey(f.getValue().asText());
                input.put("$." + f.getKey().substring(0, f.getKey().length() - 2), context.get(f.getValue().asText()));
            });
            List<String> report = command(reportState, input);
            assertThat(report.get(1)).as("the snapshot merge wrote, read from S3").isEqualTo(
                    mergeCmd.get(mergeCmd.indexOf("-o") + 1));
            report.addAll(List.of("--endpoint-url", endpoint));
            Run r = cli(dir, report.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            String partUrl = report.get(report.indexOf("-o") + 1);
            assertThat(r.err()).contains("wrote " + partUrl);
            try (S3Client s3 = s3()) {
                JsonNode part = JSON.readTree(s3.getObjectAsBytes(b -> b.bucket("shard-runs")
                        .key(partUrl.substring("s3://shard-runs/".length()))).asByteArray());
                List<String> batch = new ArrayList<>();
                JSON.readTree(s3.getObjectAsBytes(b -> b.bucket("shard-runs").key(input.get("$.key"))).asByteArray())
                        .forEach(n -> batch.add(n.asText()));
                assertThat(part.path("accounts")).extracting(JsonNode::asText)
                        .containsExactlyInAnyOrderElementsOf(batch);
                for (JsonNode f : part.path("findings")) {
                    if (retiredKeyArn.equals(f.path("keyArn").asText())
                            && "START_BLOCKED_KEY_UNUSABLE".equals(f.path("type").asText())) {
                        withRetiredKey++;
                    }
                }
            }
        }
        assertThat(withRetiredKey).as("the parts that hold instances of the retired key").isPositive();

        List<String> mergeFindings = command(states.path("MergeFindings"), Map.of("$$.Execution.Name", exec));
        mergeFindings.set(mergeFindings.indexOf("--out") + 1, dir.resolve("sharded").toString());
        mergeFindings.addAll(List.of("--endpoint-url", endpoint));
        Run join = cli(dir, mergeFindings.toArray(String[]::new));
        assertThat(join.code()).as(join.err()).isEqualTo(scan.code());
        assertThat(join.err()).contains("uploaded ").doesNotContain("warning", "error");
        JsonNode sharded = JSON.readTree(join.runDir().resolve("findings.json").toFile());
        assertThat(single.path("findings").size()).isGreaterThan(3);
        assertThat(typeCounts(sharded)).isEqualTo(typeCounts(single));
        assertThat(findings(sharded)).isEqualTo(findings(single));
        assertThat(sharded.path("summary")).isEqualTo(single.path("summary"));
        assertThat(coverage(sharded)).isEqualTo(coverage(single));
        try (S3Client s3 = s3()) {
            List<String> uploaded = s3.listObjectsV2Paginator(r -> r.bucket("shard-runs").prefix("sfn/reports/"))
                    .contents().stream().map(o -> o.key()).toList();
            assertThat(uploaded).anyMatch(k -> k.endsWith("/report.html")).anyMatch(k -> k.endsWith("/manifest.json"));
            String findingsKey = uploaded.stream().filter(k -> k.endsWith("/findings.json")).findFirst().orElseThrow();
            assertThat(s3.getObjectAsBytes(r -> r.bucket("shard-runs").key(findingsKey)).asByteArray())
                    .isEqualTo(Files.readAllBytes(join.runDir().resolve("findings.json")));
        }
        // SecurityHubImport: the findings are in Security Hub of the plan's caller, in the task's region (AWS_REGION)
        int n = sharded.path("findings").size();
        assertThat(join.err()).contains("imported " + ScanCommand.plural(n, "finding") + " into Security Hub (" + US
                + ", account ");
        java.util.Set<String> ids = new java.util.TreeSet<>();
        sharded.path("findings").forEach(f -> ids.add("cmk-audit/" + f.path("findingId").asText()));
        assertThat(hubFindingStates()).containsOnlyKeys(ids).containsValues("ACTIVE").doesNotContainValue("ARCHIVED");

        // CompareWithPrevious: the next run over the same parts diffs against the one the first uploaded (the first
        // found none under the prefix): nothing NEW, nothing RESOLVED
        Run again = cli(dir, mergeFindings.toArray(String[]::new));
        assertThat(again.code()).as(again.err()).isEqualTo(scan.code());
        assertThat(again.err()).doesNotContain("warning", "error");
        JsonNode second = JSON.readTree(again.runDir().resolve("findings.json").toFile());
        assertThat(second.path("findings")).hasSize(n)
                .allSatisfy(f -> assertThat(f.path("change").asText()).as(f.path("type").asText())
                        .isEqualTo("UNCHANGED"));
        // (the first run had no earlier one: no diff, as a scan without --previous)
        assertThat(sharded.path("findings")).allSatisfy(f -> assertThat(f.path("change").isNull()).isTrue());
        JsonNode manifest = JSON.readTree(again.runDir().resolve("manifest.json").toFile());
        assertThat(manifest.path("configuration").path("previousUsed").asText())
                .startsWith("s3://shard-runs/sfn/reports/").endsWith("/findings.json");
        assertThat(hubFindingStates()).containsOnlyKeys(ids).doesNotContainValue("ARCHIVED");
    }

    /** Security Hub's findings in {@link #US} of moto's account, by id: their RecordState. */
    Map<String, String> hubFindingStates() {
        try (software.amazon.awssdk.services.securityhub.SecurityHubClient h =
                     software.amazon.awssdk.services.securityhub.SecurityHubClient.builder()
                             .endpointOverride(moto.endpoint()).region(software.amazon.awssdk.regions.Region.of(US))
                             .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider
                                     .create(software.amazon.awssdk.auth.credentials.AwsBasicCredentials
                                             .create("testing", "testing"))).build()) {
            Map<String, String> m = new TreeMap<>();
            h.getFindingsPaginator(r -> r.maxResults(100)).findings()
                    .forEach(f -> m.put(f.id(), f.recordStateAsString()));
            return m;
        }
    }

    /** The state machine's definition with every {@code ${NAME}} replaced by {@code values} (none may be missing). */
    static JsonNode definition(Map<String, String> values) throws IOException {
        String text = Files.readString(Path.of("").toAbsolutePath().getParent()
                .resolve("config/deploy/distributed-scan.asl.json"));
        Matcher m = Pattern.compile("\\$\\{([^}]+)\\}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            assertThat(values).as("a value for ${" + m.group(1) + "}").containsKey(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
        }
        m.appendTail(out);
        return JSON.readTree(out.toString());
    }

    /**
     * The container command of an ECS task state: {@code States.Array} of string literals and
     * {@code States.Format('...{}...', PATH, ...)}, each {@code {}} replaced by the value of its path in
     * {@code paths} (a path missing there fails the test).
     */
    static List<String> command(JsonNode task, Map<String, String> paths) {
        String expr = task.path("Parameters").path("Overrides").path("ContainerOverrides").path(0).path("Command.$")
                .asText();
        assertThat(expr).startsWith("States.Array(").endsWith(")");
        List<String> args = new ArrayList<>();
        String body = expr.substring("States.Array(".length(), expr.length() - 1);
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == ' ' || c == ',') {
                i++;
            } else if (c == '\'') {
                int end = body.indexOf('\'', i + 1);
                args.add(body.substring(i + 1, end));
                i = end + 1;
            } else if (body.startsWith("States.Format(", i)) {
                int close = body.indexOf(')', body.indexOf('\'', body.indexOf('\'', i) + 1));
                args.add(format(body.substring(i, close + 1), paths));
                i = close + 1;
            } else {
                throw new AssertionError("unexpected argument at " + body.substring(i));
            }
        }
        return args;
    }

    /** Evaluates {@code States.Format('...{}...', PATH, ...)} with the values of {@code paths}. */
    static String format(String expr, Map<String, String> paths) {
        assertThat(expr).startsWith("States.Format('").endsWith(")");
        int q = expr.indexOf('\'');
        int qe = expr.indexOf('\'', q + 1);
        String template = expr.substring(q + 1, qe);
        List<String> refs = java.util.Arrays.stream(expr.substring(qe + 1, expr.length() - 1).split(","))
                .map(String::strip).filter(r -> !r.isEmpty()).toList();
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (String ref : refs) {
            int at = template.indexOf("{}", from);
            assertThat(at).as(expr).isNotNegative();
            assertThat(paths).as("a value for " + ref).containsKey(ref);
            out.append(template, from, at).append(paths.get(ref));
            from = at + 2;
        }
        assertThat(template.indexOf("{}", from)).as("as many {} as paths: " + expr).isNegative();
        return out.append(template.substring(from)).toString();
    }

    S3Client s3() {
        return S3Client.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS).build();
    }

    @Test
    void mergeFailsLoudlyOnAMissingOrDuplicatedShard(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("plan.json");
        assertThat(cli(dir, common("plan", "-o", plan.toString())).code()).isZero();
        Path p1 = dir.resolve("p1.json");
        Path p2 = dir.resolve("p2.json");
        // the plan records its regions; a shard given others is refused before it reads anything
        Run otherRegions = cli(dir, "collect", "--plan", plan.toString(), "--shard", "1/2", "-o", p1.toString(),
                "--endpoint-url", moto.endpoint().toString(), "--regions", EU);
        assertThat(otherRegions.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(otherRegions.err().strip().lines()).hasSize(1);
        assertThat(otherRegions.err()).contains("--regions: " + EU + " differs from the regions of --plan");
        assertThat(p1).doesNotExist();
        // without --regions a shard collects the plan's
        assertThat(cli(dir, "collect", "--plan", plan.toString(), "--shard", "1/2", "-o", p1.toString(),
                "--endpoint-url", moto.endpoint().toString()).code()).isZero();
        assertThat(cli(dir, "collect", "--plan", plan.toString(), "--shard", "2/2", "-o", p2.toString(),
                "--endpoint-url", moto.endpoint().toString()).code()).isZero();
        assertThat(SnapshotJson.read(p1).run().regions()).containsExactly(EU, US);
        assertThat(SnapshotJson.read(p1).run().planId()).isEqualTo(PlanJson.read(Files.readAllBytes(plan), "p").id());

        Path out = dir.resolve("merged.json");
        Run missing = cli(dir, "merge", "--plan", plan.toString(), "-o", out.toString(), p1.toString());
        assertThat(missing.code()).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(missing.err()).contains("error: account ", "none of the 1 partial snapshots scanned it");
        Snapshot m = SnapshotJson.read(out);
        List<String> notCollected = m.accounts().stream().filter(a -> a.coverage(Coverage.GLOBAL)
                .map(c -> c.status() == CoverageStatus.ERROR && SnapshotMerger.NOT_COLLECTED.equals(c.errorCode()))
                .orElse(false)).map(AccountSnapshot::accountId).toList();
        assertThat(notCollected).hasSize(2).isSubsetOf(scanned);

        // the same part twice is refused (its API calls would count twice) ...
        Run sameTwice = cli(dir, "merge", "--plan", plan.toString(), "-o", out.toString(), p1.toString(),
                p2.toString(), p2.toString());
        assertThat(sameTwice.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(sameTwice.err()).contains(p2 + ": this partial snapshot is given twice");
        // ... while the same shard collected twice is an overlap in the coverage
        Path p3 = dir.resolve("p3.json");
        assertThat(cli(dir, "collect", "--plan", plan.toString(), "--shard", "2/2", "-o", p3.toString(),
                "--endpoint-url", moto.endpoint().toString()).code()).isZero();
        Run twice = cli(dir, "merge", "--plan", plan.toString(), "-o", out.toString(), p1.toString(), p2.toString(),
                p3.toString());
        assertThat(twice.code()).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(twice.err()).contains("was scanned by 2 partial snapshots");
        // the report of such a merge says so in coverage.csv and exits with bit 2
        Run report = cli(dir, "report", out.toString(), "--out", dir.resolve("r").toString(), "--fail-on", "NONE");
        assertThat(report.code()).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
        assertThat(Files.readString(report.runDir().resolve("coverage.csv"))).contains(SnapshotMerger.DUPLICATE_ACCOUNT);
    }

    static boolean isKeyOnly(AccountSnapshot a) {
        return a.coverage().size() == 1 && a.coverage().get(0).status() == CoverageStatus.SKIPPED;
    }

    static Map<String, Integer> typeCounts(JsonNode report) {
        Map<String, Integer> m = new TreeMap<>();
        report.path("findings").forEach(f -> m.merge(f.path("type").asText(), 1, Integer::sum));
        return m;
    }

    /** Every finding, by id, without the fields that name the run. */
    static Map<String, JsonNode> findings(JsonNode report) {
        Map<String, JsonNode> m = new TreeMap<>();
        report.path("findings").forEach(f -> {
            ObjectNode copy = f.deepCopy();
            // first and last seen are the time of the run that wrote the file (no --previous here): not compared
            copy.remove(List.of("firstSeen", "lastSeen"));
            assertThat(m.put(f.path("findingId").asText(), copy)).as("finding ids are unique").isNull();
        });
        return m;
    }

    static List<String> coverage(JsonNode report) {
        List<String> rows = new ArrayList<>();
        report.path("coverage").forEach(c -> rows.add(c.toString()));
        return rows.stream().sorted().toList();
    }

}
