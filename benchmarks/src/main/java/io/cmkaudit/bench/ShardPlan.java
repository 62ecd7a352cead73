package io.cmkaudit.bench;

import io.cmkaudit.shard.Plan;
import io.cmkaudit.shard.PlanJson;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the plan of a synthetic organization's snapshot, for the sharded-report benchmark
 * ({@code scripts/bench-shards}): every account of the snapshot is an account to scan, the organization is the
 * snapshot's. The snapshot is read without the accounts' IAM ({@link SnapshotJson#readShard}), so a large one fits.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.cmkaudit.bench.ShardPlan SNAPSHOT PLAN}
 */
public final class ShardPlan {

    private ShardPlan() {
    }

    /**
     * @param args the snapshot file and the plan file to write
     * @throws Exception when a file cannot be read or written
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ShardPlan SNAPSHOT PLAN");
            System.exit(64);
        }
        Snapshot s;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(args[0])), 1 << 16)) {
            s = SnapshotJson.readShard(in, args[0], id -> false);
        }
        List<String> accounts = s.accounts().stream().map(AccountSnapshot::accountId).sorted().toList();
        String caller = s.run().callerAccountId() == null ? accounts.get(0) : s.run().callerAccountId();
        Plan plan = new Plan(Plan.PLAN_VERSION, "bench", s.run().startedAt(), s.run().finishedAt(), caller,
                s.run().callerArn(), s.organization(), accounts, List.of(), Map.of(), 1, Map.of());
        Files.write(Path.of(args[1]), PlanJson.toBytes(plan));
        System.out.println(accounts.size() + " accounts");
    }
}
