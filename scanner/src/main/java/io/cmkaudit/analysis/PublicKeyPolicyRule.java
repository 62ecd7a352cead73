package io.cmkaudit.analysis;

import io.cmkaudit.analysis.RuleContext.KeySide;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.MatchedStatement;
import io.cmkaudit.policy.PrincipalInfo;
import io.cmkaudit.policy.PrincipalType;
import io.cmkaudit.policy.Request;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Public key policy: a key policy that lets a principal of an unknown account (whose own policies allow everything)
 * call a KMS action on the key gives {@code KEY_POLICY_PUBLIC}, citing the open statements; the remediation adds an
 * {@code aws:PrincipalOrgID} (or {@code kms:CallerAccount}) condition and is re-evaluated
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid).
 */
final class PublicKeyPolicyRule implements Rule {

    /** Actions the stranger tries on a key to find a public key policy. */
    static final List<String> PUBLIC_PROBES = List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
            "kms:ReEncryptFrom", "kms:CreateGrant", "kms:DescribeKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion");

    private final RuleContext ctx;

    PublicKeyPolicyRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.KEY_POLICY_PUBLIC);
    }

    /** What a stranger may call on a key and the key-policy statements that let it (sorted by index). */
    record Open(List<String> actions, List<MatchedStatement> statements) {
    }

    /**
     * @return the indexes of the key-policy statements through which a principal of an unknown account may call a
     *         KMS action on the key (those a {@code KEY_POLICY_PUBLIC} finding cites); empty when none. Computed once
     *         per key and run.
     */
    static Set<Integer> openStatements(RuleContext ctx, KeyRef k) {
        return open(ctx, k).statements().stream().map(MatchedStatement::index)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private static Open open(RuleContext ctx, KeyRef k) {
        return ctx.publicStatements.computeIfAbsent(k.arn(), x -> {
            KeySide ks = ctx.keySide(k);
            if (ks.keyPolicy() == null || !ks.trustsEveryone()) {
                return new Open(List.of(), List.of());
            }
            EvalSet set = outsiderSet(ctx, ks);
            List<MatchedStatement> open = new ArrayList<>();
            List<String> actions = new ArrayList<>();
            for (String action : PUBLIC_PROBES) {
                Decision d = outsider(ctx, k, set, action);
                if (d.kind() == DecisionKind.ALLOWED || d.kind() == DecisionKind.CONDITIONAL) {
                    actions.add(action);
                    for (MatchedStatement m : d.matched()) {
                        if (m.layer() == Layer.RESOURCE && m.effect() == Effect.ALLOW && open.stream()
                                .noneMatch(o -> o.index() == m.index())) {
                            open.add(m);
                        }
                    }
                }
            }
            open.sort(Comparator.comparingInt(MatchedStatement::index));
            return new Open(List.copyOf(actions), List.copyOf(open));
        });
    }

    /**
     * Issue 9 item 10: breadth that comes only from a key-policy statement open to everyone ({@code Principal "*"})
     * and reported as {@code KEY_POLICY_PUBLIC} (a stranger may use it) is counted in that key's finding rather than
     * reported once per principal: no identity statement allows the action, and every key-policy Allow that does is
     * one of the public finding's open statements or the delegation to the key's account (which allows nothing by
     * itself, https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). Allows of the guardrail
     * layers (SCPs, RCPs, boundary, session policy) only limit and grant nothing. The principal is counted for the
     * key's finding ({@link RuleContext#publicExposure}).
     *
     * @param type {@code KMS_FULL_ACCESS} or {@code KMS_CREATEGRANT_UNCONSTRAINED}
     * @param d    the principal's direct decision on the key (the probe action, or kms:CreateGrant)
     * @return whether the finding is left to KEY_POLICY_PUBLIC (then the principal is counted there)
     */
    static boolean countedInstead(RuleContext ctx, FindingType type, RuleContext.PrincipalSide ps, KeyRef k,
                                  Decision d) {
        KeySide ks = ctx.keySide(k);
        if (!ks.trustsEveryone() || ks.keyPolicy() == null || ks.keyPolicy().unparseable()) {
            return false;
        }
        Set<Integer> publicStatements = openStatements(ctx, k);
        if (publicStatements.isEmpty()) {
            return false;
        }
        EvalSet keyOnly = new EvalSet(List.of(), null, List.of(), List.of(), ks.keyPolicy(), List.of(), null,
                ks.inManagement());
        boolean open = false;
        for (io.cmkaudit.policy.MatchedStatement m : d.matched()) {
            if (m.effect() != Effect.ALLOW) {
                continue;
            }
            if (m.layer() == Layer.RESOURCE) {
                if (publicStatements.contains(m.index())) {
                    open = true;
                } else if (!Remediator.isDelegation(ks.keyPolicy(), m.index(), keyOnly)) {
                    return false;
                }
            } else if (m.layer() == Layer.IDENTITY || m.layer() == Layer.GRANT) {
                return false;
            }
        }
        if (open) {
            ctx.publicExposure.computeIfAbsent(k.arn(), x -> new java.util.concurrent.ConcurrentHashMap<>())
                    .computeIfAbsent(type, x -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(ps.ref().arn());
        }
        return open;
    }

    @Override
    public List<Finding> key(KeyRef k) {
        KeySide ks = ctx.keySide(k);
        Open o = open(ctx, k);
        List<String> actions = o.actions();
        List<MatchedStatement> open = o.statements();
        if (actions.isEmpty()) {
            return List.of();
        }
        EvalSet set = outsiderSet(ctx, ks);
        List<Integer> idx = open.stream().map(MatchedStatement::index).toList();
        Remediation rem = ctx.remediator.keyPolicyPublic(ks.keyPolicy(), idx, ctx.index.org.id(), k.accountId(),
                s -> PUBLIC_PROBES.stream().anyMatch(a -> {
                    DecisionKind dk = outsider(ctx, k, s, a).kind();
                    return dk == DecisionKind.ALLOWED || dk == DecisionKind.CONDITIONAL;
                }), set);
        if (rem == null) {
            rem = Remediation.textOnly("Restrict the key policy statements named in the evidence to known "
                    + "accounts or the organization (aws:PrincipalOrgID).");
        }
        List<String> rcps = closedByRcp(ctx, k, ks, actions);
        String expl = rcps.isEmpty()
                ? "The key policy of " + k.arn() + " lets principals outside the organization call "
                + String.join(", ", actions) + " (Principal \"*\" without a condition limiting callers to known "
                + "accounts or the organization)." + exposure(k)
                : "The key policy of " + k.arn() + " would let principals outside the organization call "
                + String.join(", ", actions) + " (Principal \"*\" without a condition limiting callers to known "
                + "accounts or the organization); today only " + String.join(", ", rcps) + " of the key's "
                + "account " + (rcps.size() == 1 ? "denies" : "deny") + " them. A change "
                + "to " + (rcps.size() == 1 ? "that RCP" : "those RCPs") + ", or a move of the account to another "
                + "OU, opens the key: limit the key policy itself." + exposure(k);
        List<String> ev = open.stream().map(m -> Texts.label(m.policyName(), m.statement(), m.index())).toList();
        // the RCP closes the key to outsiders today: the open key policy is defence in depth lost, not exposure
        Severity severity = rcps.isEmpty() ? Severity.CRITICAL : Severity.MEDIUM;
        Finding f = Finding.key(FindingType.KEY_POLICY_PUBLIC, severity, ctx.account(k.accountId()),
                k.region(), RuleContext.key(k), Finding.Details.of(List.of("resource"), ev, expl, rem));
        ctx.keep(f.findingId(), rem);
        return List.of(f);
    }

    /**
     * @return what the open statement gives the principals of the scanned accounts, counted by {@link BreadthRule}
     *         (which leaves those findings to this one), e.g. " Through it, 412 principals of the scanned accounts
     *         have unconstrained kms:CreateGrant on the key; ..."; empty when none
     */
    private String exposure(KeyRef k) {
        return exposureText(ctx.publicExposure.get(k.arn()));
    }

    /**
     * @param by the principals a public key policy exposes, by finding type; or null
     * @return the sentence the key's {@code KEY_POLICY_PUBLIC} explanation ends with (see {@link #exposure}); empty
     *         when none
     */
    static String exposureText(java.util.Map<FindingType, ? extends java.util.Collection<String>> by) {
        if (by == null || by.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        java.util.Collection<String> full = by.containsKey(FindingType.KMS_FULL_ACCESS)
                ? by.get(FindingType.KMS_FULL_ACCESS) : java.util.Set.of();
        java.util.Collection<String> cg = by.containsKey(FindingType.KMS_CREATEGRANT_UNCONSTRAINED)
                ? by.get(FindingType.KMS_CREATEGRANT_UNCONSTRAINED) : java.util.Set.of();
        if (!full.isEmpty()) {
            parts.add(count(full.size()) + " every KMS action");
        }
        if (!cg.isEmpty()) {
            parts.add(count(cg.size()) + " kms:CreateGrant without kms:GrantIsForAWSResource");
        }
        return " Through it alone, " + String.join(", and ", parts) + " on the key: they are counted here rather "
                + "than reported one finding each, as the statement is the one thing to change.";
    }

    private static String count(int n) {
        return n == 1 ? "1 principal of the scanned accounts has" : n + " principals of the scanned accounts have";
    }

    /**
     * Whether the resource control policies of the key's account deny every action the key policy opens to an
     * outsider: RCPs apply to the resources of member accounts whatever the caller's account, and an outsider's
     * request must be allowed by every RCP level
     * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html,
     * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
     * A decision that stays conditional under the RCPs does not count as closed.
     *
     * @param actions the actions the key policy opens to an outsider; not empty
     * @return the names of the RCPs whose Deny statements deny them, sorted; empty when the key is open (no RCP, an
     *         RCP that allows some action, one that decides only conditionally, or a denial by no RCP Deny)
     */
    private static List<String> closedByRcp(RuleContext ctx, KeyRef k, KeySide ks, List<String> actions) {
        if (ks.rcp().isEmpty()) {
            return List.of();
        }
        EvalSet base = outsiderSet(ctx, ks);
        EvalSet withRcp = new EvalSet(base.identity, null, List.of(), ks.rcp(), ks.keyPolicy(), List.of(), null,
                ks.inManagement());
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (String action : actions) {
            Decision d = outsider(ctx, k, withRcp, action);
            if (d.kind() != DecisionKind.EXPLICIT_DENY && d.kind() != DecisionKind.IMPLICIT_DENY) {
                return List.of();
            }
            boolean byRcp = false;
            for (MatchedStatement m : d.matched()) {
                if (m.layer() == Layer.RCP && m.effect() == Effect.DENY) {
                    names.add(m.policyName());
                    byRcp = true;
                }
            }
            if (!byRcp) {
                // not a Deny of an RCP (e.g. only a level without an Allow): reported as open, as without RCPs
                return List.of();
            }
        }
        return List.copyOf(names);
    }

    private static EvalSet outsiderSet(RuleContext ctx, KeySide ks) {
        PolicySource anything = new PolicySource("outsider's own identity policy (assumed to allow everything)",
                PolicySource.Origin.CUSTOMER_MANAGED, ContextFactory.OUTSIDER_ACCOUNT,
                ContextFactory.outsiderArn(ctx.index.partition()),
                "outsider", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
                + "\"Resource\":\"*\"}]}");
        return new EvalSet(List.of(ctx.library.derived(anything)), null, List.of(), List.of(),
                ks.keyPolicy(), List.of(), null, ks.inManagement());
    }

    private static Decision outsider(RuleContext ctx, KeyRef k, EvalSet set, String action) {
        Request r = new Request(ContextFactory.outsiderArn(ctx.index.partition()), action, k.arn(), k.accountId(),
                ctx.contexts.outsider(k, action));
        PrincipalInfo info = new PrincipalInfo(PrincipalType.ROLE, ContextFactory.OUTSIDER_ACCOUNT, false, false,
                null);
        return Evaluator.evaluate(r, info, set.policySet());
    }
}
