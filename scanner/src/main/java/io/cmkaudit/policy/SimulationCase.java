package io.cmkaudit.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One case of the {@code simulate} format ({@code docs/design/simulate-format.md}): a request, the policies it
 * is evaluated against, and optionally the expected answer. Read with {@link SimulationCaseReader}.
 *
 * @param index       zero-based position in its file
 * @param name        the case's name, or {@code case N} when it has none; never null
 * @param request     the request; never null
 * @param principal   what is known of the principal; never null
 * @param policies    the policies; never null
 * @param diagnostics parser diagnostics of the case's policy documents; never null
 * @param expected    the expected answer, or null
 */
public record SimulationCase(int index, String name, Request request, PrincipalInfo principal, PolicySet policies,
        List<PolicyDiagnostic> diagnostics, Expected expected) {

    /** Validates and copies. */
    public SimulationCase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(policies, "policies");
        diagnostics = List.copyOf(diagnostics);
    }

    /** @return the decision for this case */
    public Decision evaluate() {
        return Evaluator.evaluate(request, principal, policies);
    }

    /**
     * Compares a decision with {@link #expected()}.
     *
     * @param d the decision of this case
     * @return one line per difference (empty when it matches, or when nothing is expected); never null
     */
    public List<String> mismatches(Decision d) {
        List<String> out = new ArrayList<>();
        if (expected == null) {
            return out;
        }
        if (expected.decision() != d.kind()) {
            out.add("decision: expected " + expected.decision() + ", got " + d.kind());
        }
        if (expected.decidedBy() != null) {
            Set<Layer> want = expected.decidedBy().isEmpty() ? EnumSet.noneOf(Layer.class)
                    : EnumSet.copyOf(expected.decidedBy());
            Set<Layer> got = d.decidedBy().isEmpty() ? EnumSet.noneOf(Layer.class) : EnumSet.copyOf(d.decidedBy());
            if (!want.equals(got)) {
                out.add("decidedBy: expected " + ids(want) + ", got " + ids(got));
            }
        }
        if (expected.keyUsableGiven() && !Objects.equals(expected.keyUsable(), d.keyUsable())) {
            out.add("keyUsable: expected " + expected.keyUsable() + ", got " + d.keyUsable());
        }
        if (expected.matched() != null) {
            for (ExpectedMatch m : expected.matched()) {
                boolean found = false;
                for (MatchedStatement s : d.matched()) {
                    if (m.matches(s)) {
                        found = true;
                        break;
                    }
                }
                if (!found) {
                    out.add("matched: expected " + m + " among the matched statements, got " + describe(d.matched()));
                }
            }
        }
        return out;
    }

    private static String ids(Set<Layer> layers) {
        List<String> s = new ArrayList<>();
        for (Layer l : layers) {
            s.add(l.id());
        }
        return s.toString();
    }

    private static String describe(List<MatchedStatement> matched) {
        List<String> s = new ArrayList<>();
        for (MatchedStatement m : matched) {
            s.add(m.layer().id() + ":" + m.policyName() + "/" + m.statement()
                    + (m.effect() == null ? "" : "(" + m.effect().text() + ")"));
        }
        return s.toString();
    }

    /**
     * A parser diagnostic of one policy document of a case.
     *
     * @param policyPath where the policy is in the case, e.g. {@code policies.identity[0]}
     * @param policyName the policy's name
     * @param diagnostic the diagnostic
     */
    public record PolicyDiagnostic(String policyPath, String policyName, Diagnostic diagnostic) {
    }

    /**
     * The expected answer of a case.
     *
     * @param decision       the expected decision; never null
     * @param decidedBy      the expected deciding layers (compared as a set), or null when not given
     * @param matched        statements expected among the matched ones, or null when not given
     * @param keyUsable      the expected {@code keyUsable} (may be null = "not a KMS key / unknown")
     * @param keyUsableGiven whether {@code keyUsable} was given at all
     */
    public record Expected(DecisionKind decision, List<Layer> decidedBy, List<ExpectedMatch> matched,
            Boolean keyUsable, boolean keyUsableGiven) {
        /** Validates and copies. */
        public Expected {
            Objects.requireNonNull(decision, "decision");
            decidedBy = decidedBy == null ? null : List.copyOf(decidedBy);
            matched = matched == null ? null : List.copyOf(matched);
        }
    }

    /**
     * A statement expected among the matched ones; null fields match anything.
     *
     * @param layer     the layer, or null
     * @param policy    the policy name, or null
     * @param statement the statement label (Sid or {@code Statement[i]}) or index as text, or null
     * @param effect    the effect, or null
     */
    public record ExpectedMatch(Layer layer, String policy, String statement, Effect effect) {

        boolean matches(MatchedStatement s) {
            return (layer == null || layer == s.layer())
                    && (policy == null || policy.equals(s.policyName()))
                    && (statement == null || statement.equals(s.statement())
                        || statement.equals(String.valueOf(s.index())))
                    && (effect == null || effect == s.effect());
        }

        @Override
        public String toString() {
            return (layer == null ? "" : layer.id() + ":") + (policy == null ? "*" : policy) + "/"
                    + (statement == null ? "*" : statement) + (effect == null ? "" : "(" + effect.text() + ")");
        }
    }
}
