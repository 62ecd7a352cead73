package io.cmkaudit.shard;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.EbsSnapshot;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.ManagedPolicy;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.RunMetadata;
import io.cmkaudit.snapshot.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Combines the partial snapshots of a sharded run with their plan into the snapshot one {@code collect} of the whole
 * organization would have written.
 * <ul>
 *   <li>Every account of the plan's {@link Plan#accounts()} must be scanned by exactly one part. One that no part
 *       has gets a {@code global} coverage entry {@code ERROR NotCollected}; one that two parts have keeps the first
 *       part's data with its {@code global} entry replaced by {@code ERROR DuplicateAccount}: both are
 *       {@link Result#problems() problems} and make the coverage incomplete (exit bit 2), never a silent gap.</li>
 *   <li>Key-only sections (an account of another shard, or outside the organization, listed with the KMS keys this
 *       part's volumes use: {@code global} coverage {@code SKIPPED OtherShard} / {@code OutsideOrganization}) are
 *       folded into the account's own section: keys are joined by ARN and EBS snapshots by id per region, one read
 *       without error wins over one read with an error; the region's own data (instances, volumes, EBS defaults,
 *       launch sources) is kept as it is.</li>
 *   <li>The plan's not-scanned sections (suspended, not selected, outside the organization) are added as they are.</li>
 *   <li>AWS managed policies are joined by ARN; the run metadata spans the plan and every part (earliest start,
 *       latest finish, API calls added up) and names the plan's caller and the plan ({@link Plan#id()}).</li>
 * </ul>
 * Stateless; the inputs are not changed.
 */
public final class SnapshotMerger {

    /** Error code of the {@code global} coverage of a key-only section of another shard's account. */
    public static final String OTHER_SHARD = "OtherShard";
    /** Error code of a planned account that no part scanned. */
    public static final String NOT_COLLECTED = "NotCollected";
    /** Error code of an account that more than one part scanned. */
    public static final String DUPLICATE_ACCOUNT = "DuplicateAccount";

    private static final String OUTSIDE = "OutsideOrganization";

    /**
     * One partial snapshot.
     *
     * @param source   file name or S3 URL, used in messages; never null
     * @param snapshot the partial snapshot; never null
     */
    public record Part(String source, Snapshot snapshot) {
        public Part {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /**
     * @param snapshot the merged snapshot
     * @param problems one line per missing or duplicated account, in account order; empty when every planned
     *                 account was scanned exactly once
     */
    public record Result(Snapshot snapshot, List<String> problems) {
        public Result {
            problems = List.copyOf(problems);
        }
    }

    private SnapshotMerger() {
    }

    /**
     * @param plan  the plan the parts were collected from
     * @param parts the partial snapshots, in the order given on the command line
     * @return the merged snapshot and the coverage problems found
     * @throws IllegalArgumentException when there are no parts or a part is of another organization than the plan
     */
    public static Result merge(Plan plan, List<Part> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no partial snapshots to merge");
        }
        String orgId = plan.organization().id();
        for (Part p : parts) {
            String partOrg = p.snapshot().organization().id();
            if (orgId != null && !orgId.equals(partOrg)) {
                throw new IllegalArgumentException(p.source() + ": collected from organization " + partOrg
                        + ", but the plan is of organization " + orgId);
            }
        }
        Set<String> planned = new TreeSet<>(plan.accounts());
        Map<String, AccountSnapshot> planNotScanned = new TreeMap<>();
        plan.notScanned().forEach(a -> planNotScanned.put(a.accountId(), a));

        // own sections and key-only sections, in part order
        Map<String, List<Part>> ownedBy = new TreeMap<>();
        Map<String, AccountSnapshot> own = new TreeMap<>();
        Map<String, List<AccountSnapshot>> keyOnly = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Part p : parts) {
            for (AccountSnapshot a : p.snapshot().accounts()) {
                if (isKeyOnly(a)) {
                    keyOnly.computeIfAbsent(a.accountId(), k -> new ArrayList<>()).add(a);
                    continue;
                }
                ownedBy.computeIfAbsent(a.accountId(), k -> new ArrayList<>()).add(p);
                own.putIfAbsent(a.accountId(), a);
            }
        }

        Map<String, AccountSnapshot> accounts = new TreeMap<>(planNotScanned);
        for (String id : planned) {
            List<Part> by = ownedBy.getOrDefault(id, List.of());
            String name = plan.organization().account(id).map(io.cmkaudit.snapshot.OrgAccount::name).orElse(null);
            if (by.isEmpty()) {
                String msg = "account " + id + (name == null ? "" : " (" + name + ")") + " is ACTIVE in the plan but "
                        + "none of the " + parts.size() + " partial snapshots scanned it (a shard is missing or failed)";
                problems.add(msg);
                accounts.put(id, new AccountSnapshot(id, name, List.of(new Coverage(Coverage.GLOBAL,
                        CoverageStatus.ERROR, NOT_COLLECTED, msg)), null, List.of()));
            } else if (by.size() > 1) {
                String msg = "account " + id + (name == null ? "" : " (" + name + ")") + " was scanned by "
                        + by.size() + " partial snapshots (" + String.join(", ", by.stream().map(Part::source).toList())
                        + "): shards overlap; the first one's data is used";
                problems.add(msg);
                AccountSnapshot first = own.get(id);
                List<Coverage> cov = new ArrayList<>();
                cov.add(new Coverage(Coverage.GLOBAL, CoverageStatus.ERROR, DUPLICATE_ACCOUNT, msg));
                first.coverage().stream().filter(c -> !c.region().equals(Coverage.GLOBAL)).forEach(cov::add);
                accounts.put(id, new AccountSnapshot(id, first.name(), cov, first.iam(), first.regions()));
            } else {
                accounts.put(id, own.get(id));
            }
        }
        // sections scanned by a part although the plan did not list them (e.g. collect --accounts-file with an extra
        // id): kept, since the data is real, and reported
        for (Map.Entry<String, AccountSnapshot> e : own.entrySet()) {
            if (!planned.contains(e.getKey())) {
                problems.add("account " + e.getKey() + " is not among the plan's accounts to scan but "
                        + ownedBy.get(e.getKey()).get(0).source() + " scanned it; its data is kept");
                accounts.put(e.getKey(), e.getValue());
            }
        }
        // key-only sections fold into the account's section
        for (Map.Entry<String, List<AccountSnapshot>> e : keyOnly.entrySet()) {
            AccountSnapshot base = accounts.get(e.getKey());
            for (AccountSnapshot k : e.getValue()) {
                base = base == null ? k : withKeys(base, k);
            }
            accounts.put(e.getKey(), base);
        }

        Map<String, ManagedPolicy> awsPolicies = new TreeMap<>();
        Instant started = plan.startedAt();
        Instant finished = plan.finishedAt();
        Map<String, Long> calls = new TreeMap<>(plan.apiCalls());
        Set<String> regions = new TreeSet<>();
        for (Part p : parts) {
            p.snapshot().awsManagedPolicies().forEach(awsPolicies::putIfAbsent);
            RunMetadata r = p.snapshot().run();
            started = r.startedAt().isBefore(started) ? r.startedAt() : started;
            finished = r.finishedAt().isAfter(finished) ? r.finishedAt() : finished;
            r.apiCalls().forEach((k, v) -> calls.merge(k, v, Long::sum));
            regions.addAll(r.regions());
        }
        RunMetadata first = parts.get(0).snapshot().run();
        RunMetadata run = new RunMetadata(started, finished, first.scannerVersion(), plan.callerAccountId(),
                plan.callerArn(), first.roleName(), first.endpointUrl(), List.copyOf(regions), calls, plan.id());
        // IAM Identity Center: every part reads the same instance; keep the most complete copy (SCANNED, then PARTIAL,
        // then the rest), the first part's among equals
        io.cmkaudit.snapshot.IdentityCenter identityCenter = null;
        for (Part p : parts) {
            io.cmkaudit.snapshot.IdentityCenter ic = p.snapshot().identityCenter();
            if (ic != null && (identityCenter == null || rank(ic) < rank(identityCenter))) {
                identityCenter = ic;
            }
        }
        return new Result(new Snapshot(run, plan.organization(), List.copyOf(accounts.values()), awsPolicies,
                identityCenter), problems);
    }

    private static int rank(io.cmkaudit.snapshot.IdentityCenter ic) {
        return switch (ic.status()) {
            case SCANNED -> 0;
            case PARTIAL -> 1;
            case SKIPPED -> 2;
            default -> 3;
        };
    }

    /** Whether a section only carries KMS keys another account's volumes use (the account itself not scanned here). */
    static boolean isKeyOnly(AccountSnapshot a) {
        return a.coverage().size() == 1 && a.coverage().get(0).region().equals(Coverage.GLOBAL)
                && a.coverage().get(0).status() == CoverageStatus.SKIPPED
                && (OTHER_SHARD.equals(a.coverage().get(0).errorCode()) || OUTSIDE.equals(a.coverage().get(0).errorCode()));
    }

    /** The account section with the keys of a key-only section joined in, region by region, by key ARN. */
    private static AccountSnapshot withKeys(AccountSnapshot base, AccountSnapshot keys) {
        Map<String, RegionSnapshot> regions = new LinkedHashMap<>();
        base.regions().forEach(r -> regions.put(r.region(), r));
        List<Coverage> coverage = new ArrayList<>(base.coverage());
        for (RegionSnapshot kr : keys.regions()) {
            RegionSnapshot r = regions.get(kr.region());
            if (r == null) {
                regions.put(kr.region(), new RegionSnapshot(kr.region(), null, null, null, List.of(), List.of(),
                        kr.kmsKeys(), kr.ebsSnapshots(), null));
                continue;
            }
            Map<String, KmsKey> byArn = new TreeMap<>();
            r.kmsKeys().forEach(k -> byArn.put(k.arn(), k));
            for (KmsKey k : kr.kmsKeys()) {
                KmsKey had = byArn.get(k.arn());
                if (had == null || had.readError() != null && k.readError() == null) {
                    byArn.put(k.arn(), k);
                }
            }
            // EBS snapshots of AMIs another shard's launch sources use: joined by id, as keys are
            Map<String, EbsSnapshot> byId = new TreeMap<>();
            r.ebsSnapshots().forEach(x -> byId.put(x.snapshotId(), x));
            for (EbsSnapshot x : kr.ebsSnapshots()) {
                EbsSnapshot had = byId.get(x.snapshotId());
                if (had == null || had.readError() != null && x.readError() == null) {
                    byId.put(x.snapshotId(), x);
                }
            }
            // the owner's own region keeps its launch sources
            regions.put(kr.region(), new RegionSnapshot(r.region(), r.ebsEncryptionByDefault(), r.ebsDefaultKmsKeyId(),
                    r.ebsDefaultKmsKeyArn(), r.instances(), r.volumes(), List.copyOf(byArn.values()),
                    List.copyOf(byId.values()), r.launch()));
        }
        // a key that could not be read makes its region PARTIAL, as in a single collection
        Set<String> partialDone = new HashSet<>();
        for (RegionSnapshot kr : keys.regions()) {
            for (KmsKey k : kr.kmsKeys()) {
                if (k.readError() == null || !partialDone.add(kr.region())) {
                    continue;
                }
                for (int i = 0; i < coverage.size(); i++) {
                    Coverage c = coverage.get(i);
                    if (c.region().equals(kr.region()) && c.status() == CoverageStatus.SCANNED
                            && regions.get(kr.region()).kmsKeys().stream()
                                    .anyMatch(x -> x.arn().equals(k.arn()) && x.readError() != null)) {
                        coverage.set(i, new Coverage(c.region(), CoverageStatus.PARTIAL, k.readError().code(),
                                k.readError().message() + " (key " + k.arn() + ")"));
                    }
                }
            }
        }
        List<RegionSnapshot> sorted = new ArrayList<>(regions.values());
        sorted.sort(Comparator.comparing(RegionSnapshot::region));
        return new AccountSnapshot(base.accountId(), base.name() != null ? base.name() : keys.name(), coverage,
                base.iam(), sorted);
    }
}
