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

    @Override
    public List<Finding> key(KeyRef k) {
        KeySide ks = ctx.keySide(k);
        if (ks.keyPolicy() == null || !ks.trustsEveryone()) {
            return List.of();
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
            return List.of();
        }
        open.sort(Comparator.comparingInt(MatchedStatement::index));
        List<Integer> idx = open.stream().map(MatchedStatement::index).toList();
        Remediation rem = ctx.remediator.keyPolicyPublic(ks.keyPolicy(), idx, ctx.index.org.id(), k.accountId(),
                s -> PUBLIC_PROBES.stream().anyMatch(a -> {
                    DecisionKind dk = outsider(k, s, a).kind();
                    return dk == DecisionKind.ALLOWED || dk == DecisionKind.CONDITIONAL;
                }), set);
        if (rem == null) {
            rem = Remediation.textOnly("Restrict the key policy statements named in the evidence to known "
                    + "accounts or the organization (aws:PrincipalOrgID).");
        }
        String expl = "The key policy of " + k.arn() + " lets principals outside the organization call "
                + String.join(", ", actions) + " (Principal \"*\" without a condition limiting callers to known "
                + "accounts or the organization).";
        List<String> ev = open.stream().map(m -> Texts.label(m.policyName(), m.statement(), m.index())).toList();
        Finding f = Finding.key(FindingType.KEY_POLICY_PUBLIC, Severity.CRITICAL, ctx.account(k.accountId()),
                k.region(), RuleContext.key(k), Finding.Details.of(List.of("resource"), ev, expl, rem));
        ctx.keep(f.findingId(), rem);
        return List.of(f);
    }

    private EvalSet outsiderSet(KeySide ks) {
        PolicySource anything = new PolicySource("outsider's own identity policy (assumed to allow everything)",
                PolicySource.Origin.CUSTOMER_MANAGED, ContextFactory.OUTSIDER_ACCOUNT,
                ContextFactory.outsiderArn(ctx.index.partition()),
                "outsider", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
                + "\"Resource\":\"*\"}]}");
        return new EvalSet(List.of(ctx.library.derived(anything)), null, List.of(), List.of(),
                ks.keyPolicy(), List.of(), null, ks.inManagement());
    }

    private Decision outsider(KeyRef k, EvalSet set, String action) {
        Request r = new Request(ContextFactory.outsiderArn(ctx.index.partition()), action, k.arn(), k.accountId(),
                ctx.contexts.outsider(k, action));
        PrincipalInfo info = new PrincipalInfo(PrincipalType.ROLE, ContextFactory.OUTSIDER_ACCOUNT, false, false,
                null);
        return Evaluator.evaluate(r, info, set.policySet());
    }
}
