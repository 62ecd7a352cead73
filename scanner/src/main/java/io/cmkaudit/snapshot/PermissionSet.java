package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * An IAM Identity Center permission set: the policies Identity Center puts on the {@code AWSReservedSSO_<name>_*}
 * role it creates in each account the permission set is provisioned to
 * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PermissionSet.html,
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/howtocmp.html).
 *
 * @param arn                             e.g. {@code arn:aws:sso:::permissionSet/ssoins-.../ps-...}; never null
 * @param name                            e.g. {@code PowerUser}; null only when {@code DescribePermissionSet}
 *                                        failed (see {@code readErrors})
 * @param description                     or null
 * @param sessionDuration                 ISO-8601 duration as AWS returns it, e.g. {@code PT8H}, or null
 * @param inlinePolicy                    the inline policy as JSON text, or null when it has none (or it could
 *                                        not be read: see {@code readError})
 * @param awsManagedPolicyArns            AWS managed policies attached, sorted
 * @param customerManagedPolicyReferences customer managed policies referenced by name and path (each account must
 *                                        hold a policy of that name and path), sorted by path then name
 * @param permissionsBoundary             the permissions boundary, or null for none
 * @param provisionedAccountIds           accounts the permission set is provisioned to
 *                                        ({@code ListAccountsForProvisionedPermissionSet}), sorted
 * @param outdatedAccountIds              of those, the accounts whose role does not have the permission set's
 *                                        latest version (provisioning status
 *                                        {@code LATEST_PERMISSION_SET_NOT_PROVISIONED}), sorted
 * @param accountAssignments              who is assigned the permission set in which account, sorted by account,
 *                                        principal type, principal id
 * @param readErrors                      the calls about this permission set that failed, in call order (empty
 *                                        when all succeeded); the fields a failed call fills are then empty or null
 */
public record PermissionSet(String arn, String name, String description, String sessionDuration, String inlinePolicy,
                            List<String> awsManagedPolicyArns,
                            List<CustomerManagedPolicyReference> customerManagedPolicyReferences,
                            PermissionsBoundary permissionsBoundary, List<String> provisionedAccountIds,
                            List<String> outdatedAccountIds, List<AccountAssignment> accountAssignments,
                            List<ReadError> readErrors) {
    public PermissionSet {
        Objects.requireNonNull(arn, "arn");
        awsManagedPolicyArns = Copies.list(awsManagedPolicyArns);
        customerManagedPolicyReferences = Copies.list(customerManagedPolicyReferences);
        provisionedAccountIds = Copies.list(provisionedAccountIds);
        outdatedAccountIds = Copies.list(outdatedAccountIds);
        accountAssignments = Copies.list(accountAssignments);
        readErrors = Copies.list(readErrors);
    }

    /**
     * @param operation {@code Service.Operation}, e.g. {@code SSOAdmin.ListAccountsForProvisionedPermissionSet}
     * @return whether that call failed for this permission set
     */
    public boolean failed(String operation) {
        return readErrors.stream().anyMatch(e -> e.operation().equals(operation));
    }

    /**
     * @param accountId a 12-digit account id
     * @return the assignments in that account
     */
    public List<AccountAssignment> assignmentsIn(String accountId) {
        return accountAssignments.stream().filter(a -> a.accountId().equals(accountId)).toList();
    }
}
