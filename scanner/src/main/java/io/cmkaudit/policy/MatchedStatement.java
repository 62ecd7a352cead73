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

    /**
     * How every output names a statement (explain and simulate traces, findings' evidence and explanations): its
     * policy's name, {@code #}, then its Sid, or its zero-based index when it has none.
     *
     * @param policyName     the policy's name; never null
     * @param statementLabel the statement's label: its Sid, or its path ({@code Statement[2]}, {@code Statement}) when
     *                       it has none; may be null
     * @param index          its zero-based index in its policy, or -1 when unknown (then read from its path)
     * @return e.g. {@code arn:aws:iam::111122223333:user/bob:inline/start#Start}, {@code FullAWSAccess#0}, or the
     *         policy's name alone for a statement without Sid whose index is unknown
     */
    public static String label(String policyName, String statementLabel, int index) {
        boolean path = statementLabel == null || statementLabel.startsWith("Statement");
        if (!path) {
            return policyName + "#" + statementLabel;
        }
        int i = index;
        if (i < 0 && statementLabel != null) {
            java.util.regex.Matcher m = STATEMENT_PATH.matcher(statementLabel);
            // "Statement" alone: the policy's only statement, an object rather than an array
            i = m.matches() ? Integer.parseInt(m.group(1)) : statementLabel.equals("Statement") ? 0 : -1;
        }
        return i < 0 ? policyName : policyName + "#" + i;
    }

    private static final java.util.regex.Pattern STATEMENT_PATH = java.util.regex.Pattern.compile(
            "Statement\\[(\\d{1,9})\\]");

    /** @return this statement as {@link #label(String, String, int)} names it */
    public String label() {
        return label(policyName, statement, index);
    }
}
