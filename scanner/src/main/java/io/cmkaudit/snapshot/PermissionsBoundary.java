package io.cmkaudit.snapshot;

/**
 * A permission set's permissions boundary: an AWS managed policy, or a customer managed policy referenced by name
 * and path (exactly one is set)
 * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PermissionsBoundary.html).
 *
 * @param managedPolicyArn                ARN of an AWS managed policy, or null
 * @param customerManagedPolicyReference  a customer managed policy by name and path, or null
 */
public record PermissionsBoundary(String managedPolicyArn, CustomerManagedPolicyReference customerManagedPolicyReference) {
}
