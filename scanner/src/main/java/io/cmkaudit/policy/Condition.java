package io.cmkaudit.policy;

import io.cmkaudit.match.Wildcard;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One condition test: an operator applied to one condition key with one or more values (the values OR together;
 * for a negated operator they combine as NOR). The conditions of a statement AND together.
 *
 * <p>Missing-key behaviour (checklist item 10): positive operators are false, negated operators true,
 * {@code ...IfExists} true, {@code ForAllValues:} true, {@code ForAnyValue:} false; {@code Null} tests presence. A
 * key declared unknown makes the condition's result unknown. A multi-valued request key without a set operator
 * matches when any of its values matches. Source:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html ,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html ,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 *
 * <p>Immutable; equality is over operator text, key and values.
 */
public final class Condition {
    private final String operatorText;
    private final ConditionOperator operator;
    private final SetOperator setOperator;
    private final boolean ifExists;
    private final String key;
    private final String lowerKey;
    private final List<String> values;
    private final boolean valid;
    // compiled forms, by family
    private final Template[] templates;
    private final Wildcard[] staticWildcards;
    private final BigDecimal[] numbers;
    private final long[] instants;
    private final byte[][] binaries;
    private final IpBlock[] blocks;
    private final boolean nullMeansAbsent;

    private Condition(String operatorText, ConditionOperator operator, SetOperator setOperator, boolean ifExists,
            String key, List<String> values, boolean valid, Template[] templates, Wildcard[] staticWildcards,
            BigDecimal[] numbers, long[] instants, byte[][] binaries, IpBlock[] blocks, boolean nullMeansAbsent) {
        this.operatorText = operatorText;
        this.operator = operator;
        this.setOperator = setOperator;
        this.ifExists = ifExists;
        this.key = key;
        this.lowerKey = key.toLowerCase(Locale.ROOT);
        this.values = List.copyOf(values);
        this.valid = valid;
        this.templates = templates;
        this.staticWildcards = staticWildcards;
        this.numbers = numbers;
        this.instants = instants;
        this.binaries = binaries;
        this.blocks = blocks;
        this.nullMeansAbsent = nullMeansAbsent;
    }

    /**
     * A condition the parser could not understand (unknown operator, value of the wrong type): it always evaluates
     * to "unknown", so decisions that depend on it are reported as conditional.
     */
    static Condition opaque(String operatorText, String key, List<String> values) {
        return new Condition(operatorText, null, SetOperator.NONE, false, key, values, false,
                null, null, null, null, null, null, false);
    }

