package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors of the sharded-run options, found before any AWS call; accounts files. */
class ShardOptionsTest {

    record Out(int code, String err) {
    }

    static Out run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        return new Out(code, err.toString());
    }

    @Test
    void shardOptionsNeedAPlanAndOneSelection(@TempDir Path dir) throws Exception {
        String out = dir.resolve("s.json").toString();
        assertThat(run("collect", "--shard", "1/2", "-o", out).err()).contains("--shard: needs --plan PLAN");
        assertThat(run("collect", "--accounts-file", "a.txt", "-o", out).err()).contains("--accounts-file: needs --plan");
        assertThat(run("collect", "--plan", "p.json", "-o", out).err()).contains("also give --shard I/N or --accounts-file");
        assertThat(run("collect", "--plan", "p.json", "--shard", "1/2", "--accounts-file", "a", "-o", out).err())
                .contains("either --shard or --accounts-file");
        assertThat(run("collect", "--plan", "p.json", "--shard", "1/2", "--accounts", "111111111111", "-o", out).err())
                .contains("select accounts when planning");
        Out missing = run("collect", "--plan", dir.resolve("none.json").toString(), "--shard", "1/2", "-o", out);
        assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("--plan: no such file");
        Path notPlan = dir.resolve("snap.json");
        Files.writeString(notPlan, "{\"schemaVersion\":1,\"accounts\":[]}");
        assertThat(run("collect", "--plan", notPlan.toString(), "--shard", "1/2", "-o", out).err())
                .contains("not a plan", "looks like a snapshot");
        assertThat(run("plan", "-o", dir.toString()).err()).contains("is a folder");
        assertThat(run("plan", "-o", "s3://Bad_Bucket/x").err()).contains("not a valid S3 bucket name");
        assertThat(run("plan", "-o", out, "--parallel-shards", "0").err()).contains("--parallel-shards");
        assertThat(run("merge", "--plan", "p.json", "-o", out).code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aShardedReportNeedsAPlanOneSelectionAPartAndTheMergedSnapshot(@TempDir Path dir) throws Exception {
        String part = dir.resolve("f.json").toString();
        Out noPlan = run("report", "s.json", "--shard", "1/2", "-o", part);
        assertThat(noPlan.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noPlan.err()).contains("--shard: only with --plan PLAN");
        assertThat(run("report", "s.json", "--plan", "p.json", "-o", part).err())
                .contains("give either --shard I/N or --accounts-file FILE");
        assertThat(run("report", "s.json", "--plan", "p.json", "--shard", "1/2", "--accounts-file", "a", "-o", part)
                .err()).contains("give either --shard I/N or --accounts-file FILE");
        assertThat(run("report", "s.json", "--plan", "p.json", "--shard", "1/2").err()).contains("-o PART is required");
        assertThat(run("report", "--plan", "p.json", "--shard", "1/2", "-o", part).err())
                .contains("give the merged snapshot");
        assertThat(run("report", "s.json", "--plan", "p.json", "--shard", "1/2", "-o", part, "--fail-on", "LOW").err())
                .contains("--fail-on: a sharded report (--plan) writes a findings part", "merge-findings");
        assertThat(run("report", "s.json", "--endpoint-url", "http://localhost:5000").err())
                .contains("--endpoint-url: only with --plan");
        Out missing = run("report", "s.json", "--plan", dir.resolve("none.json").toString(), "--shard", "1/2", "-o",
                part);
        assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("--plan: no such file");
        assertThat(run("merge-findings", "--out", dir.toString(), part).err()).contains("--plan");
        assertThat(run("merge-findings", "--plan", "p.json", "--out", dir.toString()).code()).isEqualTo(ExitCodes.USAGE);
        // an S3 snapshot only for a sharded report; merge-findings' upload options checked before anything is read
        Out s3Whole = run("report", "s3://bucket-1/runs/snapshot.json", "--out", dir.toString());
        assertThat(s3Whole.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(s3Whole.err()).contains("SNAPSHOT: an s3:// snapshot only with --plan");
        Out kmsAlone = run("merge-findings", "--plan", "p.json", "--out", dir.toString(), "--upload-kms-key", "k", part);
        assertThat(kmsAlone.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(kmsAlone.err()).contains("--upload-kms-key: only used with --upload");
        Out badUpload = run("merge-findings", "--plan", "p.json", "--out", dir.toString(), "--upload", "nope", part);
        assertThat(badUpload.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(badUpload.err()).startsWith("cmk-audit: --upload: ");
        Out badSnapshot = run("report", "s3://Bad_Bucket/s.json", "--plan", dir.resolve("none.json").toString(),
                "--shard", "1/2", "-o", part);
        assertThat(badSnapshot.code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aPlanForParallelShardsGivesEachItsShareOfThePerCallerQuotas() {
        java.util.Map<String, Double> rates = PlanCommand.shardRates(io.cmkaudit.config.ScannerConfig.DEFAULTS, 4);
        assertThat(rates).containsEntry("iamReads", 5.0).containsEntry("organizationsTree", 1.25)
                .containsEntry("sts", 150.0).containsEntry("organizationsDescribePolicy", 0.5)
                .doesNotContainKeys("ec2Reads", "kmsListGrants", "autoScalingReads");
    }

    @Test
    void accountsFilesAreLinesOrAJsonArray() {
        assertThat(ShardRun.parseAccounts("# shard A\n111111111111\n\n222222222222  # db\n111111111111\n", "a.txt"))
                .containsExactly("111111111111", "222222222222");
        assertThat(ShardRun.parseAccounts(" [\"111111111111\", \"333333333333\"]\n", "a.json"))
                .containsExactly("111111111111", "333333333333");
        assertThatThrownBy(() -> ShardRun.parseAccounts("111111111111\n12345\n", "a.txt"))
                .isInstanceOf(UsageException.class).hasMessageContaining("a.txt:2: account ids are 12 digits, got `12345`");
        assertThatThrownBy(() -> ShardRun.parseAccounts("[111111111111]", "a.json"))
                .isInstanceOf(UsageException.class).hasMessageContaining("quoted");
        assertThatThrownBy(() -> ShardRun.parseAccounts("# nothing\n", "a.txt"))
                .isInstanceOf(UsageException.class).hasMessageContaining("no account ids");
    }
}
