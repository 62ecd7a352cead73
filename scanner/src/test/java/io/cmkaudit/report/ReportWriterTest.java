package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.Severity;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run folder, the phases and the agreement of the formats. */
class ReportWriterTest {

    @TempDir
    Path out;

    RunOutput writeSample(Path root) throws IOException {
        return new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(root, null, null, null,
                ReportFixtures.CLOCK));
    }

    static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheFourFilesIntoANewUtcTimestampFolder() throws IOException {
        RunOutput run = writeSample(out.resolve("reports"));
        assertThat(run.runDir()).isEqualTo(out.resolve("reports").resolve("2026-11-29T19-04-05Z"));
        assertThat(listNames(run.runDir())).containsExactly("coverage.csv", "findings.csv", "findings.json",
                "report.html");
        assertThat(listNames(out.resolve("reports"))).containsExactly("2026-11-29T19-04-05Z");
    }

    @Test
    void extraFilesArePublishedWithTheReports() throws IOException {
        List<Path> seen = new ArrayList<>();
        RunOutput run = new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out, null, null, null,
                ReportFixtures.CLOCK), java.util.Map.of("snapshot.json", file -> {
                    seen.add(file);
                    Files.writeString(file, "{}\n");
                }));
        assertThat(listNames(run.runDir())).containsExactly("coverage.csv", "findings.csv", "findings.json",
                "report.html", "snapshot.json");
        assertThat(Files.readString(run.runDir().resolve("snapshot.json"))).isEqualTo("{}\n");
        // written inside the hidden temporary folder, not into the published one
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).getParent().getFileName().toString()).startsWith(".cmk-audit-tmp-2026-11-29T19-04-05Z-");
    }

    @Test
    void aFailingExtraFileLeavesNoFolder() {
        assertThatThrownBy(() -> new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out, null, null,
                null, ReportFixtures.CLOCK), java.util.Map.of("snapshot.json", file -> {
                    throw new IOException("disk full");
                })))
                .isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void extraFileNamesMustBePlainAndNotAReportFile() {
        for (String name : List.of("findings.csv", "../x.json", "sub/x.json", ".hidden")) {
            assertThatThrownBy(() -> new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out, null,
                    null, null, ReportFixtures.CLOCK), java.util.Map.of(name, file -> { })))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("not a usable extra file name in a run folder: `" + name + "`");
        }
    }

    @Test
    void neverOverwritesATakenNameButAddsASuffix() throws IOException {
        RunOutput first = writeSample(out);
        Files.writeString(first.runDir().resolve("note.txt"), "keep me");
        RunOutput second = writeSample(out);
        RunOutput third = writeSample(out);
        assertThat(second.runDir().getFileName().toString()).isEqualTo("2026-11-29T19-04-05Z-2");
        assertThat(third.runDir().getFileName().toString()).isEqualTo("2026-11-29T19-04-05Z-3");
        assertThat(Files.readString(first.runDir().resolve("note.txt"))).isEqualTo("keep me");
        assertThat(listNames(out)).containsExactly("2026-11-29T19-04-05Z", "2026-11-29T19-04-05Z-2",
                "2026-11-29T19-04-05Z-3");
    }

    @Test
    void aTemplateErrorLeavesNoFolderAndNamesTheTemplateLine() throws IOException {
        Path templates = Files.createDirectories(out.resolve("templates"));
        Files.writeString(templates.resolve("report.html"), "<html>\n<body>\n<p th:text=\"${report.nope}\">x</p>\n"
                + "</body></html>\n");
        Path root = out.resolve("reports");
        assertThatThrownBy(() -> new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(root, null, null,
                templates, ReportFixtures.CLOCK)))
                .isInstanceOf(ReportInputException.class)
                .hasMessageStartingWith(templates.resolve("report.html") + ":3: template error: ");
        assertThat(listNames(root)).isEmpty();
    }

    @Test
    void overrideDirectoryReplacesOnlyTheFilesItHas() throws IOException {
        Path templates = Files.createDirectories(out.resolve("templates"));
        String css = "body { background: #123456; }\n";
        Files.writeString(templates.resolve("report.css"), css);
        RunOutput run = new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out.resolve("r"), null,
                null, templates, ReportFixtures.CLOCK));
        String html = Files.readString(run.reportHtml());
        assertThat(html).contains("<style>" + css + "</style>");
        assertThat(html).contains("style-src &#39;sha256-" + Base64.getEncoder().encodeToString(sha256(css))
                + "&#39;");
        assertThat(html).contains("id=\"findings\"");
    }

    @Test
    void missingTemplatesDirectoryOrAnUnsafeAssetIsAUsageError() throws IOException {
        Path missing = out.resolve("nope");
        assertThatThrownBy(() -> ReportWriter.checkTemplates(missing))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(missing + ": templates directory not found");
        Path templates = Files.createDirectories(out.resolve("templates"));
        Files.writeString(templates.resolve("report.js"), "// ok\nvar s = '</script>';\n");
        assertThatThrownBy(() -> ReportWriter.checkTemplates(templates))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(templates.resolve("report.js") + ":2: must not contain `</script`");
    }

    @Test
    void failOnCountsOnlyOpenFindings() throws IOException {
        RunOutput run = SampleRun.write(out);
        // sample: 2 CRITICAL, 7 HIGH open; 2 MEDIUM suppressed; 1 HIGH resolved
        assertThat(run.openAtLeast(Severity.CRITICAL)).isEqualTo(2);
        assertThat(run.openAtLeast(Severity.HIGH)).isEqualTo(9);
        assertThat(run.openAtLeast(Severity.INFO)).isEqualTo(12);
        assertThat(run.counts().suppressed()).isEqualTo(2);
        assertThat(run.resolved()).hasSize(1);
        assertThat(run.findings()).hasSize(14);
    }

    @Test
    void csvJsonAndHtmlAgreeOnFindingIdsAndCounts() throws IOException {
        RunOutput run = SampleRun.write(out);
        List<String> expected = new ArrayList<>();
        run.findings().forEach(f -> expected.add(f.findingId()));
        run.resolved().forEach(f -> expected.add(f.findingId()));

        List<CSVRecord> csv;
        try (Reader r = Files.newBufferedReader(run.runDir().resolve("findings.csv"), StandardCharsets.UTF_8)) {
            r.read(); // the byte order mark
            csv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r).getRecords();
        }
        JsonNode json = new ObjectMapper().readTree(run.findingsJson().toFile());
        List<String> jsonIds = new ArrayList<>();
        json.get("findings").forEach(n -> jsonIds.add(n.get("findingId").asText()));
        json.get("resolvedFindings").forEach(n -> jsonIds.add(n.get("findingId").asText()));
        String html = Files.readString(run.reportHtml());
        List<String> htmlIds = new ArrayList<>();
        Matcher m = Pattern.compile("data-fid=\"([0-9a-f]{16})\"").matcher(html);
        while (m.find()) {
            htmlIds.add(m.group(1));
        }

        assertThat(csv.stream().map(r -> r.get("finding_id")).toList()).isEqualTo(expected);
        assertThat(jsonIds).isEqualTo(expected);
        assertThat(htmlIds).containsExactlyInAnyOrderElementsOf(expected);

        long csvOpen = csv.stream().filter(r -> r.get("status").equals("OPEN") && !r.get("change").equals("RESOLVED"))
                .count();
        long htmlOpen = count(html, "data-status=\"OPEN\"");
        assertThat(csvOpen).isEqualTo(12);
        assertThat(json.at("/summary/findings/open").asInt()).isEqualTo(12);
        assertThat(htmlOpen).isEqualTo(12);
        assertThat(count(html, "data-status=\"SUPPRESSED\"")).isEqualTo(2);
        assertThat(csv.stream().filter(r -> r.get("status").equals("SUPPRESSED")).count()).isEqualTo(2);
        assertThat(json.at("/summary/findings/suppressed").asInt()).isEqualTo(2);
        for (Severity s : Severity.values()) {
            long c = csv.stream().filter(r -> r.get("severity").equals(s.name()) && r.get("status").equals("OPEN")
                    && !r.get("change").equals("RESOLVED")).count();
            assertThat(json.at("/summary/findings/openBySeverity/" + s.name()).asLong()).as(s.name()).isEqualTo(c);
            Matcher open = Pattern.compile("data-sev=\"" + s.name() + "\"[^>]*data-status=\"OPEN\"").matcher(html);
            long h = 0;
            while (open.find()) {
                h++;
            }
            assertThat(h).as(s.name()).isEqualTo(c);
        }
    }

    @Test
    void suppressedFindingsKeepTheirRowWithSuppressionColumns() throws IOException {
        RunOutput run = SampleRun.write(out);
        List<CSVRecord> csv;
        try (Reader r = Files.newBufferedReader(run.runDir().resolve("findings.csv"), StandardCharsets.UTF_8)) {
            r.read();
            csv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r).getRecords();
        }
        CSVRecord backup = csv.stream().filter(r -> r.get("principal_arn").endsWith("role/backup-operator"))
                .findFirst().orElseThrow();
        assertThat(backup.get("status")).isEqualTo("SUPPRESSED");
        assertThat(backup.get("suppression_reason"))
                .isEqualTo("AWS Backup restores into any vault key of the account; reviewed by security");
        assertThat(backup.get("suppression_owner")).isEqualTo("platform-team@example.com");
        assertThat(backup.get("suppression_expires")).isEqualTo("2027-03-31");
        CSVRecord resolved = csv.get(csv.size() - 1);
        assertThat(resolved.get("change")).isEqualTo("RESOLVED");
        assertThat(resolved.get("instance_id")).isEqualTo("i-09a8b7c6d5e4f3a21");
    }

    @Test
    void attackerControlledValuesAreEscapedInTheHtml() throws IOException {
        String html = Files.readString(writeSample(out).reportHtml());
        assertThat(html).contains("role/&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(html).doesNotContain("<script>alert(1)");
        assertThat(html).contains("policy/&lt;img src=x onerror=alert(2)&gt;#0");
        assertThat(html).doesNotContain("<img");
        assertThat(count(html, "<script")).isEqualTo(1);
        assertThat(html).contains("=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)");
    }

    @Test
    void templatesPrintDataOnlyThroughEscapingProcessors() throws IOException {
        String template = Files.readString(Path.of("..", "report-templates", "report.html"));
        Matcher m = Pattern.compile("th:utext=\"([^\"]*)\"").matcher(template);
        List<String> unescaped = new ArrayList<>();
        while (m.find()) {
            unescaped.add(m.group(1));
        }
        assertThat(unescaped).containsExactly("${css}", "${js}");
        assertThat(template).doesNotContain("th:inline");
    }

    @Test
    void pageHasAContentSecurityPolicyThatAllowsOnlyItsOwnStyleAndScript() throws IOException {
        String html = Files.readString(writeSample(out).reportHtml());
        String js = Files.readString(Path.of("..", "report-templates", "report.js"));
        String css = Files.readString(Path.of("..", "report-templates", "report.css"));
        String policy = "default-src 'none'; style-src 'sha256-" + Base64.getEncoder().encodeToString(sha256(css))
                + "'; script-src 'sha256-" + Base64.getEncoder().encodeToString(sha256(js)) + "'; img-src data:; "
                + "base-uri 'none'; form-action 'none'";
        assertThat(html).contains("<meta http-equiv=\"Content-Security-Policy\" content=\""
                + policy.replace("'", "&#39;") + "\">");
        Matcher refs = Pattern.compile("\\s(src|href|action)=\"([^\"]*)\"").matcher(html);
        List<String> targets = new ArrayList<>();
        while (refs.find()) {
            targets.add(refs.group(2));
        }
        assertThat(targets).isNotEmpty().allMatch(t -> t.startsWith("#") || t.equals("data:,"));
    }

    static long count(String text, String needle) {
        long n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void findingsOfRunOutputAreTheFinalOnes() throws IOException {
        RunOutput run = SampleRun.write(out);
        assertThat(run.findings()).extracting(ReportedFinding::change).doesNotContainNull();
        assertThat(run.findings().stream().filter(f -> f.change() == ReportedFinding.Change.NEW).map(ReportedFinding::type)
                .toList()).containsExactly(io.cmkaudit.analysis.FindingType.START_ACCESS_CONDITIONAL);
    }
}
