package io.cmkaudit.policy;

/**
 * ARN matching as IAM does it for the {@code Resource} element and the {@code Arn*} condition operators: the ARN is
 * split into its six colon-separated parts ({@code arn:partition:service:region:account:resource}, the last part may
 * itself contain colons), each part is matched case-sensitively with {@code *} and {@code ?}; a pattern with fewer
 * than six parts whose last part ends in {@code *} lets that star cover the rest of the ARN, colons included.
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

    ArnGlob(int[] tokens) {
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

    private boolean part(int i, CharSequence value, int from, int to) {
        return Glob.matches(tokens, bounds[i], bounds[i + 1] - 1, value, from, to, false);
    }
}
