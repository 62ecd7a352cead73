package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.report.FindingsPart;
import io.cmkaudit.shard.Plan;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parts equal the whole, in process, on the embedded sample organization (IAM Identity Center permission sets
 * provisioned to several accounts, a public key policy, cross-account keys, unusable keys): the sample split into N
 * shards of a plan, each shard read with {@link SnapshotJson#readShard} and analyzed with
 * {@link Analyzer#analyzeShard}, its part written and read back as JSON, and the parts joined as
 * {@code merge-findings} joins them, gives the findings (every field of findings.json), coverage and summary of one
 * analysis of the whole snapshot.
 */
class ShardedReportJoinTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static byte[] sampleBytes() throws Exception {
        try (InputStream in = SnapshotSource.class.getResourceAsStream(SnapshotSource.SAMPLE)) {
            return in.readAllBytes();
        }
    }

    /** A plan of the snapshot: its accounts with a GLOBAL coverage row that is not SKIPPED are the ones to scan. */
    static Plan planOf(Snapshot s, Instant at) {
        List<String> accounts = new ArrayList<>();
        List<AccountSnapshot> notScanned = new ArrayList<>();
        for (AccountSnapshot a : s.accounts()) {
            accounts.add(a.accountId());
        }
        return new Plan(Plan.PLAN_VERSION, "test", at, at, s.run().callerAccountId() == null ? "111111111111"
                : s.run().callerAccountId(), s.run().callerArn(), s.organization(), accounts, notScanned, Map.of(), 1,
                Map.of());
    }

    static List<FindingsPart> parts(byte[] snapshot, Plan plan, int n) throws Exception {
        List<FindingsPart> parts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Set<String> mine = Set.copyOf(plan.shard(i, n));
            Snapshot s = SnapshotJson.readShard(new java.io.ByteArrayInputStream(snapshot), "sample", mine::contains);
            Analyzer.ShardOutcome o = new Analyzer().analyzeShard(s, new HashSet<>(mine), mine);
            FindingsPart p = new FindingsPart(null, FindingsPart.planId(plan.organization().id(), plan.startedAt()),
                    "shard " + i + "/" + n, mine.stream().sorted().toList(), o.result().run(), null, null,
                    o.result().summary(), o.result().coverage(), o.result().findings(), o.publicExposure(), Map.of(),
                    "owner", o.units(), o.permissionSetMembers(), o.grouped());
            // through JSON, as merge-findings reads it
            parts.add(FindingsPart.read(p.toJson(), "part-" + i));
        }
        return parts;
    }

    static Map<String, JsonNode> findings(AnalysisResult r) throws Exception {
        FindingsPart p = new FindingsPart(null, "x", "all", List.of(), r.run(), null, null, r.summary(), r.coverage(),
                r.findings(), Map.of(), Map.of(), "owner", null, null, null);
        Map<String, JsonNode> m = new TreeMap<>();
        JSON.readTree(p.toJson()).path("findings").forEach(f -> m.put(f.path("findingId").asText(), f));
        return m;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 5})
    void theJoinedPartsOfTheSampleGiveTheFindingsOfOneAnalysis(int n) throws Exception {
        byte[] bytes = sampleBytes();
        Snapshot whole = SnapshotJson.read(new java.io.ByteArrayInputStream(bytes), "sample");
        AnalysisResult single = new Analyzer().analyze(whole);
        Plan plan = planOf(whole, Instant.parse("2026-12-05T00:00:00Z"));
        MergeFindingsCommand.Joined j = MergeFindingsCommand.join(plan, parts(bytes, plan, n));

        assertThat(j.problems()).isEmpty();
        assertThat(single.findings()).hasSizeGreaterThan(10);
        Map<String, JsonNode> expected = findings(single);
        Map<String, JsonNode> actual = findings(j.result());
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String id : expected.keySet()) {
            assertThat(actual.get(id)).as("finding " + id).isEqualTo(expected.get(id));
        }
        // the order of the findings is the analysis's
        assertThat(j.result().findings().stream().map(f -> f.findingId()).toList())
                .isEqualTo(single.findings().stream().map(f -> f.findingId()).toList());
        assertThat(j.result().summary()).isEqualTo(single.summary());
        assertThat(new HashSet<>(j.result().coverage())).isEqualTo(new HashSet<>(single.coverage()));
        assertThat(j.result().coverage()).hasSameSizeAs(single.coverage());
        assertThat(j.join().warnings()).isEmpty();
    }
}
