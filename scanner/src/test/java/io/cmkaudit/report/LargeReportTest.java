package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.cmkaudit.analysis.Finding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
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

/**
 * 100,000 findings: the CSV and JSON files hold every one, report.html the default row limit. The files are read
 * back streaming, as they were written.
 */
class LargeReportTest {

    static final int N = 100_000;

    @TempDir
    static Path out;
    static List<Finding> findings;
    static RunOutput run;

    @BeforeAll
    static void write() throws IOException {
        findings = ReportFixtures.generated(N);
        run = new ReportWriter().write(ReportFixtures.result(findings, ReportFixtures.sampleCoverage()),
                new ReportOptions(out, null, null, null, ReportFixtures.CLOCK));
    }

    @Test
    void csvHasOneRowPerFindingEndingWithTheLast() throws IOException {
        long rows = 0;
        String lastId = null;
        try (Reader r = Files.newBufferedReader(run.runDir().resolve("findings.csv"), StandardCharsets.UTF_8)) {
            assertThat(r.read()).isEqualTo(0xFEFF);
            CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r);
            for (CSVRecord rec : p) {
                rows++;
                lastId = rec.get("finding_id");
                assertThat(rec.size()).isEqualTo(CsvReports.FINDINGS_COLUMNS.size());
            }
        }
        assertThat(rows).isEqualTo(N);
        assertThat(lastId).isEqualTo(findings.get(N - 1).findingId());
    }

    @Test
    void jsonListsEveryFindingAndIsWellFormedToTheEnd() throws IOException {
        long count = 0;
        String lastId = null;
        try (JsonParser p = new JsonFactory().createParser(run.findingsJson().toFile())) {
            int depth = 0;
            boolean inFindings = false;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                    if (depth == 2 && t == JsonToken.START_ARRAY && "findings".equals(p.currentName())) {
                        inFindings = true;
                    }
                    if (inFindings && depth == 3 && t == JsonToken.START_OBJECT) {
                        count++;
                    }
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    if (depth == 2 && t == JsonToken.END_ARRAY) {
                        inFindings = false;
                    }
                    depth--;
                } else if (inFindings && depth == 3 && t == JsonToken.FIELD_NAME && "findingId".equals(p.currentName())) {
                    lastId = p.nextTextValue();
                }
            }
            assertThat(depth).isZero();
        }
        assertThat(count).isEqualTo(N);
        assertThat(lastId).isEqualTo(findings.get(N - 1).findingId());
    }

    @Test
    void htmlListsTheDefaultRowLimitAndSaysSoInEveryCutGroup() throws IOException {
        // 9 types x 50 accounts = 450 groups of 222 or 223 findings; at most 100 each would be 45,000 rows, over
        // the 10,000 in all: level 22 (450 x 22 = 9,900), the 100 rows left go to the first 100 groups
        long rows = 0;
        long notes = 0;
        long of222 = 0;
        long of223 = 0;
        long listed22 = 0;
        long listed23 = 0;
        String limitNote = null;
        String last = null;
        try (BufferedReader r = Files.newBufferedReader(run.reportHtml(), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains("<tbody class=\"finding\"")) {
                    rows++;
                }
                if (line.contains("<p class=\"rows-note\">")) {
                    notes++;
                    of222 += line.contains(" of 222 \u2014 all rows are in findings.csv / findings.json") ? 1 : 0;
                    of223 += line.contains(" of 223 \u2014 all rows are in findings.csv / findings.json") ? 1 : 0;
                    listed22 += line.contains("Showing 22 of") ? 1 : 0;
                    listed23 += line.contains("Showing 23 of") ? 1 : 0;
                }
                if (line.contains("id=\"limit-note\"")) {
                    limitNote = line.strip();
                }
                if (!line.isBlank()) {
                    last = line.strip();
                }
            }
        }
        assertThat(rows).isEqualTo(10_000);
        assertThat(notes).isEqualTo(450);
        assertThat(of222).isEqualTo(350);
        assertThat(of223).isEqualTo(100);
        assertThat(listed22).isEqualTo(350);
        assertThat(listed23).isEqualTo(100);
        assertThat(limitNote).isEqualTo("<p class=\"limit-note\" id=\"limit-note\">This page lists 10,000 of "
                + "100,000 findings (at most 100 per type and account, 10,000 in all). Counts, tiles and the chart "
                + "cover every finding; findings.csv and findings.json hold every row.</p>");
        assertThat(last).isEqualTo("</html>");
        assertThat(run.counts().open()).isEqualTo(N);
        assertThat(run.htmlRows()).isEqualTo(new ReportModel.Shown(10_000, N));
    }
}
