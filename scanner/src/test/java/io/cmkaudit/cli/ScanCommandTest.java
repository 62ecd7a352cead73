package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotFixtures;
import io.cmkaudit.snapshot.SnapshotJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * Issue 14: runs failing in the same second each keep their own snapshot; one saved earlier (e.g. by another
     * process) is never replaced. Before, every run wrote {@code snapshot-<second>.json} with a replacing rename.
     */
    @Test
    void failuresOfTheSameSecondEachSaveTheirOwnSnapshotAndNothingIsReplaced(@TempDir Path out) throws Exception {
        Path earlier = out.resolve("snapshot-2026-11-29T20-03-01Z.json");
        Files.writeString(earlier, "another run's snapshot");
        int runs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        List<Snapshot> snapshots = new ArrayList<>();
        List<Future<String>> saved = new ArrayList<>();
        try {
            CyclicBarrier start = new CyclicBarrier(runs);
            for (int i = 0; i < runs; i++) {
                Snapshot s = SnapshotFixtures.full().withAccounts(SnapshotFixtures.full().accounts().subList(0,
                        1 + i % SnapshotFixtures.full().accounts().size()));
                snapshots.add(s);
                saved.add(pool.submit(() -> {
                    start.await();
                    try {
                        ScanCommand.preservingSnapshot(s, out, CLOCK, () -> {
                            throw new IllegalStateException("boom");
                        });
                        return null;
                    } catch (ScanCommand.SnapshotSavedException e) {
                        return e.getMessage();
                    }
                }));
            }
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Matcher m = Pattern.compile("saved as (\\S+) ").matcher(saved.get(i).get(60, TimeUnit.SECONDS));
                assertThat(m.find()).isTrue();
                Path file = Path.of(m.group(1));
                files.add(file);
                assertThat(SnapshotJson.read(file)).isEqualTo(snapshots.get(i));
            }
            assertThat(files).doesNotHaveDuplicates().doesNotContain(earlier);
            assertThat(files.stream().map(f -> f.getFileName().toString()))
                    .allMatch(n -> n.matches("snapshot-2026-11-29T20-03-01Z-[2-9]\\.json"));
            assertThat(Files.readString(earlier)).isEqualTo("another run's snapshot");
            try (var list = Files.list(out)) {
                assertThat(list.map(p -> p.getFileName().toString())).hasSize(runs + 1)
                        .noneMatch(n -> n.endsWith(".tmp"));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
