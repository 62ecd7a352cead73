package io.cmkaudit.collect;

import io.cmkaudit.collect.AccountReader.AccountScan;
import io.cmkaudit.collect.AccountReader.RawVolume;
import io.cmkaudit.collect.AccountReader.RegionScan;
import io.cmkaudit.collect.KeyReader.KeyRef;
import io.cmkaudit.collect.KeyReader.OwnerResult;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.EbsSnapshot;
import io.cmkaudit.snapshot.EbsVolume;
import io.cmkaudit.snapshot.IamSnapshot;
import io.cmkaudit.snapshot.IdentityCenter;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.LaunchBlockDevice;
import io.cmkaudit.snapshot.LaunchSources;
import io.cmkaudit.snapshot.LaunchTemplateVersion;
import io.cmkaudit.snapshot.MachineImage;
import io.cmkaudit.snapshot.ManagedPolicy;
import io.cmkaudit.snapshot.OrgAccount;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.ReadError;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.RunMetadata;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SpotFleetRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * Reads an AWS Organization into a {@link Snapshot}, read-only. The only class of the scanner that talks to AWS
 * (with the package-private readers it uses). A pipeline without phase barriers:
 * <ol>
 *   <li>{@code sts:GetCallerIdentity} with the scanner's own credentials (failure: {@link CollectException});</li>
 *   <li>the organization from the management account or a delegated administrator ({@link OrganizationReader}: the
 *       tree walk, with the policy reads alongside it); each ACTIVE selected account is handed on <em>as soon as the
 *       walk lists it</em>. When the organization can't be read, the accounts of {@code includeAccounts}, or else the
 *       scanner's own account, are scanned and the snapshot says so in {@link Organization#readError()};</li>
 *   <li>each account, {@link ScannerConfig#concurrency()} at a time: assume the audit role, read IAM and every region
 *       at the same time (EC2 instances, volumes, EBS defaults, launch sources: {@link LaunchReader}), then at once
 *       the KMS keys this account's volumes, defaults, launch templates and visible snapshots reference, each through
 *       its owner account's session ({@link KeyReader}: each key and each owner region's aliases read once per run);
 *       a key in an account outside the organization is recorded as unreadable;</li>
 *   <li>once every account is in: the EBS snapshots of AMIs shared with a launching account, in the owner's account
 *       ({@link SnapshotReader}, one call per owner region), their keys, and the keys of owners the walk had not yet
 *       listed when they were referenced;</li>
 *   <li>alongside all of it, IAM Identity Center with the scanner's own credentials ({@code IdentityCenterReader}).</li>
 * </ol>
 * Every attempt of every call draws from the run's shared client-side token buckets and one bound on the requests in
 * flight ({@link ScannerConfig#maxRequests()}: {@code RateLimiter}); {@code concurrency} bounds only the accounts in
 * progress (threads and memory), not the requests.
 * One failing account, region or call never stops the run: it becomes coverage. Minimum call counts per run, account,
 * region and key are documented in {@code docs/snapshot-format.md}.
 */
public final class Collector {

    private final ScannerConfig config;
    private final CollectorOptions options;
    private final Clock clock;

    /**
     * @param config  the effective configuration (role name, external id, regions, accounts, concurrency, endpoint,
     *                call timeout)
     * @param options SDK settings and the scanner's own credentials
     */
    public Collector(ScannerConfig config, CollectorOptions options) {
        this(config, options, Clock.systemUTC());
    }

    Collector(ScannerConfig config, CollectorOptions options, Clock clock) {
        this.config = config;
        this.options = options;
        this.clock = clock;
    }

    /**
     * Collects with {@link CollectorOptions#defaults(String)}: the entry point {@code collect} and {@code scan} use.
     *
     * @param config   effective configuration
     * @param version  scanner version for the run metadata
     * @param listener progress receiver ({@link ProgressListener#NONE} for none)
     * @return the snapshot
     * @throws CollectException when the scanner's own credentials don't work
     */
    public static Snapshot collect(ScannerConfig config, String version, ProgressListener listener) {
        return new Collector(config, CollectorOptions.defaults(version)).collect(listener);
    }

    /**
     * Runs the collection.
     *
     * @param listener progress receiver; never null
     * @return the snapshot, whatever coverage it reached
     * @throws CollectException when the scanner's own credentials are missing or rejected, or the endpoint does
     *                          not answer ({@code sts:GetCallerIdentity} fails)
     */
    public Snapshot collect(ProgressListener listener) {
        return collect(listener, null);
    }

    /**
     * Runs the collection of one shard: the organization comes from {@code scope} (a plan written earlier by
     * {@link #readOrganization()}), Organizations is not called, and only {@link CollectionScope#accountIds()} are
     * scanned. KMS keys that those accounts' volumes use in other accounts of the organization are still read (with
     * the owner's session) and written into a key-only section whose {@code global} coverage is
     * {@link CollectionScope#OTHER_SHARD}, so that merging the partial snapshots gives every key once.
     *
     * @param listener progress receiver; never null
     * @param scope    the shard to collect, or null for the whole organization (what {@code scan} does)
     * @return the snapshot (partial when {@code scope} is given)
     * @throws CollectException as {@link #collect(ProgressListener)}
     */
    public Snapshot collect(ProgressListener listener, CollectionScope scope) {
        Instant started = clock.instant();
        CallCounter counter = new CallCounter();
        AwsCredentialsProvider base = options.baseCredentials();
        AutoCloseable ownChain = null;
        if (base == null) {
            base = Credentials.provider(config.profile());
            ownChain = base instanceof AutoCloseable c ? c : null;
        }
        Region home = Credentials.homeRegion(config);
        ExecutorService pool = Executors.newFixedThreadPool(config.concurrency(), daemonThreads());
        ExecutorService inner = Executors.newCachedThreadPool(daemonThreads());
        RateLimiter limiter = rateLimiter();
        // IAM Identity Center is read on a thread of its own, alongside the accounts
        ExecutorService identityCenterThread = Executors.newSingleThreadExecutor(daemonThreads());
        try (AwsClients clients = new AwsClients(config.endpointUrl(), home,
                Duration.ofSeconds(config.callTimeoutSeconds()), Math.max(config.concurrency(), config.maxRequests()),
                options.sdkRetries(), counter, limiter);
             StsClient sts = clients.sts(base)) {
            GetCallerIdentityResponse me = callerIdentity(sts, clients, home);
            String partition = clients.partition();
            // IAM Identity Center is read with the scanner's own credentials, alongside the organization and the
            // accounts (in every shard of a sharded run too: merging keeps the most complete copy).
            Future<IdentityCenter> identityCenter = identityCenterThread.submit(
                    new IdentityCenterReader(clients, base, me.account(), partition, config.regions())::read);
            try (Sessions sessions = new Sessions(sts, base, me.account(), partition, config)) {
                Snapshot s = scope != null ? runShard(listener, clients, sessions, pool, inner, scope)
                        : runOrganization(listener, clients, sessions, pool, inner, base, me, started);
                IdentityCenter idc = awaitIdentityCenter(identityCenter, me.account());
                return new Snapshot(new RunMetadata(started, clock.instant(), options.scannerVersion(), me.account(),
                        me.arn(), config.roleName(), config.endpointUrl() == null ? null : config.endpointUrl().toString(),
                        config.regions().stream().sorted().toList(), counter.snapshot()),
                        s.organization(), s.accounts(), s.awsManagedPolicies(), idc);
            }
        } finally {
            pool.shutdownNow();
            inner.shutdownNow();
            lastRateStats = limiter.stats();
            identityCenterThread.shutdownNow();
            if (ownChain != null) {
                try {
                    ownChain.close();
                } catch (Exception e) {
                    // closing a credentials provider releases threads only
                }
            }
        }
    }

    /**
     * Reads who the scanner is and the organization (tree, accounts, SCPs, RCPs) without scanning any account: the
     * first step of a sharded run ({@code cmk-audit plan}). The accounts the configuration selects are split into
     * those to scan and those reported without scanning, exactly as {@link #collect(ProgressListener)} does.
     *
     * @return the organization and the selection
     * @throws CollectException when the scanner's own credentials don't work
     */
    public OrganizationPlan readOrganization() {
        Instant started = clock.instant();
        CallCounter counter = new CallCounter();
        AwsCredentialsProvider base = options.baseCredentials();
        AutoCloseable ownChain = null;
        if (base == null) {
            base = Credentials.provider(config.profile());
            ownChain = base instanceof AutoCloseable c ? c : null;
        }
        Region home = Credentials.homeRegion(config);
        try (AwsClients clients = new AwsClients(config.endpointUrl(), home,
                Duration.ofSeconds(config.callTimeoutSeconds()), config.concurrency(), options.sdkRetries(), counter,
                rateLimiter());
             StsClient sts = clients.sts(base)) {
            GetCallerIdentityResponse me = callerIdentity(sts, clients, home);
            Organization org;
            try (OrganizationsClient orgs = clients.organizations(base)) {
                org = new OrganizationReader(orgs, options.retryBudget()).read(me.account());
            }
            Selection sel = select(org, me.account());
            return new OrganizationPlan(started, clock.instant(), options.scannerVersion(), me.account(), me.arn(),
                    org, sel.toScan().stream().map(OrgAccount::id).toList(), List.copyOf(sel.notScanned().values()),
                    counter.snapshot());
        } finally {
            if (ownChain != null) {
                try {
                    ownChain.close();
                } catch (Exception e) {
                    // closing a credentials provider releases threads only
                }
            }
        }
    }

    private volatile Map<String, RateLimiter.RowStats> lastRateStats = Map.of();

    private RateLimiter rateLimiter() {
        Map<io.cmkaudit.config.RateLimit, Double> rates = new java.util.EnumMap<>(io.cmkaudit.config.RateLimit.class);
        for (io.cmkaudit.config.RateLimit row : io.cmkaudit.config.RateLimit.values()) {
            rates.put(row, config.rate(row));
        }
        return new RateLimiter(rates, config.maxRequests());
    }

    /**
     * What the client-side rate limits did in the last {@link #collect} of this collector: per quota row
     * ({@link io.cmkaudit.config.RateLimit#key()}) the attempts, how many waited for a token and for how long.
     *
     * @return row key → {attempts, waits, seconds waited in all, longest wait in seconds}; empty before a run
     */
    public Map<String, double[]> rateLimitStats() {
        Map<String, double[]> out = new TreeMap<>();
        lastRateStats.forEach((k, v) -> out.put(k, new double[] {v.attempts(), v.waits(), v.waitedSeconds(),
                v.maxWaitSeconds()}));
        return out;
    }

    /**
     * {@code sts:GetCallerIdentity} in the home region; its partition must be the home region's and every
     * {@code --regions} entry's, and becomes the partition of the IAM and Organizations clients.
     */
    private GetCallerIdentityResponse callerIdentity(StsClient sts, AwsClients clients, Region home) {
        GetCallerIdentityResponse me;
        try {
            me = options.retryBudget().run(sts::getCallerIdentity);
        } catch (SdkException e) {
            AwsFailure f = AwsFailure.of("STS.GetCallerIdentity", e);
            if (f.transientFailure() && !isNetworkFailure(e)) {
                throw new CollectException("AWS STS is throttling or failing (" + f.code() + ") beyond "
                        + options.retryBudget().attempts() + " attempts: " + f.message() + "; run again later", e,
                        true);
            }
            if (isNetworkFailure(e) && fromSsoPortal(e)) {
                // an IAM Identity Center profile: the SDK's SSO provider calls the portal
                // (portal.sso.REGION.amazonaws.com, GetRoleCredentials) before STS is reached
                String profile = config.profile() != null ? config.profile() : System.getenv("AWS_PROFILE");
                throw new CollectException("cannot get the credentials of IAM Identity Center profile "
                        + (profile == null ? "(default)" : profile) + " from the IAM Identity Center portal: "
                        + Credentials.wholeMessage(e) + "; the scanner needs to reach the portal of the profile's "
                        + "sso_region (portal.sso.REGION.amazonaws.com): check the network and proxy settings, "
                        + "then run again", e, true);
            }
            if (isNetworkFailure(e)) {
                // a network failure on AWS's own endpoint is temporary (exit 75: run again later); on an
                // --endpoint-url it more likely is a wrong URL (exit 64)
                throw new CollectException("cannot reach AWS STS in " + home.id()
                        + (config.endpointUrl() == null ? "" : " at " + config.endpointUrl()) + ": "
                        + f.message() + (config.endpointUrl() == null
                        ? "; check the network and proxy settings, then run again"
                        : "; check --endpoint-url, the network and proxy settings"), e,
                        config.endpointUrl() == null);
            }
            throw new CollectException(Credentials.explain(e, f, config, home), e);
        }
        String partition = me.arn().split(":", 3)[1];
        String homePartition = Partitions.ofRegion(home.id());
        if (!partition.equals(homePartition)) {
            throw new CollectException("the scanner's credentials (" + me.arn() + ") are in partition " + partition
                    + " but the home region " + home.id() + " is in " + homePartition + "; set --region to a "
                    + "region of " + partition);
        }
        for (String r : config.regions()) {
            if (!Partitions.ofRegion(r).equals(partition)) {
                throw new CollectException("--regions: " + r + " is not in partition " + partition + " of the "
                        + "scanner's credentials (" + me.arn() + ")");
            }
        }
        clients.partition(partition);
        return me;
    }

    /** Which accounts are scanned and which are reported without a scan (sorted by id). */
    private record Selection(Map<String, OrgAccount> known, List<OrgAccount> toScan,
                             Map<String, AccountSnapshot> notScanned) {
    }

    private Selection select(Organization org, String callerAccountId) {
        Map<String, OrgAccount> known = new TreeMap<>();
        org.accounts().forEach(a -> known.put(a.id(), a));
        if (!org.readable()) {
            for (String id : config.includeAccounts()) {
                known.putIfAbsent(id, new OrgAccount(id, null, null, "ACTIVE", null, null));
            }
            if (!config.includeAccounts().isEmpty() && !config.includeAccounts().contains(callerAccountId)) {
                known.remove(callerAccountId);
            }
        }
        Map<String, AccountSnapshot> notScanned = new TreeMap<>();
        List<OrgAccount> toScan = new ArrayList<>();
        for (OrgAccount a : known.values()) {
            boolean active = "ACTIVE".equals(a.status());
            if (!config.accountSelected(a.id())) {
                notScanned.put(a.id(), new AccountSnapshot(a.id(), a.name(), List.of(new Coverage(Coverage.GLOBAL,
                        CoverageStatus.SKIPPED, "NotSelected", "excluded by --accounts / --exclude-accounts")),
                        IamSnapshot.EMPTY, List.of()));
            } else if (!active) {
                notScanned.put(a.id(), new AccountSnapshot(a.id(), a.name(), List.of(new Coverage(Coverage.GLOBAL,
                        CoverageStatus.SUSPENDED, null, "account status is " + a.status())), IamSnapshot.EMPTY, List.of()));
            } else {
                toScan.add(a);
            }
        }
        if (org.readable()) {
            for (String id : config.includeAccounts()) {
                if (!known.containsKey(id)) {
                    notScanned.put(id, new AccountSnapshot(id, null, List.of(new Coverage(Coverage.GLOBAL,
                            CoverageStatus.SKIPPED, "OutsideOrganization", "account " + id + " is not in organization "
                            + org.id())), IamSnapshot.EMPTY, List.of()));
                }
            }
        }
        return new Selection(known, toScan, notScanned);
    }

    /**
     * The collection of one run as a pipeline without phase barriers: each account is scanned as soon as it is
     * known (while the Organizations walk goes on), and the KMS keys its volumes, EBS defaults, launch sources and
     * visible snapshots reference are read right after its scan, on the same account slot ({@link KeyReader} reads
     * each key and each owner region's aliases once per run). What must wait is only what needs the whole picture:
     * keys of owners the walk has not listed yet (whether they are in the organization decides how they are read),
     * and the EBS snapshots of AMIs shared with a launching account, grouped per owner and region across accounts.
     */
    private final class Pipeline {
        final ProgressListener listener;
        final ExecutorService pool;
        final ExecutorService inner;
        final AccountReader reader;
        final KeyReader keys;
        final AwsClients clients;
        final Sessions sessions;
        final ConcurrentHashMap<String, ManagedPolicy> awsPolicies = new ConcurrentHashMap<>();
        final Map<String, OrgAccount> known = new ConcurrentHashMap<>();
        final Map<String, OrgAccount> started = new ConcurrentHashMap<>();
        final Map<String, Future<AccountScan>> futures = new ConcurrentHashMap<>();
        final Map<String, List<OwnerResult>> keyParts = new ConcurrentHashMap<>();
        final java.util.Queue<Map.Entry<String, KeyRef>> deferredKeys = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final AtomicInteger done = new AtomicInteger();
        /** The organization once known (null while the walk runs); {@link #known} is complete when it is set. */
        volatile Organization org;

        Pipeline(ProgressListener listener, AwsClients clients, Sessions sessions, ExecutorService pool,
                 ExecutorService inner) {
            this.listener = listener;
            this.clients = clients;
            this.sessions = sessions;
            this.pool = pool;
            this.inner = inner;
            this.reader = new AccountReader(clients, config.regions(), awsPolicies, ConcurrentHashMap.newKeySet(), inner);
            this.keys = new KeyReader(clients, sessions, this::gate);
        }

        private ReadError gate(String owner) {
            Organization o = org;
            return keyGate(owner, known, o);
        }

        /** The walk listed an account: scan it now when the configuration selects it and it is ACTIVE. */
        void listed(OrgAccount a) {
            known.putIfAbsent(a.id(), a);
            if (config.accountSelected(a.id()) && "ACTIVE".equals(a.status())) {
                start(a);
            }
        }

        /** The organization is known: every account of it is in {@link #known}. */
        void organizationKnown(Organization o, Map<String, OrgAccount> all) {
            known.putAll(all);
            org = o;
        }

        void start(OrgAccount a) {
            if (started.putIfAbsent(a.id(), a) != null) {
                return;
            }
            futures.put(a.id(), pool.submit(() -> scanThenKeys(a)));
        }

        private AccountScan scanThenKeys(OrgAccount a) {
            listener.accountStarted(a.id(), a.name());
            AccountScan scan;
            try {
                scan = scanAccount(reader, sessions, a);
            } catch (RuntimeException ex) {
                scan = new AccountScan(a.id(), a.name(), new Coverage(Coverage.GLOBAL, CoverageStatus.ERROR,
                        "InternalError", "internal error while reading the account: "
                        + AwsFailure.oneLine(String.valueOf(ex))), IamSnapshot.EMPTY, List.of());
            }
            List<Coverage> cov = new ArrayList<>();
            cov.add(scan.global());
            scan.regions().forEach(r -> cov.add(r.coverage()));
            listener.accountFinished(a.id(), a.name(), cov, done.incrementAndGet(), started.size());
            readKeys(directKeyRefs(scan), true);
            return scan;
        }

        /** Reads the keys of each owner; with {@code deferUnknown}, owners the walk has not listed yet wait. */
        void readKeys(Map<String, Set<KeyRef>> refsByOwner, boolean deferUnknown) {
            refsByOwner.forEach((owner, refs) -> {
                if (deferUnknown && org == null && !known.containsKey(owner)) {
                    refs.forEach(r -> deferredKeys.add(Map.entry(owner, r)));
                    return;
                }
                OwnerResult result;
                try {
                    result = keys.read(owner, refs);
                } catch (RuntimeException ex) {
                    result = new OwnerResult(Map.of(), Map.of(), Map.of());
                }
                keyParts.computeIfAbsent(owner, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(result);
            });
        }

        /** Cancels every scan (when the walk ended without the organization and the selection changes). */
        void abandon() {
            futures.values().forEach(f -> f.cancel(true));
        }
    }

    /** Key references of one account's volumes, used EBS defaults, launch sources and visible snapshots. */
    private static Map<String, Set<KeyRef>> directKeyRefs(AccountScan scan) {
        Map<String, Set<KeyRef>> refsByOwner = new TreeMap<>();
        for (RegionScan r : scan.regions()) {
            for (RawVolume v : r.volumes()) {
                if (v.kmsKeyId() != null) {
                    KeyRef ref = KeyRef.parse(v.kmsKeyId(), scan.accountId(), r.region());
                    refsByOwner.computeIfAbsent(ref.ownerAccountId(), k -> new HashSet<>()).add(ref);
                }
            }
            // The default key matters when encryption by default is on, or when a launch source of the region
            // may ask for encryption without naming a key.
            if (r.ebsDefaultKmsKeyId() != null
                    && (Boolean.TRUE.equals(r.ebsEncryptionByDefault()) || r.launch().hasSources())) {
                KeyRef ref = KeyRef.parse(r.ebsDefaultKmsKeyId(), scan.accountId(), r.region());
                refsByOwner.computeIfAbsent(ref.ownerAccountId(), k -> new HashSet<>()).add(ref);
            }
            for (String raw : launchKeyIds(r.launch())) {
                KeyRef ref = KeyRef.parse(raw, scan.accountId(), r.region());
                refsByOwner.computeIfAbsent(ref.ownerAccountId(), k -> new HashSet<>()).add(ref);
            }
            for (EbsSnapshot s : r.snapshots()) {
                if (s.kmsKeyId() != null) {
                    KeyRef ref = KeyRef.parse(s.kmsKeyId(), s.ownerId(), s.region());
                    refsByOwner.computeIfAbsent(ref.ownerAccountId(), k -> new HashSet<>()).add(ref);
                }
            }
        }
        return refsByOwner;
    }

    /**
     * Collects the whole organization: the walk hands each account to the pipeline as soon as it is listed, so
     * accounts are scanned (and their keys read) while Organizations is still being walked.
     */
    private Snapshot runOrganization(ProgressListener listener, AwsClients clients, Sessions sessions,
                                     ExecutorService pool, ExecutorService inner, AwsCredentialsProvider base,
                                     GetCallerIdentityResponse me, Instant started) {
        Pipeline p = new Pipeline(listener, clients, sessions, pool, inner);
        Organization org;
        try (OrganizationsClient orgs = clients.organizations(base)) {
            org = new OrganizationReader(orgs, options.retryBudget(), inner).read(me.account(), p::listed);
        } catch (RuntimeException e) {
            p.abandon();
            throw e;
        }
        Selection sel = select(org, me.account());
        if (!org.readable() && !p.started.isEmpty()) {
            // The walk listed accounts, then ended without the organization: what to scan is decided again.
            p.abandon();
            p = new Pipeline(listener, clients, sessions, pool, inner);
        }
        p.organizationKnown(org, sel.known());
        for (OrgAccount a : sel.toScan()) {
            p.start(a);
        }
        listener.organizationRead(org.id(), sel.toScan().size(), org.readable() ? null : org.readError().message());
        return finish(p, org, sel.known(), sel.toScan(), sel.notScanned(), null);
    }

    /** Collects one shard: the organization comes from the plan. */
    private Snapshot runShard(ProgressListener listener, AwsClients clients, Sessions sessions, ExecutorService pool,
                              ExecutorService inner, CollectionScope scope) {
        Organization org = scope.organization();
        Map<String, OrgAccount> known = new TreeMap<>();
        org.accounts().forEach(a -> known.put(a.id(), a));
        List<OrgAccount> toScan = new ArrayList<>();
        for (String id : new TreeSet<>(scope.accountIds())) {
            OrgAccount a = known.get(id);
            toScan.add(a != null ? a : new OrgAccount(id, null, null, "ACTIVE", null, null));
        }
        Pipeline p = new Pipeline(listener, clients, sessions, pool, inner);
        p.organizationKnown(org, known);
        listener.organizationRead(org.id(), toScan.size(), org.readable() ? null : org.readError().message());
        toScan.forEach(p::start);
        return finish(p, org, known, toScan, new TreeMap<>(), scope);
    }

    private Snapshot finish(Pipeline p, Organization org, Map<String, OrgAccount> known, List<OrgAccount> toScan,
                            Map<String, AccountSnapshot> notScanned, CollectionScope scope) {
        ExecutorService pool = p.pool;
        ConcurrentHashMap<String, ManagedPolicy> awsPolicies = p.awsPolicies;
        Instant started = clock.instant();
        Map<String, AccountScan> scans = new TreeMap<>();
        for (OrgAccount a : toScan) {
            scans.put(a.id(), await(p.futures.get(a.id()), a.id(), a.name()));
        }

        // After every scan: EBS snapshots of AMIs shared with a launching account, read in the owner's account
        // (one call per owner region for all accounts that launch its AMIs).
        Map<String, EbsSnapshot> snapshots = new TreeMap<>();
        Map<String, Map<String, Set<String>>> snapshotRefs = new TreeMap<>();
        for (AccountScan scan : scans.values()) {
            for (RegionScan r : scan.regions()) {
                Set<String> visible = new HashSet<>();
                for (EbsSnapshot s : r.snapshots()) {
                    visible.add(s.snapshotId());
                    snapshots.putIfAbsent(snapshotKey(s), s);
                }
                for (MachineImage image : r.launch().images()) {
                    if (image.ownerId().equals(scan.accountId())) {
                        continue;
                    }
                    for (LaunchBlockDevice m : image.blockDeviceMappings()) {
                        if (m.snapshotId() != null && !Boolean.FALSE.equals(m.encrypted())
                                && !visible.contains(m.snapshotId())) {
                            snapshotRefs.computeIfAbsent(image.ownerId(), k -> new TreeMap<>())
                                    .computeIfAbsent(r.region(), k -> new TreeSet<>()).add(m.snapshotId());
                        }
                    }
                }
            }
        }
        SnapshotReader snapshotReader = new SnapshotReader(p.clients, p.sessions, owner -> keyGate(owner, known, org));
        Map<String, Future<SnapshotReader.OwnerResult>> snapshotFutures = new TreeMap<>();
        snapshotRefs.forEach((owner, ids) -> snapshotFutures.put(owner, pool.submit(() -> snapshotReader.read(owner, ids))));
        Map<String, Map<String, AwsFailure>> snapshotFailures = new TreeMap<>();
        for (Map.Entry<String, Future<SnapshotReader.OwnerResult>> e : snapshotFutures.entrySet()) {
            try {
                SnapshotReader.OwnerResult result = e.getValue().get();
                result.snapshots().forEach(s -> snapshots.putIfAbsent(snapshotKey(s), s));
                if (!result.regionFailure().isEmpty()) {
                    snapshotFailures.put(e.getKey(), result.regionFailure());
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new CollectException("interrupted while reading EBS snapshots", ex);
            } catch (ExecutionException ex) {
                AwsFailure f = AwsFailure.of("EC2.DescribeSnapshots", ex.getCause());
                snapshotRefs.get(e.getKey()).forEach((region, ids) -> ids.forEach(id -> {
                    EbsSnapshot s = new EbsSnapshot(id, e.getKey(), region, null, null, null,
                            new ReadError(f.operation(), f.code(), f.message()));
                    snapshots.putIfAbsent(snapshotKey(s), s);
                }));
            }
        }

        // The keys that had to wait: those of the snapshots just read, and of owners not listed when their
        // referencing account was scanned. Keys already read are not read again.
        Map<String, Set<KeyRef>> late = new TreeMap<>();
        for (EbsSnapshot s : snapshots.values()) {
            if (s.kmsKeyId() != null) {
                KeyRef ref = KeyRef.parse(s.kmsKeyId(), s.ownerId(), s.region());
                late.computeIfAbsent(ref.ownerAccountId(), k -> new HashSet<>()).add(ref);
            }
        }
        for (Map.Entry<String, KeyRef> e : p.deferredKeys) {
            late.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add(e.getValue());
        }
        if (!p.deferredKeys.isEmpty()) {
            p.listener.readingKeys(p.deferredKeys.size());
        }
        List<Future<?>> lateReads = new ArrayList<>();
        late.forEach((owner, refs) -> lateReads.add(pool.submit(() -> p.readKeys(Map.of(owner, refs), false))));
        for (Future<?> f : lateReads) {
            try {
                f.get();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new CollectException("interrupted while reading KMS keys", ex);
            } catch (ExecutionException ex) {
                // readKeys records every failure as coverage; nothing else can fail here
            }
        }
        Map<KeyRef, String> resolved = new ConcurrentHashMap<>();
        Map<String, OwnerResult> owners = new TreeMap<>();
        p.keyParts.forEach((owner, parts) -> {
            OwnerResult result;
            synchronized (parts) {
                result = KeyReader.merge(parts);
            }
            owners.put(owner, result);
            result.resolved().forEach((k, v) -> {
                if (v != null) {
                    resolved.put(k, v);
                }
            });
        });
        // Snapshots by owner and region, their key ARNs resolved.
        Map<String, Map<String, List<EbsSnapshot>>> snapshotsByOwner = new TreeMap<>();
        for (EbsSnapshot s : snapshots.values()) {
            String arn = s.kmsKeyId() == null ? null : resolved.get(KeyRef.parse(s.kmsKeyId(), s.ownerId(), s.region()));
            snapshotsByOwner.computeIfAbsent(s.ownerId(), k -> new TreeMap<>())
                    .computeIfAbsent(s.region(), k -> new ArrayList<>())
                    .add(new EbsSnapshot(s.snapshotId(), s.ownerId(), s.region(), s.encrypted(), s.kmsKeyId(), arn,
                            s.readError()));
        }

        // Assemble accounts.
        Map<String, AccountSnapshot> accounts = new TreeMap<>(notScanned);
        for (AccountScan scan : scans.values()) {
            OwnerResult own = owners.get(scan.accountId());
            List<Coverage> coverage = new ArrayList<>();
            coverage.add(scan.global());
            List<RegionSnapshot> regions = new ArrayList<>();
            Set<String> regionNames = new TreeSet<>();
            for (RegionScan r : scan.regions()) {
                regionNames.add(r.region());
                Coverage c = r.coverage();
                AwsFailure kf = own == null ? null : own.regionFailure().get(r.region());
                if (kf != null && c.status() == CoverageStatus.SCANNED) {
                    c = new Coverage(r.region(), CoverageStatus.PARTIAL, kf.code(), kf.message());
                }
                coverage.add(c);
                coverage.addAll(r.launchCoverage());
                AwsFailure sf = snapshotFailures.getOrDefault(scan.accountId(), Map.of()).get(r.region());
                if (sf != null) {
                    coverage.add(new Coverage(r.region() + "/" + sf.operation(), CoverageStatus.PARTIAL, sf.code(), sf.message()
                            + " (snapshots of AMIs this account shares)"));
                }
                List<EbsVolume> volumes = r.volumes().stream().map(v -> new EbsVolume(v.volumeId(), v.encrypted(),
                        v.kmsKeyId(), v.kmsKeyId() == null ? null
                                : resolved.get(KeyRef.parse(v.kmsKeyId(), scan.accountId(), r.region())),
                        v.state(), v.attachments())).toList();
                String defaultArn = r.ebsDefaultKmsKeyId() == null ? null
                        : resolved.get(KeyRef.parse(r.ebsDefaultKmsKeyId(), scan.accountId(), r.region()));
                List<KmsKey> regionKeys = own == null ? List.of() : own.keysByRegion().getOrDefault(r.region(), List.of());
                List<EbsSnapshot> regionSnapshots = snapshotsByOwner.getOrDefault(scan.accountId(), Map.of())
                        .getOrDefault(r.region(), List.of());
                boolean read = c.status() == CoverageStatus.SCANNED || c.status() == CoverageStatus.PARTIAL;
                if (read || !regionKeys.isEmpty() || !regionSnapshots.isEmpty()) {
                    String account = scan.accountId();
                    regions.add(new RegionSnapshot(r.region(), r.ebsEncryptionByDefault(), r.ebsDefaultKmsKeyId(),
                            defaultArn, r.instances(), volumes, regionKeys, regionSnapshots,
                            resolveKeys(r.launch(), raw -> resolved.get(KeyRef.parse(raw, account, r.region())))));
                }
            }
            Set<String> extra = new TreeSet<>();
            if (own != null) {
                extra.addAll(own.keysByRegion().keySet());
            }
            extra.addAll(snapshotsByOwner.getOrDefault(scan.accountId(), Map.of()).keySet());
            extra.removeAll(regionNames);
            for (String region : extra) {
                regions.add(new RegionSnapshot(region, null, null, null, List.of(), List.of(),
                        own == null ? List.of() : own.keysByRegion().getOrDefault(region, List.of()),
                        snapshotsByOwner.getOrDefault(scan.accountId(), Map.of()).getOrDefault(region, List.of()),
                        null));
            }
            regions.sort(Comparator.comparing(RegionSnapshot::region));
            accounts.put(scan.accountId(), new AccountSnapshot(scan.accountId(), scan.name(), coverage, scan.iam(), regions));
        }
        // Owners of referenced keys or snapshots that were not scanned: these go to their own section.
        Set<String> unscannedOwners = new TreeSet<>(owners.keySet());
        unscannedOwners.addAll(snapshotsByOwner.keySet());
        unscannedOwners.removeAll(scans.keySet());
        for (String owner : unscannedOwners) {
            OwnerResult keysOfOwner = owners.get(owner);
            Map<String, List<KmsKey>> keysByRegion = keysOfOwner == null ? Map.of() : keysOfOwner.keysByRegion();
            Map<String, List<EbsSnapshot>> snapsByRegion = snapshotsByOwner.getOrDefault(owner, Map.of());
            Set<String> regionNames = new TreeSet<>(keysByRegion.keySet());
            regionNames.addAll(snapsByRegion.keySet());
            List<RegionSnapshot> regions = new ArrayList<>();
            for (String region : regionNames) {
                regions.add(new RegionSnapshot(region, null, null, null, List.of(), List.of(),
                        keysByRegion.getOrDefault(region, List.of()), snapsByRegion.getOrDefault(region, List.of()),
                        null));
            }
            AccountSnapshot existing = accounts.get(owner);
            if (existing == null && scope != null && known.containsKey(owner)) {
                OrgAccount oa = known.get(owner);
                accounts.put(owner, new AccountSnapshot(owner, oa.name(), List.of(new Coverage(Coverage.GLOBAL,
                        CoverageStatus.SKIPPED, CollectionScope.OTHER_SHARD, "account " + owner + " is not in this "
                        + "shard; only its KMS keys referenced by this shard's volumes are listed")),
                        IamSnapshot.EMPTY, regions));
            } else if (existing != null) {
                accounts.put(owner, new AccountSnapshot(owner, existing.name(), existing.coverage(), existing.iam(), regions));
            } else {
                accounts.put(owner, new AccountSnapshot(owner, null, List.of(new Coverage(Coverage.GLOBAL,
                        CoverageStatus.SKIPPED, "OutsideOrganization", "account " + owner
                        + " is not in the organization; only its KMS keys and EBS snapshots that scanned accounts use "
                        + "are listed")),
                        IamSnapshot.EMPTY, regions));
            }
        }
        return new Snapshot(new RunMetadata(started, started, options.scannerVersion(), null, null, null, null,
                List.of(), Map.of()), org, List.copyOf(accounts.values()), awsPolicies);
    }

    private static String snapshotKey(EbsSnapshot s) {
        return s.ownerId() + "|" + s.region() + "|" + s.snapshotId();
    }

    /** Key references (as given) of the launch sources' block device mappings. */
    private static Set<String> launchKeyIds(LaunchSources launch) {
        Set<String> out = new TreeSet<>();
        launch.launchTemplateVersions().forEach(v -> v.blockDeviceMappings().forEach(m -> {
            if (m.kmsKeyId() != null) {
                out.add(m.kmsKeyId());
            }
        }));
        launch.spotFleetRequests().forEach(f -> f.launchSpecifications().forEach(spec ->
                spec.blockDeviceMappings().forEach(m -> {
                    if (m.kmsKeyId() != null) {
                        out.add(m.kmsKeyId());
                    }
                })));
        return out;
    }

    /** The launch sources with each mapping's {@code kmsKeyArn} filled from the key phase. */
    private static LaunchSources resolveKeys(LaunchSources launch, java.util.function.Function<String, String> arnOf) {
        java.util.function.Function<List<LaunchBlockDevice>, List<LaunchBlockDevice>> fill = list -> list.stream()
                .map(m -> m.kmsKeyId() == null ? m : new LaunchBlockDevice(m.deviceName(), m.ebs(), m.noDevice(),
                        m.encrypted(), m.kmsKeyId(), arnOf.apply(m.kmsKeyId()), m.snapshotId()))
                .toList();
        List<LaunchTemplateVersion> versions = launch.launchTemplateVersions().stream()
                .map(v -> new LaunchTemplateVersion(v.launchTemplateId(), v.launchTemplateName(), v.versionNumber(),
                        v.defaultVersion(), v.latestVersion(), v.imageId(), v.marketType(),
                        fill.apply(v.blockDeviceMappings())))
                .toList();
        List<SpotFleetRequest> spot = launch.spotFleetRequests().stream()
                .map(f -> new SpotFleetRequest(f.spotFleetRequestId(), f.state(), f.iamFleetRole(),
                        f.launchTemplateConfigs(), f.launchSpecifications().stream()
                        .map(x -> new SpotFleetRequest.LaunchSpecification(x.imageId(), x.instanceType(),
                                fill.apply(x.blockDeviceMappings()))).toList()))
                .toList();
        return new LaunchSources(launch.autoScalingGroups(), launch.scalingActivities(), launch.launchConfigurations(),
                versions, launch.images(), launch.eksNodeGroups(), launch.ec2Fleets(), spot);
    }

    private ReadError keyGate(String owner, Map<String, OrgAccount> known, Organization org) {
        OrgAccount a = known.get(owner);
        if (a == null) {
            return new ReadError("none", "OutsideOrganization", "account " + owner + " is not in the organization"
                    + (org.readable() ? "" : " (the organization could not be read)") + ": its key can't be read");
        }
        if (!"ACTIVE".equals(a.status())) {
            return new ReadError("none", "AccountSuspended", "account " + owner + " is " + a.status());
        }
        return null;
    }

    private AccountScan scanAccount(AccountReader reader, Sessions sessions, OrgAccount a) {
        Sessions.Session s = sessions.session(a.id());
        if (!s.ok()) {
            AwsFailure f = s.failure();
            CoverageStatus status = f.denied() ? CoverageStatus.ASSUME_ROLE_DENIED : CoverageStatus.ERROR;
            List<RegionScan> regions = config.regions().stream().sorted()
                    .map(r -> new RegionScan(r, new Coverage(r, status, f.code(), f.message()), null, null, List.of(), List.of()))
                    .toList();
            return new AccountScan(a.id(), a.name(), new Coverage(Coverage.GLOBAL, status, f.code(), f.message()),
                    IamSnapshot.EMPTY, regions);
        }
        return reader.read(a.id(), a.name(), s.credentials());
    }

    private static IdentityCenter awaitIdentityCenter(Future<IdentityCenter> f, String accountId) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectException("interrupted while reading IAM Identity Center", e);
        } catch (ExecutionException e) {
            return new IdentityCenter(accountId, null, CoverageStatus.ERROR, List.of(new ReadError("collect",
                    "InternalError", "internal error while reading IAM Identity Center: "
                    + AwsFailure.oneLine(String.valueOf(e.getCause())))), List.of());
        }
    }

    private AccountScan await(Future<AccountScan> f, String accountId, String name) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectException("interrupted while reading account " + accountId, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            AwsFailure fail = AwsFailure.of("collect", c);
            return new AccountScan(accountId, name, new Coverage(Coverage.GLOBAL, CoverageStatus.ERROR,
                    fail.code(), "internal error while reading the account: " + AwsFailure.oneLine(String.valueOf(c))),
                    IamSnapshot.EMPTY, List.of());
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "cmk-audit-collect-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Whether the call failed before any AWS answer: refused or timed-out connection, unknown host. */
    /**
     * Whether a failure was raised while the SDK's IAM Identity Center (SSO) credentials provider called the portal
     * ({@code GetRoleCredentials} on portal.sso.REGION.amazonaws.com, before any call of the scanner): a frame of the
     * SDK's {@code sso} or {@code ssooidc} client in the exception or its causes. See
     * https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html
     *
     * @param e the failure (not null)
     * @return true when the SSO provider raised it
     */
    public static boolean fromSsoPortal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                String c = frame.getClassName();
                if (c.startsWith("software.amazon.awssdk.services.sso.")
                        || c.startsWith("software.amazon.awssdk.services.ssooidc.")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isNetworkFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.SocketTimeoutException
                    || t instanceof software.amazon.awssdk.core.exception.ApiCallTimeoutException
                    || t instanceof software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException
                    || t instanceof org.apache.http.conn.HttpHostConnectException) {
                return true;
            }
        }
        return false;
    }
}
