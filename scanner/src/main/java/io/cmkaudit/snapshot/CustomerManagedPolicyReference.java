package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * A customer managed policy a permission set references by name and path: in each account the permission set is
 * provisioned to, the policy of that name and path is attached to the reserved role
 * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CustomerManagedPolicyReference.html).
 *
 * @param name policy name; never null
 * @param path policy path, e.g. {@code /} (AWS's default when none is given); never null
 */
public record CustomerManagedPolicyReference(String name, String path) {
    public CustomerManagedPolicyReference {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
    }

    /**
     * @param partition e.g. {@code aws}
     * @param accountId 12-digit account id
     * @return the ARN the policy has in that account, e.g. {@code arn:aws:iam::111122223333:policy/team/KmsUse}
     */
    public String arnIn(String partition, String accountId) {
        return "arn:" + partition + ":iam::" + accountId + ":policy" + path + name;
    }
}
