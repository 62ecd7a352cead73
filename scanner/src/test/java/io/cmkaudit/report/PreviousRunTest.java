package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** findings.json written by the writer and read back as the next run's --previous. */
class PreviousRunTest {

    @TempDir
    Path out;

    @Test
    void roundTripGivesBackTheSameFindings() throws IOException {
        RunOutput run = SampleRun.write(out);
        PreviousRun back = PreviousRun.read(run.findingsJson());
        assertThat(back.findings()).isEqualTo(run.findings());
        assertThat(back.startedAt()).isEqualTo(Instant.parse("2026-11-29T19:02:11Z"));
        assertThat(back.organizationId()).isEqualTo("o-7h3x9k2m4q");
        assertThat(back.source()).isEqualTo(run.findingsJson().toString());
        assertThat(back.partition()).isEqualTo("aws");
        assertThat(back.schemaVersion()).isEqualTo(3);
        assertThat(back.minSeverity()).isEqualTo(io.cmkaudit.analysis.Severity.INFO);
    }

    @Test
    void headerReadsTheRunWithoutTheFindingsAndOlderFilesGetTheirPartitionFromTheRegions() throws IOException {
        String text = "{\"schemaVersion\": 2, \"run\": {\"organizationId\": \"o-1\", \"regions\": "
                + "[\"us-gov-west-1\"], \"startedAt\": \"2026-01-01T00:00:00Z\"}, \"findings\": [ {\"broken\": ";
        PreviousRun.Header h = PreviousRun.header("prev.json",
                new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(h.organizationId()).isEqualTo("o-1");
        assertThat(h.partition()).isEqualTo("aws-us-gov");
        assertThat(h.startedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        // the whole file is read (and the broken finding found) only by read
        assertThatThrownBy(() -> PreviousRun.read("prev.json", "prev.json",
                new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .isInstanceOf(ReportInputException.class).hasMessageStartingWith("prev.json:1: not valid JSON");
    }

    @Test
    void findingsLeftOutBySeverityAreWrittenApartAndReadBackAsPreviousFindings() throws IOException {
        RunOutput run = new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out, null, null, null,
                ReportFixtures.CLOCK), java.util.Map.of(), new OutputSelection(java.util.Set.of("json"),
                io.cmkaudit.analysis.Severity.CRITICAL, java.util.List.of(), null));
        JsonNode root = new ObjectMapper().readTree(run.findingsJson().toFile());
        int all = ReportFixtures.sampleFindings().size();
        assertThat(root.get("findings").size()).isLessThan(all);
        assertThat(root.at("/belowSeverity/minSeverity").asText()).isEqualTo("CRITICAL");
        assertThat(root.get("findings").size() + root.at("/belowSeverity/findings").size()).isEqualTo(all);
        PreviousRun back = PreviousRun.read(run.findingsJson());
        assertThat(back.minSeverity()).isEqualTo(io.cmkaudit.analysis.Severity.CRITICAL);
        assertThat(back.findings()).hasSize(all);
    }

    @Test
    void aRunFolderCanBeGivenInsteadOfItsFindingsJson() throws IOException {
        RunOutput run = SampleRun.write(out);
        assertThat(PreviousRun.read(run.runDir()).findings()).isEqualTo(run.findings());
    }

    @Test
    void nextRunAgainstItselfIsAllUnchanged() throws IOException {
        RunOutput first = new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out, null, null, null,
                ReportFixtures.CLOCK));
        RunOutput second = new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out, null,
                PreviousRun.read(first.findingsJson()), null, ReportFixtures.CLOCK));
        assertThat(second.counts().byChange()).containsEntry(ReportedFinding.Change.UNCHANGED,
                ReportFixtures.sampleFindings().size());
        assertThat(second.resolved()).isEmpty();
        assertThat(second.runDir().getFileName().toString()).isEqualTo("2026-11-29T19-04-05Z-2");
    }

    @Test
    void jsonHasSchemaVersionRunSummaryCoverageFindingsResolvedAndSuppressions() throws IOException {
        RunOutput run = SampleRun.write(out);
        JsonNode root = new ObjectMapper().readTree(run.findingsJson().toFile());
        assertThat(root.get("schemaVersion").asInt()).isEqualTo(3);
        assertThat(root.at("/run/startedAt").asText()).isEqualTo("2026-11-29T19:02:11Z");
        assertThat(root.at("/run/reportWrittenAt").asText()).isEqualTo("2026-11-29T19:04:05Z");
        assertThat(root.at("/run/managementAccountId").asText()).isEqualTo("999988887777");
        assertThat(root.at("/summary/findings/open").asInt()).isEqualTo(run.counts().open());
        assertThat(root.at("/summary/findings/byChange/NEW").asInt()).isEqualTo(1);
        assertThat(root.at("/summary/findings/byChange/CHANGED").asInt()).isEqualTo(1);
        assertThat(root.at("/summary/findings/byChange/RESOLVED").asInt()).isEqualTo(1);
        assertThat(root.get("coverage")).hasSize(ReportFixtures.sampleCoverage().size());
        assertThat(root.get("findings")).hasSize(ReportFixtures.sampleFindings().size());
        assertThat(root.get("resolvedFindings")).hasSize(1);
        assertThat(root.at("/resolvedFindings/0/change").asText()).isEqualTo("RESOLVED");
        assertThat(root.at("/suppressions/entries").asInt()).isEqualTo(5);
        assertThat(root.at("/suppressions/expired/0/matched").asInt()).isEqualTo(2);
        assertThat(root.at("/suppressions/invalid/0/message").asText())
                .startsWith("entry 5 (line 23): field `type`: unknown finding type `KMS_FULL_ACESS`");
        assertThat(root.at("/previousRun/startedAt").asText()).isEqualTo("2026-08-30T19:01:52Z");
    }

    @Test
    void malformedJsonNamesFileAndLine() throws IOException {
        Path f = out.resolve("findings.json");
        Files.writeString(f, "{\n  \"schemaVersion\": 1,\n  \"findings\": [ {\"a\": }\n");
        assertThatThrownBy(() -> PreviousRun.read(f))
                .isInstanceOf(ReportInputException.class)
                .hasMessageStartingWith(f + ":3: not valid JSON: ");
    }

    @Test
    void aTruncatedFileSaysWhereTheUnclosedArrayStartedInPlainWords() throws IOException {
        Path f = out.resolve("findings.json");
        Files.writeString(f, "{\"schemaVersion\": 3, \"findings\": [");
        assertThatThrownBy(() -> PreviousRun.read(f))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(f + ":1: not valid JSON: Unexpected end-of-input: expected close marker for Array "
                        + "(start marker at line 1, column 34)");
    }

    @Test
    void otherSchemaVersionIsRejected() throws IOException {
        Path f = out.resolve("findings.json");
        Files.writeString(f, "{\n  \"schemaVersion\": 4,\n  \"findings\": []\n}\n");
        assertThatThrownBy(() -> PreviousRun.read(f))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(f + ":2: schemaVersion 4 is not supported (this version reads 1 to 3)");
    }

    @Test
    void perInstanceFindingsOfSchemaVersion1AreMappedOntoTheGroupedOnes() throws IOException {
        String role = "arn:aws:iam::111122223333:role/ops";
        java.util.List<io.cmkaudit.analysis.Finding> perInstance = java.util.List.of(
                ReportFixtures.f(io.cmkaudit.analysis.FindingType.START_BLOCKED_KMS_DENIED)
                        .account("111122223333", "data", "Root").instance("eu-west-1", "i-1", "web", "vol-1")
                        .key(ReportFixtures.DATA_KEY, "Enabled").principal(role, "role").decided("identity").build(),
                ReportFixtures.f(io.cmkaudit.analysis.FindingType.START_BLOCKED_KMS_DENIED)
                        .account("111122223333", "data", "Root").instance("eu-west-1", "i-2", "db", "vol-2")
                        .key(ReportFixtures.DATA_KEY, "Enabled").principal(role, "role").decided("identity").build(),
                ReportFixtures.f(io.cmkaudit.analysis.FindingType.KMS_FULL_ACCESS)
                        .account("111122223333", "data", "Root").key(ReportFixtures.DATA_KEY, "Enabled")
                        .principal(role, "role").decided("identity").build());
        StringBuilder json = new StringBuilder("{\"schemaVersion\": 1, \"run\": {\"startedAt\": "
                + "\"2026-08-30T19:01:52Z\"}, \"findings\": [");
        for (int i = 0; i < perInstance.size(); i++) {
            io.cmkaudit.analysis.Finding a = perInstance.get(i);
            json.append(i == 0 ? "" : ",").append(new ObjectMapper().writeValueAsString(java.util.Map.ofEntries(
                    java.util.Map.entry("findingId", a.findingId()), java.util.Map.entry("type", a.type().name()),
                    java.util.Map.entry("severity", a.severity().name()), java.util.Map.entry("status", "OPEN"),
                    java.util.Map.entry("accountId", a.accountId()), java.util.Map.entry("region", a.region()),
                    java.util.Map.entry("instanceId", a.instanceId() == null ? "" : a.instanceId()),
                    java.util.Map.entry("keyArn", a.keyArn()), java.util.Map.entry("keyAccountId", a.keyAccountId()),
                    java.util.Map.entry("principalArn", a.principalArn()),
                    java.util.Map.entry("decidingLayers", a.decidingLayers()),
                    java.util.Map.entry("explanation", "x"), java.util.Map.entry("remediation", "y"))));
        }
        Path f = out.resolve("findings.json");
        Files.writeString(f, json.append("]}").toString().replace("\"instanceId\":\"\",", ""));
        PreviousRun p = PreviousRun.read(f);
        String grouped = io.cmkaudit.analysis.Finding.groupId(io.cmkaudit.analysis.FindingType.START_BLOCKED_KMS_DENIED,
                "111122223333", role, ReportFixtures.DATA_KEY, java.util.List.of("identity"));
        assertThat(p.findings()).extracting(ReportedFinding::findingId)
                .containsExactly(grouped, perInstance.get(2).findingId());
        assertThat(p.findings().get(0).finding().instances()).extracting(io.cmkaudit.analysis.Finding.Resource::id)
                .containsExactly("i-1", "i-2");
    }

    @Test
    void findingWithoutRequiredFieldNamesFindingAndLine() throws IOException {
        Path f = out.resolve("findings.json");
        Files.writeString(f, "{\n  \"schemaVersion\": 1,\n  \"findings\": [\n    {\"findingId\": \"0123456789abcdef\","
                + " \"severity\": \"HIGH\"}\n  ]\n}\n");
        assertThatThrownBy(() -> PreviousRun.read(f))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(f + ":4: finding 1: missing `type`");
    }

    @Test
    void fileWithoutSchemaVersionIsNotAFindingsJson() throws IOException {
        Path f = out.resolve("other.json");
        Files.writeString(f, "{\"findings\": []}");
        assertThatThrownBy(() -> PreviousRun.read(f))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(f + ":1: not a cmk-audit findings.json (no `schemaVersion`)");
    }

    @Test
    void snapshotOrOtherObjectWithSchemaVersionIsNotAFindingsJson() throws IOException {
        Path f = out.resolve("snapshot.json");
        Files.writeString(f, "{\"schemaVersion\": 1, \"run\": {}, \"accounts\": []}");
        assertThatThrownBy(() -> PreviousRun.read(f))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(f + ":1: not a cmk-audit findings.json (no `findings` list; is it a snapshot?)");
        Path g = out.resolve("half.json");
        Files.writeString(g, "{\"schemaVersion\": 1, \"findings\": []}");
        assertThatThrownBy(() -> PreviousRun.read(g))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(g + ":1: not a cmk-audit findings.json (no `run` object)");
    }

    @Test
    void missingFileIsAOneLineError() {
        Path f = out.resolve("nope.json");
        assertThatThrownBy(() -> PreviousRun.read(f))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(f + ": previous findings.json not found");
    }
}
