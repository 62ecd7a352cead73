package io.cmkaudit.report;


import io.cmkaudit.analysis.Severity;
import java.nio.file.Path;
import java.util.List;

/**
 * What one {@link ReportWriter#write} produced.
 *
 * @param runDir       the new run folder, e.g. {@code OUT/2026-11-29T19-04-05Z}, holding {@code report.html},
 *                     {@code findings.csv}, {@code coverage.csv} and {@code findings.json}
 * @param findings     the current findings after the suppression and diff phases (status and change set), in the
 *                     analysis order
 * @param resolved     findings of the previous run that are gone (change RESOLVED); empty without a previous run
 * @param counts       counts over {@code findings} and {@code resolved}
 * @param suppressions what the suppressions file did
 * @param htmlRows     how many findings (current and resolved) report.html lists of how many; fewer when the
 *                     HTML row limits cut it (the CSV and JSON files hold all)
 */
public record RunOutput(Path runDir, List<ReportedFinding> findings, List<ReportedFinding> resolved, FindingCounts counts,
                        SuppressionReport suppressions, ReportModel.Shown htmlRows) {

    public RunOutput {
        findings = List.copyOf(findings);
        resolved = List.copyOf(resolved);
    }

    /**
     * For {@code --fail-on}: only OPEN findings count (suppressed and resolved ones do not).
     *
     * @param threshold the {@code --fail-on} severity; never null
     * @return the number of open findings at or above {@code threshold}
     */
    public int openAtLeast(Severity threshold) {
        return counts.openAtLeast(threshold);
    }

    /** @return {@code runDir/report.html} */
    public Path reportHtml() {
        return runDir.resolve(ReportWriter.REPORT_HTML);
    }

    /** @return {@code runDir/findings.json}, the {@code --previous} input of the next run */
    public Path findingsJson() {
        return runDir.resolve(ReportWriter.FINDINGS_JSON);
    }
}
