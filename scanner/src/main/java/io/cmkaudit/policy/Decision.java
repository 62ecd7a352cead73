package io.cmkaudit.policy;

import java.util.List;
import java.util.Objects;

/**
 * The answer of {@link Evaluator#evaluate} with its reasons.
 *
 * <p>{@code decidedBy} by kind:
 * <ul>
 *   <li>{@link DecisionKind#EXPLICIT_DENY}: every layer with a matching Deny;</li>
 *   <li>{@link DecisionKind#IMPLICIT_DENY}: the layers whose missing Allow denies the request, on the way to an
 *       allow that misses the fewest layers (e.g. {@code resource} when a key policy neither names the principal
 *       nor delegates to its account; {@code identity} when it delegates but no identity policy allows;
 *       {@code scp} when a level of the SCPs allows nothing);</li>
 *   <li>{@link DecisionKind#ALLOWED}: the layers that granted the access ({@code identity}, {@code resource},
 *       {@code grant}); the limiting layers (boundary, session, SCPs, RCPs) that merely permitted it are not listed;</li>
 *   <li>{@link DecisionKind#CONDITIONAL}: the layers whose unknown statements the answer depends on.</li>
 * </ul>
 *
 * @param kind      the answer; never null
 * @param decidedBy the deciding layers in {@link Layer} order; never null
 * @param matched   every statement (and grant) that applies, definitely or conditionally, in layer order;
 *                  never null
 * @param residual  for {@link DecisionKind#CONDITIONAL}: the conditions and unparseable parts the answer depends on;
 *                  empty otherwise; never null
 * @param keyUsable for a KMS key: true when its state is {@code Enabled}, false for any other state, null when the
 *                  state is not known; null when the resource is not a KMS key. The authorization answer
 *                  {@code kind} does not depend on it.
 * @param trace     per-layer outcome, in {@link Layer} order; never null
 */
public record Decision(DecisionKind kind, List<Layer> decidedBy, List<MatchedStatement> matched,
        List<ResidualCondition> residual, Boolean keyUsable, List<LayerTrace> trace) {

    /** Validates and copies. */
    public Decision {
        Objects.requireNonNull(kind, "kind");
        decidedBy = List.copyOf(decidedBy);
        matched = List.copyOf(matched);
        residual = List.copyOf(residual);
        trace = List.copyOf(trace);
    }

    /**
     * @return a multi-line, layer-by-layer explanation in plain text (lines end with {@code \n}); never null
     */
    public String explain() {
        StringBuilder sb = new StringBuilder();
        sb.append("decision: ").append(kind);
        if (!decidedBy.isEmpty()) {
            sb.append(" (decided by ");
            for (int i = 0; i < decidedBy.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(decidedBy.get(i).id());
            }
            sb.append(')');
        }
        sb.append('\n');
        for (LayerTrace t : trace) {
            sb.append("  ").append(pad(t.layer().id())).append(' ');
            if (!t.applied()) {
                sb.append("not applied");
                if (!t.note().isEmpty()) {
                    sb.append(": ").append(t.note());
                }
                sb.append('\n');
                continue;
            }
            if (t.layer() == Layer.KEY_STATE) {
                sb.append(t.note()).append('\n');
                continue;
            }
            sb.append("allow=").append(t.allow()).append(" deny=").append(t.deny());
            if (!t.note().isEmpty()) {
                sb.append("  (").append(t.note()).append(')');
            }
            sb.append('\n');
            for (MatchedStatement m : matched) {
                if (m.layer() == t.layer()) {
                    sb.append("      ").append(m.effect() == null ? "?" : m.effect().text()).append(' ')
                            .append(m.label())
                            .append(m.level() == null ? "" : "  (at " + m.level() + ")")
                            .append(m.conditional() ? "  [conditional]" : "").append('\n');
                }
            }
        }
        if (!residual.isEmpty()) {
            sb.append("  depends on:\n");
            for (ResidualCondition r : residual) {
                sb.append("      ").append(r.layer().id()).append(' ')
                        .append(MatchedStatement.label(r.policyName(), r.statement(), -1)).append(": ")
                        .append(r.operator()).append(' ').append(r.key());
                if (!r.values().isEmpty()) {
                    sb.append(' ').append(r.values());
                }
                sb.append(r.reason() == ResidualCondition.Reason.UNPARSEABLE ? "  (unparseable)" : "  (unknown key)")
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static String pad(String s) {
        return s.length() >= 9 ? s : s + " ".repeat(9 - s.length());
    }
}
