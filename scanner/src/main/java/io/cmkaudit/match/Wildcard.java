package io.cmkaudit.match;

import java.util.Arrays;

/**
 * The one wildcard matcher of cmk-audit: {@code *} matches any run of characters (also none), {@code ?} exactly one
 * character, every other character itself, always over the whole value. The differences between the places where
 * AWS (and this tool) use wildcards are the {@link Mode}s:
 * <ul>
 *   <li>{@link Mode#STRING_LIKE}: case-sensitive, a wildcard covers any character ({@code StringLike} condition
 *       operator; also suppression entries and other plain globs);</li>
 *   <li>{@link Mode#ACTION}: like {@code STRING_LIKE} but case-insensitive ({@code Action} / {@code NotAction}:
 *       "action names are not case sensitive",
 *       https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html);</li>
 *   <li>{@link Mode#ARN_LIKE}: the {@code Arn*} condition operators: "each of the six colon-delimited components of
 *       the ARN is checked separately and each can include multi-character match wildcards (*) or single-character
 *       match wildcards (?)"
 *       (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN):
 *       a wildcard of the first five parts never covers a colon; the sixth part (the resource, which may itself hold
 *       colons) is matched as a whole; a pattern with fewer than six parts whose last part ends in {@code *} lets
 *       that part cover the rest of the value, colons included;</li>
 *   <li>{@link Mode#RESOURCE}: the {@code Resource} / {@code NotResource} element: as {@code ARN_LIKE}, and in
 *       addition "if the * wildcard is the last character of a resource ARN segment, it can expand to match beyond
 *       the colon boundaries"
 *       (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html), so
 *       {@code arn:aws:kms:*:key/*} matches {@code arn:aws:kms:us-east-1:111122223333:key/k1}.</li>
 * </ul>
 *
 * <p>A pattern is compiled once ({@link #compile} from text, or {@link #of} from tokens where an escaped
 * {@code ${*}} is the literal character {@code *}) and then matched any number of times, from any thread.
 *
 * <p>Cost: matching never backtracks. Common shapes (no wildcard, {@code lit*}, {@code *lit}, {@code lit*lit},
 * {@code *}) are direct comparisons; every other pattern runs as a bit-parallel simulation of its automaton
 * (states = the non-{@code *} tokens, a {@code *} is a self-loop), O(value length × ⌈tokens / 64⌉) time with no
 * allocation. ARN modes match part by part over a value split once ({@link #split}); only a {@code RESOURCE}
 * pattern whose {@code *} ends an inner segment, against a value with more colons than the pattern, runs one
 * automaton over the whole value.
 */
public final class Wildcard {
    /** Token for a {@code *} wildcard in {@link #of}. */
    public static final int STAR = -1;
    /** Token for a {@code ?} wildcard in {@link #of}. */
    public static final int QMARK = -2;
    /** Number of colon-separated parts of an ARN ({@code arn:partition:service:region:account:resource}). */
    public static final int ARN_PARTS = 6;

    /** How a pattern is matched; see the class comment. */
    public enum Mode {
        /** Case-sensitive; wildcards cover any character. The {@code StringLike} operator. */
        STRING_LIKE,
        /** Case-insensitive; wildcards cover any character. {@code Action} / {@code NotAction}. */
        ACTION,
        /** Part by part over the six colon-separated ARN parts. The {@code Arn*} condition operators. */
        ARN_LIKE,
        /** As {@code ARN_LIKE}, and a {@code *} ending a segment may cover colons. {@code Resource}. */
        RESOURCE
    }

    private static final int COLON = ':';

    private final Mode mode;
    private final int[] tokens;
    /** whole-value program for STRING_LIKE / ACTION, and the colon-crossing program of RESOURCE (else null). */
    private final Program whole;
    /** ARN modes: one program per pattern part. */
    private final Program[] parts;
    private final boolean trailingStar;
    private final int patternColons;

