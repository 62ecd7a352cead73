package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An IAM user as returned by {@code GetAccountAuthorizationDetails}
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UserDetail.html).
 *
 * @param arn                       user ARN; never null
 * @param name                      user name; never null
 * @param id                        unique id ({@code AIDA...}); never null
 * @param path                      path, e.g. {@code /}; never null
 * @param groups                    names of the groups the user is a member of
 * @param inlinePolicies            the user's inline policies
 * @param attachedManagedPolicyArns ARNs of the managed policies attached to the user (customer or AWS managed)
 * @param permissionsBoundaryArn    ARN of the managed policy set as permissions boundary, or null for none
 * @param tags                      tags, key to value (sorted by key)
 */
public record IamUser(String arn, String name, String id, String path, List<String> groups,
                      List<InlinePolicy> inlinePolicies, List<String> attachedManagedPolicyArns,
                      String permissionsBoundaryArn, Map<String, String> tags) {
    public IamUser {
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        groups = Copies.list(groups);
        inlinePolicies = Copies.list(inlinePolicies);
        attachedManagedPolicyArns = Copies.list(attachedManagedPolicyArns);
        tags = Copies.map(tags);
    }
}
