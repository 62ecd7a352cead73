package io.cmkaudit.snapshot;

import java.util.Map;

/**
 * Encryption-context constraints of a KMS grant
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html). Empty maps mean the constraint
 * is absent.
 *
 * @param encryptionContextEquals the exact encryption context required (sorted by key)
 * @param encryptionContextSubset pairs the encryption context must include (sorted by key)
 */
public record GrantConstraints(Map<String, String> encryptionContextEquals, Map<String, String> encryptionContextSubset) {
    public GrantConstraints {
        encryptionContextEquals = Copies.map(encryptionContextEquals);
        encryptionContextSubset = Copies.map(encryptionContextSubset);
    }
}
