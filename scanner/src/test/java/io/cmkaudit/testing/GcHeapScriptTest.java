package io.cmkaudit.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/gc-heap}, which gives {@code scripts/bench-simulate} its heap columns (newcomer review item 22): a
 * run without any collection printed a peak and live heap of 0. Now the peak comes from the occupancy before each
 * collection or, without one, from the heap summary the JVM logs at exit ({@code -Xlog:gc+heap+exit}), and the live
 * heap, which only a collection measures, is {@code n/a} when none ran.
 */
class GcHeapScriptTest {

    static final Path SCRIPT = Path.of("..", "scripts", "gc-heap");
    static final Path BENCH = Path.of("..", "scripts", "bench-simulate");

    @TempDir
    Path dir;

    String gcHeap(String log) throws Exception {
        Path file = dir.resolve("gc.log");
        Files.writeString(file, log, StandardCharsets.UTF_8);
        return run(List.of("python3", SCRIPT.toString(), file.toString()));
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }

    /** The Serial collector (a JVM pinned to one core, as the benchmark runs it) without a collection. */
    @Test
    void withoutACollectionThePeakIsTheHeapUsedAtExitAndTheLiveHeapIsNotKnown() throws Exception {
        assertThat(gcHeap("""
                [0.003s][info][gc] Using Serial
                [0.987s][info][gc,heap,exit] Heap
                [0.987s][info][gc,heap,exit]  def new generation   total 116160K, used 31228K [0x00000000e0000000, 0x00000000e7e00000, 0x00000000eaaa0000)
                [0.987s][info][gc,heap,exit]   eden space 103296K,  30% used [0x00000000e0000000, 0x00000000e1e7f3d0, 0x00000000e64e0000)
                [0.987s][info][gc,heap,exit]   from space 12864K,   0% used [0x00000000e64e0000, 0x00000000e64e0000, 0x00000000e7170000)
                [0.987s][info][gc,heap,exit]   to   space 12864K,   0% used [0x00000000e7170000, 0x00000000e7170000, 0x00000000e7e00000)
                [0.987s][info][gc,heap,exit]  tenured generation   total 258048K, used 10240K [0x00000000eaaa0000, 0x00000000fa6a0000, 0x0000000100000000)
                [0.987s][info][gc,heap,exit]    the space 258048K,   0% used [0x00000000eaaa0000, 0x00000000eaaa0000, 0x00000000eaaa0200, 0x00000000fa6a0000)
                [0.987s][info][gc,heap,exit]  Metaspace       used 5073K, committed 5248K, reserved 1114112K
                [0.987s][info][gc,heap,exit]   class space    used 546K, committed 640K, reserved 1048576K
                """)).isEqualTo("40 n/a 0");
    }

    /** G1 (two cores or more): the largest occupancy before a collection, after it, and the exit summary. */
    @Test
    void withCollectionsThePeakIsTheLargestOccupancySeenAndTheLiveHeapTheLargestAfterACollection() throws Exception {
        assertThat(gcHeap("""
                [0.003s][info][gc] Using G1
                [0.512s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 109M->9M(512M) 3.211ms
                [0.901s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 112M->11M(512M) 2.002ms
                [1.201s][info][gc,heap,exit] Heap
                [1.201s][info][gc,heap,exit]  garbage-first heap   total 524288K, used 65536K [0x00000000e0000000, 0x0000000100000000)
                [1.201s][info][gc,heap,exit]   region size 1024K, 15 young (15360K), 0 survivors (0K)
                [1.201s][info][gc,heap,exit]  Metaspace       used 5053K, committed 5248K, reserved 1114112K
                """)).isEqualTo("112 11 2");
        // the exit occupancy is the peak when the heap grew past every earlier one
        assertThat(gcHeap("""
                [0.512s][info][gc] GC(0) Pause Young (Allocation Failure) 20M->5M(60M) 1.0ms
                [1.201s][info][gc,heap,exit]  PSYoungGen      total 113152K, used 32768K [0x00000000f5580000, 0x00000000fd380000, 0x0000000100000000)
                [1.201s][info][gc,heap,exit]   eden space 97280K, 32% used [0x00000000f5580000,0x00000000f74cf430,0x00000000fb480000)
                [1.201s][info][gc,heap,exit]  ParOldGen       total 258048K, used 4096K [0x00000000e0000000, 0x00000000efc00000, 0x00000000f5580000)
                """)).isEqualTo("36 5 1");
    }

    /** The log the benchmark wrote before (only {@code -Xlog:gc}) of a run without a collection: nothing is known. */
    @Test
    void aLogWithoutCollectionsOrExitSummaryGivesNotAvailableNotZero() throws Exception {
        assertThat(gcHeap("[0.003s][info][gc] Using Serial\n")).isEqualTo("n/a n/a 0");
    }

    /** The JVM this test runs on writes the exit summary the script reads: a real run gives a peak above 0. */
    @Test
    void aRealJvmRunWithoutACollectionHasAPeakHeap() throws Exception {
        Path log = dir.resolve("real.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        run(List.of(java, "-Xmx256m", "-Xlog:gc,gc+heap+exit:file=" + log, "-version"));
        String[] figures = run(List.of("python3", SCRIPT.toString(), log.toString())).split(" ");
        assertThat(Integer.parseInt(figures[0])).isPositive();
        assertThat(figures[1]).isEqualTo(figures[2].equals("0") ? "n/a" : figures[1]);
    }

    /** The benchmark logs the exit summary and takes its heap columns from the script. */
    @Test
    void benchSimulateUsesTheScript() throws Exception {
        String bench = Files.readString(BENCH, StandardCharsets.UTF_8);
        assertThat(bench).contains("-Xlog:gc,gc+heap+exit:file=", "scripts/gc-heap \"$work/gc-$n.log\"")
                .doesNotContain("peak = live = 0");
    }
}
