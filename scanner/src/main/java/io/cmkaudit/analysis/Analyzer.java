package io.cmkaudit.analysis;

import io.cmkaudit.analysis.InstanceClasses.InstanceClass;
import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.analysis.SnapshotIndex.EbsDefault;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyStatus;
import io.cmkaudit.analysis.SnapshotIndex.KeyUse;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.analysis.SnapshotIndex.Scope;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.policy.Grant;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.MatchedStatement;
import io.cmkaudit.policy.PrincipalInfo;
import io.cmkaudit.policy.PrincipalType;
import io.cmkaudit.policy.Request;
import io.cmkaudit.policy.ResidualCondition;
import io.cmkaudit.policy.Statement;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.KmsGrant;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The analysis: a snapshot in, findings out (findings.md). Pure and offline: no AWS SDK, no I/O.
 *
 * <p>For every instance with a volume on a customer managed key (or a key of another account) and every user and
 * role of the instance's account, it evaluates {@code ec2:StartInstances} on the instance; where the principal can
 * start it, it evaluates the {@code kms:CreateGrant} that EC2 then makes on each key with the principal's
 * credentials (forward access session) and classifies the result; it checks that no Deny blocks the
 * {@code kms:Decrypt} of the instance's {@code aws:ec2-infrastructure} role, and the key states. Separately it grades
 * every principal's direct KMS rights on every in-scope key it can reach (full access, unconstrained CreateGrant),
 * decrypt-on-every-key statements, public key policies, grants to users and roles, and unparseable policies. Every
 * finding carries a least-privilege remediation that has been re-evaluated before it is offered.
 *
 * <p>Cost: each policy is parsed once; each principal's policy set is built once; instances that no policy can tell
 * apart share one StartInstances decision per principal ({@link InstanceClasses}); the CreateGrant decision is
 * computed once per principal and key. Accounts are analyzed in parallel. Output order is deterministic.
 *
 * <p>Rules implemented: docs/design/findings.md, evaluation-checklist.md, aws-rules.md §1-3, §5-7. Instances
 * are joined with the principals of their own account only: EC2 has no resource-based policies, so only principals
 * of the instance's account can call StartInstances on it. Thread-safe; stateless.
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


    /** Action of the EC2 API the join evaluates. */
    static final String START = "ec2:StartInstances";
    /** A KMS action name no statement can list explicitly: only wildcards, NotAction or "*" match it. */
    static final String PROBE_ACTION = "kms:CmkAuditProbeEveryAction";

    /** Name prefix of EC2 Auto Scaling's service-linked role(s). */
    static final String AUTO_SCALING_SLR = "AWSServiceRoleForAutoScaling";
    /** Tag EC2 Auto Scaling puts on the instances of a group. */
    static final String AUTO_SCALING_GROUP_TAG = "aws:autoscaling:groupName";

    /** A key of another account, for the "decrypt with every key" check. */
    static final String ANY_KEY = anyKey(Partition.AWS);

    /**
     * @param partition partition id
     * @return a key of another account (in the partition's first region) that stands for "any key" of that partition
     */
    static String anyKey(String partition) {
        String region = switch (partition) {
            case "aws-us-gov" -> "us-gov-west-1";
            case "aws-cn" -> "cn-north-1";
            case "aws-iso" -> "us-iso-east-1";
            case "aws-iso-b" -> "us-isob-east-1";
            default -> "us-east-1";
        };
        return "arn:" + partition + ":kms:" + region + ":" + ContextFactory.OUTSIDER_ACCOUNT + ":key/cmk-audit-any-key";
    }

    /** Condition keys whose presence in a statement limits which keys or which path a Decrypt statement covers. */
    private static final List<String> KEY_RESTRICTING_PREFIXES = List.of("kms:viaservice", "kms:encryptioncontext",
            "kms:grantisforawsresource", "kms:resourcealiases", "kms:requestalias", "aws:resourcetag/",
            "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "aws:calledvia",
            "aws:viaawsservice");

    /** Operations a grant must not give a user or role (findings.md, GRANT_TO_NON_SERVICE_PRINCIPAL). */
    private static final Set<String> SENSITIVE_GRANT_OPERATIONS = Set.of("CreateGrant", "Decrypt", "ReEncryptFrom",
            "ReEncryptTo");

    /** Actions the stranger tries on a key to find a public key policy. */
    private static final List<String> PUBLIC_PROBES = List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
            "kms:ReEncryptFrom", "kms:CreateGrant", "kms:DescribeKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion");

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

    /** Analyzes and keeps the structured remediation of every finding. */
    Outcome run(Snapshot snapshot) {
        return new Run(snapshot, true).execute();
    }

    /** Analyzes with a hook called before each unit of work with its name (tests inject failures with it). */
    AnalysisResult analyze(Snapshot snapshot, java.util.function.Consumer<String> beforeUnit) {
        Run r = new Run(snapshot, false);
        r.beforeUnit = beforeUnit;
        return r.execute().result();
    }

    /**
     * Explains, layer by layer, why a principal can or cannot start an instance, and what would fix it.
     *
     * @param snapshot     the snapshot
     * @param principalArn an IAM user or role ARN of the snapshot
     * @param instanceId   an instance id of the snapshot
     * @return multi-line text (lines end with {@code \n})
     * @throws IllegalArgumentException when the principal or the instance is not in the snapshot (one-line message)
     */
    public String explain(Snapshot snapshot, String principalArn, String instanceId) {
        return new Run(snapshot, false).explain(principalArn, instanceId);
    }

    // ======================================================================== one run

    /** The state of one analysis: the index, the parsed policies, caches. */
    static final class Run {
        final SnapshotIndex index;
        final PolicyLibrary library = new PolicyLibrary();
        final Remediator remediator = new Remediator(library);
        final Map<String, Remediation> remediations = new ConcurrentHashMap<>();
        private final Map<String, KeySide> keySides = new ConcurrentHashMap<>();
        private final Map<String, List<String>> accountKeys = new ConcurrentHashMap<>();
        private ContextFactory contexts;
        private InstanceClasses classes;

        private final boolean keepRemediations;
        /** Units of work whose analysis failed: account id (null: not tied to one), unit, message. */
        private final java.util.Queue<String[]> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        /** Called before each unit of work with its name; a no-op outside tests. */
        java.util.function.Consumer<String> beforeUnit = u -> { };

        /**
         * Runs one unit of work; an unexpected exception is recorded as a coverage row (status ERROR, region
         * {@link #ANALYSIS_REGION}) and the unit contributes no findings, so the rest of the run is not lost.
         */
        private List<Finding> contained(String accountId, String unit, java.util.function.Supplier<List<Finding>> work) {
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

        /**
         * @param snapshot         the snapshot
         * @param keepRemediations whether to keep each finding's structured remediation (tests; costs memory)
         */
        Run(Snapshot snapshot, boolean keepRemediations) {
            this.index = new SnapshotIndex(snapshot);
            this.keepRemediations = keepRemediations;
            prepare();
        }

        private void keep(String findingId, Remediation r) {
            if (keepRemediations) {
                remediations.put(findingId, r);
            }
        }

        /** Parses every policy once (in parallel) and derives what depends on all of them. */
        private void prepare() {
            List<PolicySource> sources = new ArrayList<>();
            Map<String, PolicySource> unique = new LinkedHashMap<>();
            for (List<PrincipalRef> ps : index.principalsByAccount().values()) {
                for (PrincipalRef p : ps) {
                    p.identity().forEach(s -> unique.putIfAbsent(s.name(), s));
                    if (p.boundary() != null) {
                        unique.putIfAbsent(p.boundary().name(), p.boundary());
                    }
                }
            }
            for (String a : index.accounts().keySet()) {
                index.scpLevels(a).forEach(l -> l.forEach(s -> unique.putIfAbsent(s.name(), s)));
                index.rcpLevels(a).forEach(l -> l.forEach(s -> unique.putIfAbsent(s.name(), s)));
            }
            for (KeyRef k : index.keyRefs().values()) {
                PolicySource s = keyPolicySource(k);
                if (s != null) {
                    unique.putIfAbsent(s.name(), s);
                }
            }
            sources.addAll(unique.values());
            sources.parallelStream().forEach(library::get);
            contexts = new ContextFactory(index, library.referencedKeys());
            List<Entry> startRelevant = new ArrayList<>();
            for (PolicySource s : sources) {
                switch (s.origin()) {
                    case KEY_POLICY, RCP -> { }
                    default -> startRelevant.add(library.get(s));
                }
            }
            classes = new InstanceClasses(library.referencedKeys(), startRelevant);
        }

        Outcome execute() {
            List<String> accountIds = new ArrayList<>(index.accounts().keySet());
            List<Finding> findings = accountIds.parallelStream()
                    .flatMap(a -> contained(a, "account " + a, () -> analyzeAccount(a)).stream())
                    .collect(Collectors.toCollection(ArrayList::new));
            findings.addAll(contained(null, "the key findings", this::keyFindings));
            findings.addAll(contained(null, "the unparseable policies", this::unparseableFindings));
            List<Finding> sorted = dedupe(findings);
            sorted.sort(ORDER);
            Map<String, Remediation> rem = new TreeMap<>();
            Set<String> ids = sorted.stream().map(Finding::findingId).collect(Collectors.toSet());
            remediations.forEach((k, v) -> {
                if (ids.contains(k)) {
                    rem.put(k, v);
                }
            });
            return new Outcome(new AnalysisResult(runInfo(), sorted, coverage(), summary()), rem);
        }

        // ------------------------------------------------------------------ sides of an evaluation

        /**
         * Everything about one principal that does not depend on the resource; {@code contexts} caches the direct-call
         * contexts of the breadth checks (used by one thread at a time).
         */
        record PrincipalSide(PrincipalRef ref, PrincipalInfo info, EvalSet base, List<String> uncertain,
                             Map<String, io.cmkaudit.policy.Context> contexts) {
        }

        /** Everything about one key that does not depend on the caller. */
        record KeySide(KeyRef ref, Entry keyPolicy, List<List<Entry>> rcp, List<Grant> grants, boolean inManagement,
                       Set<String> trustedAccounts, boolean trustsEveryone, List<String> uncertain) {
        }

        PrincipalSide principalSide(PrincipalRef p) {
            List<String> uncertain = new ArrayList<>();
            List<Entry> identity = new ArrayList<>();
            for (PolicySource s : p.identity()) {
                Entry e = library.get(s);
                identity.add(e);
                if (e.unparseable()) {
                    uncertain.add("policy " + e.name() + " could not be parsed");
                }
            }
            Entry boundary = p.boundary() == null ? null : library.get(p.boundary());
            if (boundary != null && boundary.unparseable()) {
                uncertain.add("permissions boundary " + boundary.name() + " could not be parsed");
            }
            p.missingPolicies().forEach(m -> uncertain.add("policy " + m + " is not in the snapshot"));
            boolean slr = p.kind() == PrincipalKind.SERVICE_LINKED_ROLE;
            List<List<Entry>> scp = slr ? List.of() : entries(index.scpLevels(p.accountId()), uncertain, "SCP");
            if (!index.org.readable()) {
                uncertain.add("the organization could not be read, so SCPs and RCPs are unknown");
            }
            PrincipalInfo info = new PrincipalInfo(p.kind() == PrincipalKind.USER ? PrincipalType.USER
                    : PrincipalType.ROLE, p.accountId(), slr, index.isManagementAccount(p.accountId()), null);
            EvalSet base = new EvalSet(identity, boundary, scp, List.of(), null, List.of(), null, false);
            return new PrincipalSide(p, info, base, List.copyOf(uncertain), new HashMap<>());
        }

        private List<List<Entry>> entries(List<List<PolicySource>> levels, List<String> uncertain, String kind) {
            List<List<Entry>> out = new ArrayList<>();
            for (List<PolicySource> l : levels) {
                List<Entry> level = new ArrayList<>();
                for (PolicySource s : l) {
                    Entry e = library.get(s);
                    if (e.unparseable()) {
                        uncertain.add(kind + " " + e.name() + " could not be parsed");
                    }
                    level.add(e);
                }
                out.add(level);
            }
            return out;
        }

        KeySide keySide(KeyRef k) {
            return keySides.computeIfAbsent(k.arn(), a -> buildKeySide(k));
        }

        private KeySide buildKeySide(KeyRef k) {
            List<String> uncertain = new ArrayList<>();
            PolicySource src = keyPolicySource(k);
            Entry kp = src == null ? null : library.get(src);
            if (kp != null && kp.unparseable()) {
                uncertain.add("the key policy of " + k.arn() + " could not be parsed");
            }
            boolean inMgmt = index.isManagementAccount(k.accountId());
            List<List<Entry>> rcp = k.awsManaged() || inMgmt ? List.of()
                    : entries(index.rcpLevels(k.accountId()), uncertain, "RCP");
            List<Grant> grants = new ArrayList<>();
            if (k.key() != null) {
                for (KmsGrant g : k.key().grants()) {
                    Grant.Constraints c = g.constraints() == null ? null : new Grant.Constraints(
                            g.constraints().encryptionContextEquals().isEmpty() ? null
                                    : g.constraints().encryptionContextEquals(),
                            g.constraints().encryptionContextSubset().isEmpty() ? null
                                    : g.constraints().encryptionContextSubset());
                    grants.add(new Grant(g.grantId(), g.name(), g.granteePrincipal(), g.operations(), c));
                }
            }
            Set<String> trusted = new TreeSet<>();
            boolean everyone = false;
            if (k.accountId() != null) {
                trusted.add(k.accountId());
            }
            if (kp != null) {
                for (Statement s : kp.policy().statements()) {
                    if (s.effect() != Effect.ALLOW) {
                        continue;
                    }
                    if (s.principal() == null) {
                        everyone |= s.notPrincipal() != null || !s.unparsed().isEmpty();
                        continue;
                    }
                    if (s.principal().isEveryone()) {
                        everyone = true;
                        continue;
                    }
                    for (String a : s.principal().aws()) {
                        if (a.matches("\\d{12}")) {
                            trusted.add(a);
                        } else if (a.startsWith("arn:")) {
                            String acc = SnapshotIndex.accountOf(a);
                            if (acc != null) {
                                trusted.add(acc);
                            }
                        }
                    }
                }
            }
            return new KeySide(k, kp, rcp, List.copyOf(grants), inMgmt, Set.copyOf(trusted), everyone,
                    List.copyOf(uncertain));
        }

        PolicySource keyPolicySource(KeyRef k) {
            if (k.key() == null || k.key().keyPolicy() == null) {
                return null;
            }
            return new PolicySource(PolicySource.keyPolicyName(k.arn()), PolicySource.Origin.KEY_POLICY,
                    k.accountId(), k.arn(), "default", k.key().keyPolicy());
        }

        /** The principal's set for a request on the key. */
        EvalSet withKey(PrincipalSide ps, KeySide ks) {
            boolean slr = ps.ref().kind() == PrincipalKind.SERVICE_LINKED_ROLE;
            return ps.base().withResource(slr ? List.of() : ks.rcp(), ks.keyPolicy(), ks.grants(),
                    ks.ref().key() == null ? null : ks.ref().key().keyState(), ks.inManagement());
        }

        // ------------------------------------------------------------------ the join, per account

        List<Finding> analyzeAccount(String accountId) {
            List<Finding> out = new ArrayList<>();
            List<InstanceRef> cmk = index.instances(accountId).stream().filter(i -> i.scope() == Scope.CMK).toList();
            List<InstanceClass> groups = classes.group(cmk);
            // Auto Scaling's service-linked role starts only instances of its groups (warm pools)
            List<InstanceClass> asgGroups = classes.group(cmk.stream()
                    .filter(i -> i.instance().tags().containsKey(AUTO_SCALING_GROUP_TAG)).toList());
            for (PrincipalRef p : index.principals(accountId)) {
                out.addAll(contained(accountId, "principal " + p.arn(),
                        () -> analyzePrincipal(accountId, p, groups, asgGroups)));
            }
            return out;
        }

        private List<Finding> analyzePrincipal(String accountId, PrincipalRef p, List<InstanceClass> groups,
                                               List<InstanceClass> asgGroups) {
            List<Finding> out = new ArrayList<>();
            PrincipalSide ps = principalSide(p);
            Map<String, GrantResult> grantCache = new HashMap<>();
            boolean autoScaling = p.kind() == PrincipalKind.SERVICE_LINKED_ROLE
                    && p.name().startsWith(AUTO_SCALING_SLR);
            for (InstanceClass c : autoScaling ? asgGroups : groups) {
                InstanceRef rep = c.representative();
                Request start = new Request(p.arn(), START, rep.instance().arn(), accountId,
                        contexts.startInstances(p, rep));
                Decision sd = Evaluator.evaluate(start, ps.info(), ps.base().policySet());
                if (sd.kind() == DecisionKind.IMPLICIT_DENY || sd.kind() == DecisionKind.EXPLICIT_DENY) {
                    continue;
                }
                for (InstanceRef i : c.members()) {
                    for (KeyUse u : i.cmks()) {
                        KeyRef k = u.key();
                        if (k.status() == KeyStatus.UNUSABLE || k.status() == KeyStatus.MISSING) {
                            continue;
                        }
                        GrantResult g = grantCache.computeIfAbsent(k.arn(), a -> forwardGrant(ps, k, i.region()));
                        Finding f = startFinding(ps, i, u, g, sd);
                        if (f != null) {
                            out.add(f);
                        }
                    }
                }
            }
            if (p.kind() != PrincipalKind.SERVICE_LINKED_ROLE) {
                out.addAll(breadth(ps));
            }
            return out;
        }

        /** The forward-access CreateGrant of a principal on a key, classified, with its remediation. */
        record GrantResult(FindingType type, Severity severity, Decision decision, List<String> layers,
                           List<String> evidence, String explanation, Remediation remediation, List<String> uncertain) {
        }

        GrantResult forwardGrant(PrincipalSide ps, KeyRef k, String region) {
            PrincipalRef p = ps.ref();
            List<String> uncertain = new ArrayList<>(ps.uncertain());
            if (k.status() == KeyStatus.UNKNOWN) {
                String why = k.key() == null ? "the key was not collected"
                        : k.key().readError() != null ? "the key could not be read (" + k.key().readError().code()
                        + " on " + k.key().readError().operation() + ")" : "the key policy could not be read";
                String expl = p.arn() + " can start the instance, but whether EC2's kms:CreateGrant on " + k.arn()
                        + " is allowed is unknown: " + why + ".";
                return new GrantResult(FindingType.START_ACCESS_CONDITIONAL, Severity.MEDIUM, null, List.of("resource"),
                        List.of(k.arn() + ": " + why), expl, Remediation.textOnly("Give the audit role read access to "
                        + "the key (kms:DescribeKey, kms:GetKeyPolicy, kms:ListGrants) and scan again; the policies "
                        + "of " + k.accountId() + " decide whether the start works."), uncertain);
            }
            KeySide ks = keySide(k);
            uncertain.addAll(ks.uncertain());
            EvalSet set = withKey(ps, ks);
            Request req = new Request(p.arn(), "kms:CreateGrant", k.arn(), k.accountId(),
                    contexts.forwardCreateGrant(p, k, region));
            Decision d = Evaluator.evaluate(req, ps.info(), set.policySet());
            if (d.kind() == DecisionKind.ALLOWED) {
                return new GrantResult(null, null, d, List.of(), List.of(), null, null, uncertain);
            }
            Remediation rem = remediator.forwardGrant(p, ps.info(), k, region, req, set, d);
            if (rem == null) {
                rem = Remediation.textOnly("No automatic least-privilege fix was found; change the policies named "
                        + "in the evidence so that kms:CreateGrant on " + k.arn() + " is allowed with "
                        + "kms:GrantIsForAWSResource true and kms:ViaService " + Partition.ec2ViaService(region) + ".");
            }
            List<String> layers = d.decidedBy().stream().map(Layer::id).toList();
            List<String> evidence = evidence(d, set);
            if (d.kind() == DecisionKind.CONDITIONAL) {
                String expl = p.arn() + " can start the instance, but whether EC2's kms:CreateGrant on " + k.arn()
                        + " is allowed depends on " + residuals(d) + ".";
                return new GrantResult(FindingType.START_ACCESS_CONDITIONAL, Severity.MEDIUM, d, layers, evidence,
                        expl, rem, uncertain);
            }
            String expl = p.arn() + " can start the instance, but EC2's kms:CreateGrant on " + k.arn()
                    + " with its credentials is denied (" + denial(d, ps, k) + "): the instance will go "
                    + "pending -> stopped with Client.InternalError.";
            return new GrantResult(FindingType.START_BLOCKED_KMS_DENIED, Severity.HIGH, d, layers, evidence, expl, rem,
                    uncertain);
        }

        private Finding startFinding(PrincipalSide ps, InstanceRef i, KeyUse u, GrantResult g, Decision start) {
            if (g.type() == null) {
                return null;
            }
            PrincipalRef p = ps.ref();
            KeyRef k = u.key();
            String expl = g.explanation();
            if (start.kind() == DecisionKind.CONDITIONAL) {
                expl = expl + " (Starting the instance itself depends on " + residuals(start) + ".)";
            }
            expl = uncertainPrefix(g.uncertain()) + expl;
            String id = Finding.stableId(g.type(), i.accountId(), i.region(), i.instance().instanceId(), p.arn(),
                    k.arn());
            keep(id, g.remediation());
            return new Finding(id, g.type(), g.severity(), Finding.FindingStatus.OPEN, null, i.accountId(),
                    index.accountName(i.accountId()), index.ouPath(i.accountId()), i.region(),
                    i.instance().instanceId(), i.instance().name(), u.volumeIds(), k.arn(), k.accountId(),
                    k.reportedState(), p.arn(), p.kind().label, g.layers(), g.evidence(), expl,
                    g.remediation().text(), g.remediation().snippet(), null);
        }

        // ------------------------------------------------------------------ key-level findings

        List<Finding> keyFindings() {
            List<Finding> out = new ArrayList<>();
            Map<String, Decision> granteeCache = new HashMap<>();
            for (InstanceRef i : index.instances()) {
                for (KeyUse u : i.cmks()) {
                    KeyRef k = u.key();
                    out.addAll(contained(i.accountId(), "key " + k.arn() + " of instance "
                            + i.instance().instanceId(), () -> {
                                if (k.status() == KeyStatus.UNUSABLE || k.status() == KeyStatus.MISSING) {
                                    return List.of(unusable(i, u));
                                } else if (k.status() == KeyStatus.USABLE) {
                                    Finding f = granteeSide(i, u, granteeCache);
                                    return f == null ? List.of() : List.of(f);
                                }
                                return List.of();
                            }));
                }
            }
            for (KeyRef k : index.keyRefs().values()) {
                if (index.keysInScope().contains(k.arn()) && k.key() != null) {
                    out.addAll(contained(k.accountId(), "key " + k.arn(), () -> {
                        List<Finding> kf = new ArrayList<>();
                        Finding pub = publicKeyPolicy(k);
                        if (pub != null) {
                            kf.add(pub);
                        }
                        kf.addAll(grantFindings(k));
                        return kf;
                    }));
                }
            }
            for (EbsDefault d : index.ebsDefaults()) {
                KeyRef k = d.key();
                if (!k.awsManaged() && (k.status() == KeyStatus.UNUSABLE || k.status() == KeyStatus.MISSING)) {
                    out.add(ebsDefaultUnusable(d));
                }
            }
            return out;
        }

        /**
         * EBS encryption by default is on and its default key is a customer managed key that is not Enabled or no
         * longer exists: every launch and volume creation relying on the default fails (aws-rules.md §3.5;
         * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyEbsDefaultKmsKeyId.html). A key that
         * could not be read (status UNKNOWN) gives no finding: nothing says it is unusable.
         */
        private Finding ebsDefaultUnusable(EbsDefault d) {
            KeyRef k = d.key();
            String state = k.reportedState();
            boolean critical = k.status() == KeyStatus.MISSING || "PendingDeletion".equals(state)
                    || "PendingReplicaDeletion".equals(state);
            String fixKey = switch (state == null ? "" : state) {
                case "PendingDeletion", "PendingReplicaDeletion" -> "Cancel the key deletion and re-enable the key "
                        + "(aws kms cancel-key-deletion --key-id " + k.arn() + " && aws kms enable-key --key-id "
                        + k.arn() + ")";
                case "Disabled" -> "Re-enable the key (aws kms enable-key --key-id " + k.arn() + ")";
                case "PendingImport" -> "Import the key material again (aws kms import-key-material) so the key "
                        + "becomes Enabled";
                case "Unavailable" -> "Reconnect the key's custom key store (aws kms connect-custom-key-store)";
                case "NotFound" -> null;
                default -> "Wait for the key to become Enabled";
            };
            String text = (fixKey == null ? "The key no longer exists: point the default at a usable key"
                    : fixKey + ", or point the default elsewhere") + ": aws ec2 modify-ebs-default-kms-key-id "
                    + "--kms-key-id <usable key> --region " + d.region() + ", or go back to aws/ebs: aws ec2 "
                    + "reset-ebs-default-kms-key-id --region " + d.region() + ".";
            String id = Finding.stableId(FindingType.EBS_DEFAULT_KEY_UNUSABLE, d.accountId(), d.region(), null, null,
                    k.arn());
            String expl = "EBS encryption by default is on in " + d.accountId() + " " + d.region()
                    + " and its default key " + k.arn() + " is " + (state == null ? "unusable" : state)
                    + ": every launch or volume creation that relies on the default fails (only Enabled keys can "
                    + "encrypt new volumes).";
            keep(id, Remediation.textOnly(text));
            return new Finding(id, FindingType.EBS_DEFAULT_KEY_UNUSABLE,
                    critical ? Severity.CRITICAL : Severity.HIGH, Finding.FindingStatus.OPEN, null, d.accountId(),
                    index.accountName(d.accountId()), index.ouPath(d.accountId()), d.region(), null, null, List.of(),
                    k.arn(), k.accountId(), state, null, null, List.of("keyState"),
                    List.of("ec2:GetEbsDefaultKmsKeyId = " + d.rawId(), k.arn() + ": KeyState " + state), expl, text,
                    null, null);
        }

        private Finding unusable(InstanceRef i, KeyUse u) {
            KeyRef k = u.key();
            String state = k.reportedState();
            boolean critical = k.status() == KeyStatus.MISSING || "PendingDeletion".equals(state)
                    || "PendingReplicaDeletion".equals(state);
            String text = switch (state == null ? "" : state) {
                case "PendingDeletion", "PendingReplicaDeletion" -> "Cancel the key deletion and re-enable the key "
                        + "before the waiting period ends: aws kms cancel-key-deletion --key-id " + k.arn()
                        + " && aws kms enable-key --key-id " + k.arn() + ".";
                case "Disabled" -> "Enable the key: aws kms enable-key --key-id " + k.arn() + ".";
                case "PendingImport" -> "Import the key material again (aws kms import-key-material) so the key "
                        + "becomes Enabled.";
                case "Unavailable" -> "Reconnect the key's custom key store (aws kms connect-custom-key-store).";
                case "NotFound" -> "The key no longer exists: restore the volumes from a snapshot encrypted with "
                        + "an existing key, or terminate the instance.";
                default -> "Wait for the key to become Enabled, or re-encrypt the volumes with an Enabled key.";
            };
            String id = Finding.stableId(FindingType.START_BLOCKED_KEY_UNUSABLE, i.accountId(), i.region(),
                    i.instance().instanceId(), null, k.arn());
            String expl = "Key " + k.arn() + " of volumes " + String.join(", ", u.volumeIds()) + " is "
                    + (state == null ? "unusable" : state) + ": every start of the instance fails whoever starts it"
                    + " (only Enabled keys accept kms:CreateGrant).";
            keep(id, Remediation.textOnly(text));
            return new Finding(id, FindingType.START_BLOCKED_KEY_UNUSABLE, critical ? Severity.CRITICAL : Severity.HIGH,
                    Finding.FindingStatus.OPEN, null, i.accountId(), index.accountName(i.accountId()),
                    index.ouPath(i.accountId()), i.region(), i.instance().instanceId(), i.instance().name(),
                    u.volumeIds(), k.arn(), k.accountId(), state, null, null, List.of("keyState"),
                    List.of(k.arn() + ": KeyState " + state), expl, text, null, null);
        }

        /** Request, principal and policies of the aws:ec2-infrastructure role's Decrypt under EC2's grant. */
        record GranteeRequest(Request request, PrincipalInfo info, EvalSet set) {
        }

        GranteeRequest granteeRequest(InstanceRef i, KeyRef k, String volumeId) {
            String account = i.accountId();
            String session = "arn:" + index.partition() + ":sts::" + account + ":assumed-role/aws:ec2-infrastructure/"
                    + i.instance().instanceId();
            KeySide ks = keySide(k);
            List<String> uncertain = new ArrayList<>();
            List<List<Entry>> scp = entries(index.scpLevels(account), uncertain, "SCP");
            Grant ec2Grant = new Grant(null, "the grant EC2 creates for the instance", session, List.of("Decrypt"),
                    new Grant.Constraints(null, Map.of("aws:ebs:id", volumeId)));
            List<Grant> grants = new ArrayList<>(ks.grants());
            grants.add(ec2Grant);
            EvalSet set = new EvalSet(List.of(), null, scp, ks.rcp(), ks.keyPolicy(), grants, k.key().keyState(),
                    ks.inManagement());
            PrincipalInfo info = new PrincipalInfo(PrincipalType.ROLE_SESSION, account, false,
                    index.isManagementAccount(account), ContextFactory.ec2InfrastructureRoleArn(index.partition(), account));
            Request req = new Request(session, "kms:Decrypt", k.arn(), k.accountId(),
                    contexts.ec2InfrastructureDecrypt(i, k, volumeId));
            return new GranteeRequest(req, info, set);
        }

        private final Map<String, Remediation> granteeRemediations = new HashMap<>();

        private Finding granteeSide(InstanceRef i, KeyUse u, Map<String, Decision> cache) {
            KeyRef k = u.key();
            // the decision depends on the instance's account and the key (the volume id only feeds the grant's
            // encryption-context constraint, which EC2's own grant always meets): evaluate once per pair
            String cacheKey = i.accountId() + "|" + k.arn();
            Decision d = cache.get(cacheKey);
            if (d == null) {
                GranteeRequest g = granteeRequest(i, k, u.volumeIds().get(0));
                d = Evaluator.evaluate(g.request(), g.info(), g.set().policySet());
                cache.put(cacheKey, d);
            }
            boolean denyInvolved = d.matched().stream().anyMatch(m -> m.effect() == Effect.DENY);
            if (d.kind() == DecisionKind.ALLOWED || !denyInvolved) {
                return null;
            }
            GranteeRequest g = granteeRequest(i, k, u.volumeIds().get(0));
            FindingType type = d.kind() == DecisionKind.CONDITIONAL ? FindingType.START_ACCESS_CONDITIONAL
                    : FindingType.START_BLOCKED_KMS_DENIED;
            String id = Finding.stableId(type, i.accountId(), i.region(), i.instance().instanceId(), null, k.arn());
            final Decision decided = d;
            Remediation rem = granteeRemediations.computeIfAbsent(cacheKey, x -> {
                Remediation r = remediator.granteeSide(g.request(), g.info(), g.set(), decided, k);
                return r != null ? r : Remediation.textOnly("Exempt arn:aws:iam::*:role/aws:ec2-infrastructure from "
                        + "the Deny named in the evidence (ArnNotLikeIfExists aws:PrincipalArn).");
            });
            keep(id, rem);
            String expl = type == FindingType.START_BLOCKED_KMS_DENIED
                    ? "A Deny stops the instance's aws:ec2-infrastructure role from calling kms:Decrypt on " + k.arn()
                    + " under EC2's grant, so every start fails whoever starts the instance."
                    : "Whether a Deny stops the instance's aws:ec2-infrastructure role from calling kms:Decrypt on "
                    + k.arn() + " depends on " + residuals(d) + " (its calls come from AWS networks, so network "
                    + "denies must exempt it).";
            return new Finding(id, type, type.defaultSeverity(), Finding.FindingStatus.OPEN, null, i.accountId(),
                    index.accountName(i.accountId()), index.ouPath(i.accountId()), i.region(),
                    i.instance().instanceId(), i.instance().name(), u.volumeIds(), k.arn(), k.accountId(),
                    k.reportedState(), null, null, d.decidedBy().stream().map(Layer::id).toList(),
                    evidence(d, g.set()), expl, rem.text(), rem.snippet(), null);
        }

        // ------------------------------------------------------------------ KEY_POLICY_PUBLIC, grants

        private Finding publicKeyPolicy(KeyRef k) {
            KeySide ks = keySide(k);
            if (ks.keyPolicy() == null || !ks.trustsEveryone()) {
                return null;
            }
            EvalSet set = outsiderSet(ks);
            List<MatchedStatement> open = new ArrayList<>();
            List<String> actions = new ArrayList<>();
            for (String action : PUBLIC_PROBES) {
                Decision d = outsider(k, set, action);
                if (d.kind() == DecisionKind.ALLOWED || d.kind() == DecisionKind.CONDITIONAL) {
                    actions.add(action);
                    for (MatchedStatement m : d.matched()) {
                        if (m.layer() == Layer.RESOURCE && m.effect() == Effect.ALLOW && open.stream()
                                .noneMatch(x -> x.index() == m.index())) {
                            open.add(m);
                        }
                    }
                }
            }
            if (actions.isEmpty()) {
                return null;
            }
            open.sort(Comparator.comparingInt(MatchedStatement::index));
            String id = Finding.stableId(FindingType.KEY_POLICY_PUBLIC, k.accountId(), k.region(), null, null,
                    k.arn());
            List<Integer> idx = open.stream().map(MatchedStatement::index).toList();
            Remediation rem = remediator.keyPolicyPublic(ks.keyPolicy(), idx, index.org.id(), k.accountId(),
                    s -> PUBLIC_PROBES.stream().anyMatch(a -> {
                        DecisionKind dk = outsider(k, s, a).kind();
                        return dk == DecisionKind.ALLOWED || dk == DecisionKind.CONDITIONAL;
                    }), set);
            if (rem == null) {
                rem = Remediation.textOnly("Restrict the key policy statements named in the evidence to known "
                        + "accounts or the organization (aws:PrincipalOrgID).");
            }
            keep(id, rem);
            String expl = "The key policy of " + k.arn() + " lets principals outside the organization call "
                    + String.join(", ", actions) + " (Principal \"*\" without a condition limiting callers to known "
                    + "accounts or the organization).";
            List<String> ev = open.stream().map(m -> label(m.policyName(), m.statement(), m.index())).toList();
            return new Finding(id, FindingType.KEY_POLICY_PUBLIC, Severity.CRITICAL, Finding.FindingStatus.OPEN, null,
                    k.accountId(), index.accountName(k.accountId()), index.ouPath(k.accountId()), k.region(), null,
                    null, List.of(), k.arn(), k.accountId(), k.reportedState(), null, null, List.of("resource"), ev,
                    expl, rem.text(), rem.snippet(), null);
        }

        private EvalSet outsiderSet(KeySide ks) {
            PolicySource anything = new PolicySource("outsider's own identity policy (assumed to allow everything)",
                    PolicySource.Origin.CUSTOMER_MANAGED, ContextFactory.OUTSIDER_ACCOUNT,
                    ContextFactory.outsiderArn(index.partition()), "outsider", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
                    + "\"Resource\":\"*\"}]}");
            return new EvalSet(List.of(library.derived(anything)), null, List.of(), List.of(),
                    ks.keyPolicy(), List.of(), null, ks.inManagement());
        }

        private Decision outsider(KeyRef k, EvalSet set, String action) {
            Request r = new Request(ContextFactory.outsiderArn(index.partition()), action, k.arn(), k.accountId(),
                    contexts.outsider(k, action));
            PrincipalInfo info = new PrincipalInfo(PrincipalType.ROLE, ContextFactory.OUTSIDER_ACCOUNT, false, false,
                    null);
            return Evaluator.evaluate(r, info, set.policySet());
        }

        private List<Finding> grantFindings(KeyRef k) {
            Map<String, List<KmsGrant>> byGrantee = new TreeMap<>();
            for (KmsGrant g : k.key().grants()) {
                if (!isUserOrRole(g.granteePrincipal())) {
                    continue;
                }
                if (g.operations().stream().noneMatch(SENSITIVE_GRANT_OPERATIONS::contains)) {
                    continue;
                }
                byGrantee.computeIfAbsent(g.granteePrincipal(), x -> new ArrayList<>()).add(g);
            }
            List<Finding> out = new ArrayList<>();
            byGrantee.forEach((grantee, grants) -> {
                grants.sort(Comparator.comparing(KmsGrant::grantId));
                String id = Finding.stableId(FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL, k.accountId(), k.region(),
                        null, grantee, k.arn());
                List<Change> changes = grants.stream().map(g -> (Change) new Change.RevokeGrant(k.arn(), g.grantId()))
                        .toList();
                Remediation rem = Remediator.build("Grants give lasting use of the key outside its policies; "
                        + "replace them by key-policy or IAM permissions with conditions if the access is needed, "
                        + "then ", changes);
                keep(id, rem);
                Set<String> ops = new TreeSet<>();
                grants.forEach(g -> g.operations().stream().filter(SENSITIVE_GRANT_OPERATIONS::contains)
                        .forEach(ops::add));
                List<String> ev = grants.stream().map(g -> "grant " + g.grantId() + (g.name() == null ? ""
                        : " (" + g.name() + ")") + ": " + String.join(", ", g.operations())).toList();
                PrincipalRef holder = index.principal(grantee);
                String type = holder != null ? holder.kind().label : typeFromArn(grantee);
                String expl = grantee + " holds " + (grants.size() == 1 ? "a grant" : grants.size() + " grants")
                        + " on " + k.arn() + " for " + String.join(", ", ops) + ": an IAM " + type
                        + ", not EC2's aws:ec2-infrastructure role or a service.";
                out.add(new Finding(id, FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL, Severity.MEDIUM,
                        Finding.FindingStatus.OPEN, null, k.accountId(), index.accountName(k.accountId()),
                        index.ouPath(k.accountId()), k.region(), null, null, List.of(), k.arn(), k.accountId(),
                        k.reportedState(), grantee, type, List.of("grant"), ev, expl, rem.text(), rem.snippet(),
                        null));
            });
            return out;
        }

        /** A grantee that is an IAM user, role (not service-linked), role session or account, not a service. */
        static boolean isUserOrRole(String grantee) {
            if (!grantee.startsWith("arn:")) {
                return false;
            }
            if (grantee.contains(":assumed-role/aws:ec2-infrastructure") || grantee.contains(":role/aws:ec2-infrastructure")
                    || grantee.contains(":role/aws-service-role/") || grantee.contains(":assumed-role/AWSServiceRoleFor")) {
                return false;
            }
            String[] p = grantee.split(":", 6);
            if (p.length != 6) {
                return false;
            }
            return (p[2].equals("iam") && (p[5].startsWith("user/") || p[5].startsWith("role/")
                    || p[5].equals("root"))) || (p[2].equals("sts") && p[5].startsWith("assumed-role/"));
        }

        private static String typeFromArn(String arn) {
            if (arn.contains(":user/")) {
                return "user";
            }
            if (arn.endsWith(":root")) {
                return "account";
            }
            return "role";
        }

        // ------------------------------------------------------------------ breadth

        /** The keys of in-scope instances in the account, and the account's own keys: a principal's "own" keys. */
        List<String> accountKeys(String accountId) {
            return accountKeys.computeIfAbsent(accountId, a -> {
                Set<String> s = new TreeSet<>();
                for (InstanceRef i : index.instances(a)) {
                    i.cmks().forEach(u -> {
                        if (u.key().arn().startsWith("arn:")) {
                            s.add(u.key().arn());
                        }
                    });
                }
                AccountSnapshot acc = index.account(a);
                if (acc != null) {
                    for (RegionSnapshot r : acc.regions()) {
                        for (KmsKey k : r.kmsKeys()) {
                            if (!"AWS".equals(k.keyManager())) {
                                s.add(k.arn());
                            }
                        }
                    }
                }
                if (s.isEmpty()) {
                    s.add("arn:" + index.partition() + ":kms:*:" + a + ":key/*");
                }
                return List.copyOf(s);
            });
        }

        /**
         * The in-scope keys a principal of the account may reach: the account's own, and those whose key policy
         * names the account (or one of its principals) or everyone. Cached per account.
         */
        List<KeyRef> reachableKeys(String accountId) {
            Map<String, List<KeyRef>> m = reachable;
            if (m == null) {
                synchronized (this) {
                    if (reachable == null) {
                        Map<String, List<KeyRef>> byAccount = new HashMap<>();
                        List<KeyRef> everyone = new ArrayList<>();
                        for (String keyArn : index.keysInScope()) {
                            KeyRef k = index.keyRefs().get(keyArn);
                            if (k == null || k.key() == null || k.key().keyPolicy() == null || k.accountId() == null) {
                                continue;
                            }
                            KeySide ks = keySide(k);
                            if (ks.trustsEveryone()) {
                                everyone.add(k);
                            } else {
                                ks.trustedAccounts().forEach(a -> byAccount.computeIfAbsent(a, x -> new ArrayList<>())
                                        .add(k));
                            }
                        }
                        byAccount.put("*", everyone);
                        reachable = byAccount;
                    }
                    m = reachable;
                }
            }
            List<KeyRef> out = new ArrayList<>(m.getOrDefault(accountId, List.of()));
            out.addAll(m.get("*"));
            out.sort(Comparator.comparing(KeyRef::arn));
            return out;
        }

        private volatile Map<String, List<KeyRef>> reachable;

        List<Finding> breadth(PrincipalSide ps) {
            List<Finding> out = new ArrayList<>();
            PrincipalRef p = ps.ref();
            for (KeyRef k : reachableKeys(p.accountId())) {
                KeySide ks = keySide(k);
                // grants are graded by GRANT_TO_NON_SERVICE_PRINCIPAL, not here
                EvalSet withGrants = withKey(ps, ks);
                EvalSet set = withGrants.withResource(withGrants.rcp, ks.keyPolicy(), List.of(), withGrants.keyState,
                        ks.inManagement());
                Finding full = fullAccess(ps, k, set);
                if (full != null) {
                    out.add(full);
                }
                Finding cg = createGrantUnconstrained(ps, k, set);
                if (cg != null) {
                    out.add(cg);
                }
            }
            Finding all = decryptAllKeys(ps);
            if (all != null) {
                out.add(all);
            }
            return out;
        }

        private Decision direct(PrincipalSide ps, KeyRef k, EvalSet set, String action) {
            String category = ContextFactory.directCategory(action);
            io.cmkaudit.policy.Context ctx = ps.contexts().computeIfAbsent(k.arn() + "|" + category,
                    x -> contexts.direct(ps.ref(), k, action));
            Request r = new Request(ps.ref().arn(), action, k.arn(), k.accountId(), ctx);
            return Evaluator.evaluate(r, ps.info(), set.policySet());
        }

        /** Whether every KMS action is allowed on the key (a probe action, then every documented one if needed). */
        private boolean everyAction(PrincipalSide ps, KeyRef k, EvalSet set, Decision probe) {
            if (probe.kind() != DecisionKind.ALLOWED && probe.kind() != DecisionKind.CONDITIONAL) {
                return false;
            }
            Set<String> suspects = new TreeSet<>();
            for (Entry e : set.all()) {
                suspects.addAll(library.suspects(e, PROBE_ACTION, PolicyJson.KMS_KEY_ACTIONS));
            }
            for (String a : suspects) {
                DecisionKind dk = direct(ps, k, set, a).kind();
                if (dk != DecisionKind.ALLOWED && dk != DecisionKind.CONDITIONAL) {
                    return false;
                }
            }
            return true;
        }

        private Finding fullAccess(PrincipalSide ps, KeyRef k, EvalSet set) {
            Decision probe = direct(ps, k, set, PROBE_ACTION);
            if (!everyAction(ps, k, set, probe)) {
                return null;
            }
            PrincipalRef p = ps.ref();
            String id = Finding.stableId(FindingType.KMS_FULL_ACCESS, p.accountId(), k.region(), null, p.arn(),
                    k.arn());
            Remediation rem = remediator.fullAccess(p, set, probe, accountKeys(p.accountId()),
                    s -> everyAction(ps, k, s, direct(ps, k, s, PROBE_ACTION)));
            if (rem == null) {
                rem = Remediation.textOnly("Replace the statements named in the evidence by statements that allow "
                        + "only the KMS actions this principal needs, on the exact key ARNs.");
            }
            keep(id, rem);
            String cond = probe.kind() == DecisionKind.CONDITIONAL ? " when " + residuals(probe) : "";
            String expl = uncertainPrefix(ps.uncertain()) + p.arn() + " is allowed every KMS action on " + k.arn()
                    + cond + ", including key administration (PutKeyPolicy, ScheduleKeyDeletion) and unconstrained "
                    + "CreateGrant.";
            return breadthFinding(id, FindingType.KMS_FULL_ACCESS, p, k, probe, set, expl, rem);
        }

        private Finding createGrantUnconstrained(PrincipalSide ps, KeyRef k, EvalSet set) {
            Decision d = direct(ps, k, set, "kms:CreateGrant");
            if (!unconstrained(d)) {
                return null;
            }
            PrincipalRef p = ps.ref();
            String id = Finding.stableId(FindingType.KMS_CREATEGRANT_UNCONSTRAINED, p.accountId(), k.region(), null,
                    p.arn(), k.arn());
            Remediation rem = remediator.createGrantUnconstrained(p, set, d,
                    s -> unconstrained(direct(ps, k, s, "kms:CreateGrant")));
            if (rem == null) {
                rem = Remediation.textOnly("Add the condition Bool kms:GrantIsForAWSResource true to the statements "
                        + "named in the evidence that allow kms:CreateGrant.");
            }
            keep(id, rem);
            String cond = d.kind() == DecisionKind.CONDITIONAL ? " when " + residuals(d) : "";
            String expl = uncertainPrefix(ps.uncertain()) + p.arn() + " can call kms:CreateGrant on " + k.arn()
                    + " directly" + cond + " (without kms:GrantIsForAWSResource true), so it can give any use of "
                    + "the key to any principal.";
            return breadthFinding(id, FindingType.KMS_CREATEGRANT_UNCONSTRAINED, p, k, d, set, expl, rem);
        }

        /**
         * A direct CreateGrant counts as unconstrained when allowed, or conditional only on context the caller does
         * not choose per grant (source IP, MFA, time...): a residual on a grant parameter (grantee, operations,
         * constraints) means the statement constrains the grants.
         */
        private static boolean unconstrained(Decision d) {
            if (d.kind() == DecisionKind.ALLOWED) {
                return true;
            }
            if (d.kind() != DecisionKind.CONDITIONAL) {
                return false;
            }
            for (ResidualCondition r : d.residual()) {
                String key = r.key() == null ? "" : r.key().toLowerCase(Locale.ROOT);
                if (ContextFactory.GRANT_PARAMETER_KEYS.contains(key) || key.startsWith("kms:encryptioncontext")) {
                    return false;
                }
            }
            return true;
        }

        private Finding breadthFinding(String id, FindingType type, PrincipalRef p, KeyRef k, Decision d, EvalSet set,
                                       String expl, Remediation rem) {
            return new Finding(id, type, type.defaultSeverity(), Finding.FindingStatus.OPEN, null, p.accountId(),
                    index.accountName(p.accountId()), index.ouPath(p.accountId()), k.region(), null, null, List.of(),
                    k.arn(), k.accountId(), k.reportedState(), p.arn(), p.kind().label,
                    d.decidedBy().stream().map(Layer::id).toList(), evidence(d, set), expl, rem.text(), rem.snippet(),
                    null);
        }

        /**
         * KMS_DECRYPT_ALL_KEYS: an identity statement of the principal allows kms:Decrypt or kms:ReEncryptFrom on
         * every key ({@code Resource "*"}, or a NotResource that leaves keys in) and has no condition on a key that
         * limits which keys or which path it covers ({@link #KEY_RESTRICTING_PREFIXES}); and the principal's
         * effective permissions (identity, boundary, SCPs) really allow it on an arbitrary key of its account.
         */
        private Finding decryptAllKeys(PrincipalSide ps) {
            PrincipalRef p = ps.ref();
            // a key of another account that trusts the principal's account: "every key" reaches it
            String anyKey = anyKey(index.partition());
            List<Entry> entries = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            List<String> evidence = new ArrayList<>();
            for (Entry e : ps.base().identity) {
                List<Statement> st = e.policy().statements();
                for (int i = 0; i < st.size(); i++) {
                    Statement s = st.get(i);
                    if (s.effect() != Effect.ALLOW) {
                        continue;
                    }
                    if (!s.matchesAction("kms:Decrypt") && !s.matchesAction("kms:ReEncryptFrom")) {
                        continue;
                    }
                    if (!s.matchesResource(anyKey, null)) {
                        continue;
                    }
                    if (s.conditions().stream().anyMatch(c -> c.key() != null && restricting(c.key()))) {
                        continue;
                    }
                    entries.add(e);
                    indexes.add(s.index());
                    evidence.add(label(e.name(), s.label(), s.index()));
                }
            }
            if (entries.isEmpty()) {
                return null;
            }
            KeyRef any = new KeyRef(anyKey, ContextFactory.OUTSIDER_ACCOUNT, "us-east-1", null, false,
                    KeyStatus.USABLE);
            EvalSet set = anyKeySet(ps, p.accountId());
            Decision d = allowedOnAnyKey(ps, any, set);
            if (d == null) {
                return null;
            }
            String id = Finding.stableId(FindingType.KMS_DECRYPT_ALL_KEYS, p.accountId(), null, null, p.arn(), null);
            Remediation rem = remediator.decryptAllKeys(p, set, entries, indexes, accountKeys(p.accountId()),
                    s -> allowedOnAnyKey(ps, any, s) != null);
            if (rem == null) {
                rem = Remediation.textOnly("Replace Resource \"*\" in the statements named in the evidence by the "
                        + "ARNs of the keys this principal needs.");
            }
            keep(id, rem);
            String expl = uncertainPrefix(ps.uncertain()) + p.arn() + " may call kms:Decrypt or kms:ReEncryptFrom "
                    + "with every KMS key (Resource \"*\"), including keys of other accounts that trust its account.";
            return new Finding(id, FindingType.KMS_DECRYPT_ALL_KEYS, Severity.MEDIUM, Finding.FindingStatus.OPEN, null,
                    p.accountId(), index.accountName(p.accountId()), index.ouPath(p.accountId()), null, null, null,
                    List.of(), null, null, null, p.arn(), p.kind().label, List.of("identity"), evidence, expl,
                    rem.text(), rem.snippet(), null);
        }

        private EvalSet anyKeySet(PrincipalSide ps, String account) {
            PolicySource trusting = new PolicySource("key policy of a key in another account that trusts " + account,
                    PolicySource.Origin.KEY_POLICY, ContextFactory.OUTSIDER_ACCOUNT, anyKey(index.partition()), "default",
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                    + "\"" + Partition.accountRoot(index.partition(), account) + "\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}");
            return ps.base().withResource(List.of(), library.derived(trusting), List.of(), "Enabled",
                    false);
        }

        private Decision allowedOnAnyKey(PrincipalSide ps, KeyRef any, EvalSet set) {
            for (String action : List.of("kms:Decrypt", "kms:ReEncryptFrom")) {
                Decision d = direct(ps, any, set, action);
                if (d.kind() == DecisionKind.ALLOWED || d.kind() == DecisionKind.CONDITIONAL) {
                    boolean fromIdentity = d.matched().stream()
                            .anyMatch(m -> m.layer() == Layer.IDENTITY && m.effect() == Effect.ALLOW);
                    if (fromIdentity) {
                        return d;
                    }
                }
            }
            return null;
        }

        private static boolean restricting(String key) {
            String k = key.toLowerCase(Locale.ROOT);
            for (String p : KEY_RESTRICTING_PREFIXES) {
                if (k.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }

        // ------------------------------------------------------------------ POLICY_UNPARSEABLE

        List<Finding> unparseableFindings() {
            List<Finding> out = new ArrayList<>();
            for (Entry e : library.unparseable()) {
                PolicySource s = e.source();
                String account = s.accountId();
                if (account == null && (s.origin() == PolicySource.Origin.SCP || s.origin() == PolicySource.Origin.RCP)) {
                    account = index.org.managementAccountId();
                }
                String region = s.origin() == PolicySource.Origin.KEY_POLICY ? regionOf(s.ownerArn()) : null;
                String principal = switch (s.origin()) {
                    case USER_INLINE, ROLE_INLINE -> s.ownerArn();
                    default -> null;
                };
                String keyArn = s.origin() == PolicySource.Origin.KEY_POLICY ? s.ownerArn() : null;
                String id = Finding.stableId(FindingType.POLICY_UNPARSEABLE, account, region, null, s.name(), keyArn);
                List<String> ev = e.errors().stream().limit(5).map(d -> s.name() + " "
                        + (d.path().isEmpty() ? "(document)" : d.path()) + ": " + d.message()).toList();
                var first = e.errors().get(0);
                String expl = "The " + s.origin().noun() + " " + s.name() + " could not be parsed ("
                        + (first.path().isEmpty() ? "document" : first.path()) + ": " + first.message()
                        + (e.errors().size() > 1 ? "; " + (e.errors().size() - 1) + " more" : "")
                        + "); decisions that depend on it are reported as conditional and the principals it "
                        + "applies to are marked uncertain.";
                String text = "Fix the document of " + s.name() + " at "
                        + (first.path().isEmpty() ? "the top level" : first.path())
                        + " so that AWS accepts it (IAM Access Analyzer's policy validation shows the same errors).";
                keep(id, Remediation.textOnly(text));
                PrincipalRef pr = principal == null ? null : index.principal(principal);
                out.add(new Finding(id, FindingType.POLICY_UNPARSEABLE, Severity.MEDIUM, Finding.FindingStatus.OPEN,
                        null, account, account == null ? null : index.accountName(account),
                        account == null ? null : index.ouPath(account), region, null, null, List.of(), keyArn,
                        keyArn == null ? null : account, null, principal, pr == null ? null : pr.kind().label,
                        List.of(layerOf(s.origin())), ev, expl, text, null, null));
            }
            return out;
        }

        /** The layer a policy of this origin takes part in (managed policies: identity, or boundary when used so). */
        private static String layerOf(PolicySource.Origin o) {
            return switch (o) {
                case SCP -> Layer.SCP.id();
                case RCP -> Layer.RCP.id();
                case KEY_POLICY -> Layer.RESOURCE.id();
                default -> Layer.IDENTITY.id();
            };
        }

        private static String regionOf(String arn) {
            String[] p = arn.split(":", 6);
            return p.length == 6 ? p[3] : null;
        }

        // ------------------------------------------------------------------ explain

        String explain(String principalArn, String instanceId) {
            PrincipalRef p = index.principal(principalArn);
            if (p == null) {
                throw new IllegalArgumentException("principal `" + principalArn + "` is not a user or role of the "
                        + "snapshot");
            }
            InstanceRef inst = index.instances().stream().filter(i -> i.instance().instanceId().equals(instanceId))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("instance `" + instanceId
                            + "` is not in the snapshot"));
            StringBuilder sb = new StringBuilder();
            sb.append("principal: ").append(p.arn()).append(" (").append(p.kind().label).append(", account ")
                    .append(p.accountId()).append(")\n");
            sb.append("instance:  ").append(inst.instance().instanceId()).append(" (")
                    .append(inst.instance().name() == null ? "no Name tag" : inst.instance().name()).append(", ")
                    .append(inst.instance().state()).append(", account ").append(inst.accountId()).append(", ")
                    .append(inst.region()).append(")\n");
            if (!p.accountId().equals(inst.accountId())) {
                sb.append("\nresult: ").append(p.arn()).append(" cannot start ").append(instanceId)
                        .append(": EC2 has no resource-based policies, so only principals of account ")
                        .append(inst.accountId()).append(" can call ec2:StartInstances on it.\n");
                return sb.toString();
            }
            PrincipalSide ps = principalSide(p);
            if (!ps.uncertain().isEmpty()) {
                sb.append("uncertain: ").append(String.join("; ", ps.uncertain())).append('\n');
            }
            sb.append("\n1. ec2:StartInstances on ").append(inst.instance().arn()).append('\n');
            Request start = new Request(p.arn(), START, inst.instance().arn(), inst.accountId(),
                    contexts.startInstances(p, inst));
            Decision sd = Evaluator.evaluate(start, ps.info(), ps.base().policySet());
            indent(sb, sd.explain());
            if (sd.kind() == DecisionKind.IMPLICIT_DENY || sd.kind() == DecisionKind.EXPLICIT_DENY) {
                sb.append("\nresult: ").append(p.arn()).append(" cannot start ").append(instanceId)
                        .append(" (ec2:StartInstances ").append(sd.kind()).append("), so there is no start finding.\n");
                return sb.toString();
            }
            if (inst.scope() != Scope.CMK) {
                sb.append("\nresult: the instance has no volume on a customer managed key (")
                        .append(inst.scope() == Scope.AWS_MANAGED_ONLY ? "only AWS managed keys" : "no encrypted volume")
                        .append("), so EC2 needs no kms:CreateGrant permission of the caller for it.\n");
                return sb.toString();
            }
            int n = 2;
            List<String> results = new ArrayList<>();
            for (KeyUse u : inst.cmks()) {
                KeyRef k = u.key();
                sb.append('\n').append(n++).append(". key ").append(k.arn()).append(" (volumes ")
                        .append(String.join(", ", u.volumeIds())).append(")\n");
                sb.append("   key state: ").append(k.reportedState() == null ? "unknown" : k.reportedState())
                        .append('\n');
                if (k.status() == KeyStatus.UNUSABLE || k.status() == KeyStatus.MISSING) {
                    results.add("key " + k.arn() + " is " + k.reportedState() + ": every start fails");
                    continue;
                }
                if (k.status() == KeyStatus.UNKNOWN) {
                    results.add("key " + k.arn() + " could not be read: unknown");
                    continue;
                }
                sb.append("   kms:CreateGrant made by EC2 with the caller's credentials (forward access session):\n");
                GrantResult g = forwardGrant(ps, k, inst.region());
                KeySide ks = keySide(k);
                EvalSet set = withKey(ps, ks);
                Request req = new Request(p.arn(), "kms:CreateGrant", k.arn(), k.accountId(),
                        contexts.forwardCreateGrant(p, k, inst.region()));
                Decision d = Evaluator.evaluate(req, ps.info(), set.policySet());
                indent(sb, d.explain());
                GranteeRequest gr = granteeRequest(inst, k, u.volumeIds().get(0));
                Decision dd = Evaluator.evaluate(gr.request(), gr.info(), gr.set().policySet());
                sb.append("   kms:Decrypt by the instance's aws:ec2-infrastructure role under EC2's grant: ")
                        .append(dd.kind()).append(dd.kind() == DecisionKind.ALLOWED ? "" : " (" + residualsOrLayers(dd)
                                + ")").append('\n');
                if (g.type() == null) {
                    results.add("key " + k.arn() + ": the CreateGrant is allowed");
                } else {
                    results.add("key " + k.arn() + ": " + g.type() + " - " + g.explanation());
                    sb.append("   fix: ").append(g.remediation().text()).append('\n');
                    if (g.remediation().snippet() != null) {
                        indent(sb, g.remediation().snippet() + "\n");
                    }
                }
            }
            sb.append("\nresult:\n");
            results.forEach(r -> sb.append("  - ").append(r).append('\n'));
            return sb.toString();
        }

        private static void indent(StringBuilder sb, String text) {
            for (String line : text.split("\n")) {
                sb.append("   ").append(line).append('\n');
            }
        }

        // ------------------------------------------------------------------ texts

        /** Evidence: the deciding statements (policy + Sid or index), or the layers that miss an Allow. */
        List<String> evidence(Decision d, EvalSet set) {
            List<String> ev = new ArrayList<>();
            Set<Layer> deciding = new LinkedHashSet<>(d.decidedBy());
            // the key policy's delegation to its account allows nothing by itself: when no identity statement
            // allows too, it is not evidence (key-policy-default.html)
            boolean identityAllows = d.matched().stream()
                    .anyMatch(m -> m.layer() == Layer.IDENTITY && m.effect() == Effect.ALLOW);
            for (MatchedStatement m : d.matched()) {
                boolean relevant = switch (d.kind()) {
                    case EXPLICIT_DENY -> m.effect() == Effect.DENY;
                    case CONDITIONAL -> m.conditional();
                    default -> deciding.contains(m.layer()) && !(d.kind() == DecisionKind.ALLOWED
                            && m.layer() == Layer.RESOURCE && m.effect() == Effect.ALLOW && !identityAllows
                            && set.keyPolicy != null && m.policyName().equals(set.keyPolicy.name())
                            && Remediator.isDelegation(set.keyPolicy, m.index(), set));
                };
                if (relevant) {
                    String l = label(m.policyName(), m.statement(), m.index());
                    if (!ev.contains(l)) {
                        ev.add(l);
                    }
                }
            }
            if (d.kind() == DecisionKind.IMPLICIT_DENY) {
                for (Layer l : deciding) {
                    List<String> names = switch (l) {
                        case IDENTITY -> set.identity.stream().map(Entry::name).toList();
                        case BOUNDARY -> set.boundary == null ? List.of() : List.of(set.boundary.name());
                        case SCP -> set.scp.stream().flatMap(List::stream).map(Entry::name).distinct().toList();
                        case RCP -> set.rcp.stream().flatMap(List::stream).map(Entry::name).distinct().toList();
                        case RESOURCE -> set.keyPolicy == null ? List.of() : List.of(set.keyPolicy.name());
                        default -> List.of();
                    };
                    ev.add(l.id() + ": no statement allows the request"
                            + (names.isEmpty() ? "" : " in " + String.join(", ", names)));
                }
            }
            return ev;
        }

        static String label(String policyName, String statementLabel, int index) {
            boolean path = statementLabel == null || statementLabel.startsWith("Statement");
            return policyName + "#" + (path ? String.valueOf(index) : statementLabel);
        }

        private String denial(Decision d, PrincipalSide ps, KeyRef k) {
            if (d.kind() == DecisionKind.EXPLICIT_DENY) {
                List<String> where = d.matched().stream().filter(m -> m.effect() == Effect.DENY)
                        .map(m -> m.layer().id() + " " + label(m.policyName(), m.statement(), m.index()))
                        .distinct().toList();
                return "explicit Deny in " + String.join(", ", where);
            }
            boolean cross = !Objects.equals(k.accountId(), ps.ref().accountId());
            List<String> parts = new ArrayList<>();
            for (Layer l : d.decidedBy()) {
                parts.add(switch (l) {
                    case IDENTITY -> ps.ref().kind() == PrincipalKind.SERVICE_LINKED_ROLE
                            ? "no policy of the service-linked role allows kms:CreateGrant on the key, and its policies "
                            + "can't be changed: " + (cross ? "a grant must give it the key"
                            : "the key policy must name it")
                            : "no identity policy allows kms:CreateGrant on the key";
                    case RESOURCE -> cross ? "the key policy of account " + k.accountId()
                            + " does not allow this principal or its account"
                            : "the key policy neither names the principal nor delegates to the account";
                    case BOUNDARY -> "the permissions boundary does not allow it";
                    case SCP -> "an SCP level of account " + ps.ref().accountId() + " does not allow it";
                    case RCP -> "an RCP level of key account " + k.accountId() + " does not allow it";
                    case SESSION -> "the session policy does not allow it";
                    default -> l.id();
                });
            }
            return parts.isEmpty() ? "no layer allows it" : String.join("; ", parts);
        }

        static String residuals(Decision d) {
            if (d.residual().isEmpty()) {
                return "context unknown offline";
            }
            return d.residual().stream().map(r -> r.reason() == ResidualCondition.Reason.UNPARSEABLE
                            ? "an unparseable part of " + r.policyName()
                            : r.operator() + " " + r.key() + (r.values().isEmpty() ? "" : " " + r.values())
                            + " (" + label(r.policyName(), r.statement(), -1).replace("#-1", "") + ")")
                    .distinct().collect(Collectors.joining(", "));
        }

        private static String residualsOrLayers(Decision d) {
            return d.kind() == DecisionKind.CONDITIONAL ? "depends on " + residuals(d)
                    : "decided by " + d.decidedBy().stream().map(Layer::id).collect(Collectors.joining(", "));
        }

        private static String uncertainPrefix(List<String> uncertain) {
            return uncertain.isEmpty() ? "" : "Uncertain (" + String.join("; ", uncertain) + "): ";
        }

        // ------------------------------------------------------------------ result parts

        private static List<Finding> dedupe(List<Finding> in) {
            Map<String, Finding> m = new LinkedHashMap<>();
            in.forEach(f -> m.putIfAbsent(f.findingId(), f));
            return new ArrayList<>(m.values());
        }

        private AnalysisResult.RunInfo runInfo() {
            var run = index.snapshot.run();
            return new AnalysisResult.RunInfo(run.scannerVersion(), run.startedAt(), run.finishedAt(), index.org.id(),
                    index.org.managementAccountId(), run.regions(), run.apiCalls());
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
            for (AccountSnapshot a : index.snapshot.accounts()) {
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
                instances++;
                switch (i.scope()) {
                    case CMK -> inScope++;
                    case AWS_MANAGED_ONLY -> awsOnly++;
                    case UNENCRYPTED -> unencrypted++;
                    default -> { }
                }
            }
            int principals = index.principalsByAccount().values().stream().mapToInt(List::size).sum();
            int scanned = (int) index.snapshot.accounts().stream().filter(AccountSnapshot::fullyScanned).count();
            return new AnalysisResult.Summary(index.snapshot.accounts().size(), scanned, instances, inScope, awsOnly,
                    unencrypted, principals, index.keysInScope().size());
        }
    }

    /** Severity, type, account, region, instance, principal, key, id. */
    static final Comparator<Finding> ORDER = Comparator.comparing(Finding::severity)
            .thenComparing(Finding::type)
            .thenComparing(f -> n(f.accountId()))
            .thenComparing(f -> n(f.region()))
            .thenComparing(f -> n(f.instanceId()))
            .thenComparing(f -> n(f.principalArn()))
            .thenComparing(f -> n(f.keyArn()))
            .thenComparing(Finding::findingId);

    private static String n(String s) {
        return s == null ? "" : s;
    }
}
