package io.cmkaudit.analysis;

import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.analysis.RuleContext.AccountScope;
import io.cmkaudit.analysis.RuleContext.KeySide;
import io.cmkaudit.analysis.RuleContext.PrincipalSide;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyStatus;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Context;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.Request;
import io.cmkaudit.policy.ResidualCondition;
import io.cmkaudit.policy.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Breadth of a principal's direct KMS rights (aws-rules.md §5), for every user and role (not service-linked roles):
 * on every in-scope key it may reach, {@code KMS_FULL_ACCESS} (every KMS action allowed) and
 * {@code KMS_CREATEGRANT_UNCONSTRAINED} ({@code kms:CreateGrant} without {@code kms:GrantIsForAWSResource},
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource);
 * and {@code KMS_DECRYPT_ALL_KEYS} (an identity statement allows {@code kms:Decrypt} / {@code kms:ReEncryptFrom} on
 * every key without a key-restricting condition). Grants are graded by {@link GrantRule}, not here. Each
 * remediation is re-evaluated before it is offered.
 */
final class BreadthRule implements Rule {

    /** A KMS action name no statement can list explicitly: only wildcards, NotAction or "*" match it. */
    static final String PROBE_ACTION = "kms:CmkAuditProbeEveryAction";

    /** A key of another account, for the "decrypt with every key" check. */
    static final String ANY_KEY = anyKey(Partition.AWS);

    /**
     * @param partition partition id
     * @return a key of another account (in the partition's first region) standing for "any key" of the partition
     */
    static String anyKey(String partition) {
        return "arn:" + partition + ":kms:" + anyKeyRegion(partition) + ":" + ContextFactory.OUTSIDER_ACCOUNT
                + ":key/cmk-audit-any-key";
    }

    private static String anyKeyRegion(String partition) {
        return switch (partition) {
            case "aws-us-gov" -> "us-gov-west-1";
            case "aws-cn" -> "cn-north-1";
            case "aws-iso" -> "us-iso-east-1";
            case "aws-iso-b" -> "us-isob-east-1";
            default -> "us-east-1";
        };
    }

    /** Condition keys whose presence in a statement limits which keys or which path a Decrypt statement covers. */
    private static final List<String> KEY_RESTRICTING_PREFIXES = List.of("kms:viaservice", "kms:encryptioncontext",
            "kms:grantisforawsresource", "kms:resourcealiases", "kms:requestalias", "aws:resourcetag/",
            "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "aws:calledvia",
            "aws:viaawsservice");

    private final RuleContext ctx;
    private final BreadthKeys keys;

