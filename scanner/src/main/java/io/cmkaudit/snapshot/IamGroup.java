package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * An IAM group (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GroupDetail.html). Members are listed on
 * each {@link IamUser#groups()}.
 *
 * @param arn                       group ARN; never null
 * @param name                      group name; never null
 * @param id                        unique id ({@code AGPA...}); never null
 * @param path                      path, e.g. {@code /}; never null
 * @param inlinePolicies            the group's inline policies
 * @param attachedManagedPolicyArns ARNs of the managed policies attached to the group
 */
public record IamGroup(String arn, String name, String id, String path, List<InlinePolicy> inlinePolicies,
                       List<String> attachedManagedPolicyArns) {
    public IamGroup {
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        inlinePolicies = Copies.list(inlinePolicies);
        attachedManagedPolicyArns = Copies.list(attachedManagedPolicyArns);
    }
}
