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
 * @param level       for an SCP or RCP, the level of the organization its policy is attached to, as
 *                    {@link #levelLabel} names it ({@code root}, {@code OU 1} … {@code OU n}, {@code account}): the
 *                    same policy (e.g. {@code FullAWSAccess}) is usually attached at every level, and every level must
 *                    allow (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html);
 *                    null for the other layers
 */
public record MatchedStatement(Layer layer, String policyName, String statement, int index, Effect effect,
        boolean conditional, String level) {

    /**
     * A statement of a layer without organization levels.
     *
     * @param layer       the layer; never null
     * @param policyName  the policy's name; never null
     * @param statement   the statement's label
     * @param index       its zero-based index in its policy
     * @param effect      its effect, or null
     * @param conditional whether it applies only for some values of the unknown keys
     */
    public MatchedStatement(Layer layer, String policyName, String statement, int index, Effect effect,
                            boolean conditional) {
        this(layer, policyName, statement, index, effect, conditional, null);
    }

    /**
     * @param level  zero-based index of an SCP / RCP level, ordered root → OUs → account
     * @param levels how many levels there are
     * @return {@code root} for the first, {@code account} for the last (of two or more), {@code OU i} between
     */
    public static String levelLabel(int level, int levels) {
        if (level == 0) {
            return "root";
        }
        return level == levels - 1 ? "account" : "OU " + level;
    }
}
