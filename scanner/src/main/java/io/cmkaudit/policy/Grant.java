package io.cmkaudit.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A KMS grant on the key of the request (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html). Grants
 * only allow: the grantee may call the listed operations, when the request's encryption context meets the
 * constraints.
 *
 * @param grantId          the grant id, or null
 * @param name             the grant name, or null
 * @param granteePrincipal the grantee: user, role, role-session, account root or service principal ARN; never null
 * @param operations       the grant operations, e.g. {@code Decrypt}, {@code CreateGrant}; never null
 * @param constraints      the encryption-context constraints, or null for none
 */
public record Grant(String grantId, String name, String granteePrincipal, List<String> operations,
        Constraints constraints) {

    /** Validates and copies. */
    public Grant {
        Objects.requireNonNull(granteePrincipal, "granteePrincipal");
        operations = List.copyOf(operations);
    }

    /** @return the grant id, else its name, else the grantee, for display */
    public String label() {
        return grantId != null ? grantId : name != null ? name : granteePrincipal;
    }

    /**
     * Grant constraints (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html).
     *
     * @param encryptionContextEquals the request's encryption context must be exactly this map, or null
     * @param encryptionContextSubset the request's encryption context must contain these pairs, or null
     */
    public record Constraints(Map<String, String> encryptionContextEquals, Map<String, String> encryptionContextSubset) {
        /** Copies the maps. */
        public Constraints {
            encryptionContextEquals = encryptionContextEquals == null ? null : Map.copyOf(encryptionContextEquals);
            encryptionContextSubset = encryptionContextSubset == null ? null : Map.copyOf(encryptionContextSubset);
        }
    }
}
