package io.cmkaudit.analysis;

import io.cmkaudit.analysis.RuleContext.AccountScope;
import io.cmkaudit.analysis.RuleContext.PrincipalSide;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyUse;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The analysis: a snapshot in, findings out (findings.md). Pure and offline: no AWS SDK, no I/O.
 *
 * <p>This class orchestrates; the finding families are {@link Rule}s ({@link Rules#ALL}) over a prepared
 * {@link RuleContext} (every policy parsed once, each principal's and each key's side of an evaluation built once,
 * instances that no policy can tell apart grouped). Per account, in parallel: each principal with every rule's
 * {@link Rule#principal} hook, each customer managed key of each in-scope instance with {@link Rule#instanceKey},
 * then {@link Rule#account}; then each collected in-scope key with {@link Rule#key} (in parallel), and
 * {@link Rule#organization} once. Every call is contained: an unexpected exception costs that unit's findings and
 * becomes a coverage row (region {@link #ANALYSIS_REGION}), not the run. Then coverage and the summary. Output order
 * is deterministic ({@link #ORDER}).
 *
 * <p>Rules implemented: docs/design/findings.md, evaluation-checklist.md, aws-rules.md §1-3, §5-7. Thread-safe;
 * stateless.
 */
public final class Analyzer {

    /** Region column of the coverage row that reports an organization that could not be read. */
    public static final String ORGANIZATION_REGION = "organization";

    /**
     * Region column of the coverage rows (status ERROR, error code {@link #ANALYSIS_ERROR_CODE}) that report a unit of
     * work (an account, a principal, an instance's key, a key) whose analysis failed unexpectedly; the rest of the run
     * is analyzed as usual.
     */
    public static final String ANALYSIS_REGION = "analysis";

    /** Error code of the coverage rows of {@link #ANALYSIS_REGION}. */
    public static final String ANALYSIS_ERROR_CODE = "AnalysisFailed";

    /** Creates an analyzer. */
    public Analyzer() {
    }

    /**
     * Analyzes a snapshot.
     *
     * @param snapshot the snapshot; never null
     * @return the findings, coverage and summary; findings sorted by severity, type, account, region, instance,
     *         principal, key
     */
    public AnalysisResult analyze(Snapshot snapshot) {
        return new Run(snapshot, false).execute().result();
    }

    /**
     * Analyzes one shard of a sharded run ({@code report --plan PLAN --shard I/N}): the snapshot holds the shard's
     * accounts in full and, of the organization's other accounts, what their keys and instances are (their IAM may be
     * left out, see {@code SnapshotJson.readShard}). Every rule runs on the accounts of {@code focus} (their
     * principals, instances, launch sources and settings); the key and organization-wide rules keep only the findings
     * in an account of {@code focus} or in none of the snapshot's accounts, so that a key's own findings come from the
     * shard of the key's account (exactly once). Coverage rows and the summary count the accounts of {@code focus}
     * only ({@code keysInScope} stays the organization's: every key an instance of any account uses).
     *
     * @param snapshot the snapshot; never null
     * @param focus    account ids the shard reports on; never null
     * @param counted  account ids the summary counts (a subset of {@code focus}: the shard's planned accounts, so
     *                 that the parts' summaries add up); never null
     * @return the shard's findings (grouped one per fix within the shard; findings of one fix that spans shards
     *         share their id and are joined by {@link FindingJoin}), coverage, summary, and, by key ARN, the
     *         principals of {@code focus} that a public key policy exposes (joined across shards into the key's
     *         {@code KEY_POLICY_PUBLIC} explanation)
     */
    public ShardOutcome analyzeShard(Snapshot snapshot, Set<String> focus, Set<String> counted) {
        Run r = new Run(snapshot, false);
        r.focus = Set.copyOf(focus);
        r.counted = Set.copyOf(counted);
        r.ctx.shard = true;
        AnalysisResult result = r.execute().result();
        // what merge-findings needs of the findings (and of the members of those merged per permission set)
        Map<String, List<Finding>> psMembers = new TreeMap<>();
        Map<String, FindingJoin.Unit> units = new TreeMap<>();
        Set<String> grouped = new java.util.TreeSet<>();
        for (Finding f : result.findings()) {
            List<Finding> ms = r.ctx.permissionSetMembers.get(f.findingId());
            List<Finding> all = new ArrayList<>(List.of(f));
            if (ms != null && Finding.PERMISSION_SET_PRINCIPAL.equals(f.principalType())) {
                psMembers.put(f.findingId(), ms);
                all.addAll(ms);
            }
            for (Finding m : all) {
                FindingJoin.Unit u = r.ctx.units.get(m.findingId());
                if (u != null) {
                    units.put(m.findingId(), u);
                }
                if (r.ctx.grouped.contains(m.findingId())) {
                    grouped.add(m.findingId());
                }
            }
        }
        Map<String, Map<FindingType, List<String>>> exposure = new TreeMap<>();
        r.exposure.forEach((k, by) -> {
            Map<FindingType, List<String>> m = new java.util.EnumMap<>(FindingType.class);
            by.forEach((t, ps) -> m.put(t, ps.stream().sorted().toList()));
            exposure.put(k, m);
        });
        return new ShardOutcome(result, exposure, units, psMembers, grouped);
    }

    /**
     * The result of {@link #analyzeShard}.
     *
     * @param result         findings, coverage and summary of the shard
     * @param publicExposure by key ARN, by finding type ({@code KMS_FULL_ACCESS}, {@code KMS_CREATEGRANT_UNCONSTRAINED}),
     *                       the sorted ARNs of the shard's principals a public key policy gives those rights; may be
     *                       empty
     * @param units          by finding id, the members of the shard's fixes made in a permission set (also of the
     *                       members of {@code permissionSetMembers})
     * @param permissionSetMembers by the id of a finding merged per IAM Identity Center permission set, its members
     * @param grouped        ids of the findings (and members) {@code FindingGroups} merged one per fix
     */
    public record ShardOutcome(AnalysisResult result, Map<String, Map<FindingType, List<String>>> publicExposure,
                               Map<String, FindingJoin.Unit> units, Map<String, List<Finding>> permissionSetMembers,
                               Set<String> grouped) {

        /** @return what {@link FindingJoin#joinParts} takes of this shard */
        public FindingJoin.PartFindings part() {
            return new FindingJoin.PartFindings(result.findings(), publicExposure, units, permissionSetMembers,
                    grouped);
        }
    }

    /** Analyzes and keeps the structured remediation of every finding. */
    Outcome run(Snapshot snapshot) {
        return new Run(snapshot, true).execute();
    }

    /** Analyzes with a hook called before each unit of work with its name (tests inject failures with it). */
    AnalysisResult analyze(Snapshot snapshot, Consumer<String> beforeUnit) {
        Run r = new Run(snapshot, false);
        r.beforeUnit = beforeUnit;
        return r.execute().result();
    }

    /**
     * Explains, layer by layer, why a principal can or cannot start an instance, and what would fix it, from the
     * decisions of the start rules ({@link StartAccessRule}, {@link GranteeDecryptRule}). The fix is the one the
     * report gives: the remediation of the finding that lists this principal, key and instance, from an analysis of
     * the principal's account (and, for an IAM Identity Center reserved role, of every account its permission set is
     * provisioned to) — the findings of those accounts are the report's (a finding is one fix within an account, or
     * across the accounts of one permission set: docs/design/findings.md).
     *
     * @param snapshot     the snapshot
     * @param principalArn an IAM user or role ARN of the snapshot, or a role's session ARN
     *                     ({@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}) or its ARN without the path
     *                     ({@code Explainer#principal})
     * @param instanceId   an instance id of the snapshot
     * @return multi-line text (lines end with {@code \n})
     * @throws IllegalArgumentException when the principal or the instance is not in the snapshot, or a session ARN
     *                                  matches several roles (one-line message)
     */
    public String explain(Snapshot snapshot, String principalArn, String instanceId) {
        RuleContext ctx = new RuleContext(snapshot, true);
        return new Explainer(ctx, focus -> {
            Run r = new Run(ctx);
            r.focus = Set.copyOf(focus);
            return r.execute();
        }).explain(principalArn, instanceId);
    }

    // ======================================================================== one run

    /** One analysis: the context, the rules, the failures. */
    static final class Run {
        final RuleContext ctx;
        final SnapshotIndex index;
        final List<Rule> rules;
        /** Units of work whose analysis failed: account id (null: not tied to one), unit, message. */
        private final Queue<String[]> failures = new ConcurrentLinkedQueue<>();
        /** Called before each unit of work with its name; a no-op outside tests. */
        Consumer<String> beforeUnit = u -> { };
        /** The accounts a shard reports on ({@link #analyzeShard}), or null: every account. */
        Set<String> focus;
        /** What a public key policy exposes, as the run left it ({@link RuleContext#publicExposure}). */
        Map<String, Map<FindingType, Set<String>>> exposure = Map.of();

        /** The accounts the summary counts ({@link #analyzeShard}), or null: every account. */
        Set<String> counted;

        private boolean counts(String accountId) {
            return counted == null || counted.contains(accountId);
        }

        /** @return whether the account is one the run reports on (every account unless a shard's) */
        private boolean reported(String accountId) {
            return focus == null || focus.contains(accountId);
        }

        /**
         * @return whether a finding of a key or organization-wide rule is the shard's: its account is the shard's or
         *         none of the snapshot's accounts (e.g. null)
         */
        private boolean owned(Finding f) {
            return focus == null || f.accountId() == null || focus.contains(f.accountId())
                    || !index.accounts().containsKey(f.accountId());
        }

        Run(Snapshot snapshot, boolean keepRemediations) {
            this(new RuleContext(snapshot, keepRemediations));
        }

        /** A run over a context built already ({@code explain} reads its decisions from the same context). */
        Run(RuleContext ctx) {
            this.ctx = ctx;
            this.index = ctx.index;
            this.rules = Rules.create(ctx);
        }

        /**
         * Runs one unit of work; an unexpected exception is recorded as a coverage row (status ERROR, region
         * {@link #ANALYSIS_REGION}) and the unit contributes no findings, so the rest of the run is not lost.
         */
        private List<Finding> contained(String accountId, String unit, Supplier<List<Finding>> work) {
            try {
                beforeUnit.accept(unit);
                return work.get();
            } catch (RuntimeException | StackOverflowError e) {
                String msg = e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getClass().getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse("");
                failures.add(new String[] {accountId, unit, "analysis of " + unit + " failed (" + msg
                        + "); its findings are missing"});
                return List.of();
            }
        }

        Outcome execute() {
            List<Finding> findings = new ArrayList<>(index.accounts().keySet().parallelStream().filter(this::reported)
                    .flatMap(a -> contained(a, "account " + a, () -> account(a)).stream()).toList());
            List<KeyRef> keys = index.keyRefs().values().stream()
                    .filter(k -> index.keysInScope().contains(k.arn()) && k.key() != null)
                    .filter(k -> k.accountId() == null || reported(k.accountId())
                            || !index.accounts().containsKey(k.accountId())).toList();
            findings.addAll(keys.parallelStream().flatMap(k -> contained(k.accountId(), "key " + k.arn(),
                    () -> each(r -> r.key(k))).stream()).filter(this::owned).toList());
            for (Rule r : rules) {
                findings.addAll(contained(null, "the organization-wide findings of " + r.getClass().getSimpleName(),
                        r::organization).stream().filter(this::owned).toList());
            }
            exposure = Map.copyOf(ctx.publicExposure);
            List<Finding> grouped = PermissionSetGroups.group(FindingGroups.group(dedupe(findings), ctx), ctx);
            for (Rule r : rules) {
                List<Finding> in = grouped;
                List<Finding> reviewed = contained(null, "the review of " + r.getClass().getSimpleName(),
                        () -> r.review(in));
                // a failed review keeps the findings it was given (its failure is a coverage row)
                grouped = reviewed.isEmpty() && !in.isEmpty() ? in : reviewed;
            }
            List<Finding> sorted = new ArrayList<>(grouped);
            sorted.sort(ORDER);
            Map<String, Remediation> rem = new TreeMap<>();
            Map<String, List<String>> members = new TreeMap<>();
            Map<String, List<String>> counted = new TreeMap<>();
            if (ctx.keepRemediations()) {
                for (Finding f : sorted) {
                    RuleContext.Kept k = ctx.kept(f.findingId());
                    if (k != null) {
                        rem.put(f.findingId(), k.remediation());
                    }
                    members.put(f.findingId(), ctx.members.getOrDefault(f.findingId(), Outcome.members(f)));
                    if (f.type() == FindingType.KEY_POLICY_PUBLIC) {
                        List<String> c = new ArrayList<>();
                        ctx.publicExposure.getOrDefault(f.keyArn(), Map.of()).forEach((t, ps) -> ps.forEach(p ->
                                c.add(t + "|" + SnapshotIndex.accountOf(p) + "|" + p + "|" + f.keyArn() + "|null")));
                        c.sort(null);
                        counted.put(f.findingId(), c);
                    }
                }
            }
            ctx.forgetKept();
            return new Outcome(new AnalysisResult(runInfo(), sorted, coverage(), summary()), rem, members,
                    counted);
        }

        /** Every rule on one account: its principals, its instances' keys, its settings. */
        private List<Finding> account(String accountId) {
            List<Finding> out = new ArrayList<>();
            AccountScope scope = ctx.accountScope(accountId);
            for (PrincipalRef p : index.principals(accountId)) {
                out.addAll(contained(accountId, "principal " + p.arn(), () -> {
                    PrincipalSide ps = ctx.principalSide(p);
                    return each(r -> r.principal(scope, ps));
                }));
                ctx.contexts.forget(p);
            }
            for (InstanceRef i : index.instances(accountId)) {
                for (KeyUse u : i.cmks()) {
                    out.addAll(contained(accountId, "key " + u.key().arn() + " of instance "
                            + i.instance().instanceId(), () -> each(r -> r.instanceKey(i, u))));
                }
            }
            out.addAll(contained(accountId, "the settings of account " + accountId, () -> each(r -> r.account(
                    accountId))));
            return out;
        }

        private List<Finding> each(java.util.function.Function<Rule, List<Finding>> hook) {
            List<Finding> out = new ArrayList<>();
            for (Rule r : rules) {
                out.addAll(hook.apply(r));
            }
            return out;
        }

        private static List<Finding> dedupe(List<Finding> in) {
            Map<String, Finding> m = new LinkedHashMap<>();
            in.forEach(f -> m.putIfAbsent(f.findingId(), f));
            return new ArrayList<>(m.values());
        }

        private AnalysisResult.RunInfo runInfo() {
            var run = index.snapshot.run();
            return new AnalysisResult.RunInfo(run.scannerVersion(), run.startedAt(), run.finishedAt(), index.org.id(),
                    index.org.managementAccountId(), run.regions(), run.apiCalls(), Partition.of(index.snapshot));
        }

        private List<AnalysisResult.CoverageRow> coverage() {
            List<AnalysisResult.CoverageRow> rows = new ArrayList<>();
            Organization org = index.snapshot.organization();
            if (!org.readable()) {
                // Without the organization only the scanner's own account was read and SCPs / RCPs are unknown.
                // Not being in an organization at all is a legitimate single-account setup (SKIPPED); anything else
                // (e.g. AccessDenied) is a coverage gap that must reach the exit code.
                boolean notInOrg = "AWSOrganizationsNotInUseException".equals(org.readError().code());
                rows.add(new AnalysisResult.CoverageRow(index.snapshot.run().callerAccountId(), null,
                        ORGANIZATION_REGION, notInOrg ? "SKIPPED" : "ERROR", org.readError().code(),
                        org.readError().message() + (notInOrg ? "" : "; only the scanner's own account was scanned "
                                + "and SCPs / RCPs are unknown"), 0, 0, 0, 0));
            }
            PermissionSetLinks.coverageRow(index.snapshot, index::accountName).ifPresent(rows::add);
            for (AccountSnapshot a : index.snapshot.accounts()) {
                if (!reported(a.accountId())) {
                    continue;
                }
                String name = index.accountName(a.accountId());
                for (Coverage c : a.coverage()) {
                    int instances = 0;
                    int volumes = 0;
                    int cmk = 0;
                    int principals = 0;
                    if (c.region().equals(Coverage.GLOBAL)) {
                        principals = a.iam().users().size() + a.iam().roles().size();
                    } else {
                        RegionSnapshot r = a.region(c.region()).orElse(null);
                        if (r != null) {
                            instances = r.instances().size();
                            volumes = r.volumes().size();
                            cmk = (int) r.kmsKeys().stream().filter(k -> !index.keyRefs().containsKey(k.arn())
                                    || !index.keyRefs().get(k.arn()).awsManaged()).count();
                        }
                    }
                    rows.add(new AnalysisResult.CoverageRow(a.accountId(), name, c.region(), c.status().name(),
                            c.errorCode(), c.errorMessage(), instances, volumes, cmk, principals));
                }
            }
            if (org.readable()) {
                Set<String> present = index.snapshot.accounts().stream().map(AccountSnapshot::accountId)
                        .collect(Collectors.toSet());
                for (var oa : org.accounts()) {
                    if ("ACTIVE".equals(oa.status()) && !present.contains(oa.id())) {
                        rows.add(new AnalysisResult.CoverageRow(oa.id(), oa.name(), Coverage.GLOBAL, "ERROR",
                                "NotInSnapshot", "account " + oa.id() + " is ACTIVE in the organization but not in "
                                + "the snapshot, so nothing of it was analyzed", 0, 0, 0, 0));
                    }
                }
            }
            List<String[]> failed = new ArrayList<>(failures);
            failed.sort(Comparator.comparing((String[] f) -> n(f[0])).thenComparing(f -> f[1]));
            for (String[] f : failed) {
                rows.add(new AnalysisResult.CoverageRow(f[0], f[0] == null ? null : index.accountName(f[0]),
                        ANALYSIS_REGION, "ERROR", ANALYSIS_ERROR_CODE, f[2], 0, 0, 0, 0));
            }
            return rows;
        }

        private AnalysisResult.Summary summary() {
            int instances = 0;
            int inScope = 0;
            int awsOnly = 0;
            int unencrypted = 0;
            for (InstanceRef i : index.instances()) {
                if (!counts(i.accountId())) {
                    continue;
                }
                instances++;
                switch (i.scope()) {
                    case CMK -> inScope++;
                    case AWS_MANAGED_ONLY -> awsOnly++;
                    case UNENCRYPTED -> unencrypted++;
                    default -> { }
                }
            }
            int principals = index.principalsByAccount().entrySet().stream().filter(e -> counts(e.getKey()))
                    .mapToInt(e -> e.getValue().size()).sum();
            int scanned = (int) index.snapshot.accounts().stream().filter(a -> counts(a.accountId()))
                    .filter(AccountSnapshot::fullyScanned).count();
            int accounts = (int) index.snapshot.accounts().stream().filter(a -> counts(a.accountId())).count();
            return new AnalysisResult.Summary(accounts, scanned, instances, inScope, awsOnly,
                    unencrypted, principals, index.keysInScope().size());
        }
    }

    /**
     * Severity, type, account, confirmed first (a failure AWS already recorded leads its group of type and account),
     * region, instance, principal, key, id.
     */
    static final Comparator<Finding> ORDER = Comparator.comparing(Finding::severity)
            .thenComparing(Finding::type)
            .thenComparing(f -> n(f.accountId()))
            .thenComparing(f -> f.confirmed() == null)
            .thenComparing(f -> n(f.region()))
            .thenComparing(f -> n(f.instanceId()))
            .thenComparing(f -> n(f.principalArn()))
            .thenComparing(f -> n(f.keyArn()))
            .thenComparing(Finding::findingId);

    private static String n(String s) {
        return s == null ? "" : s;
    }
}
