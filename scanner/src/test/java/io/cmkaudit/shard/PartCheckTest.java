package io.cmkaudit.shard;

import static io.cmkaudit.shard.PlanAndMergeTest.A;
import static io.cmkaudit.shard.PlanAndMergeTest.B;
import static io.cmkaudit.shard.PlanAndMergeTest.C;
import static io.cmkaudit.shard.PlanAndMergeTest.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.RunMetadata;
import io.cmkaudit.snapshot.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checks {@code merge} makes of each part ({@link PartCheck}) and the plan's recorded regions: a part of another
 * plan, of other regions, or given twice is refused with one line naming it.
 */
class PartCheckTest {

    static Plan plan(List<String> regions) {
        Plan p = PlanAndMergeTest.plan(List.of(A, B, C));
        return new Plan(p.planVersion(), p.scannerVersion(), p.startedAt(), p.finishedAt(), p.callerAccountId(),
                p.callerArn(), p.organization(), p.accounts(), p.notScanned(), p.apiCalls(), p.parallelShards(),
                p.rateLimits(), regions);
    }

    static SnapshotMerger.Part part(String source, String planId, List<String> regions, Instant start,
                                    AccountSnapshot... accounts) {
        return new SnapshotMerger.Part(source, new Snapshot(new RunMetadata(start, start.plusSeconds(5), "test", A,
                "arn", "Audit", null, regions, Map.of("KMS.DescribeKey", 3L), planId), PlanAndMergeTest.org(),
                List.of(accounts), Map.of()));
    }

    @Test
    void theIdIsTheOneFindingsPartsCarry() {
        Plan p = plan(List.of("eu-west-1"));
        assertThat(p.id()).isEqualTo("o-abc@" + T0).isEqualTo(io.cmkaudit.report.FindingsPart.planId("o-abc", T0));
    }

    @Test
    void aPartOfThePlanInItsRegionsPasses() {
        Plan p = plan(List.of("eu-west-1"));
        PartCheck check = new PartCheck(p, "plan.json");
        assertThatCode(() -> {
            check.checkName("p1.json");
            check.check(part("p1.json", p.id(), List.of("eu-west-1"), T0, PlanAndMergeTest.scanned(A, List.of())));
            check.checkName("p2.json");
            check.check(part("p2.json", p.id(), List.of("eu-west-1"), T0, PlanAndMergeTest.scanned(B, List.of())));
        }).doesNotThrowAnyException();
    }

