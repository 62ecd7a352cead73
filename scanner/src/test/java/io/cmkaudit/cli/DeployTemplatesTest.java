package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Step Functions deployment is valid before anyone deploys it. With the npm packages of
 * {@code tools/deploy-validate} ({@code npm ci} there when missing): the definition
 * {@code config/deploy/distributed-scan.asl.json} has exactly the template's DefinitionSubstitutions as placeholders,
 * and, substituted with sample values as CloudFormation does, is valid Amazon States Language
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html, npm
 * {@code asl-validator}); every ECS command the state machine runs is accepted by this command line (picocli parses
 * it: each subcommand and option exists and takes its value). The template itself is checked with cfn-lint by
 * {@code CloudFormationTemplatesTest}.
 */
class DeployTemplatesTest {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path TOOLS = ROOT.resolve("tools/deploy-validate");

    @BeforeAll
    static void installValidators() throws Exception {
        if (!Files.isDirectory(TOOLS.resolve("node_modules/asl-validator"))) {
            Result r = run(TOOLS, 600, "npm", "ci", "--no-audit", "--no-fund");
            assertThat(r.code()).as("npm ci in tools/deploy-validate: " + r.output()).isZero();
        }
    }

    record Result(int code, String output) {
    }

    static Result run(Path dir, int seconds, String... cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("deploy-validate", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + seconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void theStateMachineIsValidAmazonStatesLanguageAndRunsOnlyCommandsThisCliAccepts(@TempDir Path dir)
            throws Exception {
        Path samples = Path.of("src/test/resources/deploy/distributed-scan.samples.json").toAbsolutePath();
        Path out = dir.resolve("distributed-scan.asl.json");
        Result r = run(TOOLS, 120, "node", "validate.mjs", "asl-template",
                ROOT.resolve("config/deploy/distributed-scan.cfn.yaml").toString(), samples.toString(), out.toString());
        assertThat(r.code()).as(r.output()).isZero();

        JsonNode asl = new ObjectMapper().readTree(out.toFile());
        JsonNode shards = asl.path("States").path("Shards");
        assertThat(shards.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText()).isEqualTo("DISTRIBUTED");
        assertThat(shards.path("ItemReader").path("Resource").asText()).endsWith(":states:::s3:getObject");
        assertThat(shards.path("ItemBatcher").path("MaxItemsPerBatch").asInt()).isEqualTo(1000);
        assertThat(shards.path("MaxConcurrency").asInt()).isEqualTo(10);
        assertThat(shards.has("ToleratedFailurePercentage")).isTrue();
        assertThat(shards.path("ResultWriter").path("Resource").asText()).endsWith(":states:::s3:putObject");

        // the second map: one report per batch file the first map wrote, with the same limits
        JsonNode reports = asl.path("States").path("ShardReports");
        assertThat(reports.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText()).isEqualTo("DISTRIBUTED");
        assertThat(reports.path("ItemReader").path("Resource").asText()).endsWith(":states:::s3:listObjectsV2");
        assertThat(reports.path("ItemReader").path("Parameters").path("Prefix.$").asText())
                .isEqualTo("States.Format('cmk-audit-runs/{}/shards/', $$.Execution.Name)");
        assertThat(reports.path("MaxConcurrency").asInt()).isEqualTo(10);
        assertThat(reports.has("ToleratedFailurePercentage")).isTrue();
        assertThat(reports.path("ResultWriter").path("Resource").asText()).endsWith(":states:::s3:putObject");
        assertThat(reports.path("ItemSelector").path("key.$").asText()).isEqualTo("$$.Map.Item.Value.Key");

        // the order of the run, and exit 2 (coverage gaps, the output written) going on where the output is read
        JsonNode states = asl.path("States");
        assertThat(asl.path("StartAt").asText()).isEqualTo("Plan");
        assertThat(states.path("Plan").path("Next").asText()).isEqualTo("Shards");
        assertThat(states.path("Shards").path("Next").asText()).isEqualTo("Merge");
        assertThat(states.path("Merge").path("Next").asText()).isEqualTo("ShardReports");
        assertThat(states.path("SnapshotWithGaps?").path("Choices").path(0).path("Next").asText())
                .isEqualTo("ShardReports");
        assertThat(states.path("ShardReports").path("Next").asText()).isEqualTo("MergeFindings");
        assertThat(states.path("MergeFindings").path("End").asBoolean()).isTrue();
        // the reduce tasks run with their own CPU and memory, the shards with the task definition's
        for (String reduce : List.of("Merge", "MergeFindings")) {
            JsonNode o = states.path(reduce).path("Parameters").path("Overrides");
            assertThat(o.path("Cpu").asText()).as(reduce).isEqualTo("4096");
            assertThat(o.path("Memory").asText()).as(reduce).isEqualTo("16384");
        }

        Map<String, List<String>> commands = new TreeMap<>();
        collectCommands(asl.path("States"), "", commands);
        assertThat(commands.keySet()).containsExactly("Merge", "MergeFindings", "Plan", "ShardReports/ReportShard",
                "Shards/CollectShard");
        for (Map.Entry<String, List<String>> e : commands.entrySet()) {
            List<String> args = e.getValue();
            CommandLine cl = new CommandLine(new Main());
            CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
            assertThat(parsed.hasSubcommand()).as(e.getKey()).isTrue();
        }
        // the plan divides the per-caller quotas by the Map's MaxConcurrency
        List<String> plan = commands.get("Plan");
        assertThat(plan.get(plan.indexOf("--parallel-shards") + 1)).isEqualTo("10");
        assertThat(commands.get("Shards/CollectShard")).contains("--accounts-file", "--plan");
        List<String> merge = commands.get("Merge");
        assertThat(merge).doesNotContain("--report", "--upload");
        assertThat(merge.get(merge.indexOf("-o") + 1)).isEqualTo("s3://cmk-audit-runs-111122223333/cmk-audit-runs/"
                + "exec-1/snapshot.json");
        // each shard's report reads the snapshot merge wrote and writes a part under the prefix merge-findings reads
        List<String> report = commands.get("ShardReports/ReportShard");
        assertThat(report.get(0)).isEqualTo("report");
        assertThat(report.get(1)).isEqualTo(merge.get(merge.indexOf("-o") + 1));
        assertThat(report).contains("--plan", "--accounts-file").doesNotContain("--out", "--upload");
        assertThat(report.get(report.indexOf("--accounts-file") + 1))
                .startsWith("s3://cmk-audit-runs-111122223333/");
        List<String> mergeFindings = commands.get("MergeFindings");
        String partsPrefix = mergeFindings.get(mergeFindings.size() - 1);
        assertThat(partsPrefix).isEqualTo("s3://cmk-audit-runs-111122223333/cmk-audit-runs/exec-1/findings-parts/");
        // the run files in the runs bucket, the reports (and the earlier ones the diff reads) in the reports bucket
        assertThat(mergeFindings.get(mergeFindings.indexOf("--upload") + 1))
                .isEqualTo("s3://cmk-audit-reports-111122223333/cmk-audit");
        assertThat(report.get(report.indexOf("-o") + 1)).startsWith(partsPrefix).endsWith(".json");
        assertThat(mergeFindings).contains("--upload", "--upload-kms-key", "--out", "--fail-on", "--security-hub");
        // the diff against the newest earlier run: the prefix --upload writes run folders under, ending in /
        assertThat(mergeFindings.get(mergeFindings.indexOf("--previous") + 1))
                .isEqualTo(mergeFindings.get(mergeFindings.indexOf("--upload") + 1) + "/");
        assertThat(mergeFindings.get(mergeFindings.indexOf("--plan") + 1)).isEqualTo(report.get(report.indexOf("--plan")
                + 1));
    }

    /** Every {@code Command.$} of an ECS task state, as the argument list the container gets (sample run names). */
    static void collectCommands(JsonNode states, String prefix, Map<String, List<String>> out) {
        states.fields().forEachRemaining(e -> {
            JsonNode command = e.getValue().path("Parameters").path("Overrides").path("ContainerOverrides").path(0)
                    .path("Command.$");
            if (command.isTextual()) {
                out.put(prefix + e.getKey(), intrinsicArray(command.asText()));
            }
            JsonNode inner = e.getValue().path("ItemProcessor").path("States");
            if (inner.isObject()) {
                collectCommands(inner, prefix + e.getKey() + "/", out);
            }
        });
    }

    /**
     * Evaluates {@code States.Array(...)} of string literals and {@code States.Format('...{}...', path...)} (each
     * {@code {}} becomes {@code exec-1}), as Step Functions would with a run named exec-1.
     */
    static List<String> intrinsicArray(String expr) {
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
                int start = i + "States.Format(".length();
                int q = body.indexOf('\'', start);
                int qe = body.indexOf('\'', q + 1);
                args.add(body.substring(q + 1, qe).replace("{}", "exec-1"));
                i = body.indexOf(')', qe) + 1;
            } else {
                throw new AssertionError("unexpected argument at " + body.substring(i));
            }
        }
        return args;
    }

