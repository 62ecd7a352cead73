package io.cmkaudit.analysis;

import io.cmkaudit.analysis.InstanceClasses.InstanceClass;
import io.cmkaudit.analysis.RuleContext.AccountScope;
import io.cmkaudit.analysis.RuleContext.KeySide;
import io.cmkaudit.analysis.RuleContext.PrincipalSide;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyStatus;
import io.cmkaudit.analysis.SnapshotIndex.KeyUse;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.Request;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Start access (findings.md, "The join"; aws-rules.md §2): for every principal of an account and every in-scope
 * instance it may start ({@code ec2:StartInstances}), the {@code kms:CreateGrant} EC2 then makes on each customer
 * managed key with the principal's credentials (forward access session,
 * https://docs.aws.amazon.com/kms/latest/developerguide/grants.html). Denied: {@code START_BLOCKED_KMS_DENIED};
 * depends on context unknown offline, the key could not be read, or a policy that could hold the missing Allow could
 * not be parsed ({@link Texts#unparseableAllowers}): {@code START_ACCESS_CONDITIONAL}. Unusable or
 * missing keys are {@link KeyStateRule}'s. The StartInstances decision is made once per principal and instance class,
 * the CreateGrant once per principal and key. {@code explain} reads its decisions through
 * {@link #startDecision} and {@link #forwardGrant}.
 */
final class StartAccessRule implements Rule {

    /** Action of the EC2 API the join evaluates. */
    static final String START = "ec2:StartInstances";
    /** Name prefix of EC2 Auto Scaling's service-linked role(s). */
    static final String AUTO_SCALING_SLR = "AWSServiceRoleForAutoScaling";

    private final RuleContext ctx;

    StartAccessRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.START_BLOCKED_KMS_DENIED, FindingType.START_ACCESS_CONDITIONAL);
    }

    /** The forward-access CreateGrant of a principal on a key, classified, with its remediation. */
    record GrantResult(FindingType type, Severity severity, Decision decision, List<String> layers,
                       List<String> evidence, Texts.Template template, String reason, Remediation remediation,
                       List<String> uncertain) {
        /** @return the explanation for one principal, key and instance */
        String explanation(String principal, String key) {
            return template.render(Texts.Subjects.of(principal, key, 1), reason);
        }
    }

    /** Explanation: the key could not be read. */
    static final Texts.Template UNKNOWN = (s, why) -> s.principal() + " can start "
            + s.instance() + ", but whether EC2's kms:CreateGrant on " + s.key() + " is allowed is unknown: " + why
            + ".";
    /** Explanation: the CreateGrant depends on context unknown offline. */
    static final Texts.Template DEPENDS = (s, why) -> s.principal() + " can start " + s.instance() + ", but "
            + "whether EC2's kms:CreateGrant on " + s.key() + " is allowed depends on " + why + ".";
    /** Explanation: the CreateGrant is denied. */
    static final Texts.Template DENIED = (s, why) -> s.principal() + " can start " + s.instance() + ", but EC2's "
            + "kms:CreateGrant on " + s.key() + " with " + s.its() + " credentials is denied (" + why + "): "
            + s.instance() + " will go pending -> stopped with "
            + "Client.InternalError.";

    @Override
    public List<Finding> principal(AccountScope account, PrincipalSide ps) {
        List<Finding> out = new ArrayList<>();
        PrincipalRef p = ps.ref();
        Map<String, GrantResult> grantCache = new HashMap<>();
        // Auto Scaling's service-linked role starts only instances of the groups that name it (warm pools); a group
        // naming none uses AWSServiceRoleForAutoScaling (issue 10: not every role under the path)
        boolean autoScaling = p.kind() == PrincipalKind.SERVICE_LINKED_ROLE && p.name().startsWith(AUTO_SCALING_SLR);
        if (!identityMayAllow(ps, START)) {
            return out;
        }
        for (InstanceClass c : autoScaling ? account.asgGroups(p.name()) : account.groups()) {
            // the answer alone first (most starts are allowed or denied outright); the full decision only when its
            // residual conditions go into the findings' text
            Request start = startRequest(ps, c.representative());
            DecisionKind sk = Evaluator.verdict(start, ps.info(), ps.base().policySet()).kind();
            if (sk == DecisionKind.IMPLICIT_DENY || sk == DecisionKind.EXPLICIT_DENY) {
                continue;
            }
            String startNote = sk == DecisionKind.CONDITIONAL
                    ? Texts.residuals(Evaluator.evaluate(start, ps.info(), ps.base().policySet())) : null;
            for (InstanceRef i : c.members()) {
                for (KeyUse u : i.cmks()) {
                    KeyRef k = u.key();
                    if (k.status() == KeyStatus.UNUSABLE || k.status() == KeyStatus.MISSING) {
                        continue;
                    }
                    GrantResult g = grantCache.computeIfAbsent(k.arn(), a -> forwardGrant(ps, k, i.region(), false));
                    if (g.type() != null) {
                        out.add(finding(ps, i, u, g, startNote));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Whether some identity policy of the principal may allow the action on some resource: an Allow statement whose
     * Action / NotAction covers it, or a statement or policy that could not be parsed. When none does, a request to
     * a resource without a resource-based policy (an EC2 instance) is denied, implicitly or explicitly, whatever its
     * resource and context (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
     * so the analysis need not build its context nor evaluate it.
     *
     * @param ps     the principal (user or role; never the account root)
     * @param action e.g. {@code ec2:StartInstances}
     * @return false only when no identity statement can allow the action
     */
    static boolean identityMayAllow(PrincipalSide ps, String action) {
        for (PolicyLibrary.Entry e : ps.base().identity) {
            if (e.unparseable()) {
                return true;
            }
            for (io.cmkaudit.policy.Statement st : e.policy().statements()) {
                if (st.effect() == Effect.DENY) {
                    continue;
                }
                if (st.effect() == null || st.hasUnparsedParts() || st.action() == null && st.notAction() == null
                        || st.matchesAction(action)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return the principal's {@code ec2:StartInstances} decision on the instance (direct call) */
    Decision startDecision(PrincipalSide ps, InstanceRef i) {
        return Evaluator.evaluate(startRequest(ps, i), ps.info(), ps.base().policySet());
    }

    /** @return the principal's {@code ec2:StartInstances} request on the instance (direct call) */
    private Request startRequest(PrincipalSide ps, InstanceRef i) {
        return new Request(ps.ref().arn(), START, i.instance().arn(), i.accountId(),
                ctx.contexts.startInstances(ps.ref(), i));
    }

    /**
     * @return EC2's forward-access {@code kms:CreateGrant} for the principal on the key, classified; type null when
     *         allowed
     */
    GrantResult forwardGrant(PrincipalSide ps, KeyRef k, String region) {
        return forwardGrant(ps, k, region, true);
    }

    /**
     * @param explainAllowed whether an allowed CreateGrant keeps its full {@link Decision} ({@code explain} shows
     *                       it); when false its decision is null (only its answer is computed)
     */
    private GrantResult forwardGrant(PrincipalSide ps, KeyRef k, String region, boolean explainAllowed) {
        PrincipalRef p = ps.ref();
        List<String> uncertain = new ArrayList<>(ps.uncertain());
        if (k.status() == KeyStatus.UNKNOWN) {
            String why = k.key() == null ? "the key was not collected"
                    : k.key().readError() != null ? "the key could not be read (" + k.key().readError().code()
                    + " on " + k.key().readError().operation() + ")" : "the key policy could not be read";
            return new GrantResult(FindingType.START_ACCESS_CONDITIONAL, Severity.MEDIUM, null, List.of("resource"),
                    List.of(k.arn() + ": " + why), UNKNOWN, why, Remediation.textOnly("Give the audit role read access to "
                    + "the key (kms:DescribeKey, kms:GetKeyPolicy, kms:ListGrants) and scan again; the policies "
                    + "of " + k.accountId() + " decide whether the start works."), uncertain);
        }
        KeySide ks = ctx.keySide(k);
        uncertain.addAll(ks.uncertain());
        EvalSet set = ctx.withKey(ps, ks);
        Request req = new Request(p.arn(), "kms:CreateGrant", k.arn(), k.accountId(),
                ctx.contexts.forwardCreateGrant(p, k, region));
        if (!explainAllowed
                && Evaluator.verdict(req, ps.info(), set.policySet()).kind() == DecisionKind.ALLOWED) {
            return new GrantResult(null, null, null, List.of(), List.of(), null, null, null, uncertain);
        }
        Decision d = Evaluator.evaluate(req, ps.info(), set.policySet());
        if (d.kind() == DecisionKind.ALLOWED) {
            return new GrantResult(null, null, d, List.of(), List.of(), null, null, null, uncertain);
        }
        Remediation rem = ctx.remediator.forwardGrant(p, ps.info(), k, region, req, set, d);
        if (rem == null) {
            rem = Remediation.textOnly("No automatic least-privilege fix was found; change the policies named "
                    + "in the evidence so that kms:CreateGrant on " + k.arn() + " is allowed with "
                    + "kms:GrantIsForAWSResource true and kms:ViaService " + Partition.ec2ViaService(region) + ".");
        }
        List<String> layers = DecidingLayers.of(d, p, ks);
        List<String> evidence = NegatedConditions.withAllows(d, set,
                DecidingLayers.evidence(d, Texts.evidence(d, set), layers, p, set));
        // a Deny with a negated condition: say positively when the call is allowed (issue 10 item 5)
        String negated = NegatedConditions.sentence(d, set);
        if (d.kind() == DecisionKind.CONDITIONAL) {
            return new GrantResult(FindingType.START_ACCESS_CONDITIONAL, Severity.MEDIUM, d, layers, evidence,
                    negated.isEmpty() ? DEPENDS : (s, why) -> DEPENDS.render(s, why) + negated, Texts.residuals(d),
                    rem, uncertain);
        }
        // an implicit deny is not known when a policy that could hold the missing Allow could not be parsed
        List<String> unreadable = Texts.unparseableAllowers(d, set);
        if (!unreadable.isEmpty()) {
            return new GrantResult(FindingType.START_ACCESS_CONDITIONAL, Severity.MEDIUM, d, layers,
                    Texts.withUnparseable(evidence, unreadable), DEPENDS, Texts.unparseableParts(unreadable), rem,
                    uncertain);
        }
        return new GrantResult(FindingType.START_BLOCKED_KMS_DENIED, Severity.HIGH, d, layers, evidence,
                negated.isEmpty() ? DENIED : (s, why) -> DENIED.render(s, why) + negated, denial(d, ps, k), rem,
                uncertain);
    }

    /** @param startNote the residual conditions of a conditional StartInstances, or null when it is allowed */
    private Finding finding(PrincipalSide ps, InstanceRef i, KeyUse u, GrantResult g, String startNote) {
        Texts.Why why = new Texts.Why(g.template(), g.reason(), g.uncertain(), startNote);
        String expl = why.render(Texts.Subjects.of(ps.ref().arn(), u.key().arn(), 1));
        Finding f = Finding.instanceKey(g.type(), g.severity(), ctx.account(i.accountId()),
                RuleContext.instance(i, u.volumeIds()), RuleContext.key(u.key()), RuleContext.principal(ps.ref()),
                Finding.Details.of(g.layers(), g.evidence(), expl, g.remediation()));
        ctx.keep(f.findingId(), g.remediation(), why);
        return f;
    }

    private static String denial(Decision d, PrincipalSide ps, KeyRef k) {
        if (d.kind() == DecisionKind.EXPLICIT_DENY) {
            List<String> where = d.matched().stream().filter(m -> m.effect() == Effect.DENY)
                    .map(m -> m.layer().id() + " " + Texts.label(m.policyName(), m.statement(), m.index()))
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
}
