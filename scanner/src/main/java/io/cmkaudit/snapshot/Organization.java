package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Optional;

/**
 * The organization: OU tree, accounts, SCPs and RCPs. When it could not be read (the scanner does not run in the
 * management account or a delegated administrator, or the account is not in an organization), {@link #readError()}
 * says why, {@link #accounts()} holds only the scanner's own account, and the policy lists are empty: SCPs and RCPs
 * are then unknown, not absent.
 *
 * @param id                  organization id, e.g. {@code o-a1b2c3d4e5}, or null when unreadable
 * @param managementAccountId management account id, or null when unreadable
 * @param rootId              root id, e.g. {@code r-ab12}, or null when unreadable
 * @param enabledPolicyTypes  policy types enabled on the root, e.g. {@code SERVICE_CONTROL_POLICY},
 *                            {@code RESOURCE_CONTROL_POLICY}, sorted; a type not listed applies to nobody
 * @param organizationalUnits every OU, sorted by path
 * @param accounts            every account (any status), sorted by id
 * @param serviceControlPolicies every SCP, sorted by id
 * @param resourceControlPolicies every RCP, sorted by id
 * @param readError           why the organization could not be read, or null
 */
public record Organization(String id, String managementAccountId, String rootId, List<String> enabledPolicyTypes,
                           List<OrganizationalUnit> organizationalUnits, List<OrgAccount> accounts,
                           List<OrgPolicy> serviceControlPolicies, List<OrgPolicy> resourceControlPolicies,
                           ReadError readError) {

    /** Policy type name of SCPs. */
    public static final String SCP = "SERVICE_CONTROL_POLICY";
    /** Policy type name of RCPs. */
    public static final String RCP = "RESOURCE_CONTROL_POLICY";

    public Organization {
        enabledPolicyTypes = Copies.list(enabledPolicyTypes);
        organizationalUnits = Copies.list(organizationalUnits);
        accounts = Copies.list(accounts);
        serviceControlPolicies = Copies.list(serviceControlPolicies);
        resourceControlPolicies = Copies.list(resourceControlPolicies);
    }

    /**
     * @return whether the organization was read (else SCPs/RCPs are unknown)
     */
    public boolean readable() {
        return readError == null;
    }

    /**
     * @param accountId a 12-digit account id
     * @return the account, if it is in the organization
     */
    public Optional<OrgAccount> account(String accountId) {
        return accounts.stream().filter(a -> a.id().equals(accountId)).findFirst();
    }

    /**
     * @param ouId an OU id
     * @return the OU, if any
     */
    public Optional<OrganizationalUnit> organizationalUnit(String ouId) {
        return organizationalUnits.stream().filter(o -> o.id().equals(ouId)).findFirst();
    }

    /**
     * The chain of targets whose policies apply to an account: the root, each OU from the top down, the account.
     *
     * @param accountId a 12-digit account id
     * @return target ids root first, account last; empty when the account or its parents are unknown
     */
    public List<String> targetChain(String accountId) {
        Optional<OrgAccount> acc = account(accountId);
        if (acc.isEmpty() || acc.get().parentId() == null || rootId == null) {
            return List.of();
        }
        java.util.ArrayDeque<String> chain = new java.util.ArrayDeque<>();
        chain.addFirst(accountId);
        String parent = acc.get().parentId();
        int guard = 0;
        while (parent != null && !parent.equals(rootId) && guard++ < 1000) {
            chain.addFirst(parent);
            parent = organizationalUnit(parent).map(OrganizationalUnit::parentId).orElse(null);
        }
        if (parent == null) {
            return List.of();
        }
        chain.addFirst(rootId);
        return List.copyOf(chain);
    }
}
