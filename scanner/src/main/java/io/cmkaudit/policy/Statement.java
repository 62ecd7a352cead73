package io.cmkaudit.policy;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One statement of a policy, immutable.
 *
 * <p>At most one of {@code principal}/{@code notPrincipal}, {@code action}/{@code notAction} and
 * {@code resource}/{@code notResource} is non-null. A part listed in {@code unparsed} could not be understood (see
 * {@link PolicyParser}); the engine then treats that part's match as unknown, so a decision that depends on this
 * statement becomes {@link DecisionKind#CONDITIONAL} unless a part that was understood already rules the statement
 * out (e.g. its {@code Action} is {@code s3:*} and the request is {@code kms:CreateGrant}).
 *
 * <p>Equality ignores {@code index} and {@code path} (the statement's location).
 *
 * @param sid          the {@code Sid}, or null
 * @param index        zero-based position in the policy's {@code Statement} array
 * @param path         JSON path of the statement, e.g. {@code Statement[2]} (or {@code Statement} when the
 *                     element is a single object)
 * @param effect       the effect, or null when missing or invalid (then {@code unparsed} contains
 *                     {@link StatementElement#EFFECT})
 * @param principal    the {@code Principal} element, or null
 * @param notPrincipal the {@code NotPrincipal} element, or null
 * @param action       the {@code Action} element, or null
 * @param notAction    the {@code NotAction} element, or null
 * @param resource     the {@code Resource} element, or null
 * @param notResource  the {@code NotResource} element, or null
 * @param conditions   the conditions (AND), never null
 * @param unparsed     the parts that could not be understood, never null
 */
public record Statement(String sid, int index, String path, Effect effect, Principals principal,
        Principals notPrincipal, ActionSet action, ActionSet notAction, ResourceSet resource, ResourceSet notResource,
        List<Condition> conditions, Set<StatementElement> unparsed) {

    /** Copies the collections. */
    public Statement {
        Objects.requireNonNull(path, "path");
        conditions = List.copyOf(conditions);
        unparsed = unparsed.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(unparsed));
    }

    /** A statement nothing is known about: any effect, matches any request as unknown. */
    static Statement opaque(int index, String path) {
        return new Statement(null, index, path, null, null, null, null, null, null, null, List.of(),
                EnumSet.allOf(StatementElement.class));
    }

    /**
     * @return the Sid when present and non-empty, else the path ({@code Statement[2]}), or {@code (document)} for
     *     the stand-in of an unreadable document
     */
    public String label() {
        return sid != null && !sid.isEmpty() ? sid : path.isEmpty() ? "(document)" : path;
    }

    /** @return whether some part could not be understood */
    public boolean hasUnparsedParts() {
        return !unparsed.isEmpty() || conditions.stream().anyMatch(c -> !c.valid());
    }

    /**
     * Whether the statement's {@code Action}/{@code NotAction} covers the action (a part that could not be parsed
     * covers nothing here).
     *
     * @param action e.g. {@code kms:CreateGrant}, any case
     * @return whether the action is in scope of this statement
     */
    public boolean matchesAction(String action) {
        return actionMatch(action.toLowerCase(java.util.Locale.ROOT)) == Tri.TRUE;
    }

    /**
     * Whether the statement's {@code Resource}/{@code NotResource} covers the ARN, with policy variables resolved
     * from the context (a variable over an unknown or absent key counts as not matching).
     *
     * @param arn     the resource ARN; never null
     * @param context the request context for policy variables; null means empty
     * @return whether the resource is in scope of this statement
     */
    public boolean matchesResource(String arn, Context context) {
        EvalContext ctx = EvalContext.forResource(arn, context == null ? Context.empty() : context);
        return resourceMatch(ctx) == Tri.TRUE;
    }

    Tri actionMatch(String actionLower) {
        int colon = actionLower.indexOf(':');
        return actionMatch(actionLower, colon < 0 ? actionLower : actionLower.substring(0, colon));
    }

    Tri actionMatch(String actionLower, String serviceLower) {
        if (action != null) {
            return Tri.of(action.matchesLower(actionLower, serviceLower));
        }
        if (notAction != null) {
            return Tri.of(!notAction.matchesLower(actionLower, serviceLower));
        }
        return Tri.UNKNOWN;
    }

    Tri resourceMatch(EvalContext ctx) {
        if (unparsed.contains(StatementElement.RESOURCE)) {
            return Tri.UNKNOWN;
        }
        if (resource != null) {
            return resource.matches(ctx, Tri.FALSE);
        }
        if (notResource != null) {
            return notResource.matches(ctx, Tri.TRUE).not();
        }
        return Tri.UNKNOWN;
    }

    /** AND of the conditions, stopping at the first false. */
    Tri conditionMatch(EvalContext ctx) {
        if (unparsed.contains(StatementElement.CONDITION)) {
            return Tri.UNKNOWN;
        }
        Tri r = Tri.TRUE;
        for (int i = 0; i < conditions.size(); i++) {
            r = r.and(conditions.get(i).evaluate(ctx));
            if (r == Tri.FALSE) {
                return r;
            }
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Statement s && Objects.equals(sid, s.sid) && effect == s.effect
                && Objects.equals(principal, s.principal) && Objects.equals(notPrincipal, s.notPrincipal)
                && Objects.equals(action, s.action) && Objects.equals(notAction, s.notAction)
                && Objects.equals(resource, s.resource) && Objects.equals(notResource, s.notResource)
                && conditions.equals(s.conditions) && unparsed.equals(s.unparsed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sid, effect, principal, notPrincipal, action, notAction, resource, notResource,
                conditions, unparsed);
    }
}
