package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * A grant on a KMS key from {@code ListGrants}
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html).
 *
 * @param grantId           grant id; never null
 * @param name              grant name, or null
 * @param granteePrincipal  grantee: an ARN or a service principal; never null
 * @param retiringPrincipal retiring principal, or null
 * @param operations        operation names, e.g. {@code Decrypt}, {@code CreateGrant}
 * @param constraints       encryption-context constraints, or null when the grant has none
 * @param issuingAccount    ARN of the account that created the grant ({@code arn:aws:iam::<account>:root}), or null
 */
public record KmsGrant(String grantId, String name, String granteePrincipal, String retiringPrincipal,
                       List<String> operations, GrantConstraints constraints, String issuingAccount) {
    public KmsGrant {
        Objects.requireNonNull(grantId, "grantId");
        Objects.requireNonNull(granteePrincipal, "granteePrincipal");
        operations = Copies.list(operations);
    }
}
