package io.cmkaudit.analysis;

import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.analysis.RuleContext.KeySide;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyStatus;
import io.cmkaudit.analysis.SnapshotIndex.KeyUse;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.policy.Grant;
import io.cmkaudit.policy.PrincipalInfo;
import io.cmkaudit.policy.PrincipalType;
import io.cmkaudit.policy.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Grantee decrypt (aws-rules.md §7 step 5): under the grant EC2 creates at start, the instance's identity-only role
 * {@code aws:ec2-infrastructure} calls {@code kms:Decrypt} on each key; a Deny of the key policy, an SCP of the
 * instance's account or an RCP of the key's account that stops it makes every start fail whoever starts the
 * instance (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html). A deciding Deny gives
 * {@code START_BLOCKED_KMS_DENIED}, a Deny whose condition is unknown offline {@code START_ACCESS_CONDITIONAL}; both
 * without principal, one per instance and key. The decision is made once per (instance account, key).
 */
final class GranteeDecryptRule implements Rule {

    private final RuleContext ctx;
    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();
    private final Map<String, Remediation> remediations = new ConcurrentHashMap<>();

    GranteeDecryptRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.START_BLOCKED_KMS_DENIED, FindingType.START_ACCESS_CONDITIONAL);
    }

    /** Request, principal and policies of the aws:ec2-infrastructure role's Decrypt under EC2's grant. */
    record GranteeRequest(Request request, PrincipalInfo info, EvalSet set) {
    }

    /** @return the Decrypt request of the instance's aws:ec2-infrastructure role on a usable key */
    GranteeRequest request(InstanceRef i, KeyRef k, String volumeId) {
        String account = i.accountId();
        String session = "arn:" + ctx.index.partition() + ":sts::" + account + ":assumed-role/aws:ec2-infrastructure/"
                + i.instance().instanceId();
        KeySide ks = ctx.keySide(k);
        List<String> uncertain = new ArrayList<>();
        List<List<Entry>> scp = ctx.entries(ctx.index.scpLevels(account), uncertain, "SCP");
        Grant ec2Grant = new Grant(null, "the grant EC2 creates for the instance", session, List.of("Decrypt"),
                new Grant.Constraints(null, Map.of("aws:ebs:id", volumeId)));
        List<Grant> grants = new ArrayList<>(ks.grants());
        grants.add(ec2Grant);
        EvalSet set = new EvalSet(List.of(), null, scp, ks.rcp(), ks.keyPolicy(), grants, k.key().keyState(),
                ks.inManagement());
        PrincipalInfo info = new PrincipalInfo(PrincipalType.ROLE_SESSION, account, false,
                ctx.index.isManagementAccount(account), ContextFactory.ec2InfrastructureRoleArn(ctx.index.partition(), account));
        Request req = new Request(session, "kms:Decrypt", k.arn(), k.accountId(),
                ctx.contexts.ec2InfrastructureDecrypt(i, k, volumeId));
        return new GranteeRequest(req, info, set);
    }

    /**
     * @return the role's Decrypt decision for the instance's account and the key (the volume id only feeds the
     *         grant's encryption-context constraint, which EC2's own grant always meets: one decision per pair)
     */
    Decision decision(InstanceRef i, KeyUse u) {
        return decisions.computeIfAbsent(i.accountId() + "|" + u.key().arn(), x -> {
            GranteeRequest g = request(i, u.key(), u.volumeIds().get(0));
            return Evaluator.evaluate(g.request(), g.info(), g.set().policySet());
        });
    }

    @Override
    public List<Finding> instanceKey(InstanceRef i, KeyUse u) {
        KeyRef k = u.key();
        if (k.status() != KeyStatus.USABLE) {
            return List.of();
        }
        Decision d = decision(i, u);
        boolean denyInvolved = d.matched().stream().anyMatch(m -> m.effect() == Effect.DENY);
        if (d.kind() == DecisionKind.ALLOWED || !denyInvolved) {
            return List.of();
        }
        GranteeRequest g = request(i, k, u.volumeIds().get(0));
        FindingType type = d.kind() == DecisionKind.CONDITIONAL ? FindingType.START_ACCESS_CONDITIONAL
                : FindingType.START_BLOCKED_KMS_DENIED;
        Remediation rem = remediations.computeIfAbsent(i.accountId() + "|" + k.arn(), x -> {
            Remediation r = ctx.remediator.granteeSide(g.request(), g.info(), g.set(), d, k);
            return r != null ? r : Remediation.textOnly("Exempt arn:" + ctx.index.partition()
                    + ":iam::*:role/aws:ec2-infrastructure from "
                    + "the Deny named in the evidence (ArnNotLikeIfExists aws:PrincipalArn).");
        });
        Texts.Why why = type == FindingType.START_BLOCKED_KMS_DENIED ? new Texts.Why(DENIED, "", List.of(), null)
                : new Texts.Why(DEPENDS, Texts.residuals(d), List.of(), null);
        Finding f = Finding.instanceKey(type, type.defaultSeverity(), ctx.account(i.accountId()),
                RuleContext.instance(i, u.volumeIds()), RuleContext.key(k), null,
                Finding.Details.of(Texts.layers(d), Texts.evidence(d, g.set()),
                        why.render(Texts.Subjects.of(null, k.arn(), 1)), rem));
        ctx.keep(f.findingId(), rem, why);
        return List.of(f);
    }

    /** Explanation: a Deny blocks the role's Decrypt. */
    static final Texts.Template DENIED = (s, why) -> "A Deny stops the aws:ec2-infrastructure role of "
            + s.instance() + " from calling kms:Decrypt on " + s.key() + " under EC2's grant, so every start fails "
            + "whoever starts " + (s.instances() > 1 ? "them." : "the instance.");
    /** Explanation: whether a Deny blocks the role's Decrypt depends on context. */
    static final Texts.Template DEPENDS = (s, why) -> "Whether a Deny stops the aws:ec2-infrastructure role of "
            + s.instance() + " from calling kms:Decrypt on " + s.key() + " depends on " + why + " (its calls "
            + "come from AWS networks, so network denies must exempt it).";
}