    BreadthRule(RuleContext ctx) {
        this.ctx = ctx;
        this.keys = new BreadthKeys(ctx);
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.KMS_FULL_ACCESS, FindingType.KMS_CREATEGRANT_UNCONSTRAINED,
                FindingType.KMS_DECRYPT_ALL_KEYS);
    }

    @Override
    public List<Finding> principal(AccountScope account, PrincipalSide ps) {
        if (ps.ref().kind() == PrincipalKind.SERVICE_LINKED_ROLE) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        List<List<String>> memo = new ArrayList<>();
        java.util.function.Supplier<List<String>> needed = () -> {
            if (memo.isEmpty()) {
                memo.add(keys.neededKeys(account, ps));
            }
            return memo.get(0);
        };
        Remediator.Memo fixes = new Remediator.Memo();
        for (KeyRef k : keys.reachableKeys(ps.ref().accountId())) {
            KeySide ks = ctx.keySide(k);
            // grants are graded by GRANT_TO_NON_SERVICE_PRINCIPAL, not here: the set of RuleContext.withKey without
            // them (service-linked roles, whose RCPs are left out, returned above)
            EvalSet set = ps.base().withResource(ks.rcp(), ks.keyPolicy(), List.of(),
                    ks.ref().key() == null ? null : ks.ref().key().keyState(), ks.inManagement());
            Finding full = fullAccess(ps, k, set, fixes);
            if (full != null) {
                out.add(full);
            }
            Finding cg = createGrantUnconstrained(ps, k, set, needed, fixes);
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
        return Evaluator.evaluate(directRequest(ps, k, action), ps.info(), set.policySet());
    }

    /** @return the answer alone of a direct call ({@link Evaluator#verdict}: no statements, residuals or trace) */
    private DecisionKind directKind(PrincipalSide ps, KeyRef k, EvalSet set, String action) {
        return Evaluator.verdict(directRequest(ps, k, action), ps.info(), set.policySet()).kind();
    }

    private Request directRequest(PrincipalSide ps, KeyRef k, String action) {
        String category = ContextFactory.directCategory(action);
        Context c = ps.contexts().computeIfAbsent(k.arn() + "|" + category,
                x -> ctx.contexts.direct(ps.ref(), k, action));
        return new Request(ps.ref().arn(), action, k.arn(), k.accountId(), c);
    }

    /** Whether every KMS action is allowed on the key (a probe action, then every documented one if needed). */
    private boolean everyAction(PrincipalSide ps, KeyRef k, EvalSet set, DecisionKind probe) {
        if (probe != DecisionKind.ALLOWED && probe != DecisionKind.CONDITIONAL) {
            return false;
        }
        Set<String> suspects = new TreeSet<>();
        for (Entry e : set.all()) {
            suspects.addAll(ctx.library.suspects(e, PROBE_ACTION, PolicyJson.KMS_KEY_ACTIONS));
        }
        for (String a : suspects) {
            DecisionKind dk = directKind(ps, k, set, a);
            if (dk != DecisionKind.ALLOWED && dk != DecisionKind.CONDITIONAL) {
                return false;
            }
        }
        return true;
    }

    private Finding fullAccess(PrincipalSide ps, KeyRef k, EvalSet set, Remediator.Memo memo) {
        if (!everyAction(ps, k, set, directKind(ps, k, set, PROBE_ACTION))) {
            return null;
        }
        Decision probe = direct(ps, k, set, PROBE_ACTION);
        if (PublicKeyPolicyRule.countedInstead(ctx, FindingType.KMS_FULL_ACCESS, ps, k, probe)) {
            return null;
        }
        PrincipalRef p = ps.ref();
        Remediation rem = ctx.remediator.fullAccess(p, set, probe, keys.accountKeys(p.accountId()),
                s -> everyAction(ps, k, s, directKind(ps, k, s, PROBE_ACTION)), memo);
        if (rem == null) {
            rem = Remediation.textOnly("Replace the statements named in the evidence by statements that allow "
                    + "only the KMS actions this principal needs, on the exact key ARNs.");
        }
        return finding(FindingType.KMS_FULL_ACCESS, ps, k, probe, set, FULL, rem);
    }

    private Finding createGrantUnconstrained(PrincipalSide ps, KeyRef k, EvalSet set,
                                             java.util.function.Supplier<List<String>> needed,
                                             Remediator.Memo memo) {
        DecisionKind dk = directKind(ps, k, set, "kms:CreateGrant");
        if (dk != DecisionKind.ALLOWED && dk != DecisionKind.CONDITIONAL) {
            return null;
        }
        Decision d = direct(ps, k, set, "kms:CreateGrant");
        if (!unconstrained(d)) {
            return null;
        }
        if (PublicKeyPolicyRule.countedInstead(ctx, FindingType.KMS_CREATEGRANT_UNCONSTRAINED, ps, k, d)) {
            return null;
        }
        PrincipalRef p = ps.ref();
        Remediation rem = ctx.remediator.createGrantUnconstrained(p, set, d, needed.get(),
                s -> unconstrainedOn(ps, k, s), memo);
        if (rem == null) {
            rem = Remediation.textOnly("Add the condition Bool kms:GrantIsForAWSResource true to the statements "
                    + "named in the evidence that allow kms:CreateGrant.");
        }
        return finding(FindingType.KMS_CREATEGRANT_UNCONSTRAINED, ps, k, d, set, CREATE_GRANT, rem);
    }

    /** {@link #unconstrained} of the direct CreateGrant with another set; the full decision only when conditional. */
    private boolean unconstrainedOn(PrincipalSide ps, KeyRef k, EvalSet set) {
        DecisionKind dk = directKind(ps, k, set, "kms:CreateGrant");
        return dk == DecisionKind.ALLOWED
                || dk == DecisionKind.CONDITIONAL && unconstrained(direct(ps, k, set, "kms:CreateGrant"));
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

    /** Explanation of KMS_FULL_ACCESS; the reason is the residual conditions, if any. */
    static final Texts.Template FULL = (s, why) -> s.principal() + " " + s.is() + " allowed every KMS action on "
            + s.key() + (why.isEmpty() ? "" : " when " + why) + ", including key administration (PutKeyPolicy, "
            + "ScheduleKeyDeletion) and unconstrained CreateGrant.";
    /** Explanation of KMS_CREATEGRANT_UNCONSTRAINED; the reason is the residual conditions, if any. */
    static final Texts.Template CREATE_GRANT = (s, why) -> s.principal() + " can call kms:CreateGrant on " + s.key()
            + " directly" + (why.isEmpty() ? "" : " when " + why) + " (without kms:GrantIsForAWSResource true), so "
            + s.plural("it", "they") + " can give any use of " + (s.keys().size() > 1 ? "the keys" : "the key")
            + " to any principal.";
    /** Explanation of KMS_DECRYPT_ALL_KEYS. */
    static final Texts.Template DECRYPT_ALL = (s, why) -> s.principal() + " may call kms:Decrypt or "
            + "kms:ReEncryptFrom with every KMS key (Resource \"*\"), including keys of other accounts that trust "
            + s.plural("its", "their") + " account.";

    private Finding finding(FindingType type, PrincipalSide ps, KeyRef k, Decision d, EvalSet set,
                            Texts.Template template, Remediation rem) {
        PrincipalRef p = ps.ref();
        Texts.Why why = new Texts.Why(template, d.kind() == DecisionKind.CONDITIONAL ? Texts.residuals(d) : "",
                ps.uncertain(), null);
        Finding f = Finding.principalKey(type, type.defaultSeverity(), ctx.account(p.accountId()), k.region(),
                RuleContext.principal(p), RuleContext.key(k), Finding.Details.of(Texts.layers(d),
                        Texts.evidence(d, set), why.render(Texts.Subjects.of(p.arn(), k.arn(), 0)), rem));
        ctx.keep(f.findingId(), rem, why);
        return f;
    }

    /**
     * KMS_DECRYPT_ALL_KEYS: an identity statement of the principal allows kms:Decrypt or kms:ReEncryptFrom on
     * every key ({@code Resource "*"}, or a NotResource that leaves keys in) and has no condition on a key that
     * limits which keys or which path it covers ({@link #KEY_RESTRICTING_PREFIXES}); and the principal's
     * effective permissions (identity, boundary, SCPs) really allow it on an arbitrary key of another account.
     */
    private Finding decryptAllKeys(PrincipalSide ps) {
        PrincipalRef p = ps.ref();
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
                if (!s.matchesResource(anyKey(ctx.index.partition()), null)) {
                    continue;
                }
                if (s.conditions().stream().anyMatch(c -> c.key() != null && restricting(c.key()))) {
                    continue;
                }
                entries.add(e);
                indexes.add(s.index());
                evidence.add(Texts.label(e.name(), s.label(), s.index()));
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        KeyRef any = new KeyRef(anyKey(ctx.index.partition()), ContextFactory.OUTSIDER_ACCOUNT,
                anyKeyRegion(ctx.index.partition()), null, false,
                KeyStatus.USABLE);
        EvalSet set = anyKeySet(ps, p.accountId());
        Decision d = allowedOnAnyKey(ps, any, set);
        if (d == null) {
            return null;
        }
        Remediation rem = ctx.remediator.decryptAllKeys(p, set, entries, indexes, keys.accountKeys(p.accountId()),
                s -> allowedOnAnyKey(ps, any, s) != null);
        if (rem == null) {
            rem = Remediation.textOnly("Replace Resource \"*\" in the statements named in the evidence by the "
                    + "ARNs of the keys this principal needs.");
        }
        Texts.Why why = new Texts.Why(DECRYPT_ALL, "", ps.uncertain(), null);
        Finding f = Finding.principalKey(FindingType.KMS_DECRYPT_ALL_KEYS, Severity.MEDIUM,
                ctx.account(p.accountId()), null, RuleContext.principal(p), null,
                Finding.Details.of(List.of("identity"), evidence, why.render(Texts.Subjects.of(p.arn(), null, 0)),
                        rem));
        ctx.keep(f.findingId(), rem, why);
        return f;
    }

    private EvalSet anyKeySet(PrincipalSide ps, String account) {
        PolicySource trusting = new PolicySource("key policy of a key in another account that trusts " + account,
                PolicySource.Origin.KEY_POLICY, ContextFactory.OUTSIDER_ACCOUNT, anyKey(ctx.index.partition()),
                "default",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"" + Partition.accountRoot(ctx.index.partition(), account) + "\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}");
        return ps.base().withResource(List.of(), ctx.library.derived(trusting), List.of(), "Enabled", false);
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
}
