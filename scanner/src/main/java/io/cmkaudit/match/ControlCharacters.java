package io.cmkaudit.match;

/**
 * Keeps text taken from user input (a policy's element names and values, a snapshot's field names) on one line:
 * control characters (line breaks, terminal escape sequences, BEL...) are written as a backslash, {@code u} and four
 * hex digits. Shared by the policy diagnostics and the snapshot reader's rejections, which both promise one line.
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

    /**
     * @param s any text; never null
     * @return {@code s} with every ISO control character (U+0000–U+001F, U+007F–U+009F) replaced by {@code \}{@code uXXXX};
     *         {@code s} itself when it holds none
     */
    public static String escape(String s) {
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
}
