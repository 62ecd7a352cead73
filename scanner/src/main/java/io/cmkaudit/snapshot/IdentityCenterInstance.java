package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One IAM Identity Center instance
 * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_InstanceMetadata.html).
 *
 * @param instanceArn     e.g. {@code arn:aws:sso:::instance/ssoins-1234567890abcdef}; never null
 * @param identityStoreId e.g. {@code d-1234567890}; null when AWS did not return it
 * @param ownerAccountId  the account that owns the instance (the management account for an organization instance),
 *                        or null
 * @param name            the instance's display name, or null
 * @param status          e.g. {@code ACTIVE}, or null
 * @param permissionSets  its permission sets, sorted by name then ARN
 */
public record IdentityCenterInstance(String instanceArn, String identityStoreId, String ownerAccountId, String name,
                                     String status, List<PermissionSet> permissionSets) {
    public IdentityCenterInstance {
        Objects.requireNonNull(instanceArn, "instanceArn");
        permissionSets = Copies.list(permissionSets);
    }
}
