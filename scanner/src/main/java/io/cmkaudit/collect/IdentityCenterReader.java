package io.cmkaudit.collect;

import io.cmkaudit.snapshot.AccountAssignment;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.CustomerManagedPolicyReference;
import io.cmkaudit.snapshot.IdentityCenter;
import io.cmkaudit.snapshot.IdentityCenterInstance;
import io.cmkaudit.snapshot.PermissionSet;
import io.cmkaudit.snapshot.PermissionsBoundary;
import io.cmkaudit.snapshot.ReadError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.InstanceMetadata;
import software.amazon.awssdk.services.ssoadmin.model.ProvisioningStatus;
import software.amazon.awssdk.services.ssoadmin.model.ResourceNotFoundException;

/**
 * Reads IAM Identity Center with the scanner's own credentials (the management account or the Identity Center
 * delegated administrator): finds the instance's home region, then reads every permission set, where it is
 * provisioned and who is assigned to it, and names the assigned users and groups from the identity store
 * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/welcome.html,
 * https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/welcome.html).
 *
 * <p>Home region: {@code ListInstances} in the configured regions in their order, then in the other regions of the
 * partition (alphabetically), stopping at the first region that returns an instance (an organization has one
 * Identity Center instance, in one region). Regions that are not enabled for the account are passed over.
 *
 * <p>Per permission set: {@code DescribePermissionSet}, {@code GetInlinePolicyForPermissionSet},
 * {@code ListManagedPoliciesInPermissionSet}, {@code ListCustomerManagedPolicyReferencesInPermissionSet},
 * {@code GetPermissionsBoundaryForPermissionSet} ({@code ResourceNotFoundException}: no boundary),
 * {@code ListAccountsForProvisionedPermissionSet} twice (all accounts, then those with status
 * {@code LATEST_PERMISSION_SET_NOT_PROVISIONED}), and {@code ListAccountAssignments} per provisioned account; per
 * distinct assigned principal one {@code identitystore:DescribeUser} or {@code DescribeGroup}. A failing call makes
 * the result {@code PARTIAL}, is recorded in the permission set's {@code readErrors} and the section's
 * {@code readErrors}, and the rest goes on.
 */
final class IdentityCenterReader {

    private static final Set<String> REGION_NOT_ENABLED_CODES = Set.of("unrecognizedclientexception",
            "invalidclienttokenid", "optinrequired", "invalidsignatureexception", "authfailure");

    private final AwsClients clients;
    private final AwsCredentialsProvider credentials;
    private final String accountId;
    private final String partition;
    private final List<String> preferredRegions;

    /**
     * @param clients          the run's client factory
     * @param credentials      the scanner's own credentials
     * @param accountId        the scanner's own account id
     * @param partition        the scanner's partition, e.g. {@code aws}
     * @param preferredRegions regions to probe first (the configured regions), in order
     */
    IdentityCenterReader(AwsClients clients, AwsCredentialsProvider credentials, String accountId, String partition,
                         List<String> preferredRegions) {
        this.clients = clients;
        this.credentials = credentials;
        this.accountId = accountId;
        this.partition = partition;
        this.preferredRegions = preferredRegions;
    }

    /** The regions probed for the instance: preferred first, then the partition's other regions, sorted. */
    List<String> probeOrder() {
        Set<String> out = new LinkedHashSet<>(preferredRegions);
        Set<String> rest = new TreeSet<>();
        for (Region r : Region.regions()) {
            RegionMetadata md = r.metadata();
            if (md != null && !r.isGlobalRegion() && md.partition() != null
                    && partition.equals(md.partition().id())) {
                rest.add(r.id());
            }
        }
        out.addAll(rest);
        return List.copyOf(out);
    }

    /**
     * @return what was read; never null, never throws for AWS failures
     */
    IdentityCenter read() {
        List<ReadError> probeErrors = new ArrayList<>();
        for (String region : probeOrder()) {
            List<InstanceMetadata> found = new ArrayList<>();
            try (SsoAdminClient sso = clients.ssoAdmin(credentials, region)) {
                try {
                    sso.listInstancesPaginator(r -> { }).forEach(p -> found.addAll(p.instances()));
                } catch (SdkException e) {
                    AwsFailure f = AwsFailure.of("SSOAdmin.ListInstances", e);
                    if (!regionNotEnabled(f)) {
                        probeErrors.add(new ReadError(f.operation(), f.code(), f.message() + " (region " + region + ")"));
                    }
                    continue;
                }
                if (found.isEmpty()) {
                    continue;
                }
                return readInstances(sso, region, found);
            }
        }
        if (!probeErrors.isEmpty()) {
            return new IdentityCenter(accountId, null, CoverageStatus.ERROR, probeErrors, List.of());
        }
        return new IdentityCenter(accountId, null, CoverageStatus.SKIPPED, List.of(new ReadError(
                "SSOAdmin.ListInstances", "NoInstance", "SSOAdmin.ListInstances: no IAM Identity Center instance in "
                + "any region probed from account " + accountId + " (Identity Center is not enabled, or this account "
                + "is neither the management account nor the delegated administrator)")), List.of());
    }

