package io.cmkaudit.analysis;

import io.cmkaudit.analysis.LaunchPaths.Need;
import io.cmkaudit.analysis.LaunchPaths.Source;
import io.cmkaudit.analysis.RuleContext.AccountScope;
import io.cmkaudit.analysis.RuleContext.KeySide;
import io.cmkaudit.analysis.RuleContext.PrincipalSide;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyStatus;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.policy.Request;
import io.cmkaudit.snapshot.RegionSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Launch access (issue 10, launch-paths.md §1-§2, §6): for every launch source of an account ({@link LaunchPaths}) and
 * its launcher, the KMS calls EC2 makes for a launch on each key of the new volumes, with the caller AWS uses:
 * the service-linked role the group or fleet names (SCPs and RCPs don't apply to it,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html, and its policies can't
 * be changed, so only the key policy or a grant can let it in), or the principal launching a template directly
 * (forward access session: its identity policies, boundary and SCPs, the key account's RCPs, and the key policy;
 * a key of another account needs both sides,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
 *
 * <p>On the new volume's key EC2 needs {@code kms:CreateGrant} (with {@code kms:GrantIsForAWSResource}) and
 * {@code kms:GenerateDataKeyWithoutPlaintext}; on the key of a snapshot re-encrypted under another key,
 * {@code kms:Decrypt} or {@code kms:ReEncryptFrom} (https://docs.aws.amazon.com/ebs/latest/userguide/how-ebs-encryption-works.html).
 * Denied: {@code LAUNCH_BLOCKED_KMS_DENIED}; open on context unknown offline, a key that could not be read, or a
 * policy that could hold the missing Allow that could not be parsed ({@link Texts#unparseableAllowers}):
 * {@code LAUNCH_ACCESS_CONDITIONAL}; one finding per (launcher, key, cause) listing the launch sources. A key that is
 * unusable breaks every launch using it: the sources join the key's one {@code START_BLOCKED_KEY_UNUSABLE} finding
 * (or the account's {@code EBS_DEFAULT_KEY_UNUSABLE} when they use it as the EBS default), never a second finding.
 * AWS managed keys ({@code aws/ebs}) need no authorization for launches
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 */
final class LaunchRule implements Rule {

    /** The EC2 actions that launch from a launch template (RunInstances; CreateFleet, used by Karpenter). */
    static final List<String> LAUNCH_ACTIONS = List.of("ec2:RunInstances", "ec2:CreateFleet");

    private final RuleContext ctx;

    LaunchRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.LAUNCH_BLOCKED_KMS_DENIED, FindingType.LAUNCH_ACCESS_CONDITIONAL,
                FindingType.START_BLOCKED_KEY_UNUSABLE);
    }

    /** One evaluated (launcher, key) pair: null type when allowed. */
    private record Result(FindingType type, List<String> layers, List<String> evidence, String why,
                          Remediation remediation, List<String> uncertain) {
    }

    @Override
    public List<Finding> account(String accountId) {
        List<Finding> out = new ArrayList<>();
        Map<String, List<Source>> byLauncher = new TreeMap<>();
        for (Source s : ctx.launch.sources(accountId)) {
            if (s.launcherArn() != null) {
                byLauncher.computeIfAbsent(s.launcherArn(), k -> new ArrayList<>()).add(s);
            }
            out.addAll(unusable(s));
        }
        byLauncher.forEach((arn, sources) -> {
            PrincipalRef p = ctx.index.principal(arn);
            List<String> notes = new ArrayList<>();
            if (p == null) {
                String name = arn.substring(arn.lastIndexOf('/') + 1);
                p = new PrincipalRef(accountId, arn, name, "", PrincipalKind.SERVICE_LINKED_ROLE, Map.of(),
                        List.of(), null, List.of(), Map.of());
                notes.add("the service-linked role " + name + " is not in the snapshot's IAM roles (it may not "
                        + "exist yet: AWS creates it on first use)");
            }
            out.addAll(launches(ctx.principalSide(p), sources, notes));
        });
        return out;
    }

    @Override
    public List<Finding> principal(AccountScope account, PrincipalSide ps) {
        if (ps.ref().kind() == PrincipalKind.SERVICE_LINKED_ROLE) {
            return List.of();
        }
        List<Source> mine = new ArrayList<>();
        for (Source s : ctx.launch.sources(account.accountId())) {
            if (s.launcherArn() == null && !s.needs().isEmpty() && mayLaunch(ctx, ps, s)) {
                mine.add(s);
            }
        }
        return mine.isEmpty() ? List.of() : launches(ps, mine, List.of());
    }

    /** @return whether the principal's identity side allows (or may allow) launching from the source's template */
    static boolean mayLaunch(RuleContext ctx, PrincipalSide ps, Source s) {
        String arn = "arn:" + ctx.index.partition() + ":ec2:" + s.region() + ":" + s.accountId()
                + ":launch-template/" + s.resource().id();
        for (String action : LAUNCH_ACTIONS) {
            Request r = new Request(ps.ref().arn(), action, arn, s.accountId(),
                    ctx.contexts.launch(ps.ref(), s.region(), s.accountId()));
            DecisionKind k = Evaluator.verdict(r, ps.info(), ps.base().policySet()).kind();
            if (k == DecisionKind.ALLOWED || k == DecisionKind.CONDITIONAL) {
                return true;
            }
        }
        return false;
    }

    /** Evaluates a launcher on every key of its sources; one finding per (key, cause). */
    private List<Finding> launches(PrincipalSide ps, List<Source> sources, List<String> notes) {
        Map<String, Result> cache = new HashMap<>();
        Map<String, Group> groups = new LinkedHashMap<>();
        for (Source s : sources) {
            for (Need n : s.needs()) {
                check(ps, n.target(), s, true, null, cache, groups, n);
                if (n.source() != null) {
                    check(ps, n.source(), s, false, null, cache, groups, n);
                }
                if (n.sourceHidden() != null) {
                    check(ps, n.target(), s, false, n.sourceHidden(), cache, groups, n);
                }
            }
        }
        List<Finding> out = new ArrayList<>();
        for (Group g : groups.values()) {
            Result r = g.result;
            String region = g.sources.iterator().next().region();
            String expl = Texts.uncertainPrefix(merge(r.uncertain(), notes)) + launcherText(ps.ref()) + " launches "
                    + plural(g.sources.size()) + " whose new volumes use " + g.key.arn() + " (" + String.join("; ",
                    g.whats.stream().limit(3).toList()) + (g.whats.size() > 3 ? "; and " + (g.whats.size() - 3)
                    + " more" : "") + "), but " + r.why();
            String id = Finding.groupId(r.type(), ps.ref().accountId(), ps.ref().arn(), g.key.arn(), r.layers());
            Finding f = new Finding(id, r.type(), r.type().defaultSeverity(), ctx.account(ps.ref().accountId()),
                    region, List.copyOf(g.sources), RuleContext.key(g.key), RuleContext.principal(ps.ref()),
                    Finding.Details.of(r.layers(), r.evidence(), expl, r.remediation()));
            ctx.keep(id, r.remediation());
            out.add(f);
        }
        return out;
    }

    /** Findings of one launcher on one key with one cause, as they accumulate. */
    private static final class Group {
        final KeyRef key;
        final Result result;
        final Set<Finding.Resource> sources = new LinkedHashSet<>();
        final Set<String> whats = new LinkedHashSet<>();

        Group(KeyRef key, Result result) {
            this.key = key;
            this.result = result;
        }
    }

    private void check(PrincipalSide ps, KeyRef k, Source s, boolean target, String hidden, Map<String, Result> cache,
                       Map<String, Group> groups, Need n) {
        if (k == null || k.awsManaged() || KeyStateRule.unusable(k)) {
            return;
        }
        String cacheKey = k.arn() + "|" + target + "|" + s.region() + "|" + hidden;
        Result r = cache.computeIfAbsent(cacheKey, x -> hidden != null ? hiddenSource(hidden)
                : evaluate(ps, k, s.region(), target));
        if (r.type() == null) {
            return;
        }
        Group g = groups.computeIfAbsent(k.arn() + "|" + r.type() + "|" + r.layers(), x -> new Group(k, r));
        g.sources.add(s.resource());
        g.whats.add(n.what());
    }

    private static Result hiddenSource(String why) {
        return new Result(FindingType.LAUNCH_ACCESS_CONDITIONAL, List.of("resource"), List.of(why),
                "whether EC2 may decrypt the source snapshot is unknown: " + why + ". Launches fail unless the "
                        + "snapshot's key policy lets the launching account use the key (launch-paths.md §1.2).",
                Remediation.textOnly("Read the AMI owner's account in the scan (or copy the AMI into this account "
                        + "under a local customer managed key, AWS's recommended fix), then scan again."), List.of());
    }

    /** Evaluates EC2's KMS calls of a launch for the launcher on one key. */
    private Result evaluate(PrincipalSide ps, KeyRef k, String region, boolean target) {
        PrincipalRef p = ps.ref();
        List<String> uncertain = new ArrayList<>(ps.uncertain());
        if (k.status() == KeyStatus.UNKNOWN) {
            String why = k.key() == null ? "the key was not collected"
                    : k.key().readError() != null ? "the key could not be read (" + k.key().readError().code()
                    + " on " + k.key().readError().operation() + ")" : "the key policy could not be read";
            return new Result(FindingType.LAUNCH_ACCESS_CONDITIONAL, List.of("resource"),
                    List.of(k.arn() + ": " + why), "whether EC2's KMS calls on the key are allowed is unknown: "
                    + why + ".", Remediation.textOnly("Give the audit role read access to the key (kms:DescribeKey, "
                    + "kms:GetKeyPolicy, kms:ListGrants) and scan again; the policies of " + k.accountId()
                    + " decide whether the launch works."), uncertain);
        }
        KeySide ks = ctx.keySide(k);
        uncertain.addAll(ks.uncertain());
        EvalSet set = ctx.withKey(ps, ks);
        List<Request> requests = new ArrayList<>();
        if (target) {
            requests.add(new Request(p.arn(), "kms:CreateGrant", k.arn(), k.accountId(),
                    ctx.contexts.forwardCreateGrant(p, k, region)));
            requests.add(new Request(p.arn(), "kms:GenerateDataKeyWithoutPlaintext", k.arn(), k.accountId(),
                    ctx.contexts.forwardKms(p, k, region)));
        } else {
            requests.add(new Request(p.arn(), "kms:Decrypt", k.arn(), k.accountId(),
                    ctx.contexts.forwardKms(p, k, region)));
        }
        Decision denied = null;
        Decision open = null;
        Request which = null;
        for (Request r : requests) {
            Decision d = Evaluator.evaluate(r, ps.info(), set.policySet());
            if (!target && d.kind() != DecisionKind.ALLOWED) {
                // ReEncryptFrom is the other way EBS reads a snapshot under a different key
                Request re = new Request(p.arn(), "kms:ReEncryptFrom", k.arn(), k.accountId(), r.context());
                if (Evaluator.verdict(re, ps.info(), set.policySet()).kind() == DecisionKind.ALLOWED) {
                    continue;
                }
            }
            if ((d.kind() == DecisionKind.EXPLICIT_DENY || d.kind() == DecisionKind.IMPLICIT_DENY)
                    && (denied == null || d.kind() == DecisionKind.EXPLICIT_DENY
                    && denied.kind() != DecisionKind.EXPLICIT_DENY)) {
                denied = d;
                which = r;
            } else if (d.kind() == DecisionKind.CONDITIONAL && open == null) {
                open = d;
                if (denied == null) {
                    which = r;
                }
            }
        }
        Decision d = denied != null ? denied : open;
        if (d == null) {
            return new Result(null, List.of(), List.of(), null, null, uncertain);
        }
        Remediation rem = ctx.remediator.launchAccess(p, ps.info(), k, region, requests, set);
        if (rem == null) {
            rem = Remediation.textOnly("No automatic least-privilege fix was found; change the policies named in "
                    + "the evidence so that EC2 may call " + actions(requests) + " on " + k.arn() + " for "
                    + p.arn() + " (kms:ViaService " + Partition.ec2ViaService(region) + ").");
        }
        List<String> layers = DecidingLayers.of(d, p, ks);
        List<String> evidence = NegatedConditions.withAllows(d, set,
                DecidingLayers.evidence(d, Texts.evidence(d, set), layers, p, set));
        String call = "EC2's " + which.action() + " on the key" + (target ? "" : " (the source snapshot's key)");
        if (d.kind() == DecisionKind.CONDITIONAL) {
            return new Result(FindingType.LAUNCH_ACCESS_CONDITIONAL, layers, evidence, "whether " + call
                    + " is allowed depends on " + Texts.residuals(d) + "." + NegatedConditions.sentence(d, set), rem,
                    uncertain);
        }
        // as for starts: an implicit deny is not known when a policy that could hold the missing Allow could not be
        // parsed (Texts#unparseableAllowers)
        List<String> unreadable = Texts.unparseableAllowers(d, set);
        if (!unreadable.isEmpty()) {
            return new Result(FindingType.LAUNCH_ACCESS_CONDITIONAL, layers,
                    Texts.withUnparseable(evidence, unreadable), "whether " + call + " is allowed depends on "
                    + Texts.unparseableParts(unreadable) + ".", rem, uncertain);
        }
        return new Result(FindingType.LAUNCH_BLOCKED_KMS_DENIED, layers, evidence, call + " with its credentials is "
                + "denied (" + denial(d, p, k) + "): new instances end in Client.InternalError or "
                + "Client.InvalidKMSKey.InvalidState and are terminated." + NegatedConditions.sentence(d, set), rem,
                uncertain);
    }

    private static String actions(List<Request> rs) {
        return String.join(", ", rs.stream().map(Request::action).toList());
    }

    private static String denial(Decision d, PrincipalRef p, KeyRef k) {
        if (d.kind() == DecisionKind.EXPLICIT_DENY) {
            return "explicit Deny in " + String.join(", ", d.matched().stream().filter(m -> m.effect() == Effect.DENY)
                    .map(m -> m.layer().id() + " " + Texts.label(m.policyName(), m.statement(), m.index()))
                    .distinct().toList());
        }
        boolean cross = !Objects.equals(k.accountId(), p.accountId());
        if (p.kind() == PrincipalKind.SERVICE_LINKED_ROLE) {
            return cross ? "the key is in account " + k.accountId() + " and the role's policies can't be changed: "
                    + "only a grant can give it the key" : "the key policy does not name the service-linked role, "
                    + "and its policies can't be changed (SCPs don't apply to it): only the key policy can let it in";
        }
        List<String> parts = new ArrayList<>();
        for (var l : d.decidedBy()) {
            parts.add(switch (l) {
                case IDENTITY -> "no identity policy allows it";
                case RESOURCE -> cross ? "the key policy of account " + k.accountId()
                        + " does not allow this principal or its account"
                        : "the key policy neither names the principal nor delegates to the account";
                case BOUNDARY -> "the permissions boundary does not allow it";
                case SCP -> "an SCP level of account " + p.accountId() + " does not allow it";
                case RCP -> "an RCP level of key account " + k.accountId() + " does not allow it";
                case SESSION -> "the session policy does not allow it";
                default -> l.id();
            });
        }
        return parts.isEmpty() ? "no layer allows it" : String.join("; ", parts);
    }

    private static String launcherText(PrincipalRef p) {
        return (p.kind() == PrincipalKind.SERVICE_LINKED_ROLE ? "Service-linked role " : "") + p.arn();
    }

    private static String plural(int n) {
        return n == 1 ? "1 launch source" : n + " launch sources";
    }

    private static List<String> merge(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        b.forEach(x -> {
            if (!out.contains(x)) {
                out.add(x);
            }
        });
        return out;
    }

    /**
     * The launch source as a member of its unusable keys' one {@code START_BLOCKED_KEY_UNUSABLE} finding
     * ({@link FindingGroups} merges members per key); a source using an unusable EBS default key while encryption by
     * default is on is listed by the account's {@code EBS_DEFAULT_KEY_UNUSABLE} instead.
     */
    private List<Finding> unusable(Source s) {
        List<Finding> out = new ArrayList<>();
        RegionSnapshot r = ctx.index.account(s.accountId()).region(s.region()).orElse(null);
        boolean byDefault = r != null && Boolean.TRUE.equals(r.ebsEncryptionByDefault());
        Set<String> seen = new LinkedHashSet<>();
        for (Need n : s.needs()) {
            for (KeyRef k : new KeyRef[] {n.target(), n.source()}) {
                if (k == null || k.awsManaged() || !KeyStateRule.unusable(k) || !seen.add(k.arn())
                        || k == n.target() && n.viaDefault() && byDefault) {
                    continue;
                }
                String state = k.reportedState();
                String keyAccount = k.accountId() != null ? k.accountId() : s.accountId();
                Remediation rem = Remediation.textOnly(KeyStateRule.fixText(k));
                String expl = "Key " + k.arn() + " is " + (state == null ? "unusable" : state) + ": every launch "
                        + "whose new volumes use it fails (only Enabled keys encrypt new volumes).";
                String id = Finding.stableId(FindingType.START_BLOCKED_KEY_UNUSABLE, keyAccount, s.region(),
                        s.resource().kind() + ":" + s.resource().id(), null, k.arn());
                out.add(new Finding(id, FindingType.START_BLOCKED_KEY_UNUSABLE, KeyStateRule.severity(k),
                        ctx.account(keyAccount), s.region(), List.of(s.resource().relativeTo(s.accountId(), keyAccount)),
                        RuleContext.key(k), null,
                        Finding.Details.of(List.of("keyState"), List.of(k.arn() + ": KeyState " + state), expl, rem)));
                ctx.keep(id, rem);
            }
        }
        return out;
    }
}
