package io.cmkaudit.report;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Severity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What a run folder holds besides the analysis: which of the built-in reports are written ({@code --format}), the
 * lowest severity written ({@code --severity}), further exports that read the final findings (xlsx, OCSF, ASFF), and
 * a last step that sees every written file (the manifest).
 *
 * @param formats     built-in reports to write, among {@code html}, {@code csv}, {@code json}; other names are
 *                    ignored here (they select {@code exports})
 * @param minSeverity lowest severity written to every report; {@link Severity#INFO} writes all
 * @param exports     further files, written in this order after the built-in reports; never null
 * @param finish      called last with the temporary run folder (every file written), or null
 * @param owners      the owner tag values of principals and keys (findings.csv {@code owner}); never null
 */
public record OutputSelection(Set<String> formats, Severity minSeverity, List<Export> exports, Finisher finish,
                              Owners owners) {

    /** The built-in reports, every severity, no exports, no finisher: what {@code report} wrote before --format. */
    public static final OutputSelection ALL = new OutputSelection(Set.of("html", "csv", "json"), Severity.INFO,
            List.of(), null, Owners.NONE);

    public OutputSelection {
        formats = Set.copyOf(formats);
        exports = List.copyOf(exports);
        owners = owners == null ? Owners.NONE : owners;
    }

    /** A selection without owner tags. */
    public OutputSelection(Set<String> formats, Severity minSeverity, List<Export> exports, Finisher finish) {
        this(formats, minSeverity, exports, finish, Owners.NONE);
    }

    /** @return whether report.html is written */
    public boolean html() {
        return formats.contains("html");
    }

    /** @return whether findings.csv and coverage.csv are written */
    public boolean csv() {
        return formats.contains("csv");
    }

    /** @return whether findings.json is written */
    public boolean json() {
        return formats.contains("json");
    }

    /**
     * The findings a run folder's reports hold, after suppressions, diff and the severity filter.
     *
     * @param result      the analysis result (summary, coverage, run metadata)
     * @param findings    current findings (OPEN and SUPPRESSED, change set)
     * @param resolved    findings of the previous run that are gone (change RESOLVED)
     * @param counts      counts over {@code findings} and {@code resolved}
     * @param writtenAt   the report time
     * @param belowSeverity open findings left out by the severity filter
     */
    public record Content(AnalysisResult result, List<ReportedFinding> findings, List<ReportedFinding> resolved,
                          FindingCounts counts, Instant writtenAt, int belowSeverity) {
    }

    /** One further file of the run folder. */
    public interface Export {
        /** @return the plain file name, e.g. {@code findings.xlsx} */
        String fileName();

        /**
         * Writes the file.
         *
         * @param file    where (inside the temporary run folder)
         * @param content the findings
         * @throws IOException when it cannot be written
         */
        void write(Path file, Content content) throws IOException;

        /**
         * @param fileName the plain file name; never null
         * @param writer   writes it, as {@link #write}; never null
         * @return an export of that file
         */
        static Export of(String fileName, Writer writer) {
            return new Export() {
                @Override
                public String fileName() {
                    return fileName;
                }

                @Override
                public void write(Path file, Content content) throws IOException {
                    writer.write(file, content);
                }
            };
        }

        /** What {@link #write} does, as a lambda. */
        @FunctionalInterface
        interface Writer {
            /**
             * @param file    where (inside the temporary run folder)
             * @param content the findings
             * @throws IOException when it cannot be written
             */
            void write(Path file, Content content) throws IOException;
        }
    }

    /** The last step of a run folder. */
    public interface Finisher {
        /**
         * @param runFolder the temporary run folder, every other file written
         * @param content   the findings
         * @throws IOException when its file cannot be written
         */
        void finish(Path runFolder, Content content) throws IOException;
    }
}
