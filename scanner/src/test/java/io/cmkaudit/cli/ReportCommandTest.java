package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report} and {@code explain} on the embedded sample organization and on files. */
class ReportCommandTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static Snapshot sample() throws Exception {
        try (InputStream in = ReportCommandTest.class.getResourceAsStream(SnapshotSource.SAMPLE)) {
            return SnapshotJson.read(in);
        }
    }

    static final String SAMPLE_SUMMARY = """
            cmk-audit report on the sample organization
            findings: 44 (2 CRITICAL, 34 HIGH, 8 MEDIUM, 0 LOW, 0 INFO)
              START_BLOCKED_KMS_DENIED             12
              START_BLOCKED_KEY_UNUSABLE            2
              KMS_CREATEGRANT_UNCONSTRAINED        18
              KMS_FULL_ACCESS                       3
              KMS_DECRYPT_ALL_KEYS                  7
              KEY_POLICY_PUBLIC                     1
              GRANT_TO_NON_SERVICE_PRINCIPAL        1
            instances: 8 (6 on customer managed keys, joined; 1 on AWS managed keys only and 1 unencrypted, counted \
            only); principals: 13; keys in scope: 6
            coverage: 5 of 5 accounts fully scanned
            """;

    @Test
    void reportWithoutSnapshotAnalyzesTheSampleAndWritesFindingsJson(@TempDir Path dir) throws Exception {
        Result r = run("report", "--out", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.err()).isEmpty();
        List<Path> folders;
        try (Stream<Path> s = Files.list(dir)) {
            folders = s.toList();
        }
        assertThat(folders).hasSize(1);
        assertThat(folders.get(0).getFileName().toString()).matches("cmk-audit-\\d{8}T\\d{6}Z");
        Path json = folders.get(0).resolve("findings.json");
        assertThat(r.out()).isEqualTo(SAMPLE_SUMMARY.replace("\n", System.lineSeparator()) + "wrote " + json
                + System.lineSeparator());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(doc.get("findings").size()).isEqualTo(44);
        assertThat(doc.get("summary").get("instancesInScope").asInt()).isEqualTo(6);
        assertThat(doc.get("coverage").size()).isEqualTo(sample().accounts().stream()
                .mapToInt(a -> a.coverage().size()).sum());
        JsonNode first = doc.get("findings").get(0);
        assertThat(first.get("type").asText()).isEqualTo("START_BLOCKED_KEY_UNUSABLE");
        assertThat(first.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(first.get("instanceName").asText()).isEqualTo("dev-old");
        assertThat(first.get("keyState").asText()).isEqualTo("PendingDeletion");
        assertThat(first.has("principalArn")).isTrue();
        assertThat(first.get("principalArn").isNull()).isTrue();
        assertThat(doc.get("run").get("organizationId").asText()).isEqualTo(sample().organization().id());
    }

    @Test
    void failOnNoneExitsZeroAndEveryRunGetsItsOwnFolder(@TempDir Path dir) throws Exception {
        Result first = run("report", "--sample", "--out", dir.toString(), "--fail-on", "NONE");
        Result second = run("report", "--sample", "--out", dir.toString(), "--fail-on", "NONE");

        assertThat(first.code()).isEqualTo(ExitCodes.OK);
        assertThat(second.code()).isEqualTo(ExitCodes.OK);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(2);
        }
    }

    @Test
    void failOnCriticalCountsOnlyCriticalFindings(@TempDir Path dir) {
        assertThat(run("report", "--out", dir.toString(), "--fail-on", "critical").code())
                .isEqualTo(ExitCodes.FINDINGS);
    }

    @Test
    void runFolderNamesNeverCollide(@TempDir Path dir) {
        Instant t = Instant.parse("2026-03-01T10:00:00Z");
        assertThat(ReportCommand.runFolder(dir, t).getFileName().toString()).isEqualTo("cmk-audit-20260301T100000Z");
        assertThat(ReportCommand.runFolder(dir, t).getFileName().toString())
                .isEqualTo("cmk-audit-20260301T100000Z-2");
    }

    @Test
    void reportOnASnapshotFileNamesItInTheSummary(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("org.json");
        SnapshotJson.write(sample(), file);

        Result r = run("report", file.toString(), "--out", dir.resolve("out").toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.out()).startsWith("cmk-audit report on " + file + System.lineSeparator()
                + "findings: 44 (2 CRITICAL, 34 HIGH, 8 MEDIUM, 0 LOW, 0 INFO)");
    }

    @Test
    void missingSnapshotIsAUsageError(@TempDir Path dir) {
        Result r = run("report", dir.resolve("nope.json").toString(), "--out", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: SNAPSHOT: no such file: `" + dir.resolve("nope.json") + "`"
                + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void malformedSnapshotIsAOneLineUsageError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"schemaVersion\": 7}");

        Result r = run("report", file.toString(), "--out", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("cmk-audit: " + file + ": unsupported snapshot schemaVersion 7");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void sampleAndSnapshotTogetherIsAUsageError(@TempDir Path dir) {
        Result r = run("report", "x.json", "--sample", "--out", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: give either SNAPSHOT or --sample, not both" + System.lineSeparator());
    }

    @Test
    void explainTellsWhyTheSeedUserCannotStartItsInstance() throws Exception {
        Snapshot s = sample();
        String alice = s.accounts().stream().flatMap(a -> a.iam().users().stream())
                .filter(u -> u.name().equals("alice")).findFirst().orElseThrow().arn();
        String web1 = s.accounts().stream().flatMap(a -> a.regions().stream()).flatMap(x -> x.instances().stream())
                .filter(i -> "web-1".equals(i.name())).findFirst().orElseThrow().instanceId();

        Result r = run("explain", "--sample", "--principal", alice, "--instance", web1);

        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith("principal: " + alice + " (user, account ");
        assertThat(r.out()).contains("1. ec2:StartInstances on ");
        assertThat(r.out()).contains("   decision: IMPLICIT_DENY (decided by identity)");
        assertThat(r.out()).contains("START_BLOCKED_KMS_DENIED - " + alice + " can start the instance");
        assertThat(r.out()).contains("\"Sid\": \"AllowEc2AttachCmkVolumes\"");
    }

    @Test
    void explainOfAnUnknownInstanceIsAUsageError() throws Exception {
        String alice = sample().accounts().stream().flatMap(a -> a.iam().users().stream())
                .filter(u -> u.name().equals("alice")).findFirst().orElseThrow().arn();

        Result r = run("explain", "--principal", alice, "--instance", "i-nope");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: instance `i-nope` is not in the snapshot" + System.lineSeparator());
    }
}
