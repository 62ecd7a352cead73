package io.cmkaudit.cli;

import io.cmkaudit.config.ScannerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Options of the commands that write a report run folder ({@code scan}, {@code report}).
 */
public final class OutputOptions {

    @Option(names = "--out", paramLabel = "DIR",
            description = "Folder that receives a new timestamped sub-folder per run; earlier runs are never "
                + "overwritten. Default: cmk-audit-reports.")
    Path out;

    @Option(names = "--fail-on", paramLabel = "SEVERITY",
            description = "Exit with bit 1 when an open finding has this severity or higher: CRITICAL, HIGH, MEDIUM, "
                + "LOW, INFO, NONE. Default: HIGH.")
    String failOn;

    @Option(names = "--severity", paramLabel = "SEVERITY",
            description = "Lowest severity written to the reports (like Prowler's and Trivy's --severity): CRITICAL, "
                + "HIGH, MEDIUM, LOW, INFO. --fail-on counts the findings written: a --fail-on below it is a warning. Default: "
                + "INFO (everything).")
    String severity;

    @Option(names = "--format", split = ",", paramLabel = "FORMAT",
            description = "Report files to write, comma-separated: html (report.html), csv (findings.csv, "
                + "coverage.csv), json (findings.json), xlsx (findings.xlsx: text ids, a summary sheet, a sheet per finding type), ocsf (findings.ocsf.json: OCSF 1.x Detection Findings), asff "
                + "(findings.asff.json: AWS Security Finding Format, the findings --security-hub imports). "
                + "manifest.json is always written. Default: html,csv,json,xlsx. The list replaces the default set: "
                + "to add OCSF give html,csv,json,xlsx,ocsf.")
    List<String> formats;

    @Option(names = "--previous", paramLabel = "FILE|latest|s3://…",
            description = "findings.json of an earlier run of the same organization (a file, a run folder or an "
                + "s3://BUCKET/KEY object), for the NEW / UNCHANGED / CHANGED / RESOLVED diff; one of another "
                + "organization or partition is refused. `latest` takes the newest run folder with a findings.json of "
                + "this organization under --out (a warning names it when newer folders without one were skipped), "
                + "s3://BUCKET/PREFIX/ (ending in /) the newest under that prefix, as --upload writes "
                + "them (none yet: no diff).")
    String previous;

    @Option(names = "--suppressions", paramLabel = "FILE",
            description = "YAML list of accepted risks (see config/suppressions.example.yaml).")
    Path suppressions;

    @Option(names = "--templates", paramLabel = "DIR",
            description = "Thymeleaf templates overriding the built-in report-templates/: each of report.html, "
                + "report.css, report.js found in DIR replaces the built-in one; DIR must hold at least one.")
    Path templates;

    @Option(names = "--html-max-rows", paramLabel = "N",
            description = "report.html lists at most N findings per type and account (the most severe), with a "
                + "line saying how many are left out; 0 = no limit. Counts and the chart cover every finding; "
                + "findings.csv and findings.json always hold all. Default: 100.")
    Integer htmlMaxRows;

    @Option(names = "--html-max-total-rows", paramLabel = "N",
            description = "report.html lists at most N findings in all, shared out over the types and accounts so "
                + "each keeps examples; 0 = no limit (a page with 100,000 findings is 300-500 MB). Default: 10000.")
    Integer htmlMaxTotalRows;

    /**
     * @param given the {@code --format} values
     * @return the formats, lower case, each once, in the order given
     * @throws UsageException for an unknown format or an empty list
     */
    static List<String> parseFormats(List<String> given) {
        List<String> out = new java.util.ArrayList<>();
        for (String f : given) {
            String v = f.strip().toLowerCase(Locale.ROOT);
            if (!ScannerConfig.FORMATS.contains(v)) {
                throw new UsageException("--format: must be among " + String.join(", ", ScannerConfig.FORMATS)
                        + ", got `" + f + "`");
            }
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("--format: name at least one of " + String.join(", ", ScannerConfig.FORMATS));
        }
        return out;
    }
}
