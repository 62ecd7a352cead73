package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.util.PaneInformation;
import org.apache.poi.xssf.usermodel.XSSFCellStyle;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * findings.xlsx opened with POI (cell types, frozen header, filters, severity colours, summary and type sheets),
 * findings.csv's first_seen / last_seen / owner carried through --previous, and findings.csv converted by headless
 * LibreOffice Calc with the import options docs/csv-columns.md gives: account ids and hex finding ids stay text,
 * UTF-8 stays UTF-8. LibreOffice ({@code soffice}) must be installed ({@code .ci/run} installs
 * libreoffice-calc-nogui); without it the test FAILS.
 */
class SpreadsheetTest {

    static final Instant T1 = Instant.parse("2026-09-01T06:00:00Z");
    static final Instant T2 = Instant.parse("2026-12-01T06:00:00Z");
    static final String ZERO_ACCOUNT = "043006774110";
    static final String HEX_ID = "1234e56789012345";
    static final String ROLE = "arn:aws:iam::043006774110:role/Jürgen-ops";
    static final String KEY = "arn:aws:kms:eu-west-1:043006774110:key/6f1e0000-0000-4000-8000-000000000001";

    static Finding principalFinding(String id) {
        return new Finding(id, FindingType.KMS_FULL_ACCESS, Severity.HIGH,
                new Finding.Account(ZERO_ACCOUNT, "Jürgen's account", "Root/Prod"), "eu-west-1", List.of(),
                new Finding.Key(KEY, ZERO_ACCOUNT, "Enabled"), new Finding.Principal(ROLE, "role"),
                new Finding.Details(List.of("identity"), List.of("x#0"), "kms:* on the key", "narrow it", null));
    }

    static Finding keyFinding() {
        return new Finding("00000000000000e1", FindingType.START_BLOCKED_KEY_UNUSABLE, Severity.CRITICAL,
                new Finding.Account(ZERO_ACCOUNT, "Jürgen's account", "Root/Prod"), "eu-west-1",
                List.of(Finding.Resource.instance("i-0123456789abcdef0", "web-1", "eu-west-1", List.of("vol-1"))),
                new Finding.Key(KEY, ZERO_ACCOUNT, "PendingDeletion"), null,
                new Finding.Details(List.of("keyState"), List.of(), "key pending deletion", "cancel it", null));
    }

    static AnalysisResult result(Instant started, List<Finding> findings) {
        AnalysisResult.RunInfo run = new AnalysisResult.RunInfo("0.1.0", started, started.plusSeconds(60),
                "o-7h3x9k2m4q", "999988887777", List.of("eu-west-1"), Map.of());
        return new AnalysisResult(run, findings, List.of(),
                new AnalysisResult.Summary(1, 1, 1, 1, 0, 0, 1, 1));
    }

    static RunOutput write(Path out, AnalysisResult r, Instant now, PreviousRun previous, Owners owners)
            throws IOException {
        OutputSelection sel = new OutputSelection(Set.of("csv", "json"), Severity.INFO,
                List.of(XlsxReport.export()), null, owners);
        return new ReportWriter().write(r, new ReportOptions(out, null, previous, null,
                Clock.fixed(now, ZoneOffset.UTC)), Map.of(), sel);
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).substring(1);
        try (Reader r = new StringReader(text);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }

    @Test
    void firstSeenLastSeenAndOwnerAreCarriedAcrossRuns(@TempDir Path out) throws IOException {
        Owners owners = new Owners("team", Map.of(ROLE, "payments", KEY, "platform"));
        RunOutput first = write(out, result(T1, List.of(principalFinding(HEX_ID), keyFinding())),
                T1.plusSeconds(90), null, owners);
        List<CSVRecord> rows1 = csv(first.runDir().resolve("findings.csv"));
        assertThat(rows1).extracting(r -> r.get("finding_id") + " " + r.get("first_seen") + " " + r.get("last_seen")
                + " " + r.get("owner")).containsExactly(
                HEX_ID + " 2026-09-01T06:00:00Z 2026-09-01T06:00:00Z payments",
                "00000000000000e1 2026-09-01T06:00:00Z 2026-09-01T06:00:00Z platform");

        // the next quarter: the principal finding is still there, the key finding resolved, a new one appears
        RunOutput second = write(out, result(T2, List.of(principalFinding(HEX_ID), principalFinding("ffff000000000001"))),
                T2.plusSeconds(90), PreviousRun.read(first.runDir()), owners);
        List<CSVRecord> rows2 = csv(second.runDir().resolve("findings.csv"));
        assertThat(rows2).extracting(r -> r.get("finding_id") + " " + r.get("change") + " " + r.get("first_seen")
                + " " + r.get("last_seen") + " " + r.get("owner")).containsExactly(
                HEX_ID + " UNCHANGED 2026-09-01T06:00:00Z 2026-12-01T06:00:00Z payments",
                "ffff000000000001 NEW 2026-12-01T06:00:00Z 2026-12-01T06:00:00Z payments",
                "00000000000000e1 RESOLVED 2026-09-01T06:00:00Z 2026-09-01T06:00:00Z platform");
    }

