package io.cmkaudit.report;

import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.poi.ss.usermodel.BorderStyle;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.FillPatternType;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;
import org.apache.poi.xssf.usermodel.XSSFCellStyle;
import org.apache.poi.xssf.usermodel.XSSFColor;
import org.apache.poi.xssf.usermodel.XSSFFont;

/**
 * Writes {@code findings.xlsx} with Apache POI's streaming workbook (SXSSF: only a window of rows per sheet is in
 * memory, the rest goes to compressed temporary files), so an organization of 1,000 accounts fits in the heap the
 * other reports need.
 *
 * <p>Sheets: {@value #SUMMARY} (the run, counts by severity and by finding type), {@value #ALL} (every finding, then
 * the resolved ones: the rows of findings.csv), then one sheet per finding type present ({@link #sheetName}: the type's name, its
 * leading words shortened to initials where it passes Excel's 31 characters), with the same columns. Every sheet of findings has the findings.csv columns
 * ({@link CsvReports#FINDINGS_COLUMNS}) in the same order, a frozen header row and an auto-filter over all rows; every
 * value is a text cell (ids, account ids such as {@code 012345678901}, hex finding ids such as
 * {@code 1234e56789012345} and times stay exactly as written, with the text number format {@code @}) except
 * {@code instance_count}, a number. The {@code severity} cell is coloured (CRITICAL dark red, HIGH red, MEDIUM amber,
 * LOW blue, INFO grey). Excel holds at most 32,767 characters per cell: longer values end with
 * {@value #CUT}.
 *
 * <p>Implements: the Office Open XML spreadsheet format through https://poi.apache.org/components/spreadsheet/how-to.html#sxssf
 */
public final class XlsxReport {

    /** The file name in the run folder. */
    public static final String FILE = "findings.xlsx";
    /** The summary sheet's name. */
    public static final String SUMMARY = "Summary";
    /** The sheet of every finding. */
    public static final String ALL = "Findings";
    /** Most characters of one cell. */
    public static final int MAX_CELL = 32_767;
    /** What ends a cut cell. */
    public static final String CUT = " [cut; see findings.json]";
    /** Rows of each sheet kept in memory. */
    static final int WINDOW = 200;

    private XlsxReport() {
    }

    /** @return an export writing {@value #FILE} */
    public static OutputSelection.Export export() {
        return OutputSelection.Export.of(FILE, XlsxReport::write);
    }

    /** Excel's longest sheet name, in characters. */
    static final int MAX_SHEET_NAME = 31;

