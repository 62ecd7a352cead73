package io.cmkaudit.policy;

/**
 * ARN matching as IAM does it for the {@code Resource} element and the {@code Arn*} condition operators: the ARN is
 * split into its six colon-separated parts ({@code arn:partition:service:region:account:resource}, the last part may
 * itself contain colons), each part is matched case-sensitively with {@code *} and {@code ?}; a pattern with fewer
 * than six parts whose last part ends in {@code *} lets that star cover the rest of the ARN, colons included.
 *
 * <p>In the {@code Resource} / {@code NotResource} element ({@link #forResource}) one more rule applies: "If the
 * {@code *} wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon
 * boundaries" (IAM User Guide, "Using wildcards in resource ARNs"). So a {@code *} that ends <i>any</i> segment of
 * the pattern, not only the last one, may also cover colons: {@code arn:aws:kms:*:key/*} matches
 * {@code arn:aws:kms:us-east-1:111122223333:key/k1} and {@code arn:aws:kms:us-east-1*:key/k1} matches it too. The
 * {@code Arn*} condition operators keep the stricter rule of their page, "each of the six colon-delimited components
 * of the ARN is checked separately".
 *
 * <p>Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html and
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
final class ArnGlob {
    static final int MAX_PARTS = 6;
    private static final int COLON = ':';

    private final int[] tokens;
    /** start of part i; bounds[count] = tokens.length + 1. */
    private final int[] bounds;
    private final int count;
    private final boolean trailingStar;
    /**
     * For a Resource pattern in which a {@code *} ends a segment other than the last: per token, whether its wildcard
     * may cover a colon; null when the part-by-part matching applies.
     */
    private final boolean[] crossing;
    /** number of literal colons in the pattern. */
    private final int patternColons;

    ArnGlob(int[] tokens) {
        this(tokens, false);
    }

    /**
     * @param tokens the compiled pattern ({@link Glob#compile} or {@link Template#tokens})
     * @return the matcher for a {@code Resource}/{@code NotResource} pattern, where a {@code *} ending any segment
     *     may cover colons
     */
    static ArnGlob forResource(int[] tokens) {
        return new ArnGlob(tokens, true);
    }

    private ArnGlob(int[] tokens, boolean resourceElement) {
        this.tokens = tokens;
        int[] b = new int[MAX_PARTS + 1];
        int n = 1;
        b[0] = 0;
        for (int i = 0; i < tokens.length && n < MAX_PARTS; i++) {
            if (tokens[i] == COLON) {
                b[n++] = i + 1;
            }
        }
        b[n] = tokens.length + 1;
        this.bounds = b;
        this.count = n;
        this.trailingStar = Glob.endsWithStar(tokens, b[n - 1], tokens.length);
        this.crossing = resourceElement ? crossingMask(tokens, b, n, trailingStar) : null;
        int c = 0;
        for (int t : tokens) {
            if (t == COLON) {
                c++;
            }
        }
        this.patternColons = c;
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
     * The wildcards that may cover a colon when a {@code *} ends a segment before the last one: every wildcard of the
     * sixth part and of a shorter pattern's last part ending in {@code *} (as in part-by-part matching), and each
     * {@code *} that ends a segment. Null when no {@code *} ends a segment before the last one, so the part-by-part
     * matching gives the same answers.
     */
    private static boolean[] crossingMask(int[] tokens, int[] b, int n, boolean trailingStar) {
        boolean any = false;
        for (int i = 0; i < n - 1; i++) {
            int end = b[i + 1] - 1;
            if (end > b[i] && tokens[end - 1] == Glob.STAR) {
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
            boolean whole = i == MAX_PARTS - 1 || (i == n - 1 && trailingStar);
            for (int k = from; k < to; k++) {
                mask[k] = whole || (tokens[k] == Glob.STAR && k == to - 1);
            }
        }
        return mask;
    }

    /**
     * Splits a value into at most six parts.
     *
     * @param s      the value
     * @param bounds array of at least 7 entries that receives the part starts; {@code bounds[n] = s.length() + 1}
     * @return the number of parts n
     */
    static int split(CharSequence s, int[] bounds) {
        int n = 1;
        bounds[0] = 0;
        int len = s.length();
        for (int i = 0; i < len && n < MAX_PARTS; i++) {
            if (s.charAt(i) == ':') {
                bounds[n++] = i + 1;
            }
        }
        bounds[n] = len + 1;
        return n;
    }

    /** Matches a value that has not been split yet. */
    boolean matches(String value) {
        int[] vb = new int[MAX_PARTS + 1];
        int vc = split(value, vb);
        return matches(value, vb, vc);
    }

    /**
     * @param value the ARN (or other value) to test
     * @param vb    its part starts from {@link #split}
     * @param vc    its part count from {@link #split}
     * @return whether this pattern matches the value
     */
    boolean matches(CharSequence value, int[] vb, int vc) {
        if (crossing != null && colons(value) > patternColons) {
            // only a value with more colons than the pattern can have one covered by a wildcard; otherwise the
            // colons line up one to one and the part-by-part matching below gives the same answer
            return matchesCrossing(value);
        }
        if (trailingStar && count < MAX_PARTS) {
            if (vc < count) {
                return false;
            }
            for (int i = 0; i < count - 1; i++) {
                if (!part(i, value, vb[i], vb[i + 1] - 1)) {
                    return false;
                }
            }
            return part(count - 1, value, vb[count - 1], value.length());
        }
        if (vc != count) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (!part(i, value, vb[i], vb[i + 1] - 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whole-value matching where the wildcards marked in {@link #crossing} match any characters and the others any
     * characters but a colon; dynamic programming over pattern × value, O(pattern length × value length).
     */
    private boolean matchesCrossing(CharSequence s) {
        int n = s.length();
        boolean[] prev = new boolean[n + 1];
        boolean[] cur = new boolean[n + 1];
        prev[0] = true;
        for (int k = 0; k < tokens.length; k++) {
            int t = tokens[k];
            boolean cross = crossing[k];
            boolean any = false;
            if (t == Glob.STAR) {
                cur[0] = prev[0];
                any = cur[0];
                for (int j = 1; j <= n; j++) {
                    cur[j] = prev[j] || (cur[j - 1] && (cross || s.charAt(j - 1) != COLON));
                    any |= cur[j];
                }
            } else {
                cur[0] = false;
                for (int j = 1; j <= n; j++) {
                    char c = s.charAt(j - 1);
                    cur[j] = prev[j - 1] && (t == Glob.QMARK ? cross || c != COLON : c == t);
                    any |= cur[j];
                }
            }
            if (!any) {
                return false;
            }
            boolean[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[n];
    }

    private boolean part(int i, CharSequence value, int from, int to) {
        return Glob.matches(tokens, bounds[i], bounds[i + 1] - 1, value, from, to, false);
    }
}
