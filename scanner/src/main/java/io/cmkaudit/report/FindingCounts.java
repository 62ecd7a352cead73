package io.cmkaudit.report;


import io.cmkaudit.analysis.Severity;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counts over the final findings of a run, shared by every format so they agree.
 *
 * @param total          current findings (open and suppressed; resolved ones not included)
 * @param open           findings with status OPEN
 * @param suppressed     findings with status SUPPRESSED
 * @param openBySeverity open findings per severity, every severity present (0 when none), highest first
 * @param byChange       current findings per change value NEW / UNCHANGED / CHANGED (all 0 without a previous run)
 * @param resolved       findings of the previous run that are gone
 */
public record FindingCounts(int total, int open, int suppressed, Map<Severity, Integer> openBySeverity,
                            Map<ReportedFinding.Change, Integer> byChange, int resolved) {

    public FindingCounts {
        openBySeverity = Collections.unmodifiableMap(new EnumMap<>(openBySeverity));
        byChange = Collections.unmodifiableMap(new EnumMap<>(byChange));
    }

    /**
     * @param findings current findings after suppressions and diff
     * @param resolved resolved findings
     * @return the counts
     */
    public static FindingCounts of(List<ReportedFinding> findings, List<ReportedFinding> resolved) {
        EnumMap<Severity, Integer> bySeverity = new EnumMap<>(Severity.class);
        for (Severity s : Severity.values()) {
            bySeverity.put(s, 0);
        }
        EnumMap<ReportedFinding.Change, Integer> byChange = new EnumMap<>(ReportedFinding.Change.class);
        byChange.put(ReportedFinding.Change.NEW, 0);
        byChange.put(ReportedFinding.Change.UNCHANGED, 0);
        byChange.put(ReportedFinding.Change.CHANGED, 0);
        int open = 0;
        for (ReportedFinding f : findings) {
            if (f.status() == ReportedFinding.Status.OPEN) {
                open++;
                bySeverity.merge(f.severity(), 1, Integer::sum);
            }
            if (f.change() != null && f.change() != ReportedFinding.Change.RESOLVED) {
                byChange.merge(f.change(), 1, Integer::sum);
            }
        }
        return new FindingCounts(findings.size(), open, findings.size() - open, bySeverity, byChange,
                resolved.size());
    }

    /**
     * @param threshold a {@code --fail-on} level
     * @return open findings at or above {@code threshold}
     */
    public int openAtLeast(Severity threshold) {
        int n = 0;
        for (Map.Entry<Severity, Integer> e : openBySeverity.entrySet()) {
            if (e.getKey().atLeast(threshold)) {
                n += e.getValue();
            }
        }
        return n;
    }
}
