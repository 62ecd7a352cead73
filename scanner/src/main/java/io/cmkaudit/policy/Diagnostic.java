package io.cmkaudit.policy;

import java.util.Objects;

/**
 * A problem found while parsing a policy.
 *
 * @param code     stable upper-case code, e.g. {@code UNKNOWN_OPERATOR}; never null
 * @param message  one line (control characters are escaped), lower case, no final period, user values in backticks; never null
 * @param path     JSON path of the bad element, e.g. {@code Statement[2].Condition.StringEqulas}; empty for the
 *                 document as a whole; never null
 * @param severity {@link Severity#ERROR}: AWS would reject the policy and the engine treats the element as unknown;
 *                 {@link Severity#WARNING}: evaluated, but probably not what the author meant
 */
public record Diagnostic(String code, String message, String path, Severity severity) {

    /** How serious a diagnostic is. */
    public enum Severity {
        /** AWS would reject the policy; decisions depending on the element are reported as conditional. */
        ERROR,
        /** The policy is evaluated as written, but the element is suspicious. */
        WARNING
    }

    /** Validates the fields. */
    public Diagnostic {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(severity, "severity");
        message = oneLine(message);
        path = oneLine(path);
    }

    /**
     * Escapes control characters (a policy's element names and values may hold line breaks or terminal escape
     * sequences) as a backslash, {@code u} and four hex digits, so a diagnostic always stays on one line.
     */
    private static String oneLine(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** @return {@code PATH: MESSAGE [CODE]} (or {@code document: ...} for the whole document) on one line */
    public String toLine() {
        return (path.isEmpty() ? "document" : path) + ": " + message + " [" + code + "]";
    }
}
