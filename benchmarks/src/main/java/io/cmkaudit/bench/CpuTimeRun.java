package io.cmkaudit.bench;

import io.cmkaudit.policy.Verdict;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A cross-check of the JMH figure that does not depend on how much of a core the benchmark thread gets on a busy
 * machine: runs the same scenario as {@link PolicyEngineBenchmark#forwardAccessCreateGrant()} and divides the number
 * of decisions by the thread's CPU time. Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * io.cmkaudit.bench.CpuTimeRun [seconds-per-round]}.
 */
public final class CpuTimeRun {
    private CpuTimeRun() {
    }

    /**
     * @param args optional: CPU seconds per measured round (default 3)
     */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        PolicyEngineBenchmark b = new PolicyEngineBenchmark();
        b.setup();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = 0; round < 8; round++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long n = 0;
            while (mx.getCurrentThreadCpuTime() - cpu0 < (long) (seconds * 1e9)) {
                for (int i = 0; i < 10_000; i++) {
                    Verdict d = b.forwardAccessCreateGrant();
                    sink += d.decidedBy().size();
                }
                n += 10_000;
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            System.out.printf("round %d%s: %,.0f decisions per CPU second (%,.0f per wall second)%n", round,
                    round < 3 ? " (warm-up)" : "", n / (cpu / 1e9), n / (wall / 1e9));
        }
        System.out.println("(checksum " + sink + ")");
    }
}