    private Wildcard(Mode mode, int[] tokens) {
        this.mode = mode;
        this.tokens = tokens;
        if (mode == Mode.STRING_LIKE || mode == Mode.ACTION) {
            boolean ic = mode == Mode.ACTION;
            int[] t = ic ? folded(tokens) : tokens;
            this.whole = new Program(t, 0, t.length, null, ic);
            this.parts = null;
            this.trailingStar = false;
            this.patternColons = 0;
            return;
        }
        int[] b = new int[ARN_PARTS + 1];
        int n = split(tokens, b);
        this.parts = new Program[n];
        for (int i = 0; i < n; i++) {
            parts[i] = new Program(tokens, b[i], Math.min(b[i + 1] - 1, tokens.length), null, false);
        }
        this.trailingStar = endsWithStar(tokens, b[n - 1], tokens.length);
        int c = 0;
        for (int t : tokens) {
            if (t == COLON) {
                c++;
            }
        }
        this.patternColons = c;
        boolean[] mask = mode == Mode.RESOURCE ? crossingMask(tokens, b, n, trailingStar) : null;
        this.whole = mask == null ? null : new Program(tokens, 0, tokens.length, mask, false);
    }

    /**
     * Compiles a pattern in which every {@code *} and {@code ?} is a wildcard.
     *
     * @param pattern the pattern text; never null
     * @param mode    how to match; never null
     * @return the compiled pattern; never null
     */
    public static Wildcard compile(String pattern, Mode mode) {
        return new Wildcard(mode, tokens(pattern));
    }

    /**
     * Compiles a pattern given as tokens: {@link #STAR}, {@link #QMARK}, or a character code (a literal {@code *}
     * is the code 42, so escaped wildcards stay literal).
     *
     * @param tokens the tokens; never null; not copied, must not be changed afterwards
     * @param mode   how to match; never null
     * @return the compiled pattern; never null
     */
    public static Wildcard of(int[] tokens, Mode mode) {
        return new Wildcard(mode, tokens);
    }

    /**
     * One-off match (compiles the pattern each time: keep the compiled form where a pattern is used often).
     *
     * @param pattern the pattern; never null
     * @param value   the value; never null
     * @param mode    how to match; never null
     * @return whether the pattern matches the whole value
     */
    public static boolean matches(String pattern, CharSequence value, Mode mode) {
        return compile(pattern, mode).matches(value);
    }

    /**
     * @param pattern the pattern text; never null
     * @return its tokens: {@code *} → {@link #STAR}, {@code ?} → {@link #QMARK}, other characters their code
     */
    public static int[] tokens(String pattern) {
        int[] t = new int[pattern.length()];
        for (int i = 0; i < t.length; i++) {
            char c = pattern.charAt(i);
            t[i] = c == '*' ? STAR : c == '?' ? QMARK : c;
        }
        return t;
    }

    /** @return the mode this pattern was compiled for */
    public Mode mode() {
        return mode;
    }

