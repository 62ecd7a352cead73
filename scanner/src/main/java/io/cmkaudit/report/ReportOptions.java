package io.cmkaudit.report;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What a {@link ReportWriter} needs besides the analysis result.
 *
 * @param outputRoot   the {@code --out} directory; each run writes a new folder inside it (created when missing)
 * @param suppressions the parsed {@code --suppressions} file; {@link Suppressions#none()} when not given (null is
 *                     taken as none)
 * @param previous     the parsed {@code --previous} findings.json, or null: then no finding has a change value
 * @param templatesDir the {@code --templates} directory overriding {@code report-templates/}, or null
 * @param clock        the clock for the run folder name, the report time and suppression expiry (UTC)
 */
public record ReportOptions(Path outputRoot, Suppressions suppressions, PreviousRun previous, Path templatesDir,
                            Clock clock) {

    public ReportOptions {
        Objects.requireNonNull(outputRoot, "outputRoot");
        Objects.requireNonNull(clock, "clock");
        suppressions = suppressions == null ? Suppressions.none() : suppressions;
    }

    /**
     * @param outputRoot the {@code --out} directory
     * @return options without suppressions, previous run or template override, on the UTC system clock
     */
    public static ReportOptions of(Path outputRoot) {
        return new ReportOptions(outputRoot, Suppressions.none(), null, null, Clock.systemUTC());
    }
}
