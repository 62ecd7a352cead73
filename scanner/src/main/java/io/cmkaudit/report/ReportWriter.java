package io.cmkaudit.report;

import io.cmkaudit.analysis.AnalysisResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the reports of one run. Phases, in order: suppressions (matching findings become SUPPRESSED; nothing is
 * removed), diff against the previous run (each finding gets NEW / UNCHANGED / CHANGED; gone ones are listed as
 * RESOLVED), then the writers, each projecting the same final findings:
 *
 * <pre>
 * OUT/2026-11-29T19-04-05Z/   (UTC; -2, -3, ... when the name is taken)
 *   report.html               one self-contained page, no network access; lists at most
 *                             ReportOptions.htmlMaxRowsPerGroup findings per (type, account) and htmlMaxRows in all
 *   findings.csv              one row per finding (then the resolved ones), docs/csv-columns.md
 *   coverage.csv              one row per account × region
 *   findings.json             everything, machine-readable; the --previous input of the next run
 * </pre>
 *
 * The folder appears atomically (written in a hidden temporary folder, then renamed) and is never overwritten.
 * Writers stream row by row; the findings are held once (the final list shares all values with the input).
 */
public final class ReportWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ReportWriter.class);

    /** File names inside a run folder. */
    public static final String REPORT_HTML = "report.html";
    /** @see #REPORT_HTML */
    public static final String FINDINGS_CSV = "findings.csv";
    /** @see #REPORT_HTML */
    public static final String COVERAGE_CSV = "coverage.csv";
    /** @see #REPORT_HTML */
    public static final String FINDINGS_JSON = "findings.json";

    private static final Set<String> REPORT_FILES = Set.of(REPORT_HTML, FINDINGS_CSV, COVERAGE_CSV, FINDINGS_JSON);

    /**
     * A file the caller adds to the run folder (e.g. {@code scan}'s {@code snapshot.json}). It is written into the
     * temporary folder after the reports, so it is published atomically with them, and a failure leaves no run folder.
     */
    @FunctionalInterface
    public interface ExtraFile {
        /**
         * @param file where to write, inside the temporary folder; does not exist yet
         * @throws IOException when writing fails
         */
        void writeTo(Path file) throws IOException;
    }

    /**
     * Checks a {@code --templates} directory before any work starts (so a typo fails fast with exit 64).
     *
     * @param templatesDir the directory, or null for the built-in templates
     * @throws ReportInputException when the directory is missing or its stylesheet or script cannot be inlined
     */
    public static void checkTemplates(Path templatesDir) {
        new HtmlReport(templatesDir);
    }

    /**
     * Runs the phases and writes the run folder.
     *
     * @param result  the analysis result; never null
     * @param options output root, suppressions, previous run, template override, clock, HTML row limits; never null
     * @return the run folder and the final findings (for the exit code: {@link RunOutput#openAtLeast})
     * @throws IOException          when a file cannot be written (the temporary folder is removed)
     * @throws ReportInputException when an override template is unusable
     */
    public RunOutput write(AnalysisResult result, ReportOptions options) throws IOException {
        return write(result, options, Map.of());
    }

    /**
     * Runs the phases and writes the run folder with extra files beside the reports.
     *
     * @param result  the analysis result; never null
     * @param options output root, suppressions, previous run, template override, clock; never null
     * @param extras  file name (a plain name, not one of the report files) to its writer, in the map's order;
     *                never null
     * @return the run folder and the final findings (for the exit code: {@link RunOutput#openAtLeast})
     * @throws IOException              when a file cannot be written (the temporary folder is removed)
     * @throws ReportInputException     when an override template is unusable
     * @throws IllegalArgumentException when an extra file name is not a plain name or is a report file's name
     */
    public RunOutput write(AnalysisResult result, ReportOptions options, Map<String, ExtraFile> extras)
            throws IOException {
        return write(result, options, extras, OutputSelection.ALL);
    }

    /**
     * As {@link #write(AnalysisResult, ReportOptions, Map)}, writing the reports {@code selection} chooses, only
     * findings at or above its severity, its exports after the built-in reports, and its finisher last.
     *
     * @param result    the analysis result; never null
     * @param options   output root, suppressions, previous run, template override, clock; never null
     * @param extras    extra files (see the three-argument form); never null
     * @param selection formats, severity filter, exports, finisher; never null
     * @return the run folder and the findings written (the severity filter applied)
     * @throws IOException when a file cannot be written (the temporary folder is removed)
     */
    public RunOutput write(AnalysisResult result, ReportOptions options, Map<String, ExtraFile> extras,
                           OutputSelection selection) throws IOException {
        for (String name : extras.keySet()) {
            if (REPORT_FILES.contains(name) || name.startsWith(".") || !name.equals(Path.of(name).getFileName().toString())) {
                throw new IllegalArgumentException("not a usable extra file name in a run folder: `" + name + "`");
            }
        }
        Instant now = options.clock().instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        HtmlReport html = new HtmlReport(options.templatesDir());

        List<ReportedFinding> current = new ArrayList<>(result.findings().size());
        result.findings().forEach(f -> current.add(ReportedFinding.open(f)));
        Suppressions.Applied suppressed = options.suppressions().apply(current, today);
        RunDiff.Result all = RunDiff.track(RunDiff.apply(suppressed.findings(), options.previous()),
                options.previous(), result.run().startedAt(), selection.owners()::of);
        // --severity: after the diff, so a finding below it is left out, never reported RESOLVED
        RunDiff.Result diff = new RunDiff.Result(
                all.findings().stream().filter(f -> f.severity().atLeast(selection.minSeverity())).toList(),
                all.resolved().stream().filter(f -> f.severity().atLeast(selection.minSeverity())).toList());
        int below = (int) all.findings().stream().filter(f -> !f.severity().atLeast(selection.minSeverity())
                && f.status() == ReportedFinding.Status.OPEN).count();
        FindingCounts counts = FindingCounts.of(diff.findings(), diff.resolved());

        String base = Formats.folderName(now);
        Path temp = RunFolder.createTemp(options.outputRoot(), base);
        String name = RunFolder.freeName(options.outputRoot(), base);
        try {
            long t0 = System.nanoTime();
            if (selection.csv()) {
                CsvReports.writeFindings(temp.resolve(FINDINGS_CSV), diff.findings(), diff.resolved(),
                        result.run().startedAt());
                CsvReports.writeCoverage(temp.resolve(COVERAGE_CSV), result.coverage());
            }
            long t1 = System.nanoTime();
            if (selection.csv()) {
                LOG.info("wrote findings.csv in {} ms", (t1 - t0) / 1_000_000);
            }
            if (selection.json()) {
                FindingsJson.write(temp.resolve(FINDINGS_JSON), new FindingsJson.Content(result, diff.findings(),
                        diff.resolved(), counts, suppressed.report(), options.previous(), now,
                        selection.minSeverity(), all.findings().stream()
                        .filter(f -> !f.severity().atLeast(selection.minSeverity())).toList()));
            }
            long t2 = System.nanoTime();
            if (selection.json()) {
                LOG.info("wrote findings.json in {} ms", (t2 - t1) / 1_000_000);
            }
            ReportModel model = ReportModel.build(result, diff.findings(), diff.resolved(), counts,
                    suppressed.report(), options.previous(), now, name, options.htmlMaxRowsPerGroup(),
                    options.htmlMaxRows());
            if (selection.html()) {
                html.render(temp.resolve(REPORT_HTML), model);
                LOG.info("wrote report.html in {} ms: {} of {} finding rows listed",
                        (System.nanoTime() - t2) / 1_000_000, model.limits().rows().shown(),
                        model.limits().rows().total());
            }
            OutputSelection.Content content = new OutputSelection.Content(result, diff.findings(), diff.resolved(),
                    counts, now, below);
            for (OutputSelection.Export export : selection.exports()) {
                long t = System.nanoTime();
                export.write(temp.resolve(export.fileName()), content);
                LOG.info("wrote {} in {} ms", export.fileName(), (System.nanoTime() - t) / 1_000_000);
            }
            for (Map.Entry<String, ExtraFile> extra : extras.entrySet()) {
                extra.getValue().writeTo(temp.resolve(extra.getKey()));
            }
            if (selection.finish() != null) {
                selection.finish().finish(temp, content);
            }
            Path runDir = RunFolder.publish(temp, options.outputRoot(), name, base);
            return new RunOutput(runDir, diff.findings(), diff.resolved(), counts, suppressed.report(),
                    model.limits().rows());
        } catch (IOException | RuntimeException e) {
            RunFolder.deleteQuietly(temp);
            throw e;
        }
    }
}
