package io.cmkaudit.cli;

/**
 * Makes text safe to print on a terminal: control characters that a terminal interprets (escape sequences that
 * retitle the window or clear the screen, a carriage return that overwrites the line, a backspace, the C1 controls
 * such as the 8-bit CSI, and the Unicode bidirectional overrides that reorder what is shown) are replaced by a
 * visible escape: <code>&#92;u001b</code> for ESC, {@code \r} for a lone carriage return. That is also how JSON
 * writes these characters, so JSON printed through here keeps its value. Line feed and tab are kept. Snapshot
 * content (organization ids, account names, coverage messages, policy text) reaches stdout, stderr and the log
 * lines through here. Thread-safe.
 */
final class TerminalText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TerminalText() {
    }

    /**
     * @param c a character
     * @return whether a terminal could act on it (everything below U+0020 but tab and line feed, DEL, U+0080 to
     *         U+009F, and U+202A–U+202E, U+2066–U+2069)
     */
    static boolean unsafe(char c) {
        return c < 0x20 && c != '\n' && c != '\t'
                || c >= 0x7f && c <= 0x9f
                || c >= 0x202a && c <= 0x202e
                || c >= 0x2066 && c <= 0x2069;
    }

    /**
     * @param text any text; null gives null
     * @return the text with every {@linkplain #unsafe unsafe} character replaced by its visible escape
     */
    static String clean(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !unsafe(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                continue; // a CRLF line end prints as a line end
            }
            appendVisible(sb, c);
        }
        return sb.toString();
    }

    static void appendVisible(StringBuilder sb, char c) {
        if (!unsafe(c)) {
            sb.append(c);
        } else if (c == '\r') {
            sb.append("\\r");
        } else {
            // backslash-u001b: visible, and the same value when the text is JSON (a JSON string may hold this escape)
            sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                    .append(HEX[c & 0xf]);
        }
    }
}
