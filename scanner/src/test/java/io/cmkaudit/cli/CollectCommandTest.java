package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code cmk-audit collect} end to end against moto_server (credentials from surefire's aws.accessKeyId). */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CollectCommandTest {

    record Result(int code, String out, String err) {
    }

    OrgSeeder org;
    OrgSeeder.Account alpha;
    OrgSeeder.Account beta;
    MotoServer moto;

    @BeforeAll
    void seed(MotoServer server) {
        moto = server;
        org = new OrgSeeder(server.endpoint()).organization();
        alpha = org.account("alpha", "Apps");
        beta = org.account("beta", "Apps");
        OrgSeeder.Key key = alpha.key("eu-west-1");
        alpha.instance("eu-west-1").volume("/dev/xvda", key.arn()).launch();
    }

    @AfterAll
    void close() {
        org.close();
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void writesTheSnapshotAndReportsProgressPerAccount(@TempDir Path dir) {
        Path file = dir.resolve("org.snapshot.json");
        Result r = run("collect", "-o", file.toString(), "--endpoint-url", moto.endpoint().toString(),
                "--regions", "eu-west-1", "--concurrency", "1");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).isEmpty();
        List<String> ids = List.of(OrgSeeder.MANAGEMENT_ACCOUNT_ID, alpha.id(), beta.id()).stream().sorted().toList();
        List<String> lines = r.err().lines().toList();
        assertThat(lines.get(0)).matches("cmk-audit: organization o-[a-z0-9]+: 3 accounts to scan");
        // accounts finish in the order the organization walk hands them to the scan; the counter is in order
        List<String> progress = lines.subList(1, 4);
        for (int i = 0; i < 3; i++) {
            assertThat(progress.get(i)).startsWith("[" + (i + 1) + "/3] ");
        }
        assertThat(progress.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList()).containsExactlyInAnyOrder(
                ids.get(0) + " " + name(ids.get(0)) + ": global SCANNED, eu-west-1 SCANNED",
                ids.get(1) + " " + name(ids.get(1)) + ": global SCANNED, eu-west-1 SCANNED",
                ids.get(2) + " " + name(ids.get(2)) + ": global SCANNED, eu-west-1 SCANNED");
        // alpha's key is read right after alpha's own scan (the collection pipeline), so no deferred-key line
        assertThat(lines.get(4)).matches("cmk-audit: collected 3 accounts \\(3 fully scanned\\) in \\d+ ms, \\d+ API calls; wrote "
                + java.util.regex.Pattern.quote(file.toString()));
        assertThat(lines).hasSize(5);
        Snapshot s = SnapshotJson.read(file);
        assertThat(s.accounts()).hasSize(3);
        assertThat(s.account(alpha.id()).orElseThrow().region("eu-west-1").orElseThrow().kmsKeys()).hasSize(1);
    }

    private String name(String id) {
        return id.equals(OrgSeeder.MANAGEMENT_ACCOUNT_ID) ? "master" : id.equals(alpha.id()) ? "alpha" : "beta";
    }

    @Test
    void deniedAccountGivesExitCode2AndTheOthersAreStillWritten(@TempDir Path dir) {
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, q -> q.assumesRoleIn(Set.of(beta.id())))) {
            Path file = dir.resolve("s.json");
            Result r = run("collect", "-o", file.toString(), "--endpoint-url", proxy.endpoint().toString(),
                    "--regions", "eu-west-1", "--accounts", alpha.id() + "," + beta.id());
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.COVERAGE_INCOMPLETE);
            assertThat(r.err()).contains(beta.id() + " beta: global ASSUME_ROLE_DENIED (AccessDenied), "
                    + "eu-west-1 ASSUME_ROLE_DENIED (AccessDenied)");
            assertThat(r.err()).contains("coverage incomplete: 2 account/region entries not read");
            Snapshot s = SnapshotJson.read(file);
            assertThat(s.account(alpha.id()).orElseThrow().fullyScanned()).isTrue();
            assertThat(s.account(beta.id()).orElseThrow().coverage().get(0).status())
                    .isEqualTo(CoverageStatus.ASSUME_ROLE_DENIED);
            assertThat(s.account(OrgSeeder.MANAGEMENT_ACCOUNT_ID).orElseThrow().coverage().get(0).status())
                    .isEqualTo(CoverageStatus.SKIPPED);
        }
    }

    @Test
    void writesToStdoutWithDash() {
        Result r = run("collect", "-o", "-", "--endpoint-url", moto.endpoint().toString(), "--regions", "eu-west-1",
                "--accounts", alpha.id(), "-q");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).isEmpty();
        Snapshot s = SnapshotJson.read(new java.io.ByteArrayInputStream(r.out().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(s.account(alpha.id()).orElseThrow().fullyScanned()).isTrue();
    }

    @Test
    void missingOutputIsAUsageError() {
        Result r = run("collect", "--regions", "eu-west-1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: Missing required option: '--output=FILE|s3://BUCKET/KEY'" + System.lineSeparator()
                + "Try 'cmk-audit collect --help' for more information." + System.lineSeparator());
    }

    @Test
    void missingOutputFolderIsAUsageError(@TempDir Path dir) {
        Path file = dir.resolve("nope").resolve("s.json");
        Result r = run("collect", "-o", file.toString(), "--endpoint-url", moto.endpoint().toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: -o: folder does not exist: `" + file.getParent() + "`\n");
        assertThat(Files.exists(file)).isFalse();
    }
}
