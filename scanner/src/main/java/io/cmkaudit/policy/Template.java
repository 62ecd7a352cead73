package io.cmkaudit.policy;

import io.cmkaudit.match.Wildcard;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A policy string that may contain policy variables ({@code ${aws:username}}, {@code ${key, 'default'}}) and the
 * escapes {@code ${*}}, {@code ${?}}, {@code ${$}}. Variables are only recognised in policies of Version
 * {@code 2012-10-17}; in older policies the text is taken literally.
 *
 * <p>Resolution against a request: a variable whose key is declared unknown makes the value {@link #UNKNOWN}; a key
 * that is absent (without a default) or multi-valued makes the value {@link #NEVER} match (checklist item 12,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
final class Template {
    /** Sentinel token array: the value can never match. Compare by identity. */
    static final int[] NEVER = {Integer.MIN_VALUE};
    /** Sentinel token array: the value depends on a key declared unknown. Compare by identity. */
    static final int[] UNKNOWN = {Integer.MIN_VALUE + 1};
    /** Sentinel literal: the value can never match. Compare by identity. */
    static final String NEVER_TEXT = new String("\u0000never");
    /** Sentinel literal: the value depends on an unknown key. Compare by identity. */
    static final String UNKNOWN_TEXT = new String("\u0000unknown");

    private final String raw;
    private final Object[] parts; // String (literal text, wildcards active), Character (escaped literal), Var
    private final boolean hasVariables;
    private final String staticText;
    private final int[] staticTokens;
    private final int[] staticTokensFolded;

    private record Var(String key, String lowerKey, String defaultValue) {
    }

    private Template(String raw, Object[] parts, boolean hasVariables) {
        this.raw = raw;
        this.parts = parts;
        this.hasVariables = hasVariables;
        if (!hasVariables) {
            this.staticText = buildText(null);
            this.staticTokens = buildTokens(null, false);
            this.staticTokensFolded = buildTokens(null, true);
        } else {
            this.staticText = null;
            this.staticTokens = null;
            this.staticTokensFolded = null;
        }
    }

    /**
     * @param raw             the text from the policy
     * @param variablesActive whether the policy's Version is {@code 2012-10-17}
     */
    static Template of(String raw, boolean variablesActive) {
        if (!variablesActive || raw.indexOf("${") < 0) {
            return new Template(raw, new Object[] {raw}, false);
        }
        List<Object> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        boolean vars = false;
        int i = 0;
        int n = raw.length();
        while (i < n) {
            if (raw.startsWith("${", i)) {
                int close = raw.indexOf('}', i + 2);
                if (close > 0) {
                    String inner = raw.substring(i + 2, close);
                    Object part = parseInner(inner);
                    if (part != null) {
                        if (lit.length() > 0) {
                            parts.add(lit.toString());
                            lit.setLength(0);
                        }
                        parts.add(part);
                        vars |= part instanceof Var;
                        i = close + 1;
                        continue;
                    }
                }
            }
            lit.append(raw.charAt(i));
            i++;
        }
        if (lit.length() > 0) {
            parts.add(lit.toString());
        }
        return new Template(raw, parts.toArray(), vars);
    }

    private static Object parseInner(String inner) {
        if (inner.equals("*") || inner.equals("?") || inner.equals("$")) {
            return inner.charAt(0);
        }
        String key = inner;
        String def = null;
        int comma = inner.indexOf(',');
        if (comma >= 0) {
            key = inner.substring(0, comma).trim();
            String rest = inner.substring(comma + 1).trim();
            if (rest.length() < 2 || rest.charAt(0) != '\'' || rest.charAt(rest.length() - 1) != '\'') {
                return null;
            }
            def = rest.substring(1, rest.length() - 1);
        }
        key = key.trim();
        if (key.isEmpty() || key.indexOf(' ') >= 0 || key.indexOf('$') >= 0 || key.indexOf('{') >= 0) {
            return null;
        }
        return new Var(key, key.toLowerCase(Locale.ROOT), def);
    }

    /** @return the text as written in the policy */
    String raw() {
        return raw;
    }

    /** @return whether the text refers to request values */
    boolean hasVariables() {
        return hasVariables;
    }

    /** @return the keys this text refers to (lower case) */
    List<String> variableKeys() {
        List<String> keys = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Var v) {
                keys.add(v.lowerKey());
            }
        }
        return keys;
    }

    /**
     * @return the literal text (escapes resolved, {@code *} and {@code ?} plain characters), or {@link #NEVER_TEXT}
     *     / {@link #UNKNOWN_TEXT}
     */
    String text(EvalContext ctx) {
        return hasVariables ? buildText(ctx) : staticText;
    }

    /**
     * @return glob tokens ({@code *} and {@code ?} of the literal text are wildcards, escaped ones and variable values
     *     literal), or the sentinels {@link #NEVER} / {@link #UNKNOWN}
     */
    int[] tokens(EvalContext ctx, boolean ignoreCase) {
        if (!hasVariables) {
            return ignoreCase ? staticTokensFolded : staticTokens;
        }
        return buildTokens(ctx, ignoreCase);
    }

    /** @return the static tokens when the text has no variables, else null */
    int[] staticTokens() {
        return staticTokens;
    }

    private String buildText(EvalContext ctx) {
        if (parts.length == 1 && parts[0] instanceof String s) {
            return s;
        }
        StringBuilder sb = new StringBuilder(raw.length() + 16);
        for (Object p : parts) {
            if (p instanceof String s) {
                sb.append(s);
            } else if (p instanceof Character c) {
                sb.append(c.charValue());
            } else {
                Var v = (Var) p;
                String value = resolve(v, ctx);
                if (value == NEVER_TEXT || value == UNKNOWN_TEXT) {
                    return value;
                }
                sb.append(value);
            }
        }
        return sb.toString();
    }

    private int[] buildTokens(EvalContext ctx, boolean ignoreCase) {
        int[] out = new int[raw.length() + 16];
        int n = 0;
        for (Object p : parts) {
            if (p instanceof String s) {
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    int t = c == '*' ? Wildcard.STAR : c == '?' ? Wildcard.QMARK : ignoreCase ? Wildcard.fold(c) : c;
                    out = ensure(out, n + 1);
                    out[n++] = t;
                }
            } else if (p instanceof Character c) {
                out = ensure(out, n + 1);
                out[n++] = c.charValue();
            } else {
                String value = resolve((Var) p, ctx);
                if (value == NEVER_TEXT) {
                    return NEVER;
                }
                if (value == UNKNOWN_TEXT) {
                    return UNKNOWN;
                }
                out = ensure(out, n + value.length());
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    out[n++] = ignoreCase ? Wildcard.fold(c) : c;
                }
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    private static int[] ensure(int[] a, int size) {
        return size <= a.length ? a : java.util.Arrays.copyOf(a, Math.max(size, a.length * 2));
    }

    private static String resolve(Var v, EvalContext ctx) {
        if (ctx == null) {
            return NEVER_TEXT;
        }
        List<String> values = ctx.lookup(v.lowerKey());
        if (values == EvalContext.UNKNOWN_VALUES) {
            return UNKNOWN_TEXT;
        }
        if (values == null || values.isEmpty()) {
            return v.defaultValue() != null ? v.defaultValue() : NEVER_TEXT;
        }
        if (values.size() > 1) {
            return NEVER_TEXT;
        }
        return values.get(0);
    }

    @Override
    public String toString() {
        return raw;
    }
}