    /** @return whether the pattern holds a {@code *} or {@code ?} wildcard */
    public boolean hasWildcard() {
        for (int t : tokens) {
            if (t < 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The case folding of {@link Mode#ACTION}: ASCII letters to lower case, other characters by
     * {@link Character#toLowerCase(char)}.
     *
     * @param c a character
     * @return its folded form
     */
    public static char fold(char c) {
        if (c < 128) {
            return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        }
        return Character.toLowerCase(c);
    }

    /**
     * @param value the value; never null
     * @return whether the pattern matches the whole value
     */
    public boolean matches(CharSequence value) {
        if (parts == null) {
            return whole.matches(value, 0, value.length());
        }
        int[] vb = new int[ARN_PARTS + 1];
        int vc = split(value, vb);
        return matches(value, vb, vc);
    }

    /**
     * Matches an ARN that was split once with {@link #split}, for the ARN modes (the other modes ignore the split).
     *
     * @param value  the value; never null
     * @param bounds the part starts from {@link #split}
     * @param count  the part count from {@link #split}
     * @return whether the pattern matches the whole value
     */
    public boolean matches(CharSequence value, int[] bounds, int count) {
        if (parts == null) {
            return whole.matches(value, 0, value.length());
        }
        if (whole != null && colons(value) > patternColons) {
            // only a value with more colons than the pattern can have one covered by a wildcard; otherwise the
            // colons line up one to one and part-by-part matching gives the same answer
            return whole.matches(value, 0, value.length());
        }
        int n = parts.length;
        if (trailingStar && n < ARN_PARTS) {
            if (count < n) {
                return false;
            }
            for (int i = 0; i < n - 1; i++) {
                if (!parts[i].matches(value, bounds[i], bounds[i + 1] - 1)) {
                    return false;
                }
            }
            return parts[n - 1].matches(value, bounds[n - 1], value.length());
        }
        if (count != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!parts[i].matches(value, bounds[i], bounds[i + 1] - 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Splits a value into at most {@link #ARN_PARTS} colon-separated parts (the last part keeps any further colons).
     *
     * @param s      the value; never null
     * @param bounds receives the part starts, at least {@code ARN_PARTS + 1} entries; {@code bounds[n]} is
     *               {@code s.length() + 1}
     * @return the number of parts n, 1 to {@link #ARN_PARTS}
     */
    public static int split(CharSequence s, int[] bounds) {
        int n = 1;
        bounds[0] = 0;
        int len = s.length();
        for (int i = 0; i < len && n < ARN_PARTS; i++) {
            if (s.charAt(i) == COLON) {
                bounds[n++] = i + 1;
            }
        }
        bounds[n] = len + 1;
        return n;
    }

    private static int split(int[] tokens, int[] bounds) {
        int n = 1;
        bounds[0] = 0;
        for (int i = 0; i < tokens.length && n < ARN_PARTS; i++) {
            if (tokens[i] == COLON) {
                bounds[n++] = i + 1;
            }
        }
        bounds[n] = tokens.length + 1;
        return n;
    }

    private static boolean endsWithStar(int[] tokens, int from, int to) {
        return to > from && tokens[to - 1] == STAR;
    }

    private static int[] folded(int[] tokens) {
        int[] f = new int[tokens.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = tokens[i] < 0 ? tokens[i] : fold((char) tokens[i]);
        }
        return f;
    }

    private static int colons(CharSequence s) {
        int c = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) == COLON) {
                c++;
            }
        }
        return c;
    }

    /**
     * The wildcards of a {@code RESOURCE} pattern that may cover a colon, when a {@code *} ends a segment before the
     * last one: every wildcard of the sixth part and of a shorter pattern's last part ending in {@code *}, and each
     * {@code *} that ends a segment. Null when no {@code *} ends an inner segment (part-by-part matching is then
     * exact).
     */
    private static boolean[] crossingMask(int[] tokens, int[] b, int n, boolean trailingStar) {
        boolean any = false;
        for (int i = 0; i < n - 1; i++) {
            int end = b[i + 1] - 1;
            if (end > b[i] && tokens[end - 1] == STAR) {
                any = true;
                break;
            }
        }
        if (!any) {
            return null;
        }
        boolean[] mask = new boolean[tokens.length];
        for (int i = 0; i < n; i++) {
            int from = b[i];
            int to = Math.min(b[i + 1] - 1, tokens.length);
            boolean all = i == ARN_PARTS - 1 || (i == n - 1 && trailingStar);
            for (int k = from; k < to; k++) {
                mask[k] = all || (tokens[k] == STAR && k == to - 1);
            }
        }
        return mask;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Wildcard w && mode == w.mode && Arrays.equals(tokens, w.tokens);
    }

    @Override
    public int hashCode() {
        return mode.hashCode() * 31 + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(tokens.length);
        for (int t : tokens) {
            sb.append(t == STAR ? '*' : t == QMARK ? '?' : (char) t);
        }
        return sb.toString();
    }

    /**
     * One compiled run of tokens matched against a range of the value. Shapes without {@code ?} and with at most
     * one {@code *} (or only {@code *}s) compare directly; the others run the bit-parallel automaton.
     */
    private static final class Program {
        private static final int EXACT = 0;
        private static final int ANY = 1;
        private static final int PREFIX_SUFFIX = 2;
        private static final int AUTOMATON = 3;

        private final int shape;
        private final boolean ignoreCase;
        /** EXACT / PREFIX_SUFFIX: the literal characters before the star (all of them for EXACT) and after it. */
        private final char[] head;
        private final char[] tail;
        // automaton: bit j of the state = the first j non-star tokens matched
        private final int words;
        private final int last;
        private final long[] anyTok;
        private final long[] nonColonTok;
        private final long[] anyLoop;
        private final long[] nonColonLoop;
        /** per ASCII character: the tokens (bit j = token j) that are that literal character. */
        private final long[][] asciiTok;
        /** literal non-ASCII tokens: bit position and character, for a scan. */
        private final int[] otherPos;
        private final char[] otherChar;

        /**
         * @param crossing per token of the whole array, whether its wildcard may cover a colon; null: all may
         */
        Program(int[] tokens, int from, int to, boolean[] crossing, boolean ignoreCase) {
            this.ignoreCase = ignoreCase;
            int stars = 0;
            int qmarks = 0;
            int starAt = -1;
            boolean onlyStars = true;
            for (int k = from; k < to; k++) {
                if (tokens[k] == STAR) {
                    stars++;
                    starAt = k;
                } else {
                    onlyStars = false;
                    if (tokens[k] == QMARK) {
                        qmarks++;
                    }
                }
            }
            boolean allCross = crossing == null;
            if (crossing != null) {
                allCross = true;
                for (int k = from; k < to; k++) {
                    if (tokens[k] < 0 && !crossing[k]) {
                        allCross = false;
                        break;
                    }
                }
            }
            int shapeFound;
            char[] h = null;
            char[] t = null;
            if (stars == 0 && qmarks == 0) {
                shapeFound = EXACT;
                h = chars(tokens, from, to);
            } else if (onlyStars && allCross) {
                shapeFound = ANY;
            } else if (stars == 1 && qmarks == 0 && allCross) {
                shapeFound = PREFIX_SUFFIX;
                h = chars(tokens, from, starAt);
                t = chars(tokens, starAt + 1, to);
            } else {
                shapeFound = AUTOMATON;
            }
            this.shape = shapeFound;
            this.head = h;
            this.tail = t;
            if (shapeFound != AUTOMATON) {
                this.words = 0;
                this.last = 0;
                this.anyTok = null;
                this.nonColonTok = null;
                this.anyLoop = null;
                this.nonColonLoop = null;
                this.asciiTok = null;
                this.otherPos = null;
                this.otherChar = null;
                return;
            }
            int states = 1;
            for (int k = from; k < to; k++) {
                if (tokens[k] != STAR) {
                    states++;
                }
            }
            this.words = (states + 63) >>> 6;
            this.last = states - 1;
            this.anyTok = new long[words];
            this.nonColonTok = new long[words];
            this.anyLoop = new long[words];
            this.nonColonLoop = new long[words];
            this.asciiTok = new long[128][];
            int others = 0;
            for (int k = from; k < to; k++) {
                if (tokens[k] >= 128) {
                    others++;
                }
            }
            this.otherPos = new int[others];
            this.otherChar = new char[others];
            int state = 0;
            int o = 0;
            for (int k = from; k < to; k++) {
                int tok = tokens[k];
                boolean cross = crossing == null || crossing[k];
                if (tok == STAR) {
                    // a self-loop on the state reached so far; "**" and a crossing star beside a non-crossing one
                    // loop on the wider class
                    set(cross ? anyLoop : nonColonLoop, state);
                    continue;
                }
                state++;
                if (tok == QMARK) {
                    set(cross ? anyTok : nonColonTok, state);
                } else if (tok < 128) {
                    if (asciiTok[tok] == null) {
                        asciiTok[tok] = new long[words];
                    }
                    set(asciiTok[tok], state);
                } else {
                    otherPos[o] = state;
                    otherChar[o++] = (char) tok;
                }
            }
            for (int w = 0; w < words; w++) {
                nonColonLoop[w] |= anyLoop[w];
            }
        }

        private static void set(long[] bits, int i) {
            bits[i >>> 6] |= 1L << (i & 63);
        }

        private static char[] chars(int[] tokens, int from, int to) {
            char[] c = new char[Math.max(0, to - from)];
            for (int k = from; k < to; k++) {
                c[k - from] = (char) tokens[k];
            }
            return c;
        }

        boolean matches(CharSequence s, int from, int to) {
            switch (shape) {
                case EXACT:
                    return to - from == head.length && region(s, from, head);
                case ANY:
                    return true;
                case PREFIX_SUFFIX:
                    return to - from >= head.length + tail.length && region(s, from, head)
                            && region(s, to - tail.length, tail);
                default:
                    return words == 1 ? automaton1(s, from, to) : automatonN(s, from, to);
            }
        }

        private boolean region(CharSequence s, int at, char[] lit) {
            if (ignoreCase) {
                for (int i = 0; i < lit.length; i++) {
                    if (fold(s.charAt(at + i)) != lit[i]) {
                        return false;
                    }
                }
            } else {
                for (int i = 0; i < lit.length; i++) {
                    if (s.charAt(at + i) != lit[i]) {
                        return false;
                    }
                }
            }
            return true;
        }

        private boolean automaton1(CharSequence s, int from, int to) {
            long d = 1L;
            long aTok = anyTok[0];
            long nTok = nonColonTok[0];
            long aLoop = anyLoop[0];
            long nLoop = nonColonLoop[0];
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (ignoreCase) {
                    c = fold(c);
                }
                long tok = aTok;
                long loop = aLoop;
                if (c != COLON) {
                    tok |= nTok;
                    loop = nLoop;
                }
                if (c < 128) {
                    long[] lit = asciiTok[c];
                    if (lit != null) {
                        tok |= lit[0];
                    }
                } else {
                    for (int k = 0; k < otherPos.length; k++) {
                        if (otherChar[k] == c) {
                            tok |= 1L << otherPos[k];
                        }
                    }
                }
                d = ((d << 1) & tok) | (d & loop);
                if (d == 0) {
                    return false;
                }
            }
            return (d & (1L << last)) != 0;
        }

        private boolean automatonN(CharSequence s, int from, int to) {
            long[] d = new long[words];
            long[] tok = new long[words];
            d[0] = 1L;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (ignoreCase) {
                    c = fold(c);
                }
                boolean colon = c == COLON;
                long[] lit = c < 128 ? asciiTok[c] : null;
                for (int w = 0; w < words; w++) {
                    tok[w] = anyTok[w] | (colon ? 0 : nonColonTok[w]) | (lit != null ? lit[w] : 0);
                }
                if (c >= 128) {
                    for (int k = 0; k < otherPos.length; k++) {
                        if (otherChar[k] == c) {
                            set(tok, otherPos[k]);
                        }
                    }
                }
                long carry = 0;
                long alive = 0;
                for (int w = 0; w < words; w++) {
                    long cur = d[w];
                    long loop = colon ? anyLoop[w] : nonColonLoop[w];
                    long next = (((cur << 1) | carry) & tok[w]) | (cur & loop);
                    carry = cur >>> 63;
                    d[w] = next;
                    alive |= next;
                }
                if (alive == 0) {
                    return false;
                }
            }
            return (d[last >>> 6] & (1L << (last & 63))) != 0;
        }
    }
}
