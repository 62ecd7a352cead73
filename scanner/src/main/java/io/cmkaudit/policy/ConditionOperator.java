package io.cmkaudit.policy;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The condition operators of the IAM policy language, without the {@code ForAllValues:}/{@code ForAnyValue:} prefix
 * and the {@code IfExists} suffix
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 */
public enum ConditionOperator {
    /** {@code StringEquals}. */
    STRING_EQUALS("StringEquals", Family.STRING, Cmp.EQ, false),
    /** {@code StringNotEquals}. */
    STRING_NOT_EQUALS("StringNotEquals", Family.STRING, Cmp.EQ, true),
    /** {@code StringEqualsIgnoreCase}. */
    STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase", Family.STRING_IGNORE_CASE, Cmp.EQ, false),
    /** {@code StringNotEqualsIgnoreCase}. */
    STRING_NOT_EQUALS_IGNORE_CASE("StringNotEqualsIgnoreCase", Family.STRING_IGNORE_CASE, Cmp.EQ, true),
    /** {@code StringLike}. */
    STRING_LIKE("StringLike", Family.STRING_LIKE, Cmp.EQ, false),
    /** {@code StringNotLike}. */
    STRING_NOT_LIKE("StringNotLike", Family.STRING_LIKE, Cmp.EQ, true),
    /** {@code NumericEquals}. */
    NUMERIC_EQUALS("NumericEquals", Family.NUMERIC, Cmp.EQ, false),
    /** {@code NumericNotEquals}. */
    NUMERIC_NOT_EQUALS("NumericNotEquals", Family.NUMERIC, Cmp.EQ, true),
    /** {@code NumericLessThan}. */
    NUMERIC_LESS_THAN("NumericLessThan", Family.NUMERIC, Cmp.LT, false),
    /** {@code NumericLessThanEquals}. */
    NUMERIC_LESS_THAN_EQUALS("NumericLessThanEquals", Family.NUMERIC, Cmp.LE, false),
    /** {@code NumericGreaterThan}. */
    NUMERIC_GREATER_THAN("NumericGreaterThan", Family.NUMERIC, Cmp.GT, false),
    /** {@code NumericGreaterThanEquals}. */
    NUMERIC_GREATER_THAN_EQUALS("NumericGreaterThanEquals", Family.NUMERIC, Cmp.GE, false),
    /** {@code DateEquals}. */
    DATE_EQUALS("DateEquals", Family.DATE, Cmp.EQ, false),
    /** {@code DateNotEquals}. */
    DATE_NOT_EQUALS("DateNotEquals", Family.DATE, Cmp.EQ, true),
    /** {@code DateLessThan}. */
    DATE_LESS_THAN("DateLessThan", Family.DATE, Cmp.LT, false),
    /** {@code DateLessThanEquals}. */
    DATE_LESS_THAN_EQUALS("DateLessThanEquals", Family.DATE, Cmp.LE, false),
    /** {@code DateGreaterThan}. */
    DATE_GREATER_THAN("DateGreaterThan", Family.DATE, Cmp.GT, false),
    /** {@code DateGreaterThanEquals}. */
    DATE_GREATER_THAN_EQUALS("DateGreaterThanEquals", Family.DATE, Cmp.GE, false),
    /** {@code Bool}. */
    BOOL("Bool", Family.BOOL, Cmp.EQ, false),
    /** {@code BinaryEquals}. */
    BINARY_EQUALS("BinaryEquals", Family.BINARY, Cmp.EQ, false),
    /** {@code IpAddress}. */
    IP_ADDRESS("IpAddress", Family.IP, Cmp.EQ, false),
    /** {@code NotIpAddress}. */
    NOT_IP_ADDRESS("NotIpAddress", Family.IP, Cmp.EQ, true),
    /** {@code ArnEquals}. */
    ARN_EQUALS("ArnEquals", Family.ARN, Cmp.EQ, false),
    /** {@code ArnLike}. */
    ARN_LIKE("ArnLike", Family.ARN, Cmp.EQ, false),
    /** {@code ArnNotEquals}. */
    ARN_NOT_EQUALS("ArnNotEquals", Family.ARN, Cmp.EQ, true),
    /** {@code ArnNotLike}. */
    ARN_NOT_LIKE("ArnNotLike", Family.ARN, Cmp.EQ, true),
    /** {@code Null}. */
    NULL("Null", Family.NULL, Cmp.EQ, false);

    enum Family { STRING, STRING_IGNORE_CASE, STRING_LIKE, NUMERIC, DATE, BOOL, BINARY, IP, ARN, NULL }

    enum Cmp { EQ, LT, LE, GT, GE }

    private static final Map<String, ConditionOperator> BY_LOWER_NAME = new HashMap<>();

    static {
        for (ConditionOperator op : values()) {
            BY_LOWER_NAME.put(op.text.toLowerCase(Locale.ROOT), op);
        }
    }

    private final String text;
    private final Family family;
    private final Cmp cmp;
    private final boolean negated;

    ConditionOperator(String text, Family family, Cmp cmp, boolean negated) {
        this.text = text;
        this.family = family;
        this.cmp = cmp;
        this.negated = negated;
    }

    /** @return the operator's name as written in a policy, e.g. {@code StringNotLike} */
    public String text() {
        return text;
    }

    /**
     * @return whether this is a negated operator ({@code StringNotEquals}, {@code NotIpAddress}, ...): true when the
     *     key is absent, and its values combine as NOR
     */
    public boolean negated() {
        return negated;
    }

    Family family() {
        return family;
    }

    Cmp cmp() {
        return cmp;
    }

    /**
     * @param name an operator name without prefix and suffix, any case
     * @return the operator, or null when there is none of that name
     */
    public static ConditionOperator byName(String name) {
        return BY_LOWER_NAME.get(name.toLowerCase(Locale.ROOT));
    }
}
