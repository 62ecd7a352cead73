package io.cmkaudit.policy;

/**
 * A statement that applies to the request.
 *
 * @param layer       the layer of its policy; never null
 * @param policyName  the policy's name; never null
 * @param statement   the statement's label: its Sid, or its path such as {@code Statement[2]} when it has none
 * @param index       the statement's zero-based index in its policy
 * @param effect      its effect, or null when the effect could not be parsed
 * @param conditional true when it applies only for some values of the unknown keys (or has unparseable parts)
 */
public record MatchedStatement(Layer layer, String policyName, String statement, int index, Effect effect,
        boolean conditional) {
}
