package io.cmkaudit.policy;

import java.util.List;

/**
 * A condition (or a part of a statement) whose result is unknown offline and on which a
 * {@link DecisionKind#CONDITIONAL} decision depends.
 *
 * @param layer      the layer of the statement's policy; never null
 * @param policyName the policy's name; never null
 * @param statement  the statement's label (Sid or path)
 * @param operator   the condition operator as written (e.g. {@code NotIpAddress}); for a part other than a condition,
 *                   the element name ({@code Resource}, {@code Effect}, ...)
 * @param key        the condition key (e.g. {@code aws:SourceIp}); for an unparseable part its JSON path
 * @param values     the policy values of the condition; never null
 * @param reason     why the result is unknown
 */
public record ResidualCondition(Layer layer, String policyName, String statement, String operator, String key,
        List<String> values, Reason reason) {

    /** Copies the values. */
    public ResidualCondition {
        values = List.copyOf(values);
    }

    /** Why a residual is unknown. */
    public enum Reason {
        /** It reads a key declared unknown. */
        UNKNOWN_KEY,
        /** The parser could not understand that part of the policy. */
        UNPARSEABLE
    }
}
