package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotFixtures;
import io.cmkaudit.snapshot.SnapshotJson;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code scan} does when the work after the collection fails: the collected snapshot is kept. */
class ScanCommandTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T20:03:01Z"), ZoneOffset.UTC);

    @Test
    void anAnalysisFailureSavesTheCollectedSnapshotAndNamesIt(@TempDir Path out) {
        Snapshot s = SnapshotFixtures.full();
        Path saved = out.resolve("snapshot-2026-11-29T20-03-01Z.json");

        assertThatThrownBy(() -> ScanCommand.preservingSnapshot(s, out, CLOCK, () -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(ScanCommand.SnapshotSavedException.class)
                .hasMessage("analysis or report writing failed: java.lang.IllegalStateException: boom; the collected "
                        + "snapshot is saved as " + saved + " (analyze it again with `cmk-audit report " + saved
                        + "`)");

        assertThat(SnapshotJson.read(saved)).isEqualTo(s);
    }

    @Test
    void aUsageErrorOfTheReportPhaseStaysAUsageErrorAndNamesTheSavedSnapshot(@TempDir Path out) {
        Path saved = out.resolve("snapshot-2026-11-29T20-03-01Z.json");

        assertThatThrownBy(() -> ScanCommand.preservingSnapshot(SnapshotFixtures.full(), out, CLOCK, () -> {
            throw new UsageException("--templates: bad");
        })).isInstanceOf(UsageException.class)
                .hasMessage("--templates: bad; the collected snapshot is saved as " + saved
                        + " (analyze it again with `cmk-audit report " + saved + "`)");
    }

    @Test
    void withoutAFailureNothingIsSaved(@TempDir Path out) throws Exception {
        assertThat(ScanCommand.preservingSnapshot(SnapshotFixtures.full(), out, CLOCK, () -> 7)).isEqualTo(7);
        assertThat(out.toFile().list()).isEmpty();
    }
}
