package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --previous latest}: which earlier run folder is the newest. */
class ReportPhaseTest {

    @TempDir
    Path out;

    private void run(String name) throws IOException {
        Files.createDirectories(out.resolve(name));
        Files.writeString(out.resolve(name).resolve("findings.json"), "{}");
    }

    @Test
    void newestTimestampThenHighestSuffixWins() throws IOException {
        run("2026-11-29T19-04-05Z");
        run("2026-11-29T19-04-06Z");
        run("2026-11-29T19-04-06Z-2");
        run("2026-11-29T19-04-06Z-9");
        run("2026-11-29T19-04-06Z-10");
        assertThat(ReportPhase.latestRun(out)).contains(out.resolve("2026-11-29T19-04-06Z-10/findings.json"));
    }

    @Test
    void foldersThatAreNotRunsOrNotFinishedAreIgnored() throws IOException {
        run("2026-11-29T19-04-05Z");
        run("zz-my-copy");
        run(".cmk-audit-tmp-2026-11-29T19-04-07Z-0f1e");
        Files.createDirectories(out.resolve("2026-11-29T19-04-08Z"));
        assertThat(ReportPhase.latestRun(out)).contains(out.resolve("2026-11-29T19-04-05Z/findings.json"));
    }

    @Test
    void noRunYetGivesNothing() throws IOException {
        Files.createDirectories(out.resolve("notes"));
        assertThat(ReportPhase.latestRun(out)).isEmpty();
        assertThat(ReportPhase.latestRun(out.resolve("missing"))).isEmpty();
    }
}
