package io.cmkaudit.policy;

/**
 * Wildcard matching of the IAM policy language: {@code *} matches any sequence of characters (also empty, also
 * {@code :} and {@code /}), {@code ?} exactly one character. A pattern is compiled to an {@code int[]} of tokens:
 * {@link #STAR}, {@link #QMARK} or a character code; a literal {@code *} (from the escape {@code ${*}}) is the
 * character code 42 and therefore not a wildcard.
 *
 * <p>Matching is iterative with backtracking to the last star (linear for the patterns found in policies, at most
 * pattern length × input length), allocation-free, and safe for concurrent use.
 */
final class Glob {
    /** Token for {@code *}. */
    static final int STAR = -1;
    /** Token for {@code ?}. */
    static final int QMARK = -2;

    private Glob() {
    }

    /**
     * Compiles a pattern where {@code *} and {@code ?} are wildcards.
     *
     * @param pattern    the pattern text, never null
     * @param ignoreCase whether letters are folded to lower case (the input must then be matched with
     *                   {@code ignoreCase = true} as well)
     * @return the tokens
     */
    static int[] compile(String pattern, boolean ignoreCase) {
        int[] tokens = new int[pattern.length()];
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            tokens[i] = c == '*' ? STAR : c == '?' ? QMARK : ignoreCase ? fold(c) : c;
        }
        return tokens;
    }

    /** @return true when the tokens contain a wildcard */
    static boolean hasWildcard(int[] tokens) {
        for (int t : tokens) {
            if (t < 0) {
                return true;
            }
        }
        return false;
    }

    /** @return true when the tokens end with {@link #STAR} */
    static boolean endsWithStar(int[] tokens, int from, int to) {
        return to > from && tokens[to - 1] == STAR;
    }

    static char fold(char c) {
        if (c < 128) {
            return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        }
        return Character.toLowerCase(c);
    }

    /**
     * Matches the whole of {@code s} against the whole pattern.
     *
     * @param tokens     compiled pattern
     * @param s          the input
     * @param ignoreCase fold letters of the input (the pattern must have been compiled folded)
     * @return whether the pattern matches
     */
    static boolean matches(int[] tokens, CharSequence s, boolean ignoreCase) {
        return matches(tokens, 0, tokens.length, s, 0, s.length(), ignoreCase);
    }

    /**
     * Matches {@code s[sFrom, sTo)} against {@code tokens[pFrom, pTo)}.
     */
    static boolean matches(int[] tokens, int pFrom, int pTo, CharSequence s, int sFrom, int sTo,
            boolean ignoreCase) {
        int pi = pFrom;
        int si = sFrom;
        int starP = -1;
        int starS = -1;
        while (si < sTo) {
            if (pi < pTo) {
                int pc = tokens[pi];
                if (pc == STAR) {
                    starP = pi++;
                    starS = si;
                    continue;
                }
                if (pc == QMARK) {
                    pi++;
                    si++;
                    continue;
                }
                char c = s.charAt(si);
                if (pc == (ignoreCase ? fold(c) : c)) {
                    pi++;
                    si++;
                    continue;
                }
            }
            if (starP >= 0) {
                pi = starP + 1;
                si = ++starS;
                continue;
            }
            return false;
        }
        while (pi < pTo && tokens[pi] == STAR) {
            pi++;
        }
        return pi == pTo;
    }
}