    /**
     * The sheet of a finding type: its name when it fits Excel's 31 characters, else its leading words shortened to
     * their initials until it fits (e.g. {@code IDENTITY_CENTER_PROVISIONING_DRIFT} → {@code IC_PROVISIONING_DRIFT}),
     * so the words that tell types apart stay whole; the summary sheet pairs each type with its sheet.
     *
     * @param type a finding type; never null
     * @return its sheet name, at most 31 characters, distinct for distinct types
     */
    public static String sheetName(FindingType type) {
        String n = type.name();
        if (n.length() <= MAX_SHEET_NAME) {
            return n;
        }
        String[] words = n.split("_");
        for (int k = 2; k < words.length; k++) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < k; i++) {
                s.append(words[i].charAt(0));
            }
            for (int i = k; i < words.length; i++) {
                s.append('_').append(words[i]);
            }
            if (s.length() <= MAX_SHEET_NAME) {
                return s.toString();
            }
        }
        return n.substring(0, MAX_SHEET_NAME);
    }

    /**
     * Writes the workbook.
     *
     * @param file    the file to create
     * @param content the findings of the run folder
     * @throws IOException when it cannot be written
     */
    public static void write(Path file, OutputSelection.Content content) throws IOException {
        SXSSFWorkbook wb = new SXSSFWorkbook(WINDOW);
        wb.setCompressTempFiles(true);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            Styles st = new Styles(wb);
            Map<FindingType, int[]> byType = new EnumMap<>(FindingType.class);
            for (ReportedFinding f : content.findings()) {
                int[] c = byType.computeIfAbsent(f.type(), k -> new int[3]);
                c[f.status() == ReportedFinding.Status.OPEN ? 0 : 1]++;
            }
            for (ReportedFinding f : content.resolved()) {
                byType.computeIfAbsent(f.type(), k -> new int[3])[2]++;
            }
            summary(wb.createSheet(SUMMARY), content, byType, st);

            String started = Formats.iso(content.result().run().startedAt());
            SXSSFSheet all = findingsSheet(wb, ALL, st);
            Map<FindingType, SXSSFSheet> sheets = new LinkedHashMap<>();
            for (FindingType t : byType.keySet()) {
                sheets.put(t, findingsSheet(wb, sheetName(t), st));
            }
            for (List<ReportedFinding> list : List.of(content.findings(), content.resolved())) {
                for (ReportedFinding f : list) {
                    List<Object> values = CsvReports.values(f, started);
                    row(all, values, st);
                    row(sheets.get(f.type()), values, st);
                }
            }
            filter(all);
            sheets.values().forEach(XlsxReport::filter);
            wb.write(out);
        } finally {
            wb.close();
            wb.dispose();
        }
    }

    private static void summary(SXSSFSheet s, OutputSelection.Content content, Map<FindingType, int[]> byType,
                                Styles st) {
        s.setColumnWidth(0, 40 * 256);
        s.setColumnWidth(1, 50 * 256);
        s.setColumnWidth(2, 12 * 256);
        s.setColumnWidth(3, 12 * 256);
        s.setColumnWidth(4, 12 * 256);
        int r = 0;
        Row title = s.createRow(r++);
        text(title, 0, "cmk-audit findings", st.header);
        var run = content.result().run();
        r = pair(s, r, "organization", run.organizationId(), st);
        r = pair(s, r, "collection started (UTC)", Formats.iso(run.startedAt()), st);
        r = pair(s, r, "report written (UTC)", Formats.iso(content.writtenAt()), st);
        r = pair(s, r, "scanner version", run.scannerVersion(), st);
        r = pair(s, r, "regions", Formats.join(run.regions()), st);
        r++;
        Row h = s.createRow(r++);
        text(h, 0, "severity", st.header);
        text(h, 1, "open findings", st.header);
        for (Severity sev : Severity.values()) {
            Row row = s.createRow(r++);
            text(row, 0, sev.name(), st.severity.get(sev));
            row.createCell(1).setCellValue(content.counts().openBySeverity().getOrDefault(sev, 0));
        }
        Row sup = s.createRow(r++);
        text(sup, 0, "suppressed", st.text);
        sup.createCell(1).setCellValue(content.counts().suppressed());
        Row res = s.createRow(r++);
        text(res, 0, "resolved since the previous run", st.text);
        res.createCell(1).setCellValue(content.resolved().size());
        if (content.belowSeverity() > 0) {
            Row below = s.createRow(r++);
            text(below, 0, "open below --severity, not written", st.text);
            below.createCell(1).setCellValue(content.belowSeverity());
        }
        r++;
        Row th = s.createRow(r++);
        String[] cols = {"finding type", "sheet", "meaning", "open", "suppressed", "resolved"};
        for (int i = 0; i < cols.length; i++) {
            text(th, i, cols[i], st.header);
        }
        for (Map.Entry<FindingType, int[]> e : byType.entrySet()) {
            Row row = s.createRow(r++);
            text(row, 0, e.getKey().name(), st.text);
            text(row, 1, sheetName(e.getKey()), st.text);
            text(row, 2, e.getKey().title(), st.text);
            for (int i = 0; i < 3; i++) {
                row.createCell(3 + i).setCellValue(e.getValue()[i]);
            }
        }
    }

    private static int pair(SXSSFSheet s, int r, String name, String value, Styles st) {
        Row row = s.createRow(r);
        text(row, 0, name, st.text);
        text(row, 1, value, st.text);
        return r + 1;
    }

    private static SXSSFSheet findingsSheet(SXSSFWorkbook wb, String name, Styles st) {
        SXSSFSheet s = wb.createSheet(name);
        Row h = s.createRow(0);
        List<String> cols = CsvReports.FINDINGS_COLUMNS;
        for (int i = 0; i < cols.size(); i++) {
            text(h, i, cols.get(i), st.header);
            s.setColumnWidth(i, width(cols.get(i)) * 256);
        }
        s.createFreezePane(0, 1);
        return s;
    }

    private static int width(String column) {
        return switch (column) {
            case "explanation", "remediation", "remediation_policy", "evidence" -> 60;
            case "key_arn", "principal_arn", "permission_set_arn", "instance_id", "volume_ids",
                 "instance_account_id" -> 45;
            case "finding_id", "type", "account_name", "ou_path", "instance_name", "first_seen", "last_seen",
                 "run_started_at" -> 22;
            default -> 16;
        };
    }

    private static void row(SXSSFSheet s, List<Object> values, Styles st) {
        Row row = s.createRow(s.getLastRowNum() + 1);
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v instanceof Integer n) {
                row.createCell(i).setCellValue(n);
            } else if (v != null && !((String) v).isEmpty()) {
                CellStyle style = i == 2 ? st.severity.get(Severity.valueOf((String) v)) : st.text;
                text(row, i, (String) v, style);
            }
        }
    }

    private static void filter(SXSSFSheet s) {
        s.setAutoFilter(new CellRangeAddress(0, Math.max(0, s.getLastRowNum()), 0,
                CsvReports.FINDINGS_COLUMNS.size() - 1));
    }

    private static void text(Row row, int col, String value, CellStyle style) {
        Cell c = row.createCell(col);
        c.setCellValue(value == null ? "" : value.length() > MAX_CELL
                ? value.substring(0, MAX_CELL - CUT.length()) + CUT : value);
        c.setCellStyle(style);
    }

    /** The workbook's cell styles, created once (a workbook holds at most 64,000). */
    private static final class Styles {
        final CellStyle text;
        final CellStyle header;
        final Map<Severity, CellStyle> severity = new EnumMap<>(Severity.class);

        Styles(SXSSFWorkbook wb) {
            short textFormat = wb.createDataFormat().getFormat("@");
            text = wb.createCellStyle();
            text.setDataFormat(textFormat);
            header = wb.createCellStyle();
            header.setDataFormat(textFormat);
            Font bold = wb.createFont();
            bold.setBold(true);
            header.setFont(bold);
            fill((XSSFCellStyle) header, 0xD9, 0xE1, 0xF2);
            header.setBorderBottom(BorderStyle.THIN);
            severity.put(Severity.CRITICAL, coloured(wb, textFormat, 0x9C, 0x00, 0x06, true));
            severity.put(Severity.HIGH, coloured(wb, textFormat, 0xFF, 0x99, 0x99, false));
            severity.put(Severity.MEDIUM, coloured(wb, textFormat, 0xFF, 0xD9, 0x66, false));
            severity.put(Severity.LOW, coloured(wb, textFormat, 0xBD, 0xD7, 0xEE, false));
            severity.put(Severity.INFO, coloured(wb, textFormat, 0xE7, 0xE6, 0xE6, false));
        }

        private static CellStyle coloured(SXSSFWorkbook wb, short format, int r, int g, int b, boolean whiteText) {
            XSSFCellStyle s = (XSSFCellStyle) wb.createCellStyle();
            s.setDataFormat(format);
            fill(s, r, g, b);
            if (whiteText) {
                XSSFFont f = (XSSFFont) wb.createFont();
                f.setBold(true);
                f.setColor(new XSSFColor(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, null));
                s.setFont(f);
            }
            return s;
        }

        private static void fill(XSSFCellStyle s, int r, int g, int b) {
            s.setFillForegroundColor(new XSSFColor(new byte[] {(byte) r, (byte) g, (byte) b}, null));
            s.setFillPattern(FillPatternType.SOLID_FOREGROUND);
        }
    }
}
