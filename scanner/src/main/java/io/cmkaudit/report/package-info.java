/**
 * Reports of one run: {@code report.html} (Thymeleaf, from {@code report-templates/}), {@code findings.csv} and
 * {@code coverage.csv} (Commons CSV), {@code findings.json} (Jackson), written into a new
 * {@code OUT/<UTC timestamp>/} folder by {@link io.cmkaudit.report.ReportWriter}. Before writing, two phases run
 * over the findings of {@link io.cmkaudit.analysis.AnalysisResult}: suppressions ({@link
 * io.cmkaudit.report.Suppressions}) and the diff against a previous run ({@link io.cmkaudit.report.PreviousRun}).
 *
 * <p>Formats: {@code docs/design/findings.md}; CSV columns: {@code docs/csv-columns.md}.
 */
package io.cmkaudit.report;
