package io.cmkaudit.shard;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Organization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The plan of a sharded run, written by {@code cmk-audit plan} and read by {@code collect --plan}, {@code merge} and
 * the Step Functions map: the organization read once (tree, accounts, SCPs, RCPs), the accounts to scan (the items
 * the shards divide) and the sections of accounts reported without a scan. The format is documented in
 * {@code docs/snapshot-format.md} ("Plan files").
 *
 * @param planVersion     format version, {@link #PLAN_VERSION}
 * @param scannerVersion  cmk-audit version that wrote it; never null
 * @param startedAt       when reading the organization started (UTC); never null
 * @param finishedAt      when it finished (UTC); never null
 * @param callerAccountId account whose credentials read the organization; never null
 * @param callerArn       that principal's ARN; never null
 * @param organization    the organization; never null and readable
 * @param accounts        12-digit ids of the ACTIVE selected accounts to scan, sorted, unique
 * @param notScanned      sections of the accounts reported without a scan (not selected, suspended, outside the
 *                        organization), sorted by id
 * @param apiCalls        API calls the plan made, per {@code Service.Operation}
 * @param parallelShards  how many shards run at the same time (the Step Functions {@code MaxConcurrency}); each
 *                        shard's client-side rates are the per-caller quotas divided by it; at least 1
 * @param rateLimits      requests per second each shard may send per quota row (see {@code docs/PERFORMANCE.md},
 *                        "Quotas"), already divided by {@code parallelShards}; empty = the scanner's defaults
 */
public record Plan(int planVersion, String scannerVersion, Instant startedAt, Instant finishedAt,
                   String callerAccountId, String callerArn, Organization organization, List<String> accounts,
                   List<AccountSnapshot> notScanned, Map<String, Long> apiCalls, int parallelShards,
                   Map<String, Double> rateLimits, List<String> regions) {

    /** The plan format version this scanner writes and reads. */
    public static final int PLAN_VERSION = 1;

    public Plan {
        Objects.requireNonNull(scannerVersion, "scannerVersion");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(callerAccountId, "callerAccountId");
        Objects.requireNonNull(organization, "organization");
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        notScanned = notScanned == null ? List.of() : List.copyOf(notScanned);
        apiCalls = apiCalls == null ? Map.of() : new TreeMap<>(apiCalls);
        rateLimits = rateLimits == null ? Map.of() : new TreeMap<>(rateLimits);
        regions = regions == null ? null : List.copyOf(new java.util.TreeSet<>(regions));
        if (parallelShards < 1) {
            throw new IllegalArgumentException("parallelShards must be at least 1, got " + parallelShards);
        }
    }

    /**
     * A plan that does not record its regions (the format before {@code regions}).
     *
     * @param planVersion     as the canonical constructor
     * @param scannerVersion  as the canonical constructor
     * @param startedAt       as the canonical constructor
     * @param finishedAt      as the canonical constructor
     * @param callerAccountId as the canonical constructor
     * @param callerArn       as the canonical constructor
     * @param organization    as the canonical constructor
     * @param accounts        as the canonical constructor
     * @param notScanned      as the canonical constructor
     * @param apiCalls        as the canonical constructor
     * @param parallelShards  as the canonical constructor
     * @param rateLimits      as the canonical constructor
     */
    public Plan(int planVersion, String scannerVersion, Instant startedAt, Instant finishedAt,
                String callerAccountId, String callerArn, Organization organization, List<String> accounts,
                List<AccountSnapshot> notScanned, Map<String, Long> apiCalls, int parallelShards,
                Map<String, Double> rateLimits) {
        this(planVersion, scannerVersion, startedAt, finishedAt, callerAccountId, callerArn, organization, accounts,
                notScanned, apiCalls, parallelShards, rateLimits, null);
    }

    /**
     * The plan's id, which its partial snapshots, the merged snapshot and the findings parts carry so that
     * {@code merge}, {@code report --plan} and {@code merge-findings} refuse a file of another plan: the organization
     * id and the plan's {@code startedAt}, e.g. {@code o-abc123@2026-03-01T10:00:00Z}.
     *
     * @param organizationId the organization's id, or null
     * @param startedAt      the plan's start; never null
     * @return the id
     */
    public static String id(String organizationId, Instant startedAt) {
        return (organizationId == null ? "no-organization" : organizationId) + "@" + startedAt;
    }

    /** @return this plan's id, {@link #id(String, Instant)} of its organization and start */
    public String id() {
        return id(organization.id(), startedAt);
    }

    /**
     * The accounts of one shard: the plan's sorted account list dealt out round-robin, so shard {@code index} of
     * {@code count} gets positions {@code index-1}, {@code index-1+count}, ... Deterministic; every account is in
     * exactly one shard; shard sizes differ by at most one.
     *
     * @param index 1-based shard number, 1..count
     * @param count number of shards, at least 1
     * @return the shard's account ids, sorted
     * @throws IllegalArgumentException when {@code index} is not in 1..count
     */
    public List<String> shard(int index, int count) {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + ": expected 1 <= I <= N");
        }
        List<String> out = new ArrayList<>();
        for (int i = index - 1; i < accounts.size(); i += count) {
            out.add(accounts.get(i));
        }
        return out;
    }

    /**
     * Parses {@code I/N}.
     *
     * @param value e.g. {@code 3/10}
     * @return {@code {I, N}}
     * @throws IllegalArgumentException when it is not two positive whole numbers with I at most N
     */
    public static int[] parseShard(String value) {
        String v = value == null ? "" : value.trim();
        if (!v.matches("\\d{1,6}/\\d{1,6}")) {
            throw new IllegalArgumentException("expected I/N (e.g. 3/10), got `" + value + "`");
        }
        int i = Integer.parseInt(v.substring(0, v.indexOf('/')));
        int n = Integer.parseInt(v.substring(v.indexOf('/') + 1));
        if (n < 1 || i < 1 || i > n) {
            throw new IllegalArgumentException("expected 1 <= I <= N, got `" + value + "`");
        }
        return new int[] {i, n};
    }
}
