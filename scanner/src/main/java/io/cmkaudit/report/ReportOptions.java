package io.cmkaudit.report;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What a {@link ReportWriter} needs besides the analysis result.
 *
 * @param outputRoot          the {@code --out} directory; each run writes a new folder inside it (created when
 *                            missing)
 * @param suppressions        the parsed {@code --suppressions} file; {@link Suppressions#none()} when not given (null
 *                            is taken as none)
 * @param previous            the parsed {@code --previous} findings.json, or null: then no finding has a change value
 * @param templatesDir        the {@code --templates} directory overriding {@code report-templates/}, or null
 * @param clock               the clock for the run folder name, the report time and suppression expiry (UTC)
 * @param htmlMaxRowsPerGroup {@code --html-max-rows}: most finding rows report.html lists per (type, account) group
 *                            (open findings; suppressed and resolved ones are grouped the same way for this limit);
 *                            0 = no limit. Counts, tiles and the chart always cover every finding, and findings.csv
 *                            and findings.json always hold every finding.
 * @param htmlMaxRows         {@code --html-max-total-rows}: most finding rows report.html lists in all (open,
 *                            suppressed and resolved together), shared out over the groups as described in
 *                            {@link HtmlRowBudget}; 0 = no limit
 * @throws IllegalArgumentException when a limit is negative
 */
public record ReportOptions(Path outputRoot, Suppressions suppressions, PreviousRun previous, Path templatesDir,
                            Clock clock, int htmlMaxRowsPerGroup, int htmlMaxRows) {

    /** Default of {@link #htmlMaxRowsPerGroup}: rows per (type, account) group in report.html. */
    public static final int DEFAULT_HTML_MAX_ROWS_PER_GROUP = 100;

    /**
     * Default of {@link #htmlMaxRows}: finding rows in report.html in all. A row with its details and remediation
     * snippet is 3-5 KB of HTML, so the page stays under ~50 MB; measured on the 1,000-account synthetic
     * organization (docs/PERFORMANCE.md), headless Chromium needs about twice as long for 20,000 rows (93 MB).
     */
    public static final int DEFAULT_HTML_MAX_ROWS = 10_000;

    public ReportOptions {
        Objects.requireNonNull(outputRoot, "outputRoot");
        Objects.requireNonNull(clock, "clock");
        suppressions = suppressions == null ? Suppressions.none() : suppressions;
        if (htmlMaxRowsPerGroup < 0 || htmlMaxRows < 0) {
            throw new IllegalArgumentException("HTML row limits must be 0 (no limit) or positive, got "
                    + htmlMaxRowsPerGroup + " per group and " + htmlMaxRows + " in all");
        }
    }

    /**
     * Options with the default HTML row limits ({@value #DEFAULT_HTML_MAX_ROWS_PER_GROUP} per group,
     * {@value #DEFAULT_HTML_MAX_ROWS} in all).
     *
     * @see #ReportOptions(Path, Suppressions, PreviousRun, Path, Clock, int, int)
     */
    public ReportOptions(Path outputRoot, Suppressions suppressions, PreviousRun previous, Path templatesDir,
                         Clock clock) {
        this(outputRoot, suppressions, previous, templatesDir, clock, DEFAULT_HTML_MAX_ROWS_PER_GROUP,
                DEFAULT_HTML_MAX_ROWS);
    }

    /**
     * @param outputRoot the {@code --out} directory
     * @return options without suppressions, previous run or template override, default HTML row limits, on the UTC
     *         system clock
     */
    public static ReportOptions of(Path outputRoot) {
        return new ReportOptions(outputRoot, Suppressions.none(), null, null, Clock.systemUTC());
    }

    /**
     * @param perGroup most rows per (type, account) group, 0 = no limit
     * @param total    most rows in all, 0 = no limit
     * @return these options with other HTML row limits
     * @throws IllegalArgumentException when a limit is negative
     */
    public ReportOptions withHtmlLimits(int perGroup, int total) {
        return new ReportOptions(outputRoot, suppressions, previous, templatesDir, clock, perGroup, total);
    }
}
