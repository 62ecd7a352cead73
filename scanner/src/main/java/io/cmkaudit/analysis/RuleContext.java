package io.cmkaudit.analysis;

import io.cmkaudit.analysis.InstanceClasses.InstanceClass;
import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.analysis.SnapshotIndex.Scope;
import io.cmkaudit.policy.Context;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Grant;
import io.cmkaudit.policy.PrincipalInfo;
import io.cmkaudit.policy.PrincipalType;
import io.cmkaudit.policy.Statement;
import io.cmkaudit.snapshot.KmsGrant;
import io.cmkaudit.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prepared, cached state of one analysis that every {@link Rule} reads: the snapshot index, every policy parsed
 * once, the request contexts, the instance classes, and the two sides of an evaluation (a principal's policies, a
 * key's) built once each. Thread-safe: rules of different accounts use it in parallel.
 */
final class RuleContext {

    /** Everything about one principal that does not depend on the resource; {@code contexts} caches direct-call
     * contexts of the breadth checks (used by one thread at a time). */
    record PrincipalSide(PrincipalRef ref, PrincipalInfo info, EvalSet base, List<String> uncertain,
                         Map<String, Context> contexts) {
    }

    /** Everything about one key that does not depend on the caller. */
    record KeySide(KeyRef ref, Entry keyPolicy, List<List<Entry>> rcp, List<Grant> grants, boolean inManagement,
                   Set<String> trustedAccounts, boolean trustsEveryone, List<String> uncertain) {
    }

    /**
     * The instances of one account as the principal rules join them.
     *
     * @param accountId the account
     * @param groups    its in-scope instances grouped by {@link InstanceClasses}
     * @param asgGroups the same, limited to instances of Auto Scaling groups, by the name of the service-linked role
     *                  each group names ({@code AWSServiceRoleForAutoScaling} when it names none, or when the group
     *                  was not read)
     */
    record AccountScope(String accountId, List<InstanceClass> groups, Map<String, List<InstanceClass>> asgGroups) {

        /** @return the classes of instances of the groups that launch and start as this role (by role name) */
        List<InstanceClass> asgGroups(String roleName) {
            return asgGroups.getOrDefault(roleName, List.of());
        }
    }

    /** Tag EC2 Auto Scaling puts on the instances of a group. */
    static final String AUTO_SCALING_GROUP_TAG = "aws:autoscaling:groupName";

    final SnapshotIndex index;
    final PolicyLibrary library = new PolicyLibrary();
    final Remediator remediator;
    /** IAM Identity Center reserved roles linked to their permission sets, and the provisioning drift. */
    final PermissionSetLinks permissionSets;
    final ContextFactory contexts;
    final InstanceClasses classes;
    /** The launch sources of each account and the keys their launches use. */
    final LaunchPaths launch;
    private final Map<String, KeySide> keySides = new ConcurrentHashMap<>();
    private final boolean keepRemediations;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();

    /**
     * Parses every policy of the snapshot once (in parallel) and derives what depends on all of them.
     *
     * @param keepRemediations whether to keep each finding's structured remediation (tests; costs memory)
     */
    RuleContext(Snapshot snapshot, boolean keepRemediations) {
        this.index = new SnapshotIndex(snapshot);
        this.launch = new LaunchPaths(index);
        this.keepRemediations = keepRemediations;
        this.permissionSets = PermissionSetLinks.of(snapshot);
        this.remediator = new Remediator(library, permissionSets);
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
        List<PolicySource> sources = new ArrayList<>(unique.values());
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

    /**
     * A finding's structured remediation and the parts of its explanation, kept until the findings are merged into
     * one per fix ({@link FindingGroups}).
     *
     * @param remediation the remediation; never null
     * @param why         the explanation's parts, or null when the finding is never merged
     */
    record Kept(Remediation remediation, Texts.Why why) {
    }

    /** Keeps a finding's structured remediation. */
    void keep(String findingId, Remediation r) {
        keep(findingId, r, null);
    }

    /** Keeps a finding's structured remediation and the parts of its explanation. */
    void keep(String findingId, Remediation r, Texts.Why why) {
        kept.put(findingId, new Kept(r, why));
    }

    /** @return what was kept of a finding, or null */
    Kept kept(String findingId) {
        return kept.get(findingId);
    }

    /** @return whether the run hands each finding's structured remediation out (tests; costs memory) */
    boolean keepRemediations() {
        return keepRemediations;
    }

    /**
     * Issue 9 item 10: per key ARN, per breadth type, the principals whose breadth on the key comes only from a
     * key-policy statement open to everyone; {@link PublicKeyPolicyRule} names their number (keys are analyzed after
     * every account).
     */
    final Map<String, Map<FindingType, Set<String>>> publicExposure = new ConcurrentHashMap<>();

    /** Per key ARN, what a stranger may call and through which statements ({@link PublicKeyPolicyRule#openStatements}). */
    final Map<String, PublicKeyPolicyRule.Open> publicStatements = new ConcurrentHashMap<>();

    /**
     * A shard's analysis ({@link Analyzer#analyzeShard}): keep what {@code merge-findings} needs to join the findings
     * whose fix spans shards ({@link #units}, {@link #permissionSetMembers}, {@link #grouped}).
     */
    volatile boolean shard;

    /** In a shard's analysis: by finding id, the members of a fix made in a permission set (see {@link FindingJoin.Unit}). */
    final Map<String, FindingJoin.Unit> units = new ConcurrentHashMap<>();

    /** In a shard's analysis: by the id of a finding merged per permission set, its members. */
    final Map<String, List<Finding>> permissionSetMembers = new ConcurrentHashMap<>();

    /** In a shard's analysis: the ids of the findings {@link FindingGroups} merged. */
    final Set<String> grouped = ConcurrentHashMap.newKeySet();

    /** What each merged finding affects exactly (tests: {@link Outcome#members()}), filled when remediations are kept. */
    final Map<String, List<String>> members = new ConcurrentHashMap<>();

    /** Forgets what was kept (after the findings are final, when the run does not hand the remediations out). */
    void forgetKept() {
        kept.clear();
    }

    // ------------------------------------------------------------------ subjects of findings

    /** @return the account of a finding, with its name and OU path; null id gives an account of nulls */
    Finding.Account account(String accountId) {
        return accountId == null ? new Finding.Account(null, null, null)
                : new Finding.Account(accountId, index.accountName(accountId), index.ouPath(accountId));
    }

    /** @return the key of a finding with the state the reports show */
    static Finding.Key key(KeyRef k) {
        return new Finding.Key(k.arn(), k.accountId(), k.reportedState());
    }

    /** @return the principal of a finding */
    static Finding.Principal principal(PrincipalRef p) {
        return new Finding.Principal(p.arn(), p.kind().label);
    }

    /** @return the instance as an affected resource, with the volumes on the key */
    static Finding.Resource instance(InstanceRef i, List<String> volumeIds) {
        return Finding.Resource.instance(i.instance().instanceId(), i.instance().name(), i.region(), volumeIds);
    }

    // ------------------------------------------------------------------ accounts

    /** @return the account's in-scope instances grouped for the principal rules */
    AccountScope accountScope(String accountId) {
        List<InstanceRef> cmk = index.instances(accountId).stream().filter(i -> i.scope() == Scope.CMK
                && !i.cmks().isEmpty()).toList();
        Map<String, String> roleOfGroup = new java.util.HashMap<>();
        var acc = index.account(accountId);
        if (acc != null) {
            acc.regions().forEach(r -> r.launch().autoScalingGroups().forEach(g -> roleOfGroup.put(
                    r.region() + "|" + g.name(), g.serviceLinkedRoleArn() == null ? LaunchPaths.AUTO_SCALING_SLR
                            : g.serviceLinkedRoleArn().substring(g.serviceLinkedRoleArn().lastIndexOf('/') + 1))));
        }
        Map<String, List<InstanceRef>> byRole = new java.util.TreeMap<>();
        for (InstanceRef i : cmk) {
            String group = i.instance().tags().get(AUTO_SCALING_GROUP_TAG);
            if (group != null) {
                byRole.computeIfAbsent(roleOfGroup.getOrDefault(i.region() + "|" + group,
                        LaunchPaths.AUTO_SCALING_SLR), k -> new ArrayList<>()).add(i);
            }
        }
        Map<String, List<InstanceClass>> asg = new java.util.TreeMap<>();
        byRole.forEach((role, list) -> asg.put(role, classes.group(list)));
        return new AccountScope(accountId, classes.group(cmk), Map.copyOf(asg));
    }

    // ------------------------------------------------------------------ sides of an evaluation

    /** @return the principal's side of every evaluation: its identity policies, boundary, SCPs, uncertainties */
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

    /** @return the parsed policies of SCP or RCP levels; unparseable ones are added to {@code uncertain} */
    List<List<Entry>> entries(List<List<PolicySource>> levels, List<String> uncertain, String kind) {
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

    /** @return the key's side of every evaluation, built once per key */
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

    /** @return the key policy of a collected key as a policy source, or null when it was not read */
    static PolicySource keyPolicySource(KeyRef k) {
        if (k.key() == null || k.key().keyPolicy() == null) {
            return null;
        }
        return new PolicySource(PolicySource.keyPolicyName(k.arn()), PolicySource.Origin.KEY_POLICY,
                k.accountId(), k.arn(), "default", k.key().keyPolicy());
    }

    /** @return the principal's set for a request on the key */
    EvalSet withKey(PrincipalSide ps, KeySide ks) {
        boolean slr = ps.ref().kind() == PrincipalKind.SERVICE_LINKED_ROLE;
        return ps.base().withResource(slr ? List.of() : ks.rcp(), ks.keyPolicy(), ks.grants(),
                ks.ref().key() == null ? null : ks.ref().key().keyState(), ks.inManagement());
    }
}