    @Test
    void xlsxKeepsIdsAsTextWithFrozenFilteredHeaderColoursAndSheets(@TempDir Path out) throws IOException {
        RunOutput run = write(out, result(T1, List.of(principalFinding(HEX_ID), keyFinding())), T1.plusSeconds(90),
                null, new Owners("owner", Map.of(ROLE, "payments")));
        Path xlsx = run.runDir().resolve(XlsxReport.FILE);
        try (InputStream in = Files.newInputStream(xlsx); XSSFWorkbook wb = new XSSFWorkbook(in)) {
            List<String> names = new ArrayList<>();
            wb.forEach(s -> names.add(s.getSheetName()));
            assertThat(names).containsExactly("Summary", "Findings", "START_BLOCKED_KEY_UNUSABLE",
                    "KMS_FULL_ACCESS");
            XSSFSheet all = wb.getSheet("Findings");
            Row header = all.getRow(0);
            List<String> cols = CsvReports.FINDINGS_COLUMNS;
            for (int i = 0; i < cols.size(); i++) {
                assertThat(header.getCell(i).getStringCellValue()).isEqualTo(cols.get(i));
            }
            PaneInformation pane = all.getPaneInformation();
            assertThat(pane).isNotNull();
            assertThat(pane.isFreezePane()).isTrue();
            assertThat(pane.getHorizontalSplitPosition()).isEqualTo((short) 1);
            assertThat(all.getCTWorksheet().getAutoFilter().getRef()).isEqualTo("A1:" + column(cols.size()) + "3");
            Row row = all.getRow(1);
            Cell id = row.getCell(cols.indexOf("finding_id"));
            assertThat(id.getCellType()).isEqualTo(CellType.STRING);
            assertThat(id.getStringCellValue()).isEqualTo(HEX_ID);
            Cell account = row.getCell(cols.indexOf("account_id"));
            assertThat(account.getCellType()).isEqualTo(CellType.STRING);
            assertThat(account.getStringCellValue()).isEqualTo(ZERO_ACCOUNT);
            assertThat(account.getCellStyle().getDataFormatString()).isEqualTo("@");
            assertThat(row.getCell(cols.indexOf("account_name")).getStringCellValue()).isEqualTo("Jürgen's account");
            assertThat(row.getCell(cols.indexOf("owner")).getStringCellValue()).isEqualTo("payments");
            assertThat(row.getCell(cols.indexOf("instance_count")).getCellType()).isEqualTo(CellType.NUMERIC);
            Cell sev = row.getCell(cols.indexOf("severity"));
            assertThat(sev.getStringCellValue()).isEqualTo("HIGH");
            assertThat(((XSSFCellStyle) sev.getCellStyle()).getFillForegroundXSSFColor().getARGBHex())
                    .isEqualTo("FFFF9999");
            Row critical = all.getRow(2);
            assertThat(((XSSFCellStyle) critical.getCell(2).getCellStyle()).getFillForegroundXSSFColor()
                    .getARGBHex()).isEqualTo("FF9C0006");
            assertThat(critical.getCell(cols.indexOf("instance_count")).getNumericCellValue()).isEqualTo(1.0);

            Sheet typeSheet = wb.getSheet("KMS_FULL_ACCESS");
            assertThat(typeSheet.getLastRowNum()).isEqualTo(1);
            assertThat(typeSheet.getRow(1).getCell(0).getStringCellValue()).isEqualTo(HEX_ID);

            Sheet summary = wb.getSheet("Summary");
            List<String> text = new ArrayList<>();
            summary.forEach(r -> r.forEach(c -> text.add(c.getCellType() == CellType.NUMERIC
                    ? String.valueOf((int) c.getNumericCellValue()) : c.getStringCellValue())));
            assertThat(String.join("|", text)).contains("organization|o-7h3x9k2m4q",
                    "CRITICAL|1", "HIGH|1", "KMS_FULL_ACCESS|KMS_FULL_ACCESS|" + FindingType.KMS_FULL_ACCESS.title() + "|1|0|0");
        }
    }

