package io.cmkaudit.analysis;

import java.util.Map;

/**
 * The analysis result together with the structured remediation of every finding, by finding id (for tests that
 * apply the remediations and for {@code explain}).
 *
 * @param result       the findings model
 * @param remediations remediation by finding id
 */
record Outcome(AnalysisResult result, Map<String, Remediation> remediations) {
}
