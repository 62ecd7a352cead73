package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.analysis.Finding;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** findings.csv and coverage.csv parsed back with Commons CSV. */
class CsvReportsTest {

    @TempDir
    static Path out;
    static RunOutput run;
    static byte[] findingsBytes;
    static String findingsText;
    static List<CSVRecord> rows;

    @BeforeAll
    static void writeSample() throws IOException {
        run = new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out, null, null, null,
                ReportFixtures.CLOCK));
        findingsBytes = Files.readAllBytes(run.runDir().resolve("findings.csv"));
        findingsText = new String(findingsBytes, StandardCharsets.UTF_8);
        rows = parse(findingsText);
    }

    static List<CSVRecord> parse(String textWithBom) throws IOException {
        try (Reader r = new StringReader(textWithBom.substring(1));
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }

    static CSVRecord row(String instanceId) {
        return rows.stream().filter(r -> r.get("instance_id").equals(instanceId)).findFirst().orElseThrow();
    }

    @Test
    void aMultiValuedCellListsAtMostAHundredValuesThenHowManyMore() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add("i-" + i);
        }
        String cell = CsvReports.capped(ids);
        assertThat(cell.split("; ")).hasSize(101);
        assertThat(cell).startsWith("i-0; i-1; ").endsWith("; i-99; and 150 more");
        assertThat(CsvReports.capped(ids.subList(0, 100))).endsWith("i-99").doesNotContain("more");
    }

    @Test
    void startsWithUtf8ByteOrderMark() {
        assertThat(findingsBytes).startsWith((byte) 0xEF, (byte) 0xBB, (byte) 0xBF);
        assertThat(findingsText.charAt(0)).isEqualTo('\uFEFF');
    }

    @Test
    void headerIsExactlyTheDocumentedColumnsInOrderEndedByCrlf() throws IOException {
        assertThat(findingsText.substring(1)).startsWith("finding_id,type,severity,status,change,account_id,"
                + "account_name,ou_path,region,instance_id,instance_name,volume_ids,key_arn,key_account_id,key_state,"
                + "principal_arn,principal_type,deciding_layer,evidence,explanation,remediation,remediation_policy,"
                + "suppression_reason,suppression_owner,suppression_expires,run_started_at,instance_count,"
                + "suppression_ticket,confirmed,confirmed_event,first_seen,last_seen,owner,permission_set_arn,"
                + "permission_set_name,launch_sources,instance_account_id\r\n");
        try (CSVParser p = CSVFormat.RFC4180.builder().setHeader().get().parse(new StringReader(
                findingsText.substring(1)))) {
            assertThat(p.getHeaderNames()).isEqualTo(CsvReports.FINDINGS_COLUMNS);
        }
    }

    @Test
    void oneRowPerFindingInAnalysisOrder() {
        assertThat(rows).hasSize(ReportFixtures.sampleFindings().size());
        assertThat(rows.stream().map(r -> r.get("finding_id")).toList())
                .isEqualTo(ReportFixtures.sampleFindings().stream().map(Finding::findingId).toList());
    }

    @Test
    void formulaInANameTagArrivesNeutralized() {
        CSVRecord r = row("i-0e4f5a6b7c8d9e0f1");
        assertThat(r.get("instance_name")).isEqualTo("'=HYPERLINK(\"http://x\",\"y\")");
    }

    @Test
    void accountIdWithLeadingZeroIsWrittenUnchangedAndUnquoted() {
        CSVRecord r = row("i-0e4f5a6b7c8d9e0f1");
        assertThat(r.get("account_id")).isEqualTo("012345678901");
        assertThat(r.get("key_account_id")).isEqualTo("012345678901");
        assertThat(r.get("instance_account_id")).isEqualTo("012345678901");
        assertThat(findingsText).contains(",012345678901,payments-prod,");
    }

    @Test
    void valueWithCommaQuoteAndNewlineRoundTripsQuoted() {
        assertThat(row("i-0b2c3d4e5f6a7b8c9").get("instance_name")).isEqualTo("batch, \"nightly\"\nrun");
        assertThat(findingsText).contains(",\"batch, \"\"nightly\"\"\nrun\",");
    }

    @Test
    void multiValuedCellsAreJoinedWithSemicolonSpace() {
        CSVRecord r = row("i-0a1b2c3d4e5f60718");
        assertThat(r.get("volume_ids")).isEqualTo("vol-0123456789abcdef0; vol-0fedcba9876543210");
        CSVRecord full = rows.stream().filter(x -> x.get("type").equals("KMS_FULL_ACCESS")).findFirst().orElseThrow();
        assertThat(full.get("deciding_layer")).isEqualTo("identity; resource");
    }

    @Test
    void timesAreIso8601UtcAndAbsentValuesEmpty() {
        CSVRecord r = rows.stream().filter(x -> x.get("type").equals("KEY_POLICY_PUBLIC")).findFirst().orElseThrow();
        assertThat(r.get("run_started_at")).isEqualTo("2026-11-29T19:02:11Z");
        assertThat(r.get("instance_id")).isEmpty();
        assertThat(r.get("instance_account_id")).isEmpty();
        assertThat(r.get("principal_arn")).isEmpty();
        assertThat(r.get("change")).isEmpty();
        assertThat(r.get("status")).isEqualTo("OPEN");
        assertThat(r.get("suppression_reason")).isEmpty();
    }

    @Test
    void everyRecordEndsWithCrlf() {
        String body = findingsText.substring(1);
        long crlf = body.split("\r\n", -1).length - 1;
        // header + one per finding; the one newline inside a quoted cell is a bare LF
        assertThat(crlf).isEqualTo(1 + rows.size());
    }

    @Test
    void coverageCsvHasTheDocumentedColumnsAndOneRowPerAccountRegion() throws IOException {
        String text = Files.readString(run.runDir().resolve("coverage.csv"), StandardCharsets.UTF_8);
        assertThat(text).startsWith("\uFEFFaccount_id,account_name,region,status,error_code,error_message,instances,"
                + "volumes,cmk_keys,principals\r\n");
        List<CSVRecord> cov = parse(text);
        assertThat(cov).hasSize(ReportFixtures.sampleCoverage().size());
        CSVRecord denied = cov.get(cov.size() - 1);
        assertThat(denied.toList()).containsExactly("444455556666", "sandbox-legacy", "global", "ASSUME_ROLE_DENIED",
                "AccessDenied", "not authorized to perform sts:AssumeRole on arn:aws:iam::444455556666:role/"
                        + "CmkAuditRole", "0", "0", "0", "0");
        assertThat(cov.get(0).toList()).containsExactly("012345678901", "payments-prod", "global", "SCANNED", "", "",
                "0", "0", "0", "41");
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "=1+2|'=1+2",
        "+SUM(A1)|'+SUM(A1)",
        "-2+3|'-2+3",
        "@cmd|'@cmd",
        "012345678901|012345678901",
        "arn:aws:iam::1:role/x|arn:aws:iam::1:role/x",
        "a=b|a=b",
    })
    void formulaCellsGetALeadingQuote(String in, String expected) {
        assertThat(CsvReports.cell(in)).isEqualTo(expected);
    }

    @Test
    void tabAndCarriageReturnAtTheStartAreNeutralizedAndNullIsEmpty() {
        assertThat(CsvReports.cell("\tx")).isEqualTo("'\tx");
        assertThat(CsvReports.cell("\rx")).isEqualTo("'\rx");
        assertThat(CsvReports.cell(null)).isEmpty();
        assertThat(CsvReports.cell("")).isEmpty();
    }
}
