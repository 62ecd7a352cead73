package io.cmkaudit.analysis;

import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.policy.Condition;
import io.cmkaudit.policy.ConditionOperator;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.MatchedStatement;
import io.cmkaudit.policy.SetOperator;
import io.cmkaudit.policy.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Words for a Deny whose condition uses a negated operator ({@code StringNotEquals}, {@code NotIpAddress},
 * {@code ArnNotLike}, ...; issue 10 item 5): such a Deny applies whenever the key does <i>not</i> have the listed
 * values (also when the key is absent), so the request is allowed only when it does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html). The
 * explanation says that positively, and the evidence cites the Allow statements that grant the access besides the Deny.
 */
final class NegatedConditions {

    private NegatedConditions() {
    }

    /** @return the positive wording of a negated operator, or null for an operator that is not negated */
    static String positive(ConditionOperator op) {
        if (op == null || !op.negated()) {
            return null;
        }
        return switch (op) {
            case STRING_NOT_EQUALS_IGNORE_CASE -> "equals (ignoring case)";
            case STRING_NOT_LIKE, ARN_NOT_LIKE -> "matches";
            case NOT_IP_ADDRESS -> "is in";
            default -> "equals";
        };
    }

    /** The Deny statements that decide an explicit deny or leave a decision open. */
    private static List<MatchedStatement> denies(Decision d) {
        return d.matched().stream().filter(m -> m.effect() == Effect.DENY
                && (d.kind() == DecisionKind.EXPLICIT_DENY ? !m.conditional() : m.conditional())).toList();
    }

    /**
     * @param d   a decision
     * @param set the policies it was made with
     * @return for each negated condition of a deciding (or open) Deny: {@code <key> <positive> <values> (Deny <label>)},
     *         e.g. {@code aws:SourceIp is in 203.0.113.0/24 (Deny policy#DenyOutsideCorp)}; empty when none
     */
    static List<String> allowedWhen(Decision d, EvalSet set) {
        List<String> out = new ArrayList<>();
        if (d.kind() != DecisionKind.EXPLICIT_DENY && d.kind() != DecisionKind.CONDITIONAL) {
            return out;
        }
        for (MatchedStatement m : denies(d)) {
            Entry e = set.find(m.policyName());
            if (e == null || m.index() < 0 || m.index() >= e.policy().statements().size()) {
                continue;
            }
            Statement st = e.policy().statements().get(m.index());
            for (Condition c : st.conditions()) {
                String pos = positive(c.operator());
                if (pos == null) {
                    continue;
                }
                if (c.setOperator() != null && c.setOperator() != SetOperator.NONE) {
                    // multivalued keys: no simple positive form; the residual condition says it as written
                    continue;
                }
                String set0 = "";
                String values = c.values().size() == 1 ? c.values().get(0) : "one of " + c.values();
                String phrase = set0 + c.key() + " " + pos + " " + values + " (Deny "
                        + Texts.label(m.policyName(), m.statement(), m.index()) + ")";
                if (!out.contains(phrase)) {
                    out.add(phrase);
                }
            }
        }
        return out;
    }

    /** @return {@code " It is allowed only when ..."} for a decision with negated Deny conditions, else empty */
    static String sentence(Decision d, EvalSet set) {
        List<String> w = allowedWhen(d, set);
        return w.isEmpty() ? "" : " It is allowed only when " + String.join(" and ", w) + ".";
    }

    /**
     * @param evidence the evidence of {@link Texts#evidence} (the Deny statements)
     * @return the evidence plus the Allow statements that grant the request, when a Deny with a negated condition
     *         decides or leaves it open; otherwise unchanged
     */
    static List<String> withAllows(Decision d, EvalSet set, List<String> evidence) {
        if (allowedWhen(d, set).isEmpty()) {
            return evidence;
        }
        List<String> out = new ArrayList<>(evidence);
        for (MatchedStatement m : d.matched()) {
            // the statements that grant the access (SCP / RCP / boundary Allows only permit it)
            if (m.effect() == Effect.ALLOW && (m.layer() == io.cmkaudit.policy.Layer.IDENTITY
                    || m.layer() == io.cmkaudit.policy.Layer.RESOURCE || m.layer() == io.cmkaudit.policy.Layer.GRANT)) {
                String l = Texts.label(m.policyName(), m.statement(), m.index()) + " (Allow)";
                if (!out.contains(l)) {
                    out.add(l);
                }
            }
        }
        return out;
    }
}
