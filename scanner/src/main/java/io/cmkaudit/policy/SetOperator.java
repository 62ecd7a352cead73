package io.cmkaudit.policy;

/**
 * The set-operator prefix of a condition operator, for multi-valued keys
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
 */
public enum SetOperator {
    /** No prefix: true when any request value matches (negated operators: when none matches). */
    NONE(""),
    /** {@code ForAllValues:}: every request value must match; true when the key is absent or empty. */
    FOR_ALL_VALUES("ForAllValues:"),
    /** {@code ForAnyValue:}: at least one request value must match; false when the key is absent or empty. */
    FOR_ANY_VALUE("ForAnyValue:");

    private final String prefix;

    SetOperator(String prefix) {
        this.prefix = prefix;
    }

    /** @return the prefix as written in a policy, empty for {@link #NONE} */
    public String prefix() {
        return prefix;
    }
}