    private static boolean regionNotEnabled(AwsFailure f) {
        return f.regionNotEnabled() || REGION_NOT_ENABLED_CODES.contains(f.code().toLowerCase(Locale.ROOT));
    }

    private IdentityCenter readInstances(SsoAdminClient sso, String region, List<InstanceMetadata> found) {
        List<ReadError> errors = new ArrayList<>();
        List<IdentityCenterInstance> instances = new ArrayList<>();
        try (IdentitystoreClient ids = clients.identityStore(credentials, region)) {
            Map<String, String> names = new HashMap<>();
            for (InstanceMetadata m : found) {
                List<PermissionSet> sets = new ArrayList<>();
                List<String> arns = new ArrayList<>();
                try {
                    sso.listPermissionSetsPaginator(r -> r.instanceArn(m.instanceArn()))
                            .forEach(p -> arns.addAll(p.permissionSets()));
                } catch (SdkException e) {
                    AwsFailure f = AwsFailure.of("SSOAdmin.ListPermissionSets", e);
                    errors.add(new ReadError(f.operation(), f.code(), f.message()));
                }
                for (String arn : arns) {
                    sets.add(new PermissionSetRead(sso, ids, m, arn, names, errors).read());
                }
                sets.sort(Comparator.comparing((PermissionSet p) -> p.name() == null ? "" : p.name())
                        .thenComparing(PermissionSet::arn));
                instances.add(new IdentityCenterInstance(m.instanceArn(), m.identityStoreId(), m.ownerAccountId(),
                        m.name(), m.statusAsString(), sets));
            }
        }
        instances.sort(Comparator.comparing(IdentityCenterInstance::instanceArn));
        return new IdentityCenter(accountId, region, errors.isEmpty() ? CoverageStatus.SCANNED : CoverageStatus.PARTIAL,
                errors, instances);
    }

    /** Reads one permission set; records the first failure and goes on with the other calls. */
    private static final class PermissionSetRead {
        private final SsoAdminClient sso;
        private final IdentitystoreClient ids;
        private final InstanceMetadata instance;
        private final String arn;
        private final Map<String, String> names;
        private final List<ReadError> errors;
        private final List<ReadError> own = new ArrayList<>();

        PermissionSetRead(SsoAdminClient sso, IdentitystoreClient ids, InstanceMetadata instance, String arn,
                          Map<String, String> names, List<ReadError> errors) {
            this.sso = sso;
            this.ids = ids;
            this.instance = instance;
            this.arn = arn;
            this.names = names;
            this.errors = errors;
        }

        private void fail(String operation, SdkException e) {
            AwsFailure f = AwsFailure.of(operation, e);
            ReadError r = new ReadError(f.operation(), f.code(), f.message() + " (permission set " + arn + ")");
            errors.add(r);
            own.add(r);
        }

