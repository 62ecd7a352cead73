package io.cmkaudit.snapshot;

import java.util.List;

/**
 * The IAM data of one account, from {@code GetAccountAuthorizationDetails}
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html). Empty when the
 * account's {@code global} coverage is not {@link CoverageStatus#SCANNED} or {@link CoverageStatus#PARTIAL}.
 * AWS managed policies attached here are in {@link Snapshot#awsManagedPolicies()}.
 *
 * @param users                   IAM users, sorted by name
 * @param groups                  IAM groups, sorted by name
 * @param roles                   IAM roles, sorted by name
 * @param customerManagedPolicies the account's customer managed policies (attached or not), sorted by ARN
 */
public record IamSnapshot(List<IamUser> users, List<IamGroup> groups, List<IamRole> roles,
                          List<ManagedPolicy> customerManagedPolicies) {

    /** No IAM data. */
    public static final IamSnapshot EMPTY = new IamSnapshot(List.of(), List.of(), List.of(), List.of());

    public IamSnapshot {
        users = Copies.list(users);
        groups = Copies.list(groups);
        roles = Copies.list(roles);
        customerManagedPolicies = Copies.list(customerManagedPolicies);
    }
}