    @Test
    void theAslValidatorRejectsAnInvalidDefinition(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.asl.json");
        Files.writeString(bad, """
                {"StartAt": "Plan", "States": {
                  "Plan": {"Type": "Taskk", "Resource": "arn:aws:states:::ecs:runTask.sync", "Next": "Nowhere"}}}
                """);
        Result r = run(TOOLS, 120, "node", "validate.mjs", "asl", bad.toString());
        assertThat(r.code()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains(bad + ": asl:");
    }

    @Test
    void intrinsicArraysAreReadAsStepFunctionsWould() {
        assertThat(intrinsicArray("States.Array('merge', '--plan', States.Format('s3://b/{}/plan.json', $$.Execution.Name), "
                + "'--report', States.Format('s3://b/{}/parts/{}.json', $.BatchInput.run, $.Items[0]))"))
                .containsExactly("merge", "--plan", "s3://b/exec-1/plan.json", "--report", "s3://b/exec-1/parts/exec-1.json");
    }

    /**
     * The scanner stack's scheduled task: its command (every {@code Fn::If} taken as true, {@code Fn::Sub} with
     * sample values) is one {@code scan} accepts, diffs against the prefix it uploads to, and the task role may list
     * and read what is there (only with CompareWithPrevious); the distributed stack is nested only with
     * RunMode=distributed and the single-task schedule only without it.
     */
    @Test
    void theScheduledScanDiffsAgainstTheRunsItUploadedAndMayReadThem() throws Exception {
        JsonNode t = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(ROOT.resolve("config/deploy/scanner.cfn.yaml").toFile());
        JsonNode resources = t.path("Resources");
        List<String> cmd = new ArrayList<>();
        for (JsonNode a : resources.path("TaskDefinition").path("Properties").path("ContainerDefinitions").path(0)
                .path("Command")) {
            // YAML short forms read as their argument: !If [Cond, a, b] is an array, !Ref X / !Sub "s" a scalar
            JsonNode v = a.isArray() ? a.path(1) : a;
            if (v.isTextual() && !v.asText().equals("AWS::NoValue")) {
                cmd.add(v.asText().replace("${ReportsBucket}", "reports-bucket"));
            } else if (v.isArray()) {
                cmd.add("ReportsKey");
            }
        }
        assertThat(cmd.get(0)).isEqualTo("scan");
        String upload = cmd.get(cmd.indexOf("--upload") + 1);
        assertThat(upload).isEqualTo("s3://reports-bucket/cmk-audit");
        assertThat(cmd.get(cmd.indexOf("--previous") + 1)).isEqualTo(upload + "/");
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(cmd.toArray(String[]::new));
        assertThat(parsed.subcommand().matchedOptionValue("--previous", "")).isEqualTo(upload + "/");

        Map<String, JsonNode> statements = new TreeMap<>();
        for (JsonNode st : resources.path("TaskRole").path("Properties").path("Policies").path(0)
                .path("PolicyDocument").path("Statement")) {
            if (st.isArray()) {
                statements.put(st.path(0).asText() + ":" + st.path(1).path("Sid").asText(), st.path(1));
            } else {
                statements.put(st.path("Sid").asText(), st);
            }
        }
        assertThat(statements.get("ComparePrevious:ReadEarlierReports").path("Action").asText())
                .isEqualTo("s3:GetObject");
        assertThat(statements.get("ComparePrevious:ReadEarlierReports").path("Resource").asText())
                .isEqualTo("${ReportsBucket.Arn}/cmk-audit/*");
        JsonNode list = statements.get("ComparePrevious:ListEarlierRuns");
        assertThat(list.path("Action").asText()).isEqualTo("s3:ListBucket");
        assertThat(list.path("Condition").path("StringLike").path("s3:prefix").asText()).isEqualTo("cmk-audit/*");
        assertThat(statements).containsKey("UseSecurityHub:ImportFindingsIntoSecurityHub");

        assertThat(resources.path("DistributedScan").path("Condition").asText()).isEqualTo("Distributed");
        assertThat(resources.path("Schedule").path("Condition").asText()).isEqualTo("SingleTask");
        JsonNode nested = resources.path("DistributedScan").path("Properties").path("Parameters");
        assertThat(nested.path("CompareWithPrevious").asText()).isEqualTo("CompareWithPrevious");
        assertThat(nested.path("SecurityHubImport").asText()).isEqualTo("SecurityHubImport");
        assertThat(nested.path("ReportsPrefix").asText()).isEqualTo("cmk-audit");
        // the run files go to a bucket without the reports' Object Lock retention, and expire
        assertThat(nested.path("RunsBucketName").asText()).isEqualTo("RunsBucket");
        JsonNode runs = resources.path("RunsBucket");
        assertThat(runs.path("Condition").asText()).isEqualTo("Distributed");
        assertThat(runs.path("Properties").has("ObjectLockEnabled")).isFalse();
        assertThat(resources.path("ReportsBucket").path("Properties").path("ObjectLockEnabled").asBoolean()).isTrue();
        assertThat(runs.path("Properties").path("LifecycleConfiguration").path("Rules").path(0)
                .path("ExpirationInDays").asText()).isEqualTo("RunFilesExpirationDays");
    }
}
