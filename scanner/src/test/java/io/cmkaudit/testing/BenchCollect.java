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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Collector benchmark at organization scale (run by {@code scripts/bench-collect}, not by the tests). Seeds a
 * moto_server (started without AWS managed policies) with an organization of N small accounts under OUS OUs in two
 * levels, 6 SCPs and 2 RCPs; every 10th account has a CMK-encrypted instance in eu-west-1. Then runs the real
 * collector once through {@link AwsProxy} with {@link AwsQuotas} (AWS's per-caller token buckets, throttling answers
 * in each protocol's shape; IAM reads at an assumed rate) and prints: wall time, API calls per operation, throttling
 * answers, peak heap, accounts SCANNED; and the projection of real-AWS time ({@link CollectProjection}) at 50 and
 * 100 ms per call for N and 10,000 accounts, with IAM reads at 5, 20 and 50 req/s.
 */
public final class BenchCollect {
    private BenchCollect() {
    }

    static final List<String> REGIONS = List.of("eu-west-1", "us-east-1");

    /**
     * @param args [accounts (1000)] [OUs (50)] [latency ms added by the proxy (0)] [assumed IAM rate (20)]
     *             [requests in flight (collector default)]
     * @throws Exception when seeding fails
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("aws.disableEc2Metadata", "true");
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int ous = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int latencyMs = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        double iamRate = args.length > 3 ? Double.parseDouble(args[3]) : 20;
        int inFlight = args.length > 4 ? Integer.parseInt(args[4]) : ScannerConfig.DEFAULTS.maxRequests();
        try (MotoServer moto = MotoServer.start(false); OrgSeeder org = new OrgSeeder(moto.endpoint()).organization()) {
            long t0 = System.nanoTime();
            seed(org, accounts, ous);
            System.err.printf(Locale.ROOT, "seeded %d accounts under %d OUs in %.1f s%n", accounts, ous,
                    (System.nanoTime() - t0) / 1e9);
            AwsQuotas quotas = new AwsQuotas(OrgSeeder.MANAGEMENT_ACCOUNT_ID, iamRate, iamRate);
            try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ofMillis(latencyMs), r -> false, quotas, quotas)) {
                run(proxy, quotas, accounts, ous, latencyMs, iamRate, inFlight);
            }
        }
    }

    static void seed(OrgSeeder org, int accounts, int ous) throws Exception {
        String root = org.rootId();
        int top = Math.max(1, ous / 10);
        List<String> leaves = new ArrayList<>();
        for (int t = 0; t < top; t++) {
            String parent = org.ouUnder(root, "Unit-" + t);
            for (int c = 0; c < ous / top; c++) {
                leaves.add(org.ouUnder(parent, "Team-" + t + "-" + c));
            }
        }
        String deny = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"kms:ScheduleKeyDeletion\","
                + "\"Resource\":\"*\"}]}";
        for (int p = 0; p < 5; p++) {
            org.scp("Guard-" + p, deny, leaves.get(p % leaves.size()));
        }
        org.rcp("OrgOnly", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":"
                + "{\"aws:PrincipalOrgID\":\"o-example\"}}}]}", root);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < accounts; i++) {
                int n = i;
                String ou = leaves.get(i % leaves.size());
                OrgSeeder.Account a = org.bareAccount(String.format(Locale.ROOT, "acct-%05d", i), ou);
                if (n % 10 == 0) {
                    done.add(pool.submit(() -> {
                        OrgSeeder.Key key = a.key("eu-west-1", "data");
                        a.instance("eu-west-1").tag("Name", "app").volume("/dev/xvda", key.arn()).launch();
                    }));
                }
                if (i % 100 == 99) {
                    System.err.printf(Locale.ROOT, "  %d accounts%n", i + 1);
                }
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void run(AwsProxy proxy, AwsQuotas quotas, int accounts, int ous, int latencyMs, double iamRate,
                    int inFlight) {
        java.util.Map<io.cmkaudit.config.RateLimit, Double> rates = new java.util.EnumMap<>(io.cmkaudit.config.RateLimit.class);
        rates.put(io.cmkaudit.config.RateLimit.IAM_READS, iamRate);
        ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", REGIONS, List.of(),
                List.of(), ScannerConfig.DEFAULTS.concurrency(), "HIGH", Path.of("out"), proxy.endpoint(), 120, false)
                .withRequestLimits(inFlight, rates);
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long t0 = System.nanoTime();
        Collector collector = new Collector(config, new CollectorOptions("bench", true, OrgSeeder.MANAGEMENT_CREDENTIALS));
        Snapshot s = collector.collect(ProgressListener.NONE);
        double secs = (System.nanoTime() - t0) / 1e9;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() / (1024 * 1024);
        long scanned = s.accounts().stream().filter(AccountSnapshot::fullyScanned).count();
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Map<String, Long> calls = s.run().apiCalls();
        long total = s.run().totalApiCalls();

        System.out.printf(Locale.ROOT, "## Measured: %d member accounts + management, %d OUs, 2 regions, through the "
                + "quota proxy (+%d ms per request), %d requests in flight, IAM reads at %s req/s%n%n", accounts, ous,
                latencyMs, inFlight, CollectProjection.fmt(iamRate));
        System.out.printf(Locale.ROOT, "| wall time | API calls | calls per account | throttling answers | accounts SCANNED "
                + "| peak heap | load |%n|---|---|---|---|---|---|---|%n");
        System.out.printf(Locale.ROOT, "| %.1f s | %d | %.1f | %d | %d of %d | %d MB | %.1f |%n%n", secs, total,
                (double) total / s.accounts().size(), quotas.throttledTotal(), scanned, s.accounts().size(), peak, load);
        System.out.println("| operation | calls | throttled |");
        System.out.println("|---|---|---|");
        Map<String, Long> thr = quotas.throttled();
        calls.forEach((op, n) -> System.out.printf(Locale.ROOT, "| %s | %d | %s |%n", op, n,
                thr.getOrDefault(op.substring(0, op.indexOf('.')).toLowerCase(Locale.ROOT) + op.substring(op.indexOf('.')), 0L)));
        System.out.println();
        System.out.println("Client-side token buckets (waits are the quota floors the collector kept to):");
        System.out.println();
        System.out.println("| quota row | attempts | waited | total wait | longest wait |");
        System.out.println("|---|---|---|---|---|");
        collector.rateLimitStats().forEach((row, v) -> System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.1f s | %.2f s |%n",
                row, v[0], v[1], v[2], v[3]));
        System.out.println();
        System.out.printf(Locale.ROOT, "## Projection to real AWS (%d requests in flight)%n%n", inFlight);
        System.out.println("| accounts | latency | IAM req/s | projected | binding bound |");
        System.out.println("|---|---|---|---|---|");
        int members = accounts + 1;
        for (int to : new int[] {members, 10_000}) {
            Map<String, Long> scaled = CollectProjection.scale(calls, members, to);
            for (double l : new double[] {0.05, 0.1}) {
                for (double iam : new double[] {5, 20, 50}) {
                    CollectProjection.Result r = CollectProjection.project(scaled, l, inFlight, 4, iam);
                    System.out.printf(Locale.ROOT, "| %,d | %.0f ms | %s | %.0f s (%.1f min) | %s |%n", to, l * 1000,
                            CollectProjection.fmt(iam), r.seconds(), r.seconds() / 60, r.binding());
                }
            }
        }
        if (scanned != s.accounts().size()) {
            System.err.println("NOT every account SCANNED: " + s.accounts().stream().filter(a -> !a.fullyScanned())
                    .limit(5).map(a -> a.accountId() + " " + a.coverage()).toList());
            System.exit(2);
        }
    }
}
