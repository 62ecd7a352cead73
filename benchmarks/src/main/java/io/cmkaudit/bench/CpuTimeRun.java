package io.cmkaudit.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A cross-check of the JMH figures that does not depend on how much of a core the benchmark thread gets on a busy
 * machine: calls {@link PolicyEngineBenchmark} methods and divides the number of decisions by the thread's CPU time.
 * Usage: {@code java -cp benchmarks/target/benchmarks.jar io.cmkaudit.bench.CpuTimeRun [seconds-per-round]
 * [method...]}; without methods, every case on both paths. Prints, per method, the best of 3 rounds after 2 warm-up
 * rounds, in decisions per CPU second.
 */
public final class CpuTimeRun {
    private static final List<String> ALL = List.of("forwardAccessCreateGrant", "forwardAccessCreateGrantExplained",
            "deniedScheduleKeyDeletion", "deniedScheduleKeyDeletionExplained", "conditionalCreateGrant",
            "conditionalCreateGrantExplained", "crossAccountCreateGrant", "crossAccountCreateGrantExplained");

    private CpuTimeRun() {
    }

    /**
     * @param args optional: CPU seconds per round (default 1), then benchmark method names (default all)
     * @throws ReflectiveOperationException when a method name is not a benchmark of {@link PolicyEngineBenchmark}
     */
    public static void main(String[] args) throws ReflectiveOperationException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        List<String> methods = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : new ArrayList<>(ALL);
        PolicyEngineBenchmark b = new PolicyEngineBenchmark();
        b.setup();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (String name : methods) {
            Method m = PolicyEngineBenchmark.class.getMethod(name);
            double best = 0;
            for (int round = 0; round < 5; round++) {
                long cpu0 = mx.getCurrentThreadCpuTime();
                long n = 0;
                while (mx.getCurrentThreadCpuTime() - cpu0 < (long) (seconds * 1e9)) {
                    for (int i = 0; i < 2_000; i++) {
                        sink += m.invoke(b).hashCode() & 1;
                    }
                    n += 2_000;
                }
                double perCpuSecond = n / ((mx.getCurrentThreadCpuTime() - cpu0) / 1e9);
                if (round >= 2) {
                    best = Math.max(best, perCpuSecond);
                }
            }
            System.out.printf("%-36s %,12.0f decisions per CPU second%n", name, best);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
