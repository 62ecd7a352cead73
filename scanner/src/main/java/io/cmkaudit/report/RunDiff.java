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
 *   <li>{@code CHANGED}: same id, but severity, deciding layers, evidence or key state differ;</li>
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
                    : changed(old, f) ? ReportedFinding.Change.CHANGED : ReportedFinding.Change.UNCHANGED;
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

    /** @return whether the risk described by the finding differs between the runs */
    static boolean changed(ReportedFinding old, ReportedFinding now) {
        return old.severity() != now.severity()
                || !old.decidingLayers().equals(now.decidingLayers())
                || !old.evidence().equals(now.evidence())
                || !Objects.equals(old.keyState(), now.keyState());
    }
}
