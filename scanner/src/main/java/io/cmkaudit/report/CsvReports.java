package io.cmkaudit.report;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Finding;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * Writes {@code findings.csv} and {@code coverage.csv} row by row with Commons CSV: RFC 4180, comma, CRLF, UTF-8
 * with a byte order mark (so spreadsheet programs detect UTF-8), minimal quoting, ISO-8601 UTC times. Columns are
 * fixed and documented in {@code docs/csv-columns.md}.
 */
public final class CsvReports {

    /** The columns of {@code findings.csv}, in order (findings.md). */
    public static final List<String> FINDINGS_COLUMNS = List.of("finding_id", "type", "severity", "status", "change",
            "account_id", "account_name", "ou_path", "region", "instance_id", "instance_name", "volume_ids",
            "key_arn", "key_account_id", "key_state", "principal_arn", "principal_type", "deciding_layer",
            "evidence", "explanation", "remediation", "remediation_policy", "suppression_reason",
            "suppression_owner", "suppression_expires", "run_started_at", "instance_count", "suppression_ticket",
            "confirmed", "confirmed_event", "first_seen", "last_seen", "owner", "permission_set_arn",
            "permission_set_name", "launch_sources", "instance_account_id");

    /** Most values a multi-valued cell lists (instance ids, names, volume ids) before "and N more". */
    public static final int MAX_CELL_VALUES = 100;

    /** The columns of {@code coverage.csv}, in order (findings.md). */
    public static final List<String> COVERAGE_COLUMNS = List.of("account_id", "account_name", "region", "status",
            "error_code", "error_message", "instances", "volumes", "cmk_keys", "principals");

    private static final char BOM = '\uFEFF';

    private CsvReports() {
    }

    /**
     * Writes {@code findings.csv}: the current findings, then the resolved ones (change {@code RESOLVED}).
     *
     * @param file         the file to create or replace
     * @param findings     current findings after suppressions and diff
     * @param resolved     findings of the previous run that are gone
     * @param runStartedAt the run's collection start, written in every row's {@code run_started_at}
     * @throws IOException when the file cannot be written
     */
    public static void writeFindings(Path file, List<ReportedFinding> findings, List<ReportedFinding> resolved, Instant runStartedAt)
            throws IOException {
        String started = Formats.iso(runStartedAt);
        try (Writer w = writer(file);
             CSVPrinter csv = format(FINDINGS_COLUMNS).print(w)) {
            for (ReportedFinding f : findings) {
                row(csv, f, started);
            }
            for (ReportedFinding f : resolved) {
                row(csv, f, started);
            }
        }
    }

    private static void row(CSVPrinter csv, ReportedFinding f, String started) throws IOException {
        List<Object> values = values(f, started);
        List<Object> cells = new java.util.ArrayList<>(values.size());
        for (Object v : values) {
            cells.add(v instanceof Integer ? v : cell((String) v));
        }
        csv.printRecord(cells);
    }

