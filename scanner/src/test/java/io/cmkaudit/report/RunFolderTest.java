package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Run folders: unique for runs of the same second started at once (issue 14 item 2), temporary folders removed on
 * failure, on SIGTERM (item 12) and swept when stale.
 */
class RunFolderTest {

    @TempDir
    Path out;

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void runsOfTheSameSecondStartedTogetherAllGetTheirOwnFolder() throws Exception {
        int runs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        try {
            CyclicBarrier start = new CyclicBarrier(runs);
            List<Future<RunOutput>> futures = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                futures.add(pool.submit((Callable<RunOutput>) () -> {
                    start.await();
                    return new ReportWriter().write(ReportFixtures.sample(),
                            new ReportOptions(out, null, null, null, ReportFixtures.CLOCK));
                }));
            }
            List<String> dirs = new ArrayList<>();
            for (Future<RunOutput> f : futures) {
                RunOutput r = f.get(60, TimeUnit.SECONDS);
                dirs.add(r.runDir().getFileName().toString());
                assertThat(names(r.runDir())).containsExactly("coverage.csv", "findings.csv", "findings.json",
                        "report.html");
            }
            List<String> expected = new ArrayList<>(List.of("2026-11-29T19-04-05Z"));
            for (int i = 2; i <= runs; i++) {
                expected.add("2026-11-29T19-04-05Z-" + i);
            }
            assertThat(dirs).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(names(out)).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(RunFolder.live()).noneMatch(p -> p.startsWith(out));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRenameOntoAFolderTakenMeanwhileTakesTheNextSuffix() throws IOException {
        // the race of two processes: the name was free when chosen, another run published it before our rename
        Path temp = RunFolder.createTemp(out, "T");
        Files.writeString(temp.resolve("report.html"), "mine");
        Path other = Files.createDirectory(out.resolve("T"));
        Files.writeString(other.resolve("report.html"), "theirs");
        Path published = RunFolder.publish(temp, out, "T", "T");
        assertThat(published.getFileName().toString()).isEqualTo("T-2");
        assertThat(Files.readString(out.resolve("T").resolve("report.html"))).isEqualTo("theirs");
        assertThat(Files.readString(published.resolve("report.html"))).isEqualTo("mine");
    }

    @Test
    void staleTemporaryFoldersAreSweptWithOneLogLineAndFreshOnesKept() throws IOException {
        Path stale = Files.createDirectories(out.resolve(RunFolder.TEMP_PREFIX + "2026-01-01T00-00-00Z-dead"));
        Files.writeString(stale.resolve("report.html"), "<html><body>trunc");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(25))));
        Path fresh = Files.createDirectories(out.resolve(RunFolder.TEMP_PREFIX + "2026-01-01T00-00-00Z-running"));
        Path notOurs = Files.createDirectories(out.resolve("old-stuff"));
        Files.setLastModifiedTime(notOurs, FileTime.from(Instant.now().minus(Duration.ofDays(30))));

        Logger log = (Logger) LoggerFactory.getLogger(RunFolder.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        ch.qos.logback.classic.Level before = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            RunOutput run = new ReportWriter().write(ReportFixtures.sample(),
                    new ReportOptions(out, null, null, null, ReportFixtures.CLOCK));
            assertThat(names(out)).containsExactlyInAnyOrder(run.runDir().getFileName().toString(),
                    fresh.getFileName().toString(), "old-stuff");
        } finally {
            log.detachAppender(events);
            log.setLevel(before);
        }
        assertThat(events.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains("removed 1 temporary folder(s) older than 24 h").contains(stale.getFileName().toString()));
    }

    @Test
    void sigtermWhileWritingLeavesNoTemporaryFolder() throws Exception {
        // a child JVM writes a large report; SIGTERM (Process.destroy) arrives while its temporary folder exists
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SlowReport.class.getName(), out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240); // slow under load
            while (temps().isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(temps()).as("the child started writing; its output: %s", childLog()).isNotEmpty();
            Thread.sleep(150);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(temps()).isEmpty();
        // nothing half-written was published either
        for (String n : names(out)) {
            assertThat(names(out.resolve(n))).contains("report.html", "findings.json");
        }
    }

    private String childLog() {
        try {
            return Files.readString(out.resolveSibling(out.getFileName() + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private List<String> temps() throws IOException {
        return names(out).stream().filter(n -> n.startsWith(RunFolder.TEMP_PREFIX)).toList();
    }

    /** The child process of {@link #sigtermWhileWritingLeavesNoTemporaryFolder}: a report with many findings. */
    public static final class SlowReport {
        public static void main(String[] args) throws IOException {
            Path root = Path.of(args[0]);
            var result = ReportFixtures.result(ReportFixtures.generated(50_000), ReportFixtures.sampleCoverage());
            for (int i = 0; i < 1000; i++) {
                new ReportWriter().write(result, new ReportOptions(root, null, null, null, ReportFixtures.CLOCK));
            }
        }
    }
}
