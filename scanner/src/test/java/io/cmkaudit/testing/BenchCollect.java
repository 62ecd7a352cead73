package io.cmkaudit.testing;

import io.cmkaudit.collect.Collector;
import io.cmkaudit.collect.CollectorOptions;
import io.cmkaudit.collect.ProgressListener;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collector benchmark (run by {@code scripts/bench-collect}, not by the tests): seeds N accounts × 2 regions in
 * moto_server, then collects with {@code --concurrency 1} and {@code 8}, directly against moto and through a loopback
 * proxy that adds a fixed latency per request (modelling real AWS endpoints: moto on 2 cores is otherwise the
 * bottleneck). Prints wall time, calls per account and peak heap as a Markdown table.
 */
public final class BenchCollect {
    private BenchCollect() {
    }

    /** One measured run. */
    record Result(String endpoint, int concurrency, long millis, long calls, int accounts, long peakHeapMb) {
    }

    /**
     * @param args [accounts (20)] [latency ms (50)] [repetitions (2)]
     */
    public static void main(String[] args) {
        System.setProperty("aws.disableEc2Metadata", "true");
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int latencyMs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        List<String> regions = List.of("eu-west-1", "us-east-1");
        try (MotoServer moto = MotoServer.start(); OrgSeeder org = new OrgSeeder(moto.endpoint()).organization()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < accounts; i++) {
                seedAccount(org.account(String.format(Locale.ROOT, "bench-%02d", i), i % 2 == 0 ? "Workloads/Prod" : "Workloads/Dev"), regions);
            }
            System.err.printf(Locale.ROOT, "seeded %d accounts x %d regions in %.1f s%n", accounts, regions.size(),
                    (System.nanoTime() - t0) / 1e9);
            List<Result> results = new ArrayList<>();
            try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ofMillis(latencyMs), r -> false)) {
                // warm-up: JIT, connection pool, moto caches
                run(moto.endpoint(), "warm-up", 8, regions);
                for (int rep = 0; rep < reps; rep++) {
                    for (int c : new int[] {1, 8}) {
                        results.add(run(moto.endpoint(), "moto direct", c, regions));
                        results.add(run(proxy.endpoint(), "moto + " + latencyMs + " ms/request proxy", c, regions));
                    }
                }
            }
            System.out.println("| endpoint | --concurrency | wall time | API calls | calls per account | peak heap |");
            System.out.println("|---|---|---|---|---|---|");
            for (Result r : results) {
                System.out.printf(Locale.ROOT, "| %s | %d | %.2f s | %d | %.1f | %d MB |%n", r.endpoint(), r.concurrency(),
                        r.millis() / 1000.0, r.calls(), (double) r.calls() / r.accounts(), r.peakHeapMb());
            }
        }
    }

    static void seedAccount(OrgSeeder.Account a, List<String> regions) {
        a.user("alice").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess");
        a.role("app", OrgSeeder.TRUST_EC2).inline("kms", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}");
        for (String region : regions) {
            for (int k = 0; k < 2; k++) {
                OrgSeeder.Key key = a.key(region, "bench key " + k).alias("alias/bench-" + k);
                key.grant("g" + k, "arn:aws:iam::" + a.id() + ":role/app", "Decrypt");
                a.instance(region).tag("Name", "i" + k).volume("/dev/xvda", key.arn()).volume("/dev/sdf", key.arn()).launch();
            }
        }
    }

    static Result run(URI endpoint, String label, int concurrency, List<String> regions) {
        ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", regions, List.of(),
                List.of(), concurrency, "HIGH", Path.of("out"), endpoint, 60, false);
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long t0 = System.nanoTime();
        Snapshot s = new Collector(config, new CollectorOptions("bench", false, OrgSeeder.MANAGEMENT_CREDENTIALS))
                .collect(ProgressListener.NONE);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() / (1024 * 1024);
        long incomplete = s.accounts().stream().filter(a -> !a.fullyScanned()).count();
        if (incomplete > 0) {
            throw new IllegalStateException(label + ": " + incomplete + " accounts not fully scanned: "
                    + s.accounts().stream().filter(a -> !a.fullyScanned()).map(AccountSnapshot::coverage).toList());
        }
        System.err.printf(Locale.ROOT, "%s c%d: %d ms, %d calls%n", label, concurrency, millis, s.run().totalApiCalls());
        return new Result(label, concurrency, millis, s.run().totalApiCalls(), s.accounts().size(), peak);
    }
}