    /**
     * The values of one findings row, in {@link #FINDINGS_COLUMNS} order, before the CSV formula guard: strings
     * (null when absent) and, for {@code instance_count}, an Integer. findings.xlsx writes the same values.
     * {@code instance_account_id} lists the account of each instance of {@code instance_id}, in the same order and
     * with the same cap, so that a finding merged across the accounts of an IAM Identity Center permission set (whose
     * {@code account_id} is the Identity Center administration account) says where each instance is.
     *
     * @param f       the finding
     * @param started the run's collection start, ISO-8601
     * @return one value per column
     */
    static List<Object> values(ReportedFinding f, String started) {
        ReportedFinding.Suppression s = f.suppression();
        List<Finding.Resource> instances = f.finding().instances();
        ReportedFinding.Tracking t = f.tracking();
        List<Finding.Key> keys = f.finding().keys();
        List<Finding.Principal> principals = f.finding().principals();
        return java.util.Arrays.asList(
                f.findingId(), f.type().name(), f.severity().name(), f.status().name(),
                f.change() == null ? null : f.change().name(),
                f.accountId(), f.accountName(), f.ouPath(), f.region(),
                capped(instances.stream().map(Finding.Resource::id).toList()),
                capped(instances.stream().map(Finding.Resource::name).filter(java.util.Objects::nonNull).toList()),
                capped(f.volumeIds()),
                capped(keys.stream().map(Finding.Key::arn).toList()),
                distinct(keys.stream().map(Finding.Key::accountId).toList()),
                distinct(keys.stream().map(Finding.Key::state).toList()),
                capped(principals.stream().map(Finding.Principal::arn).toList()),
                distinct(principals.stream().map(Finding.Principal::type).toList()),
                Formats.join(f.decidingLayers()),
                Formats.join(f.evidence()), f.explanation(), f.remediation(),
                f.remediationPolicy(),
                s == null ? null : s.reason(), s == null ? null : s.owner(),
                s == null ? null : s.expires().toString(),
                started, instances.size(), s == null ? null : s.ticket(),
                f.finding().confirmed() == null ? null : "true",
                f.finding().confirmed() == null ? null : f.finding().confirmed().text(),
                Formats.iso(t.firstSeen()), Formats.iso(t.lastSeen()), t.owner(),
                f.permissionSetArn(), f.permissionSetName(),
                capped(f.finding().launchSources().stream().map(Finding.Resource::label).toList()),
                capped(instances.stream().map(r -> java.util.Objects.toString(r.accountIdOr(f.accountId()), ""))
                        .toList()));
    }

    /**
     * @param values the values of a multi-valued cell
     * @return at most {@link #MAX_CELL_VALUES} of them joined with {@code "; "}, then {@code "; and N more"} (a cell
     *         holds at most 32,767 characters in Excel; findings.json lists every value)
     */
    static String capped(List<String> values) {
        if (values.size() <= MAX_CELL_VALUES) {
            return Formats.join(values);
        }
        return Formats.join(values.subList(0, MAX_CELL_VALUES)) + "; and " + (values.size() - MAX_CELL_VALUES)
                + " more";
    }

    /** @return the distinct non-null values, in order, joined with {@code "; "} */
    static String distinct(List<String> values) {
        return Formats.join(values.stream().filter(java.util.Objects::nonNull).distinct().toList());
    }

    /**
     * Writes {@code coverage.csv}: one row per account × region.
     *
     * @param file     the file to create or replace
     * @param coverage the coverage rows
     * @throws IOException when the file cannot be written
     */
    public static void writeCoverage(Path file, List<AnalysisResult.CoverageRow> coverage) throws IOException {
        try (Writer w = writer(file);
             CSVPrinter csv = format(COVERAGE_COLUMNS).print(w)) {
            for (AnalysisResult.CoverageRow r : coverage) {
                csv.printRecord(cell(r.accountId()), cell(r.accountName()), cell(r.region()), cell(r.status()),
                        cell(r.errorCode()), cell(r.errorMessage()), r.instances(), r.volumes(), r.cmkKeys(),
                        r.principals());
            }
        }
    }

    /**
     * Neutralizes a cell a spreadsheet would run as a formula (OWASP "CSV Injection"): a value starting with
     * {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return gets a leading single quote. Other values,
     * e.g. account ids such as {@code 012345678901}, are returned unchanged.
     *
     * @param value a cell value, or null
     * @return the value to write; the empty string for null
     */
    public static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        char c = value.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + value : value;
    }

    private static Writer writer(Path file) throws IOException {
        Writer w = new UnsyncBufferedWriter(new OutputStreamWriter(Files.newOutputStream(file),
                StandardCharsets.UTF_8), 1 << 16);
        w.write(BOM);
        return w;
    }

    private static CSVFormat format(List<String> header) {
        return CSVFormat.RFC4180.builder()
                .setHeader(header.toArray(String[]::new))
                .setRecordSeparator("\r\n")
                .setQuoteMode(QuoteMode.MINIMAL)
                .get();
    }
}