    @Test
    void everyTypeHasItsOwnSheetNameWithinExcelsLimitKeepingTheWordsThatTellThemApart() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (FindingType t : FindingType.values()) {
            String n = XlsxReport.sheetName(t);
            assertThat(n.length()).as(t.name()).isLessThanOrEqualTo(31);
            assertThat(names.add(n)).as("two types share sheet " + n).isTrue();
            if (t.name().length() <= 31) {
                assertThat(n).isEqualTo(t.name());
            }
        }
        assertThat(XlsxReport.sheetName(FindingType.IDENTITY_CENTER_PROVISIONING_DRIFT))
                .isEqualTo("IC_PROVISIONING_DRIFT");
    }

    static String column(int n) {
        StringBuilder s = new StringBuilder();
        for (int c = n; c > 0; c = (c - 1) / 26) {
            s.insert(0, (char) ('A' + (c - 1) % 26));
        }
        return s.toString();
    }

    /**
     * LibreOffice's CSV import with the options of docs/csv-columns.md ("Text CSV", comma, double quote, UTF-8,
     * every column typed Text): converted back to CSV, the ids come out as written. Without the column types the
     * hex id {@code 1234e56789012345} would become a number (1.23E+56789012345 overflows) and 043006774110 would
     * lose its zero: the second conversion shows that the options matter.
     */
    @Test
    void libreOfficeImportWithTextColumnsKeepsIdsAsText(@TempDir Path out) throws Exception {
        RunOutput run = write(out, result(T1, List.of(principalFinding(HEX_ID), keyFinding())), T1.plusSeconds(90),
                null, Owners.NONE);
        Path csv = run.runDir().resolve("findings.csv");
        int columns = CsvReports.FINDINGS_COLUMNS.size();
        StringBuilder types = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
            types.append(i == 1 ? "" : "/").append(i).append("/2");
        }
        // Text CSV filter options: separator 44 (,), text delimiter 34 ("), charset 76 (UTF-8), first line 1,
        // column formats N/2 = Text
        List<CSVRecord> asText = convert(csv, out.resolve("text"), "44,34,76,1," + types);
        CSVRecord r = asText.get(0);
        assertThat(r.get("finding_id")).isEqualTo(HEX_ID);
        assertThat(r.get("account_id")).isEqualTo(ZERO_ACCOUNT);
        assertThat(r.get("account_name")).isEqualTo("Jürgen's account");
        assertThat(r.get("principal_arn")).isEqualTo(ROLE);

        List<CSVRecord> standard = convert(csv, out.resolve("standard"), "44,34,76,1");
        assertThat(standard.get(0).get("account_id")).isEqualTo("43006774110");
    }

    static List<CSVRecord> convert(Path csv, Path dir, String filterOptions) throws Exception {
        Files.createDirectories(dir);
        Path profile = dir.resolve("profile");
        Process p = new ProcessBuilder("soffice", "-env:UserInstallation=" + profile.toUri(), "--headless",
                "--norestore", "--infilter=CSV:" + filterOptions, "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", dir.toString(), csv.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("soffice.log").toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("soffice finished").isTrue();
        Path converted = dir.resolve("findings.csv");
        assertThat(converted).as("LibreOffice (soffice, Debian libreoffice-calc-nogui) converted the CSV; log: "
                + Files.readString(dir.resolve("soffice.log"))).isRegularFile();
        String text = Files.readString(converted, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        try (Reader rd = new StringReader(text);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(rd)) {
            return parser.getRecords();
        }
    }
}
