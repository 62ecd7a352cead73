package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An IAM role (https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html).
 *
 * @param arn                       role ARN; never null
 * @param name                      role name; never null
 * @param id                        unique id ({@code AROA...}); never null
 * @param path                      path, e.g. {@code /} or {@code /aws-service-role/autoscaling.amazonaws.com/}
 * @param trustPolicy               the trust (assume-role) policy as JSON text, URL-decoded; never null
 * @param inlinePolicies            the role's inline policies
 * @param attachedManagedPolicyArns ARNs of the managed policies attached to the role
 * @param permissionsBoundaryArn    ARN of the permissions boundary policy, or null for none
 * @param tags                      tags, key to value (sorted by key)
 * @param instanceProfileArns       ARNs of the instance profiles that contain this role (how an instance's
 *                                  {@link Ec2Instance#iamInstanceProfileArn()} maps to a role)
 * @param serviceLinked             whether the role is service-linked (its path starts with {@code /aws-service-role/});
 *                                  its policies can't be edited, so fixes go into key policies
 */
public record IamRole(String arn, String name, String id, String path, String trustPolicy,
                      List<InlinePolicy> inlinePolicies, List<String> attachedManagedPolicyArns,
                      String permissionsBoundaryArn, Map<String, String> tags, List<String> instanceProfileArns,
                      boolean serviceLinked) {
    public IamRole {
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(trustPolicy, "trustPolicy");
        inlinePolicies = Copies.list(inlinePolicies);
        attachedManagedPolicyArns = Copies.list(attachedManagedPolicyArns);
        tags = Copies.map(tags);
        instanceProfileArns = Copies.list(instanceProfileArns);
    }

    /**
     * @param path an IAM role path
     * @return whether a role with that path is service-linked
     */
    public static boolean isServiceLinkedPath(String path) {
        return path != null && path.startsWith("/aws-service-role/");
    }
}
