package io.cmkaudit.report;


import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The diff phase: compares the current findings with a previous run's by {@code finding_id}.
 *
 * <ul>
 *   <li>{@code NEW}: the id is not in the previous run;</li>
 *   <li>{@code CHANGED}: same id, but severity, deciding layers, evidence or key state differ, or (against a
 *       previous findings.json of schemaVersion 3 or later, which lists them) the instances, launch sources, keys
 *       (ARN and state) or principals it lists, or its remediation policy snippet (compared as JSON, so layout does
 *       not count): someone who applied last run's snippet must apply the new one;</li>
 *   <li>{@code UNCHANGED}: same id, none of those differ (status and texts are not compared: a new suppression
 *       or a reworded explanation is not a change of the risk);</li>
 *   <li>{@code RESOLVED}: in the previous run, not now; listed separately.</li>
 * </ul>
 */
final class RunDiff {

    private RunDiff() {
    }

    /**
     * @param findings the current findings after suppressions
     * @param resolved previous findings that are gone, each with change RESOLVED, in the previous file's order
     */
    record Result(List<ReportedFinding> findings, List<ReportedFinding> resolved) {
    }

    /**
     * @param current  current findings; never null
     * @param previous the previous run, or null: then every change stays null and nothing is resolved
     * @return the findings with their change value, same order, and the resolved ones
     */
    static Result apply(List<ReportedFinding> current, PreviousRun previous) {
        if (previous == null) {
            return new Result(current, List.of());
        }
        Map<String, ReportedFinding> before = previous.onto(current).byId();
        List<ReportedFinding> out = new ArrayList<>(current.size());
        Set<String> seen = new HashSet<>();
        for (ReportedFinding f : current) {
            seen.add(f.findingId());
            ReportedFinding old = before.get(f.findingId());
            ReportedFinding.Change change = old == null ? ReportedFinding.Change.NEW
                    : changed(old, f, previous.listsResources()) ? ReportedFinding.Change.CHANGED : ReportedFinding.Change.UNCHANGED;
            out.add(f.change() == change ? f : f.withChange(change));
        }
        List<ReportedFinding> resolved = new ArrayList<>();
        for (ReportedFinding old : before.values()) {
            if (!seen.contains(old.findingId())) {
                resolved.add(old.withChange(ReportedFinding.Change.RESOLVED));
            }
        }
        return new Result(out, resolved);
    }

    /**
     * Fills first seen, last seen and owner. A current finding was first seen when the previous run says (its
     * {@code firstSeen}, else — a findings.json without it — the previous run's start when it had the finding), else
     * now; it was last seen now; its owner is {@code owner}'s answer. A resolved finding keeps the previous run's
     * values, its last seen being the previous run's start when the file does not say.
     *
     * @param r          the diff
     * @param previous   the previous run, or null
     * @param runStarted this run's collection start
     * @param owner      the owner of a current finding (the owner tag's value), or null
     * @return the diff with tracking values
     */
    static Result track(Result r, PreviousRun previous, java.time.Instant runStarted,
                        java.util.function.Function<io.cmkaudit.analysis.Finding, String> owner) {
        Map<String, ReportedFinding> before = previous == null ? Map.of() : previous.byId();
        java.time.Instant prevStart = previous == null ? null : previous.startedAt();
        List<ReportedFinding> findings = new ArrayList<>(r.findings().size());
        for (ReportedFinding f : r.findings()) {
            ReportedFinding old = before.get(f.findingId());
            java.time.Instant first = old == null ? runStarted
                    : old.tracking().firstSeen() != null ? old.tracking().firstSeen()
                    : prevStart != null ? prevStart : runStarted;
            findings.add(f.withTracking(new ReportedFinding.Tracking(first, runStarted, owner.apply(f.finding()))));
        }
        List<ReportedFinding> resolved = new ArrayList<>(r.resolved().size());
        for (ReportedFinding f : r.resolved()) {
            ReportedFinding.Tracking t = f.tracking();
            java.time.Instant last = t.lastSeen() != null ? t.lastSeen() : prevStart;
            resolved.add(f.withTracking(new ReportedFinding.Tracking(t.firstSeen() != null ? t.firstSeen() : last,
                    last, t.owner())));
        }
        return new Result(findings, resolved);
    }

    /** @return whether the risk or the fix described by the finding differs between the runs (every field) */
    static boolean changed(ReportedFinding old, ReportedFinding now) {
        return changed(old, now, true);
    }

    /**
     * @param old       the previous run's finding (mapped onto the current model)
     * @param now       the current finding with the same id
     * @param resources whether to compare the instances, launch sources, keys, principals and remediation policy:
     *                  false for a previous file older than schemaVersion 3, whose findings did not list them all (a
     *                  difference there is the file's layout, not the risk)
     * @return whether they differ in severity, deciding layers, evidence, key state, or (with {@code resources})
     *         in what the finding lists or in its policy snippet
     */
    static boolean changed(ReportedFinding old, ReportedFinding now, boolean resources) {
        if (old.severity() != now.severity()
                || !old.decidingLayers().equals(now.decidingLayers())
                || !old.evidence().equals(now.evidence())
                || !Objects.equals(old.keyState(), now.keyState())) {
            return true;
        }
        if (!resources) {
            return false;
        }
        io.cmkaudit.analysis.Finding a = old.finding();
        io.cmkaudit.analysis.Finding b = now.finding();
        return !ids(a.instances()).equals(ids(b.instances()))
                || !ids(a.launchSources()).equals(ids(b.launchSources()))
                || !keys(a).equals(keys(b))
                || !principals(a).equals(principals(b))
                || !sameJson(a.remediationPolicy(), b.remediationPolicy());
    }

    private static Set<String> ids(List<io.cmkaudit.analysis.Finding.Resource> rs) {
        Set<String> out = new java.util.TreeSet<>();
        rs.forEach(r -> out.add(r.kind() + ":" + r.id()));
        return out;
    }

    private static Set<String> keys(io.cmkaudit.analysis.Finding f) {
        Set<String> out = new java.util.TreeSet<>();
        f.keys().forEach(k -> out.add(k.arn() + "|" + k.state()));
        return out;
    }

    private static Set<String> principals(io.cmkaudit.analysis.Finding f) {
        Set<String> out = new java.util.TreeSet<>();
        f.principals().forEach(p -> out.add(p.arn()));
        return out;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** @return whether two policy snippets are the same JSON (text compared when either is not JSON) */
    static boolean sameJson(String a, String b) {
        if (Objects.equals(a, b)) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        try {
            return JSON.readTree(a).equals(JSON.readTree(b));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return a.strip().equals(b.strip());
        }
    }
}
