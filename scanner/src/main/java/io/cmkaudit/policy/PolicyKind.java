package io.cmkaudit.policy;

/**
 * Where a policy is used, for AWS's size limits. IAM counts characters without white space; Organizations counts
 * every character; KMS counts bytes.
 * Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html ,
 * https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html
 */
public enum PolicyKind {
    /** Any use; no size check. */
    ANY(Integer.MAX_VALUE, Count.CHARS),
    /** Customer or AWS managed policy: 6,144 characters without white space. */
    MANAGED(6_144, Count.NON_WHITESPACE),
    /** Inline policies of one user together: 2,048 characters without white space. */
    USER_INLINE(2_048, Count.NON_WHITESPACE),
    /** Inline policies of one role together: 10,240 characters without white space. */
    ROLE_INLINE(10_240, Count.NON_WHITESPACE),
    /** Inline policies of one group together: 5,120 characters without white space. */
    GROUP_INLINE(5_120, Count.NON_WHITESPACE),
    /** Service control policy: 5,120 characters. */
    SCP(5_120, Count.CHARS),
    /** Resource control policy: 5,120 characters. */
    RCP(5_120, Count.CHARS),
    /** KMS key policy: 32 KiB. */
    KEY_POLICY(32_768, Count.UTF8_BYTES);

    enum Count { CHARS, NON_WHITESPACE, UTF8_BYTES }

    private final int limit;
    private final Count count;

    PolicyKind(int limit, Count count) {
        this.limit = limit;
        this.count = count;
    }

    /** @return the size limit in this kind's unit */
    public int limit() {
        return limit;
    }

    /** @return the size of the text as AWS measures it for this kind */
    public int sizeOf(String text) {
        return switch (count) {
            case CHARS -> text.length();
            case UTF8_BYTES -> text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            case NON_WHITESPACE -> {
                int n = 0;
                for (int i = 0; i < text.length(); i++) {
                    if (!Character.isWhitespace(text.charAt(i))) {
                        n++;
                    }
                }
                yield n;
            }
        };
    }
}
