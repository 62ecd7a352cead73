package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.shard.Plan;
import io.cmkaudit.shard.PlanJson;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs of a sharded run that do not fit together, on the embedded sample organization and without AWS: each is
 * refused with exit code 64 and one line naming the file and what is wrong, instead of a merge or report that
 * silently loses or double-counts data (newcomer review items 4, 6 and 12, and the API calls of a part given twice).
 */
class ShardInputChecksTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> REGIONS = List.of("eu-west-1", "us-east-1");

    record Out(int code, String err) {
        /** @return the error output, which must be exactly one line */
        String line() {
            assertThat(err.strip().lines()).as(err).hasSize(1);
            return err.strip();
        }
    }

    static Out run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        return new Out(code, err.toString());
    }

    Path dir;
    Snapshot sample;
    Plan plan;
    Path planFile;

    static Plan withRegions(Plan p, List<String> regions) {
        return new Plan(p.planVersion(), p.scannerVersion(), p.startedAt(), p.finishedAt(), p.callerAccountId(),
                p.callerArn(), p.organization(), p.accounts(), p.notScanned(), p.apiCalls(), p.parallelShards(),
                p.rateLimits(), regions);
    }

    Path write(String name, Snapshot s) {
        Path f = dir.resolve(name);
        SnapshotJson.write(s, f);
        return f;
    }

    Path writePlan(String name, Plan p) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, PlanJson.toBytes(p));
        return f;
    }

    /** The sample as the one part of the plan (every account in one shard), collected in {@code regions}. */
    Snapshot part(List<String> regions, String planId) {
        return sample.withRun(new io.cmkaudit.snapshot.RunMetadata(sample.run().startedAt(), sample.run().finishedAt(),
                sample.run().scannerVersion(), sample.run().callerAccountId(), sample.run().callerArn(),
                sample.run().roleName(), sample.run().endpointUrl(), regions, sample.run().apiCalls(), planId));
    }

    @BeforeEach
    void setUp(@TempDir Path dir) throws Exception {
        this.dir = dir;
        sample = SnapshotJson.read(new ByteArrayInputStream(ShardedReportJoinTest.sampleBytes()), "sample");
        plan = withRegions(ShardedReportJoinTest.planOf(sample, Instant.parse("2026-12-06T01:00:00Z")), REGIONS);
        planFile = writePlan("plan.json", plan);
    }

    @Test
    void aPartOfThePlanMergesAndTheMergedSnapshotNamesThePlan() {
        Path p1 = write("p1.json", part(REGIONS, plan.id()));
        Path out = dir.resolve("merged.json");
        Out merge = run("merge", "--plan", planFile.toString(), "-o", out.toString(), p1.toString());
        assertThat(merge.code()).as(merge.err()).isIn(ExitCodes.OK, ExitCodes.COVERAGE_INCOMPLETE);
        Snapshot merged = SnapshotJson.read(out);
        assertThat(merged.run().planId()).isEqualTo(plan.id());
        assertThat(merged.run().regions()).isEqualTo(REGIONS);
        assertThat(merged.run().totalApiCalls()).isEqualTo(sample.run().totalApiCalls());
    }

    @Test
    void aPartCollectedInOtherRegionsThanThePlanIsRefused() {
        Path eu = write("part-eu.json", part(List.of("eu-west-1"), plan.id()));
        Out merge = run("merge", "--plan", planFile.toString(), "-o", dir.resolve("m.json").toString(), eu.toString());
        assertThat(merge.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(merge.line()).contains(eu + ": collected in regions eu-west-1, but the plan's regions are "
                + "eu-west-1,us-east-1");
        assertThat(dir.resolve("m.json")).doesNotExist();
    }

    @Test
    void withAnOldPlanWithoutRegionsThePartsMustAgreeWithEachOther() throws Exception {
        Plan old = withRegions(plan, null);
        Path oldPlan = writePlan("old-plan.json", old);
        assertThat(Files.readString(oldPlan)).doesNotContain("\n  \"regions\"");
        // two shards: the sample's accounts split in two parts, one collected in other regions
        Snapshot a = part(REGIONS, old.id());
        Snapshot first = a.withAccounts(a.accounts().subList(0, 2));
        Snapshot second = part(List.of("eu-west-1"), old.id()).withAccounts(a.accounts().subList(2, 5));
        Path p1 = write("p1.json", first);
        Path p2 = write("p2.json", second);
        Out merge = run("merge", "--plan", oldPlan.toString(), "-o", dir.resolve("m.json").toString(), p1.toString(),
                p2.toString());
        assertThat(merge.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(merge.line()).contains(p2 + ": collected in regions eu-west-1, but " + p1
                + " in eu-west-1,us-east-1");
    }

    @Test
    void aPartOfAnotherPlanOrOfNoPlanIsRefused() throws Exception {
        Plan other = withRegions(ShardedReportJoinTest.planOf(sample, Instant.parse("2026-12-06T02:00:00Z")), REGIONS);
        Path foreign = write("foreign.json", part(REGIONS, other.id()));
        Out merge = run("merge", "--plan", planFile.toString(), "-o", dir.resolve("m.json").toString(),
                foreign.toString());
        assertThat(merge.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(merge.line()).contains(foreign + ": a partial snapshot of plan " + other.id() + ", not of --plan "
                + planFile + " (" + plan.id() + ")");

        Path whole = write("whole.json", sample);
        Out noPlan = run("merge", "--plan", planFile.toString(), "-o", dir.resolve("m.json").toString(),
                whole.toString());
        assertThat(noPlan.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noPlan.line()).contains(whole + ": not a partial snapshot of a plan (it has no run.planId)");

        Out planAsPart = run("merge", "--plan", planFile.toString(), "-o", dir.resolve("m.json").toString(),
                planFile.toString());
        assertThat(planAsPart.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(planAsPart.line()).contains(planFile + ": top level: is a plan (written by `cmk-audit plan`",
                "not a snapshot or partial snapshot");
    }

    @Test
    void aPartGivenTwiceIsRefusedSoItsApiCallsAreNotCountedTwice() throws Exception {
        Path p1 = write("p1.json", part(REGIONS, plan.id()));
        Out twice = run("merge", "--plan", planFile.toString(), "-o", dir.resolve("m.json").toString(), p1.toString(),
                dir.resolve(".").resolve("p1.json").toString());
        assertThat(twice.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(twice.line()).contains("p1.json: this partial snapshot is given twice (also as " + p1 + ")");

        Path copy = dir.resolve("copy.json");
        Files.copy(p1, copy);
        Out copied = run("merge", "--plan", planFile.toString(), "-o", dir.resolve("m.json").toString(),
                p1.toString(), copy.toString());
        assertThat(copied.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(copied.line()).contains(copy + ": the same partial snapshot as " + p1);
        assertThat(dir.resolve("m.json")).doesNotExist();
    }

    @Test
    void aShardedReportRefusesASnapshotMergedFromAnotherPlan() throws Exception {
        Path p1 = write("p1.json", part(REGIONS, plan.id()));
        Path merged = dir.resolve("merged.json");
        assertThat(run("merge", "--plan", planFile.toString(), "-o", merged.toString(), p1.toString()).code())
                .isIn(ExitCodes.OK, ExitCodes.COVERAGE_INCOMPLETE);
        Path otherPlan = writePlan("plan-2.json",
                withRegions(ShardedReportJoinTest.planOf(sample, Instant.parse("2026-12-06T02:00:00Z")), REGIONS));
        Out report = run("report", merged.toString(), "--plan", otherPlan.toString(), "--shard", "1/1", "-o",
                dir.resolve("f.json").toString());
        assertThat(report.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(report.line()).contains("SNAPSHOT: " + merged + " was merged from plan " + plan.id()
                + ", not from --plan " + otherPlan);
        // its own plan is accepted
        Out own = run("report", merged.toString(), "--plan", planFile.toString(), "--shard", "1/1", "-o",
                dir.resolve("f.json").toString());
        assertThat(own.code()).as(own.err()).isNotEqualTo(ExitCodes.USAGE);
        assertThat(dir.resolve("f.json")).exists();
    }

    @Test
    void collectRefusesRegionsThatAreNotThePlansBeforeAnyAwsCall() {
        Out collect = run("collect", "--plan", planFile.toString(), "--shard", "1/2", "--regions", "eu-west-1", "-o",
                dir.resolve("p.json").toString());
        assertThat(collect.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(collect.line()).contains("--regions: eu-west-1 differs from the regions of --plan " + planFile
                + " (eu-west-1,us-east-1)");
        assertThat(dir.resolve("p.json")).doesNotExist();
    }

    @Test
    void collectTakesThePlansRegionsWhenNoneAreGiven() {
        ScannerConfig none = ScannerConfig.DEFAULTS;
        assertThat(ShardRun.withPlanRegions(none, plan, "plan.json").regions()).isEqualTo(REGIONS);
        // the same regions in another order are the plan's
        assertThat(ShardRun.withPlanRegions(none.withRegions(List.of("us-east-1", "eu-west-1")), plan, "plan.json")
                .regions()).isEqualTo(REGIONS);
        // a plan of every enabled region
        assertThat(ShardRun.withPlanRegions(none, withRegions(plan, List.of()), "p").regions()).isEmpty();
        // a plan from before plans recorded regions leaves --regions alone
        assertThat(ShardRun.withPlanRegions(none.withRegions(List.of("eu-west-1")), withRegions(plan, null), "p")
                .regions()).containsExactly("eu-west-1");
    }

    @Test
    void aRegionOrInstanceListedTwiceInAnAccountIsRefused() throws Exception {
        ObjectNode t = (ObjectNode) JSON.readTree(ShardedReportJoinTest.sampleBytes());
        ObjectNode prod = (ObjectNode) t.get("accounts").get(3);
        assertThat(prod.get("accountId").asText()).isEqualTo("571230300810");
        ((ArrayNode) prod.get("regions")).add(prod.get("regions").get(0).deepCopy());
        Path regionTwice = dir.resolve("region-twice.json");
        JSON.writeValue(regionTwice.toFile(), t);
        Out report = run("report", regionTwice.toString(), "--out", dir.resolve("r").toString());
        assertThat(report.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(report.line()).contains(regionTwice + ": accounts[3].regions[2].region (account 571230300810): "
                + "region eu-west-1 is listed twice");

        ObjectNode u = (ObjectNode) JSON.readTree(ShardedReportJoinTest.sampleBytes());
        ArrayNode instances = (ArrayNode) u.get("accounts").get(3).get("regions").get(0).get("instances");
        instances.add(instances.get(1).deepCopy());
        String id = instances.get(1).get("instanceId").asText();
        Path instanceTwice = dir.resolve("instance-twice.json");
        JSON.writeValue(instanceTwice.toFile(), u);
        Out report2 = run("report", instanceTwice.toString(), "--out", dir.resolve("r").toString());
        assertThat(report2.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(report2.line()).contains(instanceTwice + ": accounts[3].regions[0].instances[3].instanceId "
                + "(account 571230300810): instance " + id + " is listed twice in eu-west-1");
    }
}
