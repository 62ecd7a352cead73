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
import java.util.Map;
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

    /**
     * @return {@code policy#Sid}, or {@code policy#index} when the statement has no Sid: the one form every output
     *         names a statement in ({@link MatchedStatement#label(String, String, int)}, which {@code explain}'s and
     *         {@code simulate}'s traces use too)
     */
    static String label(String policyName, String statementLabel, int index) {
        return MatchedStatement.label(policyName, statementLabel, index);
    }

    /**
     * The policies that could not be parsed and could lift an implicit deny: the identity policies, the permissions
     * boundary and the key policy (each can hold the Allow that is missing: in the same account a key policy naming
     * the principal allows by itself), and the SCPs or RCPs when their layer decided the deny (a missing Allow
     * there). An implicit deny is known only when none could be parsed; an explicit Deny is known whatever else could
     * not be parsed, since it overrides every Allow
     * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
     *
     * @param d   an {@link DecisionKind#IMPLICIT_DENY} decision (for any other decision the result is empty)
     * @param set the policies it was made with
     * @return the names of those policies, in evaluation order; empty when the deny is known
     */
    static List<String> unparseableAllowers(Decision d, EvalSet set) {
        if (d.kind() != DecisionKind.IMPLICIT_DENY) {
            return List.of();
        }
        List<Entry> candidates = new ArrayList<>(set.identity);
        if (set.boundary != null) {
            candidates.add(set.boundary);
        }
        if (set.keyPolicy != null) {
            candidates.add(set.keyPolicy);
        }
        if (d.decidedBy().contains(Layer.SCP)) {
            set.scp.forEach(candidates::addAll);
        }
        if (d.decidedBy().contains(Layer.RCP)) {
            set.rcp.forEach(candidates::addAll);
        }
        return candidates.stream().filter(Entry::unparseable).map(Entry::name).distinct().toList();
    }

    /**
     * @param evidence a finding's evidence
     * @param names    the policies {@link #unparseableAllowers} named; not empty
     * @return the evidence with one {@code "<policy>: could not be parsed"} line per policy added
     */
    static List<String> withUnparseable(List<String> evidence, List<String> names) {
        List<String> ev = new ArrayList<>(evidence);
        names.forEach(n -> ev.add(n + ": could not be parsed"));
        return List.copyOf(ev);
    }

    /**
     * @param names the policies {@link #unparseableAllowers} named; not empty
     * @return what the decision depends on, e.g. "an unparseable part of P1, an unparseable part of P2"
     */
    static String unparseableParts(List<String> names) {
        return names.stream().map(n -> "an unparseable part of " + n)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** @return the residual conditions of a conditional decision in words */
    static String residuals(Decision d) {
        if (d.residual().isEmpty()) {
            return "context unknown offline";
        }
        return d.residual().stream().map(r -> r.reason() == ResidualCondition.Reason.UNPARSEABLE
                        ? "an unparseable part of " + r.policyName()
                        : r.operator() + " " + r.key() + (r.values().isEmpty() ? "" : " " + r.values())
                        + " (" + label(r.policyName(), r.statement(), -1) + ")")
                .distinct().collect(Collectors.joining(", "));
    }

    /** @return what a decision depends on (conditional) or which layers decided it */
    static String residualsOrLayers(Decision d) {
        return d.kind() == DecisionKind.CONDITIONAL ? "depends on " + residuals(d)
                : "decided by " + d.decidedBy().stream().map(Layer::id).collect(Collectors.joining(", "));
    }

    /**
     * The subjects of a finding as its explanation names them: one principal or key by its ARN, several by their
     * number (the finding lists them), and how many instances.
     *
     * @param principals principal ARNs (may be empty)
     * @param keys       key ARNs (may be empty)
     * @param instances  number of affected instances
     */
    record Subjects(List<String> principals, List<String> keys, int instances) {
        static Subjects of(String principal, String key, int instances) {
            return new Subjects(principal == null ? List.of() : List.of(principal), key == null ? List.of()
                    : List.of(key), instances);
        }

        /**
         * @return the principal's ARN; two or three principals named ({@code A and B}, {@code A, B and C}: a finding
         *         merged per permission set lists its permission set, not these roles, so a bare count would point
         *         to a list that is not there); more as a count, e.g. {@code 4 principals (listed)}
         */
        String principal() {
            if (principals.size() == 1) {
                return principals.get(0);
            }
            if (principals.size() <= 3) {
                return String.join(", ", principals.subList(0, principals.size() - 1)) + " and "
                        + principals.get(principals.size() - 1);
            }
            return principals.size() + " principals (listed)";
        }

        /** @return the key's ARN, or e.g. {@code 3 keys (listed)} */
        String key() {
            return keys.size() == 1 ? keys.get(0) : keys.size() + " keys (listed)";
        }

        /** @return {@code its} for one principal, {@code their} for several */
        String its() {
            return principals.size() > 1 ? "their" : "its";
        }

        /** @return {@code the instance}, or e.g. {@code the 5 instances} */
        String instance() {
            return instances <= 1 ? "the instance" : "the " + instances + " instances";
        }

        /** @return {@code is} for one principal, {@code are} for several */
        String is() {
            return principals.size() > 1 ? "are" : "is";
        }

        /** @return {@code one} for one principal, {@code several} for several */
        String plural(String one, String several) {
            return principals.size() > 1 ? several : one;
        }
    }

    /**
     * The templates by name (every {@link Template} a rule gives a {@link Why}), so that a sharded report can carry a
     * merged finding's template to {@code merge-findings} ({@link FindingJoin}).
     */
    static Map<String, Template> templates() {
        Map<String, Template> m = new java.util.LinkedHashMap<>();
        m.put("StartAccessRule.UNKNOWN", StartAccessRule.UNKNOWN);
        m.put("StartAccessRule.DEPENDS", StartAccessRule.DEPENDS);
        m.put("StartAccessRule.DENIED", StartAccessRule.DENIED);
        m.put("BreadthRule.FULL", BreadthRule.FULL);
        m.put("BreadthRule.CREATE_GRANT", BreadthRule.CREATE_GRANT);
        m.put("BreadthRule.DECRYPT_ALL", BreadthRule.DECRYPT_ALL);
        m.put("GranteeDecryptRule.DENIED", GranteeDecryptRule.DENIED);
        m.put("GranteeDecryptRule.DEPENDS", GranteeDecryptRule.DEPENDS);
        return m;
    }

    /** @return the name of a template in {@link #templates()}, or null when it is none of them */
    static String templateName(Template t) {
        for (Map.Entry<String, Template> e : templates().entrySet()) {
            if (e.getValue() == t) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The explanation of a finding, given its subjects and the reasons (joined with {@code ; }). */
    @FunctionalInterface
    interface Template {
        String render(Subjects s, String reasons);
    }

    /**
     * Why a finding was raised, kept beside it until findings are merged into one per fix (FindingGroups renders the
     * merged finding's explanation from it).
     *
     * @param template  the explanation
     * @param reason    the member's reason (deciding statements, residual conditions), or empty
     * @param uncertain why the member's answer is uncertain (may be empty)
     * @param startNote residual conditions of starting the instances themselves, or null
     */
    record Why(Template template, String reason, List<String> uncertain, String startNote) {
        Why {
            reason = reason == null ? "" : reason;
            uncertain = List.copyOf(uncertain);
        }

        /** @return the explanation of a finding with these subjects and (distinct) reasons, uncertainty, notes */
        static String render(Template t, Subjects s, List<String> reasons, List<String> uncertain,
                             List<String> startNotes) {
            String expl = t.render(s, String.join("; ", reasons));
            if (!startNotes.isEmpty()) {
                expl = expl + " (Starting " + (s.instances() > 1 ? "some of the instances" : "the instance itself")
                        + " depends on " + String.join(", ", startNotes) + ".)";
            }
            return uncertainPrefix(uncertain) + expl;
        }

        /** @return this member's explanation */
        String render(Subjects s) {
            return render(template, s, reason.isEmpty() ? List.of() : List.of(reason), uncertain,
                    startNote == null ? List.of() : List.of(startNote));
        }
    }

    /** @return {@code Uncertain (<why>): } when the principal's policies are uncertain, else empty */
    static String uncertainPrefix(List<String> uncertain) {
        return uncertain.isEmpty() ? "" : "Uncertain (" + String.join("; ", uncertain) + "): ";
    }
}