        PermissionSet read() {
            String ins = instance.instanceArn();
            String name = null;
            String description = null;
            String duration = null;
            try {
                var ps = sso.describePermissionSet(r -> r.instanceArn(ins).permissionSetArn(arn)).permissionSet();
                name = ps.name();
                description = blankToNull(ps.description());
                duration = blankToNull(ps.sessionDuration());
            } catch (SdkException e) {
                fail("SSOAdmin.DescribePermissionSet", e);
            }
            String inline = null;
            try {
                inline = blankToNull(sso.getInlinePolicyForPermissionSet(r -> r.instanceArn(ins).permissionSetArn(arn))
                        .inlinePolicy());
                inline = inline == null ? null : PolicyText.decode(inline);
            } catch (SdkException e) {
                fail("SSOAdmin.GetInlinePolicyForPermissionSet", e);
            }
            Set<String> managed = new TreeSet<>();
            try {
                sso.listManagedPoliciesInPermissionSetPaginator(r -> r.instanceArn(ins).permissionSetArn(arn))
                        .forEach(p -> p.attachedManagedPolicies().forEach(a -> managed.add(a.arn())));
            } catch (SdkException e) {
                fail("SSOAdmin.ListManagedPoliciesInPermissionSet", e);
            }
            List<CustomerManagedPolicyReference> customer = new ArrayList<>();
            try {
                sso.listCustomerManagedPolicyReferencesInPermissionSetPaginator(r -> r.instanceArn(ins)
                        .permissionSetArn(arn)).forEach(p -> p.customerManagedPolicyReferences()
                        .forEach(c -> customer.add(reference(c))));
            } catch (SdkException e) {
                fail("SSOAdmin.ListCustomerManagedPolicyReferencesInPermissionSet", e);
            }
            customer.sort(Comparator.comparing(CustomerManagedPolicyReference::path)
                    .thenComparing(CustomerManagedPolicyReference::name));
            PermissionsBoundary boundary = null;
            try {
                var b = sso.getPermissionsBoundaryForPermissionSet(r -> r.instanceArn(ins).permissionSetArn(arn))
                        .permissionsBoundary();
                if (b != null && (b.managedPolicyArn() != null || b.customerManagedPolicyReference() != null)) {
                    boundary = new PermissionsBoundary(b.managedPolicyArn(),
                            b.customerManagedPolicyReference() == null ? null : reference(b.customerManagedPolicyReference()));
                }
            } catch (ResourceNotFoundException none) {
                // the permission set has no permissions boundary
            } catch (SdkException e) {
                fail("SSOAdmin.GetPermissionsBoundaryForPermissionSet", e);
            }
            Set<String> provisioned = new TreeSet<>();
            boolean provisionedRead = true;
            try {
                sso.listAccountsForProvisionedPermissionSetPaginator(r -> r.instanceArn(ins).permissionSetArn(arn))
                        .forEach(p -> provisioned.addAll(p.accountIds()));
            } catch (SdkException e) {
                provisionedRead = false;
                fail("SSOAdmin.ListAccountsForProvisionedPermissionSet", e);
            }
            Set<String> outdated = new TreeSet<>();
            try {
                sso.listAccountsForProvisionedPermissionSetPaginator(r -> r.instanceArn(ins).permissionSetArn(arn)
                        .provisioningStatus(ProvisioningStatus.LATEST_PERMISSION_SET_NOT_PROVISIONED))
                        .forEach(p -> outdated.addAll(p.accountIds()));
            } catch (SdkException e) {
                fail("SSOAdmin.ListAccountsForProvisionedPermissionSet", e);
            }
            if (provisionedRead) {
                outdated.retainAll(provisioned);
            }
            List<AccountAssignment> assignments = new ArrayList<>();
            for (String account : provisioned) {
                try {
                    sso.listAccountAssignmentsPaginator(r -> r.instanceArn(ins).permissionSetArn(arn).accountId(account))
                            .forEach(p -> p.accountAssignments().forEach(a -> assignments.add(new AccountAssignment(
                                    a.accountId() == null ? account : a.accountId(), a.principalTypeAsString(),
                                    a.principalId(), principalName(a.principalTypeAsString(), a.principalId())))));
                } catch (SdkException e) {
                    fail("SSOAdmin.ListAccountAssignments", e);
                }
            }
            assignments.sort(Comparator.comparing(AccountAssignment::accountId)
                    .thenComparing(AccountAssignment::principalType).thenComparing(AccountAssignment::principalId));
            return new PermissionSet(arn, name, description, duration, inline, List.copyOf(managed), customer, boundary,
                    List.copyOf(provisioned), List.copyOf(outdated), assignments, own);
        }

        /** The user name or group display name, once per principal per run; null when unreadable. */
        private String principalName(String type, String id) {
            String key = type + ":" + id;
            if (names.containsKey(key)) {
                return names.get(key);
            }
            String storeId = instance.identityStoreId();
            String name = null;
            if (storeId != null) {
                try {
                    if ("GROUP".equals(type)) {
                        name = ids.describeGroup(r -> r.identityStoreId(storeId).groupId(id)).displayName();
                    } else if ("USER".equals(type)) {
                        name = ids.describeUser(r -> r.identityStoreId(storeId).userId(id)).userName();
                    }
                } catch (SdkException e) {
                    fail("GROUP".equals(type) ? "IdentityStore.DescribeGroup" : "IdentityStore.DescribeUser", e);
                }
            }
            names.put(key, blankToNull(name));
            return blankToNull(name);
        }

        private static CustomerManagedPolicyReference reference(
                software.amazon.awssdk.services.ssoadmin.model.CustomerManagedPolicyReference c) {
            return new CustomerManagedPolicyReference(c.name(), c.path() == null || c.path().isBlank() ? "/" : c.path());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
