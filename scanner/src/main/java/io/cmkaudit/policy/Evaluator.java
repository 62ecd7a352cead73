package io.cmkaudit.policy;

import io.cmkaudit.match.KmsActions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates one request against a {@link PolicySet} the way AWS does, with KMS's rules, in three-valued logic over
 * the keys declared unknown.
 *
 * <p>The logic (sources: evaluation-checklist.md and aws-rules.md §3-4;
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html ,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html ,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html ,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html ,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html ,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html ,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html ,
 * https://docs.aws.amazon.com/kms/latest/developerguide/grants.html):
 * <ol>
 *   <li>A matching Deny in any layer that applies (identity, boundary, session, SCPs, RCPs, resource policy)
 *       decides: {@link DecisionKind#EXPLICIT_DENY}. Grants never deny.</li>
 *   <li>SCPs apply to principals of member accounts (not the management account, not service-linked roles, not
 *       service principals); every level root → OU → account must allow.</li>
 *   <li>RCPs apply to resources of member accounts for services that support them (not {@code ec2}), except AWS
 *       managed keys, service-linked-role callers and {@code kms:RetireGrant}; every level must allow.</li>
 *   <li>Same account, KMS key: allowed when the key policy names the principal (user, session, service or
 *       {@code "*"}: also past an implicit deny of boundary or session policy; role ARN: only if boundary and
 *       session policy allow), or when the key policy delegates to the account (account id / root ARN) and the
 *       identity policies, boundary and session policy allow, or when a grant allows.</li>
 *   <li>Same account, other resources: identity ∩ boundary ∩ session, or a resource policy naming the principal
 *       (same bypass rule); an account principal in a same-account resource policy grants nothing by itself.</li>
 *   <li>Cross account: the caller's side (identity ∩ boundary ∩ session, SCPs) and the resource side (resource
 *       policy naming the caller or its account, RCPs) must both allow; for KMS only the operations that work across
 *       accounts can be allowed by the key policy.</li>
 *   <li>Grants allow the grantee the listed operations on the key when the request's encryption context
 *       ({@code kms:EncryptionContext:*} keys) meets the constraints; SCPs and RCPs still apply.</li>
 *   <li>The key state does not change the answer; it sets {@link Decision#keyUsable()}.</li>
 * </ol>
 *
 * <p>Unknown keys: each statement's match is TRUE, FALSE or UNKNOWN. The answer formula is monotone (more allows never
 * deny, more denies never allow), so evaluating it in Kleene logic gives exactly: {@code EXPLICIT_DENY} when a Deny
 * surely matches; {@code IMPLICIT_DENY} when even with every unknown Allow assumed to match nothing allows;
 * {@code ALLOWED} when it is allowed with every unknown Deny assumed to match and every unknown Allow assumed not
 * to; {@code CONDITIONAL} otherwise. An unknown key shared by several statements is treated independently in each,
 * which can only turn a definite answer into {@code CONDITIONAL}, never into a wrong definite answer.
 *
 * <p>Stateless and thread-safe; policies are compiled once by {@link PolicyParser} and evaluated without parsing.
 */
public final class Evaluator {
    /** Services whose resources RCPs restrict (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html). */
    static final Set<String> RCP_SERVICES = Set.of("s3", "sts", "kms", "sqs", "secretsmanager", "dynamodb", "ecr",
            "aoss", "cognito-identity", "logs", "autoscaling");
    /** KMS operations that work on a key of another account (key-policy-modifying-external-accounts.html). */
    static final Set<String> KMS_CROSS_ACCOUNT = KmsActions.CROSS_ACCOUNT_LOWER;
    private static final String EC_PREFIX = "kms:encryptioncontext:";
    private static final Layer[] LAYERS = Layer.values();
    /** Operations that take an encryption context, to which grant constraints apply. */
    private static final Set<String> EC_OPERATIONS = KmsActions.ENCRYPTION_CONTEXT_LOWER;

    private Evaluator() {
    }

    /** How a layer's statements treat the Principal element. */
    private enum Mode {
        /** Identity-like policies: no Principal element. */
        IDENTITY,
        /** Resource control policies: Principal is {@code "*"} when present. */
        RCP,
        /** Resource-based policies: the Principal element must match. */
        RESOURCE
    }

    /** Accumulated allow/deny of one layer (or one SCP/RCP level). */
    private static final class Acc {
        Tri allow = Tri.FALSE;
        Tri deny = Tri.FALSE;
        final Tri[] byMatch = {Tri.FALSE, Tri.FALSE, Tri.FALSE, Tri.FALSE, Tri.FALSE};
    }

    /** A statement whose match is unknown, kept to explain a conditional answer. */
    private record Pending(Layer layer, String policyName, Statement statement) {
    }

    /** Per-evaluation state. */
    private static final class Run {
        final EvalContext ctx;
        final boolean hasBoundary;
        final List<MatchedStatement> matched = new ArrayList<>(8);
        List<Pending> pending;
        List<Grant> pendingGrants;
        final PrincipalMatch[] kind = new PrincipalMatch[1];

        Run(EvalContext ctx, boolean hasBoundary) {
            this.ctx = ctx;
            this.hasBoundary = hasBoundary;
        }
    }

    /** One required layer on a path to an allow. */
    private record Need(Layer layer, Tri value, boolean grants) {
    }

    /**
     * Evaluates a request.
     *
     * @param request   the request; never null
     * @param principal what is known of the principal; never null
     * @param policies  the policies taking part; never null
     * @return the decision with its reasons; never null
     * @throws NullPointerException when an argument is null
     */
    public static Decision evaluate(Request request, PrincipalInfo principal, PolicySet policies) {
        EvalContext ctx = new EvalContext(request, principal);
        Run run = new Run(ctx, policies.permissionsBoundary() != null);
        boolean kmsKey = ctx.serviceLower.equals("kms") && isKmsResource(request.resourceArn());
        String principalAccount = ctx.account;
        String resourceAccount = request.resourceAccount();
        boolean crossAccount = principalAccount != null && resourceAccount != null
                && !principalAccount.equals(resourceAccount);
        List<LayerTrace> trace = new ArrayList<>(8);

        // identity
        Acc identity = new Acc();
        for (Policy p : policies.identity()) {
            evalPolicy(p, Layer.IDENTITY, Mode.IDENTITY, run, identity);
        }
        Tri identityAllow = principal.type() == PrincipalType.ROOT ? Tri.TRUE : identity.allow;
        trace.add(new LayerTrace(Layer.IDENTITY, true, str(identityAllow), str(identity.deny),
                principal.type() == PrincipalType.ROOT ? "root user: full access in its account" : ""));

        // boundary, session
        Acc boundary = null;
        if (policies.permissionsBoundary() != null) {
            boundary = new Acc();
            evalPolicy(policies.permissionsBoundary(), Layer.BOUNDARY, Mode.IDENTITY, run, boundary);
            trace.add(new LayerTrace(Layer.BOUNDARY, true, str(boundary.allow), str(boundary.deny),
                    policies.permissionsBoundary().name()));
        } else {
            trace.add(new LayerTrace(Layer.BOUNDARY, false, "-", "-", "no permissions boundary"));
        }
        Acc session = null;
        if (policies.session() != null) {
            session = new Acc();
            evalPolicy(policies.session(), Layer.SESSION, Mode.IDENTITY, run, session);
            trace.add(new LayerTrace(Layer.SESSION, true, str(session.allow), str(session.deny),
                    policies.session().name()));
        } else {
            trace.add(new LayerTrace(Layer.SESSION, false, "-", "-", "no session policy"));
        }

        // SCPs of the principal's account
        String scpSkip = policies.scpLevels().isEmpty() ? "no organization policies apply"
                : principal.type() == PrincipalType.SERVICE ? "service principals are not restricted by scps"
                : principal.inManagementAccount() ? "principal in the management account"
                : principal.isServiceLinkedRole() ? "service-linked role" : null;
        Tri scpAllow = Tri.TRUE;
        Tri scpDeny = Tri.FALSE;
        if (scpSkip == null) {
            for (List<Policy> level : policies.scpLevels()) {
                Acc acc = new Acc();
                for (Policy p : level) {
                    evalPolicy(p, Layer.SCP, Mode.IDENTITY, run, acc);
                }
                scpAllow = scpAllow.and(acc.allow);
                scpDeny = scpDeny.or(acc.deny);
            }
            trace.add(new LayerTrace(Layer.SCP, true, str(scpAllow), str(scpDeny), "every level must allow"));
        } else {
            trace.add(new LayerTrace(Layer.SCP, false, "-", "-", scpSkip));
        }

        // RCPs of the resource's account
        String rcpSkip = policies.rcpLevels().isEmpty() ? "no resource control policies apply"
                : !RCP_SERVICES.contains(ctx.serviceLower) ? "`" + ctx.serviceLower + "` is not a service rcps cover"
                : policies.awsManagedKey() ? "aws managed key"
                : policies.resourceInManagementAccount() ? "resource in the management account"
                : principal.isServiceLinkedRole() ? "service-linked role"
                : ctx.actionLower.equals("kms:retiregrant") ? "`kms:RetireGrant` is not restricted by rcps" : null;
        Tri rcpAllow = Tri.TRUE;
        Tri rcpDeny = Tri.FALSE;
        if (rcpSkip == null) {
            for (List<Policy> level : policies.rcpLevels()) {
                Acc acc = new Acc();
                for (Policy p : level) {
                    evalPolicy(p, Layer.RCP, Mode.RCP, run, acc);
                }
                rcpAllow = rcpAllow.and(acc.allow);
                rcpDeny = rcpDeny.or(acc.deny);
            }
            trace.add(new LayerTrace(Layer.RCP, true, str(rcpAllow), str(rcpDeny), "every level must allow"));
        } else {
            trace.add(new LayerTrace(Layer.RCP, false, "-", "-", rcpSkip));
        }

        // resource policy (key policy)
        Acc resource = new Acc();
        boolean hasResourcePolicy = policies.resourcePolicy() != null;
        if (hasResourcePolicy) {
            evalPolicy(policies.resourcePolicy(), Layer.RESOURCE, Mode.RESOURCE, run, resource);
        }
        Tri rAccount = resource.byMatch[PrincipalMatch.ACCOUNT.ordinal()];
        Tri rRole = resource.byMatch[PrincipalMatch.ROLE.ordinal()];
        Tri rDirect = resource.byMatch[PrincipalMatch.DIRECT.ordinal()]
                .or(resource.byMatch[PrincipalMatch.ANY.ordinal()]);
        boolean kmsCrossBlocked = kmsKey && crossAccount && !KMS_CROSS_ACCOUNT.contains(ctx.actionLower);
        if (hasResourcePolicy || kmsKey) {
            trace.add(new LayerTrace(Layer.RESOURCE, hasResourcePolicy, str(resource.allow), str(resource.deny),
                    !hasResourcePolicy ? "no key policy" : resourceNote(kmsKey, crossAccount, kmsCrossBlocked,
                            rAccount, rRole, rDirect)));
        } else {
            trace.add(new LayerTrace(Layer.RESOURCE, false, "-", "-", "no resource-based policy"));
        }

        // grants
        Tri gDirect = Tri.FALSE;
        Tri gAccount = Tri.FALSE;
        if (kmsKey && !policies.grants().isEmpty()) {
            for (Grant g : policies.grants()) {
                PrincipalMatch m = grantee(g, ctx);
                if (m == PrincipalMatch.NONE || !grantsOperation(g, ctx.actionLower)) {
                    continue;
                }
                Tri t = constraints(g.constraints(), ctx).and(childOperations(g, ctx));
                if (t == Tri.FALSE) {
                    continue;
                }
                run.matched.add(new MatchedStatement(Layer.GRANT, "grant " + g.label(), g.label(), 0, Effect.ALLOW,
                        t == Tri.UNKNOWN));
                if (t == Tri.UNKNOWN) {
                    if (run.pendingGrants == null) {
                        run.pendingGrants = new ArrayList<>(2);
                    }
                    run.pendingGrants.add(g);
                }
                if (m == PrincipalMatch.ACCOUNT) {
                    gAccount = gAccount.or(t);
                } else {
                    gDirect = gDirect.or(t);
                }
            }
            trace.add(new LayerTrace(Layer.GRANT, true, str(gDirect.or(gAccount)), "-", "grants only allow"));
        } else {
            trace.add(new LayerTrace(Layer.GRANT, false, "-", "-", kmsKey ? "no grants" : "not a kms key"));
        }

        Boolean keyUsable = null;
        if (kmsKey && policies.keyState() != null) {
            keyUsable = policies.keyState().equals("Enabled");
            trace.add(new LayerTrace(Layer.KEY_STATE, true, "-", "-", keyUsable ? "`Enabled`: key usable"
                    : "`" + policies.keyState() + "`: key unusable, calls on it fail whatever the policies say"));
        } else {
            trace.add(new LayerTrace(Layer.KEY_STATE, false, "-", "-", kmsKey ? "key state unknown" : "not a kms key"));
        }

        // paths to an allow
        Need scpNeed = scpSkip == null ? new Need(Layer.SCP, scpAllow, false) : null;
        Need rcpNeed = rcpSkip == null ? new Need(Layer.RCP, rcpAllow, false) : null;
        Need idNeed = new Need(Layer.IDENTITY, identityAllow, true);
        Need bNeed = boundary != null ? new Need(Layer.BOUNDARY, boundary.allow, false) : null;
        Need sNeed = session != null ? new Need(Layer.SESSION, session.allow, false) : null;
        List<Need[]> paths = new ArrayList<>(5);
        boolean grantsExist = kmsKey && !policies.grants().isEmpty();
        if (crossAccount) {
            Tri rAny = kmsCrossBlocked ? Tri.FALSE : rAccount.or(rRole).or(rDirect);
            paths.add(path(scpNeed, rcpNeed, idNeed, bNeed, sNeed, new Need(Layer.RESOURCE, rAny, true)));
        } else if (kmsKey) {
            paths.add(path(scpNeed, rcpNeed, new Need(Layer.RESOURCE, rAccount, true), idNeed, bNeed, sNeed));
            paths.add(path(scpNeed, rcpNeed, new Need(Layer.RESOURCE, rDirect, true)));
            paths.add(path(scpNeed, rcpNeed, new Need(Layer.RESOURCE, rRole, true), bNeed, sNeed));
        } else {
            paths.add(path(scpNeed, rcpNeed, idNeed, bNeed, sNeed));
            if (hasResourcePolicy) {
                paths.add(path(scpNeed, rcpNeed, new Need(Layer.RESOURCE, rDirect, true)));
                paths.add(path(scpNeed, rcpNeed, new Need(Layer.RESOURCE, rRole, true), bNeed, sNeed));
            }
        }
        if (grantsExist) {
            paths.add(path(scpNeed, rcpNeed, new Need(Layer.GRANT, gDirect, true)));
            paths.add(path(scpNeed, rcpNeed, new Need(Layer.GRANT, gAccount, true), idNeed, bNeed, sNeed));
        }

        Tri allowed = Tri.FALSE;
        for (Need[] p : paths) {
            allowed = allowed.or(all(p));
        }
        Tri[] denies = new Tri[LAYERS.length];
        java.util.Arrays.fill(denies, Tri.FALSE);
        denies[Layer.IDENTITY.ordinal()] = identity.deny;
        denies[Layer.BOUNDARY.ordinal()] = boundary == null ? Tri.FALSE : boundary.deny;
        denies[Layer.SESSION.ordinal()] = session == null ? Tri.FALSE : session.deny;
        denies[Layer.SCP.ordinal()] = scpDeny;
        denies[Layer.RCP.ordinal()] = rcpDeny;
        denies[Layer.RESOURCE.ordinal()] = resource.deny;
        Tri denied = Tri.FALSE;
        for (Tri t : denies) {
            denied = denied.or(t);
        }

        DecisionKind kind;
        EnumSet<Layer> by = EnumSet.noneOf(Layer.class);
        if (denied == Tri.TRUE) {
            kind = DecisionKind.EXPLICIT_DENY;
            for (Layer l : LAYERS) {
                if (denies[l.ordinal()] == Tri.TRUE) {
                    by.add(l);
                }
            }
        } else if (allowed == Tri.FALSE) {
            kind = DecisionKind.IMPLICIT_DENY;
            // the allow path that misses the fewest layers; among equals, the one whose granting layers
            // (identity, resource, grant) are satisfied, then the first in path order
            Need[] best = null;
            int bestMissing = Integer.MAX_VALUE;
            int bestGrantMissing = Integer.MAX_VALUE;
            for (Need[] p : paths) {
                int missing = 0;
                int grantMissing = 0;
                for (Need n : p) {
                    if (n.value() == Tri.FALSE) {
                        missing++;
                        if (n.grants()) {
                            grantMissing++;
                        }
                    }
                }
                if (missing < bestMissing || (missing == bestMissing && grantMissing < bestGrantMissing)) {
                    best = p;
                    bestMissing = missing;
                    bestGrantMissing = grantMissing;
                }
            }
            for (Need n : best) {
                if (n.value() == Tri.FALSE) {
                    by.add(n.layer());
                }
            }
        } else if (allowed == Tri.TRUE && denied == Tri.FALSE) {
            kind = DecisionKind.ALLOWED;
            for (Need[] p : paths) {
                if (all(p) == Tri.TRUE) {
                    for (Need n : p) {
                        if (n.grants()) {
                            by.add(n.layer());
                        }
                    }
                    break;
                }
            }
        } else {
            kind = DecisionKind.CONDITIONAL;
            for (Layer l : LAYERS) {
                if (denies[l.ordinal()] == Tri.UNKNOWN) {
                    by.add(l);
                }
            }
            for (Need[] p : paths) {
                if (all(p) == Tri.UNKNOWN) {
                    for (Need n : p) {
                        if (n.value() == Tri.UNKNOWN) {
                            by.add(n.layer());
                        }
                    }
                }
            }
        }
        List<ResidualCondition> residual = kind == DecisionKind.CONDITIONAL ? residuals(run) : List.of();
        return new Decision(kind, new ArrayList<>(by), run.matched, residual, keyUsable, trace);
    }

    private static String resourceNote(boolean kms, boolean cross, boolean crossBlocked, Tri acct, Tri role,
            Tri direct) {
        if (crossBlocked) {
            return "key in another account: this operation does not work across accounts";
        }
        if (direct != Tri.FALSE) {
            return cross ? "names the principal; other account: identity policies must allow too"
                    : "names the principal";
        }
        if (role != Tri.FALSE) {
            return cross ? "names the principal's role; other account: identity policies must allow too"
                    : "names the principal's role: boundary and session policy must still allow";
        }
        if (acct != Tri.FALSE) {
            return cross ? "allows the principal's account; identity policies must allow too"
                    : kms ? "delegates to the account's iam policies"
                    : "names the account: the account's iam policies decide";
        }
        return kms ? "neither names the principal nor delegates to its account" : "does not name the principal";
    }

    private static Need[] path(Need... needs) {
        int n = 0;
        for (Need x : needs) {
            if (x != null) {
                n++;
            }
        }
        Need[] out = new Need[n];
        int i = 0;
        for (Need x : needs) {
            if (x != null) {
                out[i++] = x;
            }
        }
        return out;
    }

    private static Tri all(Need[] p) {
        Tri t = Tri.TRUE;
        for (Need n : p) {
            t = t.and(n.value());
        }
        return t;
    }

    private static String str(Tri t) {
        return t == Tri.TRUE ? "yes" : t == Tri.FALSE ? "no" : "unknown";
    }

    static boolean isKmsResource(String arn) {
        // arn:PARTITION:kms:...
        if (!arn.startsWith("arn:")) {
            return false;
        }
        int c = arn.indexOf(':', 4);
        return c > 0 && arn.startsWith("kms:", c + 1);
    }

    private static void evalPolicy(Policy policy, Layer layer, Mode mode, Run run, Acc acc) {
        StatementList statements = (StatementList) policy.statements();
        int[] candidates = statements.candidates(run.ctx.serviceLower);
        for (int c = 0; c < candidates.length; c++) {
            Statement s = statements.get(candidates[c]);
            run.kind[0] = PrincipalMatch.ANY;
            Tri t = statementMatch(s, mode, run);
            if (t == Tri.FALSE) {
                continue;
            }
            Effect effect = s.effect();
            if (effect == null) {
                t = t.and(Tri.UNKNOWN);
            }
            run.matched.add(new MatchedStatement(layer, policy.name(), s.label(), s.index(), effect,
                    t == Tri.UNKNOWN));
            if (t == Tri.UNKNOWN) {
                if (run.pending == null) {
                    run.pending = new ArrayList<>(4);
                }
                run.pending.add(new Pending(layer, policy.name(), s));
            }
            if (effect != Effect.ALLOW) {
                acc.deny = acc.deny.or(t);
            }
            if (effect != Effect.DENY) {
                acc.allow = acc.allow.or(t);
                int k = run.kind[0].ordinal();
                acc.byMatch[k] = acc.byMatch[k].or(t);
            }
        }
    }

    private static Tri statementMatch(Statement s, Mode mode, Run run) {
        EvalContext ctx = run.ctx;
        Set<StatementElement> unparsed = s.unparsed();
        Tri t = s.actionMatch(ctx.actionLower, ctx.serviceLower);
        if (t == Tri.FALSE) {
            return t;
        }
        t = t.and(s.resourceMatch(ctx));
        if (t == Tri.FALSE) {
            return t;
        }
        if (mode != Mode.IDENTITY) {
            if (unparsed.contains(StatementElement.PRINCIPAL)) {
                t = t.and(Tri.UNKNOWN);
                run.kind[0] = PrincipalMatch.ANY;
            } else if (s.principal() != null) {
                PrincipalMatch m = s.principal().match(ctx);
                if (m == PrincipalMatch.NONE) {
                    return Tri.FALSE;
                }
                run.kind[0] = m;
            } else if (s.notPrincipal() != null) {
                Tri excluded = s.notPrincipal().listsFully(ctx);
                // a Deny with NotPrincipal always matches an IAM principal that has a permissions boundary
                if (s.effect() == Effect.DENY && run.hasBoundary && isIamPrincipal(ctx.type)) {
                    excluded = Tri.FALSE;
                }
                if (excluded == Tri.TRUE) {
                    return Tri.FALSE;
                }
                t = t.and(excluded.not());
                run.kind[0] = PrincipalMatch.ANY;
            } else if (mode == Mode.RESOURCE && !unparsed.contains(StatementElement.STATEMENT)) {
                // a resource-policy statement without a principal applies to nobody
                return Tri.FALSE;
            }
        }
        if (unparsed.contains(StatementElement.STATEMENT)) {
            t = t.and(Tri.UNKNOWN);
        }
        if (!s.conditions().isEmpty() || unparsed.contains(StatementElement.CONDITION)) {
            t = t.and(s.conditionMatch(ctx));
        }
        return t;
    }

    private static boolean isIamPrincipal(PrincipalType t) {
        return t == PrincipalType.USER || t == PrincipalType.ROLE || t == PrincipalType.ROLE_SESSION;
    }

    private static PrincipalMatch grantee(Grant g, EvalContext ctx) {
        String grantee = g.granteePrincipal();
        if (ctx.type == PrincipalType.SERVICE) {
            return grantee.equalsIgnoreCase(ctx.request.principalArn()) ? PrincipalMatch.DIRECT : PrincipalMatch.NONE;
        }
        PrincipalMatch m = Principals.matchAws(grantee, ctx);
        return m == PrincipalMatch.ANY ? PrincipalMatch.NONE : m;
    }

    private static boolean grantsOperation(Grant g, String actionLower) {
        if (!actionLower.startsWith("kms:")) {
            return false;
        }
        for (String op : g.operations()) {
            if (actionLower.length() == op.length() + 4 && actionLower.regionMatches(true, 4, op, 0, op.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A principal that holds {@code CreateGrant} from a grant may only create grants for operations of that grant
     * (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html ,
     * https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html): the request's
     * {@code kms:GrantOperations} must be a subset of the grant's operations. Absent key: nothing to check.
     */
    private static Tri childOperations(Grant g, EvalContext ctx) {
        if (!ctx.actionLower.equals("kms:creategrant")) {
            return Tri.TRUE;
        }
        List<String> ops = ctx.lookup("kms:grantoperations");
        if (ops == EvalContext.UNKNOWN_VALUES) {
            return Tri.UNKNOWN;
        }
        if (ops == null) {
            return Tri.TRUE;
        }
        for (String op : ops) {
            boolean found = false;
            for (String have : g.operations()) {
                if (have.equalsIgnoreCase(op)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return Tri.FALSE;
            }
        }
        return Tri.TRUE;
    }

    /**
     * Whether the request's encryption context meets a grant's constraints. Constraints apply only to operations
     * that take an encryption context; others (DescribeKey, RetireGrant, CreateGrant, ...) are not constrained
     * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html).
     */
    private static Tri constraints(Grant.Constraints c, EvalContext ctx) {
        if (c == null || (c.encryptionContextEquals() == null && c.encryptionContextSubset() == null)
                || !EC_OPERATIONS.contains(ctx.actionLower)) {
            return Tri.TRUE;
        }
        boolean unknown = ctx.context.hasUnknownWithPrefix(EC_PREFIX);
        Tri result = Tri.TRUE;
        if (c.encryptionContextSubset() != null) {
            for (Map.Entry<String, String> e : c.encryptionContextSubset().entrySet()) {
                List<String> v = ctx.lookup(EC_PREFIX + e.getKey().toLowerCase(Locale.ROOT));
                if (v == EvalContext.UNKNOWN_VALUES) {
                    result = result.and(Tri.UNKNOWN);
                } else if (v == null || v.size() != 1 || !v.get(0).equals(e.getValue())) {
                    return Tri.FALSE;
                }
            }
        }
        if (c.encryptionContextEquals() != null) {
            Map<String, String> want = c.encryptionContextEquals();
            int known = 0;
            for (Map.Entry<String, List<String>> e : ctx.context.byLowerKey().entrySet()) {
                if (!e.getKey().startsWith(EC_PREFIX) || ctx.context.isUnknownLower(e.getKey())) {
                    continue;
                }
                String k = e.getKey().substring(EC_PREFIX.length());
                String expected = null;
                for (Map.Entry<String, String> w : want.entrySet()) {
                    if (w.getKey().equalsIgnoreCase(k)) {
                        expected = w.getValue();
                    }
                }
                if (expected == null || e.getValue().size() != 1 || !e.getValue().get(0).equals(expected)) {
                    return Tri.FALSE;
                }
                known++;
            }
            if (known != want.size()) {
                result = result.and(unknown ? Tri.UNKNOWN : Tri.FALSE);
            } else if (unknown) {
                result = result.and(Tri.UNKNOWN);
            }
        }
        return result;
    }

    private static List<ResidualCondition> residuals(Run run) {
        List<ResidualCondition> out = new ArrayList<>();
        EvalContext ctx = run.ctx;
        if (run.pending != null) {
            for (Pending p : run.pending) {
                Statement s = p.statement();
                String label = s.label();
                if (s.unparsed().size() == StatementElement.values().length) {
                    out.add(new ResidualCondition(p.layer(), p.policyName(), label, "Statement",
                            s.path().isEmpty() ? "document" : s.path(), List.of(),
                            ResidualCondition.Reason.UNPARSEABLE));
                    continue;
                }
                for (StatementElement e : s.unparsed()) {
                    out.add(new ResidualCondition(p.layer(), p.policyName(), label, elementName(e),
                            e == StatementElement.STATEMENT ? s.path() : s.path() + "." + elementName(e), List.of(),
                            ResidualCondition.Reason.UNPARSEABLE));
                }
                if (s.notPrincipal() != null && s.notPrincipal().listsFully(ctx) == Tri.UNKNOWN) {
                    // a role evaluated for any of its sessions: only the listed session name is spared
                    out.add(new ResidualCondition(p.layer(), p.policyName(), label, "NotPrincipal",
                            "role session name", s.notPrincipal().aws(), ResidualCondition.Reason.UNKNOWN_KEY));
                }
                if (s.resource() != null || s.notResource() != null) {
                    ResourceSet rs = s.resource() != null ? s.resource() : s.notResource();
                    if (s.resourceMatch(ctx) == Tri.UNKNOWN) {
                        out.add(new ResidualCondition(p.layer(), p.policyName(), label,
                                s.resource() != null ? "Resource" : "NotResource",
                                String.join(", ", unknownVariables(rs.patterns(), ctx)), rs.patterns(),
                                ResidualCondition.Reason.UNKNOWN_KEY));
                    }
                }
                for (Condition c : s.conditions()) {
                    if (c.evaluate(ctx) == Tri.UNKNOWN) {
                        out.add(new ResidualCondition(p.layer(), p.policyName(), label, c.operatorText(), c.key(),
                                c.values(), c.valid() ? ResidualCondition.Reason.UNKNOWN_KEY
                                        : ResidualCondition.Reason.UNPARSEABLE));
                    }
                }
            }
        }
        if (run.pendingGrants != null) {
            for (Grant g : run.pendingGrants) {
                if (constraints(g.constraints(), ctx) == Tri.UNKNOWN) {
                    out.add(new ResidualCondition(Layer.GRANT, "grant " + g.label(), g.label(), "GrantConstraints",
                            "kms:EncryptionContext:*", List.of(String.valueOf(g.constraints())),
                            ResidualCondition.Reason.UNKNOWN_KEY));
                }
                if (childOperations(g, ctx) == Tri.UNKNOWN) {
                    out.add(new ResidualCondition(Layer.GRANT, "grant " + g.label(), g.label(), "GrantOperations",
                            "kms:GrantOperations", g.operations(), ResidualCondition.Reason.UNKNOWN_KEY));
                }
            }
        }
        return out;
    }

    private static List<String> unknownVariables(List<String> patterns, EvalContext ctx) {
        List<String> keys = new ArrayList<>();
        for (String p : patterns) {
            for (String k : Template.of(p, true).variableKeys()) {
                if (ctx.context.isUnknownLower(k) && !keys.contains(k)) {
                    keys.add(k);
                }
            }
        }
        return keys;
    }

    private static String elementName(StatementElement e) {
        return switch (e) {
            case STATEMENT -> "Statement";
            case EFFECT -> "Effect";
            case PRINCIPAL -> "Principal";
            case ACTION -> "Action";
            case RESOURCE -> "Resource";
            case CONDITION -> "Condition";
        };
    }
}
