package io.cmkaudit.analysis;

import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.MatchedStatement;
import io.cmkaudit.policy.ResidualCondition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The words rules share: evidence lists, statement labels, residual conditions, the uncertainty prefix. */
final class Texts {

    private Texts() {
    }

    /** Evidence: the deciding statements (policy + Sid or index), or the layers that miss an Allow. */
    static List<String> evidence(Decision d, EvalSet set) {
        List<String> ev = new ArrayList<>();
        Set<Layer> deciding = new LinkedHashSet<>(d.decidedBy());
        // the key policy's delegation to its account allows nothing by itself: when no identity statement
        // allows too, it is not evidence (key-policy-default.html)
        boolean identityAllows = d.matched().stream()
                .anyMatch(m -> m.layer() == Layer.IDENTITY && m.effect() == Effect.ALLOW);
        for (MatchedStatement m : d.matched()) {
            boolean relevant = switch (d.kind()) {
                case EXPLICIT_DENY -> m.effect() == Effect.DENY;
                case CONDITIONAL -> m.conditional();
                default -> deciding.contains(m.layer()) && !(d.kind() == DecisionKind.ALLOWED
                        && m.layer() == Layer.RESOURCE && m.effect() == Effect.ALLOW && !identityAllows
                        && set.keyPolicy != null && m.policyName().equals(set.keyPolicy.name())
                        && Remediator.isDelegation(set.keyPolicy, m.index(), set));
            };
            if (relevant) {
                String l = label(m.policyName(), m.statement(), m.index());
                if (!ev.contains(l)) {
                    ev.add(l);
                }
            }
        }
        if (d.kind() == DecisionKind.IMPLICIT_DENY) {
            for (Layer l : deciding) {
                List<String> names = switch (l) {
                    case IDENTITY -> set.identity.stream().map(Entry::name).toList();
                    case BOUNDARY -> set.boundary == null ? List.of() : List.of(set.boundary.name());
                    case SCP -> set.scp.stream().flatMap(List::stream).map(Entry::name).distinct().toList();
                    case RCP -> set.rcp.stream().flatMap(List::stream).map(Entry::name).distinct().toList();
                    case RESOURCE -> set.keyPolicy == null ? List.of() : List.of(set.keyPolicy.name());
                    default -> List.of();
                };
                ev.add(l.id() + ": no statement allows the request"
                        + (names.isEmpty() ? "" : " in " + String.join(", ", names)));
            }
        }
        return ev;
    }

    /** @return the deciding layers of a decision as {@code simulate} names them */
    static List<String> layers(Decision d) {
        return d.decidedBy().stream().map(Layer::id).toList();
    }

    /** @return {@code policy#Sid}, or {@code policy#index} when the statement has no Sid */
    static String label(String policyName, String statementLabel, int index) {
        boolean path = statementLabel == null || statementLabel.startsWith("Statement");
        return policyName + "#" + (path ? String.valueOf(index) : statementLabel);
    }

    /** @return the residual conditions of a conditional decision in words */
    static String residuals(Decision d) {
        if (d.residual().isEmpty()) {
            return "context unknown offline";
        }
        return d.residual().stream().map(r -> r.reason() == ResidualCondition.Reason.UNPARSEABLE
                        ? "an unparseable part of " + r.policyName()
                        : r.operator() + " " + r.key() + (r.values().isEmpty() ? "" : " " + r.values())
                        + " (" + label(r.policyName(), r.statement(), -1).replace("#-1", "") + ")")
                .distinct().collect(Collectors.joining(", "));
    }

    /** @return what a decision depends on (conditional) or which layers decided it */
    static String residualsOrLayers(Decision d) {
        return d.kind() == DecisionKind.CONDITIONAL ? "depends on " + residuals(d)
                : "decided by " + d.decidedBy().stream().map(Layer::id).collect(Collectors.joining(", "));
    }

    /** @return {@code Uncertain (<why>): } when the principal's policies are uncertain, else empty */
    static String uncertainPrefix(List<String> uncertain) {
        return uncertain.isEmpty() ? "" : "Uncertain (" + String.join("; ", uncertain) + "): ";
    }
}
