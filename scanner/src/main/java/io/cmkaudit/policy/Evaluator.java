package io.cmkaudit.policy;

import io.cmkaudit.match.KmsActions;
import io.cmkaudit.match.Wildcard;
import java.util.ArrayList;
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

    // =================================================================== the three steps

    /**
     * Evaluates a request and explains the answer: the statements and grants that apply, the residual conditions of
     * a conditional answer, and a per-layer trace (what {@code explain} and {@code simulate} show).
     *
     * @param request   the request; never null
     * @param principal what is known of the principal; never null
     * @param policies  the policies taking part; never null
     * @return the decision with its reasons; never null
     * @throws NullPointerException when an argument is null
     */
    public static Decision evaluate(Request request, PrincipalInfo principal, PolicySet policies) {
        EvalContext ctx = new EvalContext(request, principal);
        Situation situation = Situation.of(ctx, principal, policies);
        Details details = new Details();
        LayerMatches matches = gather(ctx, situation, policies, details);
        Verdict verdict = decide(situation, matches, allowPaths(situation));
        List<ResidualCondition> residual = verdict.kind() == DecisionKind.CONDITIONAL ? residuals(ctx, details)
                : List.of();
        return new Decision(verdict.kind(), verdict.decidedBy(), details.matched, residual, verdict.keyUsable(),
                trace(situation, matches, policies));
    }

    /**
     * Evaluates a request to its answer alone, without collecting the statements, residual conditions and trace
     * that {@link #evaluate} returns: the same {@code kind}, {@code decidedBy} and {@code keyUsable}, at a fraction of
     * the cost. For callers that decide many requests and explain few (call {@link #evaluate} for those).
     *
     * @param request   the request; never null
     * @param principal what is known of the principal; never null
     * @param policies  the policies taking part; never null
     * @return the answer (a shared instance); never null
     * @throws NullPointerException when an argument is null
     */
    public static Verdict verdict(Request request, PrincipalInfo principal, PolicySet policies) {
        EvalContext ctx = new EvalContext(request, principal);
        Situation situation = Situation.of(ctx, principal, policies);
        LayerMatches matches = situation.noPermissionNeeded ? new LayerMatches()
                : gather(ctx, situation, policies, null);
        return decide(situation, matches, allowPaths(situation));
    }

    /**
     * Step 1: what each layer says about the request. Evaluates every statement (and grant) of every layer that
     * applies and folds the matches into the allow and deny of each layer; the resource layer's allow is kept per
     * kind of principal match, the grants' per kind of grantee.
     *
     * @param details receives the matched statements and the undecided ones; null when only the answer is needed
     */
    private static LayerMatches gather(EvalContext ctx, Situation situation, PolicySet policies, Details details) {
        LayerMatches m = new LayerMatches();
        Tally tally = new Tally();
        for (Policy p : policies.identity()) {
            evalPolicy(p, Layer.IDENTITY, Mode.IDENTITY, ctx, situation, tally, details);
        }
        m.identityAllow = situation.root ? Tri.TRUE : tally.allow;
        m.identityDeny = tally.deny;
        if (situation.hasBoundary) {
            tally.reset();
            evalPolicy(policies.permissionsBoundary(), Layer.BOUNDARY, Mode.IDENTITY, ctx, situation, tally, details);
            m.boundaryAllow = tally.allow;
            m.boundaryDeny = tally.deny;
        }
        if (situation.hasSession) {
            tally.reset();
            evalPolicy(policies.session(), Layer.SESSION, Mode.IDENTITY, ctx, situation, tally, details);
            m.sessionAllow = tally.allow;
            m.sessionDeny = tally.deny;
        }
        if (situation.scpSkip == null) {
            List<List<Policy>> levels = policies.scpLevels();
            for (int i = 0; i < levels.size(); i++) {
                tally.reset();
                if (details != null) {
                    details.level = MatchedStatement.levelLabel(i, levels.size());
                }
                for (Policy p : levels.get(i)) {
                    evalPolicy(p, Layer.SCP, Mode.IDENTITY, ctx, situation, tally, details);
                }
                m.scpAllow = m.scpAllow.and(tally.allow);
                m.scpDeny = m.scpDeny.or(tally.deny);
            }
        }
        if (situation.rcpSkip == null) {
            List<List<Policy>> levels = policies.rcpLevels();
            for (int i = 0; i < levels.size(); i++) {
                tally.reset();
                if (details != null) {
                    details.level = MatchedStatement.levelLabel(i, levels.size());
                }
                for (Policy p : levels.get(i)) {
                    evalPolicy(p, Layer.RCP, Mode.RCP, ctx, situation, tally, details);
                }
                m.rcpAllow = m.rcpAllow.and(tally.allow);
                m.rcpDeny = m.rcpDeny.or(tally.deny);
            }
        }
        if (details != null) {
            details.level = null;
        }
        if (situation.hasResourcePolicy) {
            tally.reset();
            evalPolicy(policies.resourcePolicy(), Layer.RESOURCE, Mode.RESOURCE, ctx, situation, tally, details);
            m.resourceAllow = tally.allow;
            m.resourceDeny = tally.deny;
            m.resourceAccount = tally.account;
            m.resourceRole = tally.role;
            m.resourceDirect = tally.direct;
        }
        if (situation.grantsApply) {
            for (Grant g : policies.grants()) {
                evalGrant(g, ctx, m, details);
            }
        }
        return m;
    }

    /**
     * Step 2: the ways the request can be allowed. Each path is the set of {@link Requirement}s that must all hold
     * (a layer that does not apply is left out); the request is allowed when one path holds.
     *
     * @return the paths in order of preference (the order breaks ties in {@link #decide}); shared, not to be changed
     */
    private static int[] allowPaths(Situation s) {
        return s.noPermissionNeeded ? NO_REQUIREMENT : PATHS[s.pathCode];
    }

    /** The one path of an action that needs no permission: nothing is required. */
    private static final int[] NO_REQUIREMENT = {0};

    /**
     * Step 3: the answer from the layers' matches and the allow paths, in one exhaustive switch over the four
     * answers, each with its deciding layers (see {@link Decision}).
     */
    private static Verdict decide(Situation s, LayerMatches m, int[] paths) {
        Tri allowed = Tri.FALSE;
        for (int path : paths) {
            allowed = allowed.or(holds(path, s, m));
        }
        // an action that needs no permission is not stopped by a Deny either
        Tri denied = s.noPermissionNeeded ? Tri.FALSE : m.identityDeny.or(m.boundaryDeny).or(m.sessionDeny)
                .or(m.scpDeny).or(m.rcpDeny).or(m.resourceDeny);
        DecisionKind kind = denied == Tri.TRUE ? DecisionKind.EXPLICIT_DENY
                : allowed == Tri.FALSE ? DecisionKind.IMPLICIT_DENY
                : allowed == Tri.TRUE && denied == Tri.FALSE ? DecisionKind.ALLOWED
                : DecisionKind.CONDITIONAL;
        int decidedBy = switch (kind) {
            // every layer with a matching Deny
            case EXPLICIT_DENY -> denyingLayers(m, Tri.TRUE);
            // the layers missing on the path that misses the fewest
            case IMPLICIT_DENY -> missingLayers(closestPath(paths, s, m), s, m);
            // the granting layers of the first path that holds
            case ALLOWED -> grantingLayers(firstHolding(paths, s, m));
            // the layers whose undecided statements the answer depends on
            case CONDITIONAL -> denyingLayers(m, Tri.UNKNOWN) | undecidedLayers(paths, s, m);
        };
        return Verdict.of(kind, decidedBy, s.keyUsable);
    }

    // =================================================================== step 1: statements and grants

    /** How a layer's statements treat the Principal element. */
    private enum Mode {
        /** Identity-like policies: no Principal element. */
        IDENTITY,
        /** Resource control policies: Principal is {@code "*"} when present. */
        RCP,
        /** Resource-based policies: the Principal element must match. */
        RESOURCE
    }

    /**
     * What is fixed for one request before any statement is looked at: which layers apply (and why not), whether
     * the resource is a KMS key, whether the call crosses accounts.
     */
    private static final class Situation {
        final boolean kmsKey;
        /**
         * CreateAlias / UpdateAlias / DeleteAlias on an alias ARN: an alias is its own resource, authorized by
         * identity policies alone (it has no key policy, no grants, no key state); permission on the alias's key is a
         * separate request (https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html).
         */
        final boolean kmsAlias;
        /**
         * {@code sts:GetCallerIdentity}: needs no permission and works even under an explicit deny
         * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
         */
        final boolean noPermissionNeeded;
        final boolean crossAccount;
        final boolean kmsCrossBlocked;
        final boolean root;
        final boolean hasBoundary;
        final boolean hasSession;
        final boolean hasResourcePolicy;
        final boolean grantsApply;
        /** why SCPs do not apply; null when they do. */
        final String scpSkip;
        /** why RCPs do not apply; null when they do. */
        final String rcpSkip;
        final Boolean keyUsable;
        final int pathCode;

        private Situation(EvalContext ctx, PrincipalInfo principal, PolicySet policies) {
            Request request = ctx.request;
            boolean kmsResource = ctx.serviceLower.equals("kms") && isKmsResource(request.resourceArn());
            this.kmsAlias = kmsResource && KmsActions.ON_ALIAS_LOWER.contains(ctx.actionLower) && isAliasArn(ctx);
            this.kmsKey = kmsResource && !kmsAlias;
            this.noPermissionNeeded = ctx.actionLower.equals("sts:getcalleridentity");
            String resourceAccount = request.resourceAccount();
            this.crossAccount = ctx.account != null && resourceAccount != null && !ctx.account.equals(resourceAccount);
            this.kmsCrossBlocked = kmsKey && crossAccount && !KMS_CROSS_ACCOUNT.contains(ctx.actionLower);
            this.root = principal.type() == PrincipalType.ROOT;
            this.hasBoundary = policies.permissionsBoundary() != null;
            this.hasSession = policies.session() != null;
            this.hasResourcePolicy = policies.resourcePolicy() != null && !kmsAlias;
            this.grantsApply = kmsKey && !policies.grants().isEmpty();
            this.scpSkip = policies.scpLevels().isEmpty() ? "no organization policies apply"
                    : principal.type() == PrincipalType.SERVICE ? "service principals are not restricted by scps"
                    : principal.inManagementAccount() ? "principal in the management account"
                    : principal.isServiceLinkedRole() ? "service-linked role" : null;
            this.rcpSkip = policies.rcpLevels().isEmpty() ? "no resource control policies apply"
                    : !RCP_SERVICES.contains(ctx.serviceLower) ? "`" + ctx.serviceLower + "` is not a service rcps cover"
                    : policies.awsManagedKey() ? "aws managed key"
                    : policies.resourceInManagementAccount() ? "resource in the management account"
                    : principal.isServiceLinkedRole() ? "service-linked role"
                    : ctx.actionLower.equals("kms:retiregrant") ? "`kms:RetireGrant` is not restricted by rcps" : null;
            this.keyUsable = kmsKey && policies.keyState() != null ? policies.keyState().equals("Enabled") : null;
            this.pathCode = pathCode(crossAccount, kmsKey, hasResourcePolicy, grantsApply, scpSkip == null,
                    rcpSkip == null, hasBoundary, hasSession);
        }

        static Situation of(EvalContext ctx, PrincipalInfo principal, PolicySet policies) {
            return new Situation(ctx, principal, policies);
        }
    }

    /** Each layer's answer after step 1; a layer that does not apply keeps allow TRUE and deny FALSE. */
    private static final class LayerMatches {
        Tri identityAllow = Tri.FALSE;
        Tri identityDeny = Tri.FALSE;
        Tri boundaryAllow = Tri.TRUE;
        Tri boundaryDeny = Tri.FALSE;
        Tri sessionAllow = Tri.TRUE;
        Tri sessionDeny = Tri.FALSE;
        Tri scpAllow = Tri.TRUE;
        Tri scpDeny = Tri.FALSE;
        Tri rcpAllow = Tri.TRUE;
        Tri rcpDeny = Tri.FALSE;
        Tri resourceAllow = Tri.FALSE;
        Tri resourceDeny = Tri.FALSE;
        /** resource policy allows by naming the principal's account (delegation). */
        Tri resourceAccount = Tri.FALSE;
        /** ... by naming the principal's role. */
        Tri resourceRole = Tri.FALSE;
        /** ... by naming the principal itself or {@code "*"}. */
        Tri resourceDirect = Tri.FALSE;
        Tri grantDirect = Tri.FALSE;
        Tri grantAccount = Tri.FALSE;
    }

    /** Allow and Deny of the statements of one layer (or one SCP / RCP level) so far. */
    private static final class Tally {
        Tri allow;
        Tri deny;
        Tri account;
        Tri role;
        Tri direct;

        Tally() {
            reset();
        }

        void reset() {
            allow = Tri.FALSE;
            deny = Tri.FALSE;
            account = Tri.FALSE;
            role = Tri.FALSE;
            direct = Tri.FALSE;
        }
    }

    /** The statements and grants that apply, for {@link #evaluate}'s explanation. */
    private static final class Details {
        final List<MatchedStatement> matched = new ArrayList<>(8);
        /** The SCP / RCP level being evaluated ({@link MatchedStatement#levelLabel}), or null. */
        String level;
        List<Pending> pending;
        List<Grant> pendingGrants;
    }

    /** A statement whose match is unknown, kept to explain a conditional answer. */
    private record Pending(Layer layer, String policyName, Statement statement) {
    }

    /** How a statement's Principal / NotPrincipal element applies to the request's principal. */
    private record Who(PrincipalMatch kind, Tri match) {
        private static final Who[][] ALL = new Who[PrincipalMatch.values().length][Tri.values().length];

        static {
            for (PrincipalMatch k : PrincipalMatch.values()) {
                for (Tri t : Tri.values()) {
                    ALL[k.ordinal()][t.ordinal()] = new Who(k, t);
                }
            }
        }

        static final Who NOBODY = of(PrincipalMatch.NONE, Tri.FALSE);
        static final Who ANYONE = of(PrincipalMatch.ANY, Tri.TRUE);

        static Who of(PrincipalMatch kind, Tri match) {
            return ALL[kind.ordinal()][match.ordinal()];
        }
    }

    private static void evalPolicy(Policy policy, Layer layer, Mode mode, EvalContext ctx, Situation situation,
            Tally tally, Details details) {
        StatementList statements = (StatementList) policy.statements();
        // the statements whose action part matches, memoized per policy and action
        int[] entries = statements.forAction(ctx.actionLower, ctx.serviceLower);
        for (int e : entries) {
            Statement s = statements.get(e >= 0 ? e : ~e);
            Tri t = e >= 0 ? Tri.TRUE : Tri.UNKNOWN;
            t = t.and(s.resourceMatch(ctx));
            if (t == Tri.FALSE) {
                continue;
            }
            Who who = mode == Mode.IDENTITY ? Who.ANYONE : principal(s, mode, ctx, situation);
            t = t.and(who.match());
            if (t == Tri.FALSE) {
                continue;
            }
            Set<StatementElement> unparsed = s.unparsed();
            if (unparsed.contains(StatementElement.STATEMENT)) {
                t = t.and(Tri.UNKNOWN);
            }
            if (!s.conditions().isEmpty() || unparsed.contains(StatementElement.CONDITION)) {
                t = t.and(s.conditionMatch(ctx));
                if (t == Tri.FALSE) {
                    continue;
                }
            }
            Effect effect = s.effect();
            if (effect == null) {
                t = t.and(Tri.UNKNOWN);
            }
            if (details != null) {
                details.matched.add(new MatchedStatement(layer, policy.name(), s.label(), s.index(), effect,
                        t == Tri.UNKNOWN, layer == Layer.SCP || layer == Layer.RCP ? details.level : null));
                if (t == Tri.UNKNOWN) {
                    if (details.pending == null) {
                        details.pending = new ArrayList<>(4);
                    }
                    details.pending.add(new Pending(layer, policy.name(), s));
                }
            }
            if (effect != Effect.ALLOW) {
                tally.deny = tally.deny.or(t);
            }
            if (effect != Effect.DENY) {
                tally.allow = tally.allow.or(t);
                switch (who.kind()) {
                    case ACCOUNT -> tally.account = tally.account.or(t);
                    case ROLE -> tally.role = tally.role.or(t);
                    case DIRECT, ANY -> tally.direct = tally.direct.or(t);
                    case NONE -> throw new IllegalStateException("a statement for nobody matched");
                }
            }
        }
    }

    /**
     * The Principal / NotPrincipal element of a statement of a resource policy or RCP against the request's
     * principal.
     */
    private static Who principal(Statement s, Mode mode, EvalContext ctx, Situation situation) {
        Set<StatementElement> unparsed = s.unparsed();
        if (unparsed.contains(StatementElement.PRINCIPAL)) {
            return Who.of(PrincipalMatch.ANY, Tri.UNKNOWN);
        }
        if (s.principal() != null) {
            PrincipalMatch m = s.principal().match(ctx);
            return m == PrincipalMatch.NONE ? Who.NOBODY : Who.of(m, Tri.TRUE);
        }
        if (s.notPrincipal() != null) {
            // Deny: spares a principal only when its whole chain is listed, and never an IAM principal that has a
            // permissions boundary; Allow: applies to everyone except the principals listed (a listed user, role,
            // session or account excludes the principals that a Principal element with that entry would name)
            Tri excludedFromDeny = situation.hasBoundary && isIamPrincipal(ctx.type) ? Tri.FALSE
                    : s.notPrincipal().listsFully(ctx);
            Tri excludedFromAllow = s.notPrincipal().names(ctx);
            Tri excluded = s.effect() == Effect.DENY ? excludedFromDeny
                    : s.effect() == Effect.ALLOW ? excludedFromAllow
                    : excludedFromDeny == excludedFromAllow ? excludedFromDeny : Tri.UNKNOWN;
            return excluded == Tri.TRUE ? Who.NOBODY : Who.of(PrincipalMatch.ANY, excluded.not());
        }
        if (mode == Mode.RESOURCE && !unparsed.contains(StatementElement.STATEMENT)) {
            // a resource-policy statement without a principal applies to nobody
            return Who.NOBODY;
        }
        return Who.ANYONE;
    }

    private static void evalGrant(Grant g, EvalContext ctx, LayerMatches m, Details details) {
        PrincipalMatch who = grantee(g, ctx);
        if (who == PrincipalMatch.NONE || !grantsOperation(g, ctx.actionLower)) {
            return;
        }
        Tri t = constraints(g.constraints(), ctx).and(childOperations(g, ctx));
        if (t == Tri.FALSE) {
            return;
        }
        if (details != null) {
            details.matched.add(new MatchedStatement(Layer.GRANT, "grant " + g.label(), g.label(), 0, Effect.ALLOW,
                    t == Tri.UNKNOWN));
            if (t == Tri.UNKNOWN) {
                if (details.pendingGrants == null) {
                    details.pendingGrants = new ArrayList<>(2);
                }
                details.pendingGrants.add(g);
            }
        }
        if (who == PrincipalMatch.ACCOUNT) {
            m.grantAccount = m.grantAccount.or(t);
        } else {
            m.grantDirect = m.grantDirect.or(t);
        }
    }

    // =================================================================== step 2: allow paths

    /** One condition on a path to an allow. */
    private enum Requirement {
        /** Every SCP level allows. */
        SCP(Layer.SCP, false),
        /** Every RCP level allows. */
        RCP(Layer.RCP, false),
        /** The identity policies allow (the root user always). */
        IDENTITY(Layer.IDENTITY, true),
        /** The permissions boundary allows. */
        BOUNDARY(Layer.BOUNDARY, false),
        /** The session policy allows. */
        SESSION(Layer.SESSION, false),
        /** The key policy delegates to the principal's account. */
        RESOURCE_ACCOUNT(Layer.RESOURCE, true),
        /** The resource policy names the principal (or {@code "*"}). */
        RESOURCE_DIRECT(Layer.RESOURCE, true),
        /** The resource policy names the principal's role. */
        RESOURCE_ROLE(Layer.RESOURCE, true),
        /** Another account's resource policy names the caller or its account (KMS: a cross-account operation). */
        RESOURCE_CROSS(Layer.RESOURCE, true),
        /** A grant names the principal (or its role). */
        GRANT_DIRECT(Layer.GRANT, true),
        /** A grant names the principal's account. */
        GRANT_ACCOUNT(Layer.GRANT, true);

        final Layer layer;
        /** whether this layer grants access (identity, resource, grant) rather than only permits it. */
        final boolean grants;

        Requirement(Layer layer, boolean grants) {
            this.layer = layer;
            this.grants = grants;
        }

        int bit() {
            return 1 << ordinal();
        }
    }

    private static final Requirement[] REQUIREMENTS = Requirement.values();
    /** The allow paths of every situation, by {@link #pathCode}. */
    private static final int[][] PATHS = new int[1 << 8][];

    static {
        for (int code = 0; code < PATHS.length; code++) {
            PATHS[code] = buildPaths((code & 1) != 0, (code & 2) != 0, (code & 4) != 0, (code & 8) != 0,
                    (code & 16) != 0, (code & 32) != 0, (code & 64) != 0, (code & 128) != 0);
        }
    }

    private static int pathCode(boolean crossAccount, boolean kmsKey, boolean hasResourcePolicy, boolean grants,
            boolean scp, boolean rcp, boolean boundary, boolean session) {
        return (crossAccount ? 1 : 0) | (kmsKey ? 2 : 0) | (hasResourcePolicy ? 4 : 0) | (grants ? 8 : 0)
                | (scp ? 16 : 0) | (rcp ? 32 : 0) | (boundary ? 64 : 0) | (session ? 128 : 0);
    }

    /**
     * The paths to an allow (sources in the class comment): across accounts, both sides; on a KMS key in the same
     * account, the key policy's delegation plus the IAM side, the key policy naming the principal, or naming its
     * role (boundary and session policy still limit a role); on other resources, the IAM side, or a resource policy
     * naming the principal or its role; and grants, alone or (for an account grantee) with the IAM side.
     */
    private static int[] buildPaths(boolean crossAccount, boolean kmsKey, boolean hasResourcePolicy, boolean grants,
            boolean scp, boolean rcp, boolean boundary, boolean session) {
        int guard = (scp ? Requirement.SCP.bit() : 0) | (rcp ? Requirement.RCP.bit() : 0);
        int limits = (boundary ? Requirement.BOUNDARY.bit() : 0) | (session ? Requirement.SESSION.bit() : 0);
        int iam = Requirement.IDENTITY.bit() | limits;
        List<Integer> paths = new ArrayList<>(5);
        if (crossAccount) {
            paths.add(guard | iam | Requirement.RESOURCE_CROSS.bit());
        } else if (kmsKey) {
            paths.add(guard | Requirement.RESOURCE_ACCOUNT.bit() | iam);
            paths.add(guard | Requirement.RESOURCE_DIRECT.bit());
            paths.add(guard | Requirement.RESOURCE_ROLE.bit() | limits);
        } else {
            paths.add(guard | iam);
            if (hasResourcePolicy) {
                paths.add(guard | Requirement.RESOURCE_DIRECT.bit());
                paths.add(guard | Requirement.RESOURCE_ROLE.bit() | limits);
            }
        }
        if (grants) {
            paths.add(guard | Requirement.GRANT_DIRECT.bit());
            paths.add(guard | Requirement.GRANT_ACCOUNT.bit() | iam);
        }
        return paths.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Tri value(Requirement r, Situation s, LayerMatches m) {
        return switch (r) {
            case SCP -> m.scpAllow;
            case RCP -> m.rcpAllow;
            case IDENTITY -> m.identityAllow;
            case BOUNDARY -> m.boundaryAllow;
            case SESSION -> m.sessionAllow;
            case RESOURCE_ACCOUNT -> m.resourceAccount;
            case RESOURCE_DIRECT -> m.resourceDirect;
            case RESOURCE_ROLE -> m.resourceRole;
            case RESOURCE_CROSS -> s.kmsCrossBlocked ? Tri.FALSE
                    : m.resourceAccount.or(m.resourceRole).or(m.resourceDirect);
            case GRANT_DIRECT -> m.grantDirect;
            case GRANT_ACCOUNT -> m.grantAccount;
        };
    }

    // =================================================================== step 3: deciding layers

    /** @return whether every requirement of the path holds */
    private static Tri holds(int path, Situation s, LayerMatches m) {
        Tri t = Tri.TRUE;
        for (Requirement r : REQUIREMENTS) {
            if ((path & r.bit()) != 0) {
                t = t.and(value(r, s, m));
                if (t == Tri.FALSE) {
                    return t;
                }
            }
        }
        return t;
    }

    private static int denyingLayers(LayerMatches m, Tri which) {
        return (m.identityDeny == which ? bit(Layer.IDENTITY) : 0)
                | (m.boundaryDeny == which ? bit(Layer.BOUNDARY) : 0)
                | (m.sessionDeny == which ? bit(Layer.SESSION) : 0)
                | (m.scpDeny == which ? bit(Layer.SCP) : 0)
                | (m.rcpDeny == which ? bit(Layer.RCP) : 0)
                | (m.resourceDeny == which ? bit(Layer.RESOURCE) : 0);
    }

    /**
     * The allow path that misses the fewest requirements; among equals, the one whose granting layers (identity,
     * resource, grant) are satisfied, then the first.
     */
    private static int closestPath(int[] paths, Situation s, LayerMatches m) {
        int best = 0;
        int bestMissing = Integer.MAX_VALUE;
        int bestGrantMissing = Integer.MAX_VALUE;
        for (int path : paths) {
            int missing = 0;
            int grantMissing = 0;
            for (Requirement r : REQUIREMENTS) {
                if ((path & r.bit()) != 0 && value(r, s, m) == Tri.FALSE) {
                    missing++;
                    if (r.grants) {
                        grantMissing++;
                    }
                }
            }
            if (missing < bestMissing || (missing == bestMissing && grantMissing < bestGrantMissing)) {
                best = path;
                bestMissing = missing;
                bestGrantMissing = grantMissing;
            }
        }
        return best;
    }

    private static int missingLayers(int path, Situation s, LayerMatches m) {
        int layers = 0;
        for (Requirement r : REQUIREMENTS) {
            if ((path & r.bit()) != 0 && value(r, s, m) == Tri.FALSE) {
                layers |= bit(r.layer);
            }
        }
        return layers;
    }

    private static int firstHolding(int[] paths, Situation s, LayerMatches m) {
        for (int path : paths) {
            if (holds(path, s, m) == Tri.TRUE) {
                return path;
            }
        }
        throw new IllegalStateException("allowed without a path that holds");
    }

    private static int grantingLayers(int path) {
        int layers = 0;
        for (Requirement r : REQUIREMENTS) {
            if ((path & r.bit()) != 0 && r.grants) {
                layers |= bit(r.layer);
            }
        }
        return layers;
    }

    private static int undecidedLayers(int[] paths, Situation s, LayerMatches m) {
        int layers = 0;
        for (int path : paths) {
            if (holds(path, s, m) == Tri.UNKNOWN) {
                for (Requirement r : REQUIREMENTS) {
                    if ((path & r.bit()) != 0 && value(r, s, m) == Tri.UNKNOWN) {
                        layers |= bit(r.layer);
                    }
                }
            }
        }
        return layers;
    }

    private static int bit(Layer l) {
        return 1 << l.ordinal();
    }

    // =================================================================== explanation

    /** The per-layer outcome shown by {@code explain}, in {@link Layer} order. */
    private static List<LayerTrace> trace(Situation s, LayerMatches m, PolicySet policies) {
        List<LayerTrace> trace = new ArrayList<>(8);
        trace.add(new LayerTrace(Layer.IDENTITY, true, str(m.identityAllow), str(m.identityDeny),
                s.noPermissionNeeded ? "`sts:GetCallerIdentity` needs no permission: no allow is required and no "
                        + "deny applies" : s.root ? "root user: full access in its account" : ""));
        trace.add(s.hasBoundary ? new LayerTrace(Layer.BOUNDARY, true, str(m.boundaryAllow), str(m.boundaryDeny),
                policies.permissionsBoundary().name())
                : new LayerTrace(Layer.BOUNDARY, false, "-", "-", "no permissions boundary"));
        trace.add(s.hasSession ? new LayerTrace(Layer.SESSION, true, str(m.sessionAllow), str(m.sessionDeny),
                policies.session().name())
                : new LayerTrace(Layer.SESSION, false, "-", "-", "no session policy"));
        trace.add(s.scpSkip == null ? new LayerTrace(Layer.SCP, true, str(m.scpAllow), str(m.scpDeny),
                "every level must allow") : new LayerTrace(Layer.SCP, false, "-", "-", s.scpSkip));
        trace.add(s.rcpSkip == null ? new LayerTrace(Layer.RCP, true, str(m.rcpAllow), str(m.rcpDeny),
                "every level must allow") : new LayerTrace(Layer.RCP, false, "-", "-", s.rcpSkip));
        if (s.kmsAlias) {
            trace.add(new LayerTrace(Layer.RESOURCE, false, "-", "-", "a kms alias has no key policy: identity "
                    + "policies decide (permission on the alias's key is a separate request)"));
        } else if (s.hasResourcePolicy || s.kmsKey) {
            trace.add(new LayerTrace(Layer.RESOURCE, s.hasResourcePolicy, str(m.resourceAllow), str(m.resourceDeny),
                    !s.hasResourcePolicy ? "no key policy" : resourceNote(s.kmsKey, s.crossAccount, s.kmsCrossBlocked,
                            m.resourceAccount, m.resourceRole, m.resourceDirect)));
        } else {
            trace.add(new LayerTrace(Layer.RESOURCE, false, "-", "-", "no resource-based policy"));
        }
        trace.add(s.grantsApply ? new LayerTrace(Layer.GRANT, true, str(m.grantDirect.or(m.grantAccount)), "-",
                "grants only allow")
                : new LayerTrace(Layer.GRANT, false, "-", "-", s.kmsKey ? "no grants"
                        : s.kmsAlias ? "a kms alias: grants apply to keys" : "not a kms key"));
        if (s.keyUsable != null) {
            trace.add(new LayerTrace(Layer.KEY_STATE, true, "-", "-", s.keyUsable ? "`Enabled`: key usable"
                    : "`" + policies.keyState() + "`: key unusable, calls on it fail whatever the policies say"));
        } else {
            trace.add(new LayerTrace(Layer.KEY_STATE, false, "-", "-", s.kmsKey ? "key state unknown"
                    : s.kmsAlias ? "a kms alias: the key's state is the key's request" : "not a kms key"));
        }
        return trace;
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


    private static String str(Tri t) {
        return t == Tri.TRUE ? "yes" : t == Tri.FALSE ? "no" : "unknown";
    }

    /** @return whether the resource ARN's resource part is {@code alias/...} */
    private static boolean isAliasArn(EvalContext ctx) {
        return ctx.resourceParts == Wildcard.ARN_PARTS
                && ctx.resource.startsWith("alias/", ctx.resourceBounds[Wildcard.ARN_PARTS - 1]);
    }

    static boolean isKmsResource(String arn) {
        // arn:PARTITION:kms:...
        if (!arn.startsWith("arn:")) {
            return false;
        }
        int c = arn.indexOf(':', 4);
        return c > 0 && arn.startsWith("kms:", c + 1);
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

    /** The conditions and unparseable parts a conditional answer depends on. */
    private static List<ResidualCondition> residuals(EvalContext ctx, Details details) {
        List<ResidualCondition> out = new ArrayList<>();
        if (details.pending != null) {
            for (Pending p : details.pending) {
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
                if (s.notPrincipal() != null && (s.effect() == Effect.ALLOW ? s.notPrincipal().names(ctx)
                        : s.notPrincipal().listsFully(ctx)) == Tri.UNKNOWN) {
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
        if (details.pendingGrants != null) {
            for (Grant g : details.pendingGrants) {
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
