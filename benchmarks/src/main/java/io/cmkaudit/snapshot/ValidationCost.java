package io.cmkaudit.snapshot;

import io.cmkaudit.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What snapshot validation (the JSON Schema of {@code docs/snapshot.schema.json} and the reference checks) adds to
 * {@code report}: runs {@code report SNAPSHOT} in this JVM alternately with and without validation (after one
 * warm-up run of each) and prints, per run, the process CPU time and the wall time. The budget (issue 14): validation
 * adds at most 10 % on the 1,000-account synthetic snapshot. Usage ({@code scripts/bench-validation}):
 * {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar io.cmkaudit.snapshot.ValidationCost SNAPSHOT OUT [pairs]}.
 */
public final class ValidationCost {

    private ValidationCost() {
    }

    /**
     * @param args snapshot file, output folder, number of measured pairs (default 2)
     * @throws Exception when the report fails
     */
    public static void main(String[] args) throws Exception {
        Path snapshot = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("%-6s %-10s %-8s %-8s %-6s%n", "round", "validation", "cpu_s", "wall_s", "load1m");
        for (int round = 0; round <= pairs; round++) {
            for (boolean validating : new boolean[] {true, false}) {
                SnapshotJson.validate = validating;
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                StringWriter err = new StringWriter();
                int code = Main.run(new String[] {"report", snapshot.toString(), "--out", out.toString(),
                    "--fail-on", "NONE", "-q"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                if (code >= 64) {
                    throw new IllegalStateException("report failed (exit " + code + "): " + err);
                }
                System.out.printf("%-6s %-10s %-8.1f %-8.1f %-6s%n", round == 0 ? "warmup" : round,
                        validating ? "on" : "off", cpu, wall,
                        Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            }
        }
        SnapshotJson.validate = true;
    }
}