    @Test
    void aPartOfOtherRegionsThanThePlansIsRefused() {
        Plan p = plan(List.of("us-east-1"));
        PartCheck check = new PartCheck(p, "plan.json");
        assertThatThrownBy(() -> check.check(part("p1.json", p.id(), List.of("eu-west-1"), T0,
                PlanAndMergeTest.scanned(A, List.of()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("p1.json: collected in regions eu-west-1, but the plan's regions are us-east-1")
                .hasMessageNotContaining("\n");
        // every enabled region (empty) is a region list of its own
        assertThatThrownBy(() -> check.check(part("p2.json", p.id(), List.of(), T0,
                PlanAndMergeTest.scanned(B, List.of()))))
                .hasMessageContaining("p2.json: collected in regions (every enabled region)");
    }

    @Test
    void withAnOldPlanThePartsMustAgreeWithTheFirst() {
        Plan p = plan(null);
        PartCheck check = new PartCheck(p, "plan.json");
        check.check(part("p1.json", p.id(), List.of("us-east-1"), T0, PlanAndMergeTest.scanned(A, List.of())));
        assertThatThrownBy(() -> check.check(part("p2.json", p.id(), List.of("eu-west-1"), T0.plusSeconds(1),
                PlanAndMergeTest.scanned(B, List.of()))))
                .hasMessage("p2.json: collected in regions eu-west-1, but p1.json in us-east-1; collect every shard "
                        + "with the same --regions");
    }

    @Test
    void aPartOfAnotherPlanOrOfNoPlanIsRefused() {
        Plan p = plan(List.of("eu-west-1"));
        PartCheck check = new PartCheck(p, "plan.json");
        assertThatThrownBy(() -> check.check(part("p1.json", "o-abc@2026-01-01T00:00:00Z", List.of("eu-west-1"), T0,
                PlanAndMergeTest.scanned(A, List.of()))))
                .hasMessage("p1.json: a partial snapshot of plan o-abc@2026-01-01T00:00:00Z, not of --plan plan.json ("
                        + p.id() + ")");
        assertThatThrownBy(() -> check.check(part("full.json", null, List.of("eu-west-1"), T0,
                PlanAndMergeTest.scanned(A, List.of()))))
                .hasMessageStartingWith("full.json: not a partial snapshot of a plan (it has no run.planId)");
    }

    @Test
    void aPartGivenTwiceByNameOrAsACopyIsRefused() {
        Plan p = plan(List.of("eu-west-1"));
        PartCheck check = new PartCheck(p, "plan.json");
        check.checkName("parts/p1.json");
        assertThatThrownBy(() -> check.checkName("parts/../parts/p1.json"))
                .hasMessageStartingWith("parts/../parts/p1.json: this partial snapshot is given twice (also as "
                        + "parts/p1.json)");
        check.check(part("parts/p1.json", p.id(), List.of("eu-west-1"), T0, PlanAndMergeTest.scanned(A, List.of()),
                PlanAndMergeTest.keyOnly(B, List.of())));
        assertThatThrownBy(() -> check.check(part("copy.json", p.id(), List.of("eu-west-1"), T0,
                PlanAndMergeTest.scanned(A, List.of()), PlanAndMergeTest.keyOnly(B, List.of()))))
                .hasMessageStartingWith("copy.json: the same partial snapshot as parts/p1.json");
        // the same shard collected again (another run of it) is not a copy: merge reports the overlap as coverage
        assertThatCode(() -> check.check(part("again.json", p.id(), List.of("eu-west-1"), T0.plusSeconds(60),
                PlanAndMergeTest.scanned(A, List.of())))).doesNotThrowAnyException();
    }

    @Test
    void thePlanRecordsItsRegionsAndAnOldPlanWithoutThemStaysReadable() {
        Plan p = plan(List.of("us-east-1", "eu-west-1", "us-east-1"));
        assertThat(p.regions()).containsExactly("eu-west-1", "us-east-1");
        String json = new String(PlanJson.toBytes(p), StandardCharsets.UTF_8);
        assertThat(json).contains("\"regions\" : [ \"eu-west-1\", \"us-east-1\" ]").doesNotContain("\n  \"id\"");
        assertThat(PlanJson.read(json.getBytes(StandardCharsets.UTF_8), "plan.json")).isEqualTo(p);

        String old = new String(PlanJson.toBytes(PlanAndMergeTest.plan(List.of(A))), StandardCharsets.UTF_8);
        assertThat(old).doesNotContain("\n  \"regions\"");
        assertThat(PlanJson.read(old.getBytes(StandardCharsets.UTF_8), "old.json").regions()).isNull();

        String every = new String(PlanJson.toBytes(plan(List.of())), StandardCharsets.UTF_8);
        assertThat(PlanJson.read(every.getBytes(StandardCharsets.UTF_8), "p.json").regions()).isEmpty();

        String bad = json.replace("\"eu-west-1\"", "\"EU-WEST-1\"");
        assertThatThrownBy(() -> PlanJson.read(bad.getBytes(StandardCharsets.UTF_8), "bad.json"))
                .isInstanceOf(PlanFormatException.class)
                .hasMessage("bad.json: regions[0]: expected an AWS region name such as `us-east-1`, got `EU-WEST-1`");
    }

    @Test
    void theMergedSnapshotNamesThePlan() {
        Plan p = plan(List.of("eu-west-1"));
        SnapshotMerger.Result r = SnapshotMerger.merge(p, List.of(part("p1.json", p.id(), List.of("eu-west-1"), T0,
                PlanAndMergeTest.scanned(A, List.of()), PlanAndMergeTest.scanned(B, List.of()),
                PlanAndMergeTest.scanned(C, List.of()))));
        assertThat(r.snapshot().run().planId()).isEqualTo(p.id());
    }
}
