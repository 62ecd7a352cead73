package io.cmkaudit.collect;

import java.util.Map;
import java.util.TreeMap;

/**
 * The minimum API calls of a collection, as documented in {@code docs/snapshot-format.md} ("API calls"), for an
 * organization where every list fits in one page. Tests compare {@code RunMetadata.apiCalls()} with it.
 */
final class MinimumCalls {
    private MinimumCalls() {
    }

    /**
     * What drives the count.
     *
     * @param containers               root + OUs
     * @param policyTypes              SCP and/or RCP enabled on the root (0..2)
     * @param orgPolicies              SCPs + RCPs
     * @param accountsRead             accounts whose IAM and regions were read
     * @param rolesAssumed             AssumeRole attempts (accounts other than the scanner's own, including denied ones,
     *                                 and key owners not otherwise scanned)
     * @param accountRegions           account × region pairs read
     * @param regionsWithDefaultEncryption account × region pairs with EBS encryption by default on
     * @param accountsDescribingRegions accounts read without configured regions
     * @param ownerRegions             account × region pairs owning at least one referenced key
     * @param keys                     distinct referenced keys read
     * @param awsManagedPolicies       distinct AWS managed policies attached anywhere
     */
    record Counts(int containers, int policyTypes, int orgPolicies, int accountsRead, int rolesAssumed, int accountRegions,
                  int regionsWithDefaultEncryption, int accountsDescribingRegions, int ownerRegions, int keys,
                  int awsManagedPolicies) {
    }

    static Map<String, Long> of(Counts c) {
        Map<String, Long> m = new TreeMap<>();
        put(m, "STS.GetCallerIdentity", 1);
        put(m, "STS.AssumeRole", c.rolesAssumed());
        put(m, "Organizations.DescribeOrganization", 1);
        put(m, "Organizations.ListRoots", 1);
        put(m, "Organizations.ListOrganizationalUnitsForParent", c.containers());
        put(m, "Organizations.ListAccountsForParent", c.containers());
        put(m, "Organizations.ListPolicies", c.policyTypes());
        put(m, "Organizations.DescribePolicy", c.orgPolicies());
        put(m, "Organizations.ListTargetsForPolicy", c.orgPolicies());
        put(m, "IAM.GetAccountAuthorizationDetails", c.accountsRead());
        put(m, "IAM.GetPolicy", c.awsManagedPolicies());
        put(m, "IAM.GetPolicyVersion", c.awsManagedPolicies());
        put(m, "EC2.DescribeRegions", c.accountsDescribingRegions());
        put(m, "EC2.DescribeInstances", c.accountRegions());
        put(m, "EC2.DescribeVolumes", c.accountRegions());
        put(m, "EC2.GetEbsEncryptionByDefault", c.accountRegions());
        put(m, "EC2.GetEbsDefaultKmsKeyId", c.regionsWithDefaultEncryption());
        put(m, "KMS.ListAliases", c.ownerRegions());
        put(m, "KMS.DescribeKey", c.keys());
        put(m, "KMS.GetKeyPolicy", c.keys());
        put(m, "KMS.ListGrants", c.keys());
        put(m, "KMS.ListResourceTags", c.keys());
        return m;
    }

    /**
     * The IAM Identity Center calls of a run whose instance was found (docs/snapshot-format.md, "API calls").
     *
     * @param regionsProbed    regions asked {@code ListInstances} until the instance was found
     * @param permissionSets   permission sets read
     * @param provisionedPairs permission set × provisioned account pairs
     * @param users            distinct assigned users named
     * @param groups           distinct assigned groups named
     * @return the calls by {@code Service.Operation}
     */
    static Map<String, Long> identityCenter(int regionsProbed, int permissionSets, int provisionedPairs, int users,
                                            int groups) {
        Map<String, Long> m = new TreeMap<>();
        put(m, "SSOAdmin.ListInstances", regionsProbed);
        put(m, "SSOAdmin.ListPermissionSets", 1);
        put(m, "SSOAdmin.DescribePermissionSet", permissionSets);
        put(m, "SSOAdmin.GetInlinePolicyForPermissionSet", permissionSets);
        put(m, "SSOAdmin.ListManagedPoliciesInPermissionSet", permissionSets);
        put(m, "SSOAdmin.ListCustomerManagedPolicyReferencesInPermissionSet", permissionSets);
        put(m, "SSOAdmin.GetPermissionsBoundaryForPermissionSet", permissionSets);
        put(m, "SSOAdmin.ListAccountsForProvisionedPermissionSet", 2L * permissionSets);
        put(m, "SSOAdmin.ListAccountAssignments", provisionedPairs);
        put(m, "IdentityStore.DescribeUser", users);
        put(m, "IdentityStore.DescribeGroup", groups);
        return m;
    }

    private static void put(Map<String, Long> m, String op, long n) {
        if (n > 0) {
            m.put(op, n);
        }
    }
}