    /**
     * Compiles a condition; returns null with {@code problem[0]} set when a value does not fit the operator.
     */
    static Condition compile(String operatorText, ConditionOperator op, SetOperator set, boolean ifExists, String key,
            List<String> values, boolean variablesActive, String[] problem) {
        int n = values.size();
        Template[] templates = null;
        Wildcard[] wildcards = null;
        BigDecimal[] numbers = null;
        long[] instants = null;
        byte[][] binaries = null;
        IpBlock[] blocks = null;
        boolean nullAbsent = false;
        switch (op.family()) {
            case STRING, STRING_IGNORE_CASE -> {
                templates = new Template[n];
                for (int i = 0; i < n; i++) {
                    templates[i] = Template.of(values.get(i), variablesActive);
                }
            }
            case STRING_LIKE, ARN -> {
                Wildcard.Mode mode = op.family() == ConditionOperator.Family.ARN ? Wildcard.Mode.ARN_LIKE
                        : Wildcard.Mode.STRING_LIKE;
                templates = new Template[n];
                wildcards = new Wildcard[n];
                for (int i = 0; i < n; i++) {
                    templates[i] = Template.of(values.get(i), variablesActive);
                    if (!templates[i].hasVariables()) {
                        wildcards[i] = Wildcard.of(templates[i].staticTokens(), mode);
                    }
                }
            }
            case NUMERIC -> {
                numbers = new BigDecimal[n];
                for (int i = 0; i < n; i++) {
                    numbers[i] = parseNumber(values.get(i));
                    if (numbers[i] == null) {
                        problem[0] = "value `" + values.get(i) + "` is not a number";
                        return null;
                    }
                }
            }
            case DATE -> {
                instants = new long[n];
                for (int i = 0; i < n; i++) {
                    Long t = parseDate(values.get(i));
                    if (t == null) {
                        problem[0] = "value `" + values.get(i) + "` is not an ISO 8601 date or epoch time";
                        return null;
                    }
                    instants[i] = t;
                }
            }
            case BOOL -> {
                for (String v : values) {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        problem[0] = "value `" + v + "` is not `true` or `false`";
                        return null;
                    }
                }
            }
            case BINARY -> {
                binaries = new byte[n][];
                for (int i = 0; i < n; i++) {
                    binaries[i] = decodeBase64(values.get(i));
                    if (binaries[i] == null) {
                        problem[0] = "value `" + values.get(i) + "` is not base64";
                        return null;
                    }
                }
            }
            case IP -> {
                blocks = new IpBlock[n];
                for (int i = 0; i < n; i++) {
                    blocks[i] = IpBlock.parse(values.get(i));
                    if (blocks[i] == null) {
                        problem[0] = "value `" + values.get(i) + "` is not an ipv4 or ipv6 address or cidr block";
                        return null;
                    }
                }
            }
            case NULL -> {
                if (n != 1 || !(values.get(0).equalsIgnoreCase("true") || values.get(0).equalsIgnoreCase("false"))) {
                    problem[0] = "`Null` takes one value, `true` or `false`";
                    return null;
                }
                nullAbsent = values.get(0).equalsIgnoreCase("true");
            }
            default -> throw new IllegalStateException(op.toString());
        }
        return new Condition(operatorText, op, set, ifExists, key, values, true, templates, wildcards, numbers, instants,
                binaries, blocks, nullAbsent);
    }

    /** @return the operator as written, e.g. {@code ForAnyValue:StringLikeIfExists} */
    public String operatorText() {
        return operatorText;
    }

    /** @return the base operator, or null when the condition could not be understood */
    public ConditionOperator operator() {
        return operator;
    }

    /** @return the set-operator prefix */
    public SetOperator setOperator() {
        return setOperator;
    }

    /** @return whether the operator carries the {@code IfExists} suffix */
    public boolean ifExists() {
        return ifExists;
    }

    /** @return the condition key as written */
    public String key() {
        return key;
    }

    /** @return the policy values as written (JSON booleans and numbers as their text); never empty */
    public List<String> values() {
        return values;
    }

    /** @return false when the parser could not understand this condition; it then always evaluates to unknown */
    public boolean valid() {
        return valid;
    }

    String lowerKey() {
        return lowerKey;
    }

    Tri evaluate(EvalContext ctx) {
        if (!valid) {
            return Tri.UNKNOWN;
        }
        List<String> actual = ctx.lookup(lowerKey);
        if (actual == EvalContext.UNKNOWN_VALUES) {
            return Tri.UNKNOWN;
        }
        boolean missing = actual == null || actual.isEmpty();
        if (operator == ConditionOperator.NULL) {
            return Tri.of(missing == nullMeansAbsent);
        }
        boolean negated = operator.negated();
        if (missing) {
            if (ifExists) {
                return Tri.TRUE;
            }
            return switch (setOperator) {
                case FOR_ALL_VALUES -> Tri.TRUE;
                case FOR_ANY_VALUE -> Tri.FALSE;
                case NONE -> Tri.of(negated);
            };
        }
        // an unresolvable policy variable never lets its value satisfy the condition
        Tri neverAs = negated ? Tri.TRUE : Tri.FALSE;
        switch (setOperator) {
            case NONE: {
                Tri any = Tri.FALSE;
                for (int i = 0; i < actual.size() && any != Tri.TRUE; i++) {
                    any = any.or(matchAny(actual.get(i), ctx, neverAs));
                }
                return negated ? any.not() : any;
            }
            case FOR_ANY_VALUE: {
                Tri result = Tri.FALSE;
                for (int i = 0; i < actual.size() && result != Tri.TRUE; i++) {
                    Tri m = matchAny(actual.get(i), ctx, neverAs);
                    result = result.or(negated ? m.not() : m);
                }
                return result;
            }
            default: {
                Tri result = Tri.TRUE;
                for (int i = 0; i < actual.size() && result != Tri.FALSE; i++) {
                    Tri m = matchAny(actual.get(i), ctx, neverAs);
                    result = result.and(negated ? m.not() : m);
                }
                return result;
            }
        }
    }

    /** Whether the request value matches any policy value under the positive form of the operator. */
    private Tri matchAny(String actual, EvalContext ctx, Tri neverAs) {
        Tri result = Tri.FALSE;
        switch (operator.family()) {
            case STRING, STRING_IGNORE_CASE -> {
                boolean ic = operator.family() == ConditionOperator.Family.STRING_IGNORE_CASE;
                for (Template t : templates) {
                    String expected = t.text(ctx);
                    Tri r;
                    if (expected == Template.UNKNOWN_TEXT) {
                        r = Tri.UNKNOWN;
                    } else if (expected == Template.NEVER_TEXT) {
                        r = neverAs;
                    } else {
                        r = Tri.of(ic ? expected.equalsIgnoreCase(actual) : expected.equals(actual));
                    }
                    result = result.or(r);
                    if (result == Tri.TRUE) {
                        return result;
                    }
                }
                return result;
            }
            case STRING_LIKE -> {
                for (int i = 0; i < templates.length; i++) {
                    Tri r;
                    if (staticWildcards[i] != null) {
                        r = Tri.of(staticWildcards[i].matches(actual));
                    } else {
                        int[] tokens = templates[i].tokens(ctx, false);
                        r = tokens == Template.UNKNOWN ? Tri.UNKNOWN : tokens == Template.NEVER ? neverAs
                                : Tri.of(Wildcard.of(tokens, Wildcard.Mode.STRING_LIKE).matches(actual));
                    }
                    result = result.or(r);
                    if (result == Tri.TRUE) {
                        return result;
                    }
                }
                return result;
            }
            case ARN -> {
                int[] vb = new int[Wildcard.ARN_PARTS + 1];
                int vc = Wildcard.split(actual, vb);
                if (vc < Wildcard.ARN_PARTS) {
                    // not an ARN: ARN operators never match it (unless a policy value depends on an unknown key)
                    vc = -1;
                }
                for (int i = 0; i < templates.length; i++) {
                    Tri r;
                    if (staticWildcards[i] != null) {
                        r = Tri.of(vc > 0 && staticWildcards[i].matches(actual, vb, vc));
                    } else {
                        int[] tokens = templates[i].tokens(ctx, false);
                        r = tokens == Template.UNKNOWN ? Tri.UNKNOWN : tokens == Template.NEVER ? neverAs
                                : Tri.of(vc > 0 && Wildcard.of(tokens, Wildcard.Mode.ARN_LIKE).matches(actual, vb, vc));
                    }
                    result = result.or(r);
                    if (result == Tri.TRUE) {
                        return result;
                    }
                }
                return result;
            }
            case NUMERIC -> {
                BigDecimal a = parseNumber(actual);
                if (a == null) {
                    return Tri.FALSE;
                }
                for (BigDecimal b : numbers) {
                    if (compare(a.compareTo(b))) {
                        return Tri.TRUE;
                    }
                }
                return Tri.FALSE;
            }
            case DATE -> {
                Long a = parseDate(actual);
                if (a == null) {
                    return Tri.FALSE;
                }
                for (long b : instants) {
                    if (compare(Long.compare(a, b))) {
                        return Tri.TRUE;
                    }
                }
                return Tri.FALSE;
            }
            case BOOL -> {
                for (String v : values) {
                    if (v.equalsIgnoreCase(actual)) {
                        return Tri.TRUE;
                    }
                }
                return Tri.FALSE;
            }
            case BINARY -> {
                byte[] a = decodeBase64(actual);
                for (int i = 0; i < binaries.length; i++) {
                    if (a != null ? Arrays.equals(a, binaries[i]) : actual.equals(values.get(i))) {
                        return Tri.TRUE;
                    }
                }
                return Tri.FALSE;
            }
            case IP -> {
                byte[] a = IpBlock.parseAddress(actual.trim());
                if (a == null) {
                    return Tri.FALSE;
                }
                for (IpBlock b : blocks) {
                    if (b.contains(a)) {
                        return Tri.TRUE;
                    }
                }
                return Tri.FALSE;
            }
            default -> throw new IllegalStateException(operator.toString());
        }
    }

    private boolean compare(int c) {
        return switch (operator.cmp()) {
            case EQ -> c == 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        };
    }

    static BigDecimal parseNumber(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.length() > 64) {
            return null;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E') {
                return null;
            }
        }
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return epoch milliseconds of an ISO 8601 date/time or epoch seconds, or null */
    static Long parseDate(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.length() > 64) {
            return null;
        }
        boolean digits = true;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c >= '0' && c <= '9') && !(i == 0 && c == '-')) {
                digits = false;
                break;
            }
        }
        try {
            if (digits && t.length() <= 18) {
                return Long.parseLong(t) * 1000L;
            }
            try {
                return OffsetDateTime.parse(t).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                // fall through to the other forms
            }
            try {
                return Instant.parse(t).toEpochMilli();
            } catch (DateTimeParseException e) {
                // fall through
            }
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                // fall through
            }
            return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    private static byte[] decodeBase64(String s) {
        try {
            return Base64.getDecoder().decode(s.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && operatorText.equals(c.operatorText) && lowerKey.equals(c.lowerKey)
                && values.equals(c.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(operatorText, lowerKey, values);
    }

    @Override
    public String toString() {
        return operatorText + " " + key + " " + values;
    }
}
