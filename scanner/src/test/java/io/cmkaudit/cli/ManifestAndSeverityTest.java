package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.report.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code manifest.json} in every run folder, {@code --severity} and {@code --format} on the embedded sample. */
class ManifestAndSeverityTest {

    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void manifestHoldsVersionConfigurationSnapshotDigestAndEveryFilesDigest(@TempDir Path out) throws IOException {
        ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("report", "--out", out.toString(), "--fail-on",
                "NONE");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        Path run = r.runDir();
        assertThat(files(run)).containsExactly("coverage.csv", "findings.csv", "findings.json", "findings.xlsx",
                "manifest.json", "report.html");
        JsonNode m = new ObjectMapper().readTree(run.resolve("manifest.json").toFile());
        assertThat(m.get("manifestVersion").asInt()).isEqualTo(1);
        assertThat(m.at("/tool/name").asText()).isEqualTo("cmk-audit");
        assertThat(m.at("/tool/version").asText()).isEqualTo(VersionProvider.version());
        assertThat(m.at("/tool/command").asText()).isEqualTo("report");
        assertThat(m.at("/configuration/failOn").asText()).isEqualTo("NONE");
        assertThat(m.at("/configuration/severity").asText()).isEqualTo("INFO");
        // audit evidence: no --suppressions and no --previous given, so none recorded
        assertThat(m.at("/configuration/suppressions").isNull()).as(m.get("configuration").toString()).isTrue();
        assertThat(m.at("/configuration/previous").isNull()).as(m.get("configuration").toString()).isTrue();
        assertThat(m.at("/snapshot/source").asText()).startsWith("embedded sample");
        try (var in = ManifestAndSeverityTest.class.getResourceAsStream(SnapshotSource.SAMPLE)) {
            assertThat(m.at("/snapshot/sha256").asText()).isEqualTo(Manifest.sha256(in)).hasSize(64);
        }
        assertThat(m.at("/callerIdentity/accountId").asText()).matches("\\d{12}");
        assertThat(m.get("files")).hasSize(5);
        for (JsonNode f : m.get("files")) {
            Path file = run.resolve(f.get("name").asText());
            assertThat(f.get("sha256").asText()).as(f.get("name").asText()).isEqualTo(Manifest.sha256(file));
            assertThat(f.get("bytes").asLong()).isEqualTo(Files.size(file));
        }
        assertThat(m.at("/writtenAt").asText()).endsWith("Z");
    }

    @Test
    void severityFiltersTheReportsAndFormatChoosesTheFiles(@TempDir Path out) throws IOException {
        ScanEndToEndMotoTest.Result all = ScanEndToEndMotoTest.run("report", "--out", out.resolve("all").toString(),
                "--fail-on", "NONE");
        List<CSVRecord> every = ScanEndToEndMotoTest.csv(all.runDir().resolve("findings.csv"));
        long low = every.stream().filter(x -> List.of("MEDIUM", "LOW", "INFO").contains(x.get("severity"))
                && x.get("status").equals("OPEN")).count();
        assertThat(low).as("the sample has findings below HIGH").isPositive();

        Path sup = Files.writeString(out.resolve("suppressions.yaml"), "suppressions: []\n");
        ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("report", "--out", out.resolve("high").toString(),
                "--severity", "high", "--format", "csv,json", "--fail-on", "MEDIUM", "--suppressions",
                sup.toString());
        Path run = r.runDir();
        assertThat(files(run)).containsExactly("coverage.csv", "findings.csv", "findings.json", "manifest.json");
        List<CSVRecord> rows = ScanEndToEndMotoTest.csv(run.resolve("findings.csv"));
        assertThat(rows).isNotEmpty().allMatch(x -> List.of("CRITICAL", "HIGH").contains(x.get("severity")));
        assertThat(rows).hasSize((int) every.stream().filter(x -> List.of("CRITICAL", "HIGH")
                .contains(x.get("severity"))).count());
        assertThat(r.out()).contains(low + " open below --severity HIGH not written");
        JsonNode m = new ObjectMapper().readTree(run.resolve("manifest.json").toFile());
        assertThat(m.at("/findings/openBelowSeverityNotWritten").asLong()).isEqualTo(low);
        assertThat(m.at("/configuration/formats").toString()).isEqualTo("[\"csv\",\"json\"]");
        assertThat(m.at("/configuration/suppressions").asText()).isEqualTo("given");
        // --fail-on applies to the findings written
        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.err()).contains("warning: --fail-on MEDIUM is below --severity HIGH");
    }

    @Test
    void failOnBelowSeverityIsAWarningAtTheStart(@TempDir Path out) {
        // the sample has CRITICAL and HIGH findings; suppress nothing: the gate counts the written CRITICAL ones only
        ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("report", "--out", out.toString(),
                "--severity", "CRITICAL", "--fail-on", "HIGH", "--format", "json");
        assertThat(r.err()).startsWith("cmk-audit: warning: --fail-on HIGH is below --severity CRITICAL: findings "
                + "below CRITICAL are not written and don't fail the run\n");
        ScanEndToEndMotoTest.Result same = ScanEndToEndMotoTest.run("report", "--out", out.toString(),
                "--severity", "HIGH", "--fail-on", "HIGH", "--format", "json");
        assertThat(same.err()).doesNotContain("is below --severity");
        ScanEndToEndMotoTest.Result none = ScanEndToEndMotoTest.run("report", "--out", out.toString(),
                "--severity", "CRITICAL", "--fail-on", "NONE", "--format", "json");
        assertThat(none.err()).doesNotContain("is below --severity");
    }
}
