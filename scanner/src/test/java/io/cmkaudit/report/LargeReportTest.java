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

/** 100,000 findings: every file is complete. The files are read back streaming, as they were written. */
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
    void htmlHasEveryFindingAndItsEnd() throws IOException {
        long rows = 0;
        String last = null;
        try (BufferedReader r = Files.newBufferedReader(run.reportHtml(), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains("<tbody class=\"finding\"")) {
                    rows++;
                }
                if (!line.isBlank()) {
                    last = line.strip();
                }
            }
        }
        assertThat(rows).isEqualTo(N);
        assertThat(last).isEqualTo("</html>");
        assertThat(run.counts().open()).isEqualTo(N);
    }
}
