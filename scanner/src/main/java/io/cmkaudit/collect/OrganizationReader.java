package io.cmkaudit.collect;

import io.cmkaudit.snapshot.OrgAccount;
import io.cmkaudit.snapshot.OrgPolicy;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.OrganizationalUnit;
import io.cmkaudit.snapshot.ReadError;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.DescribeOrganizationResponse;
import software.amazon.awssdk.services.organizations.model.ListAccountsForParentResponse;
import software.amazon.awssdk.services.organizations.model.ListOrganizationalUnitsForParentResponse;
import software.amazon.awssdk.services.organizations.model.ListPoliciesResponse;
import software.amazon.awssdk.services.organizations.model.ListTargetsForPolicyResponse;
import software.amazon.awssdk.services.organizations.model.PolicySummary;
import software.amazon.awssdk.services.organizations.model.PolicyTargetSummary;
import software.amazon.awssdk.services.organizations.model.PolicyType;
import software.amazon.awssdk.services.organizations.model.PolicyTypeStatus;
import software.amazon.awssdk.services.organizations.model.PolicyTypeSummary;
import software.amazon.awssdk.services.organizations.model.Root;

/**
 * Reads the organization once, walking the tree breadth-first: {@code DescribeOrganization}, {@code ListRoots}, then
 * per container (root or OU) {@code ListOrganizationalUnitsForParent} and {@code ListAccountsForParent}; then for each
 * policy type enabled on the root {@code ListPolicies}, per policy {@code DescribePolicy}, and the targets in the
 * fewest calls the documented invariants allow (see {@link #policies}: no {@code ListTargetsForPolicy} for
 * RCPFullAWSAccess, and for FullAWSAccess only the entities that also have a custom SCP are asked)
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/).
 */
final class OrganizationReader {

    private final OrganizationsClient client;

    private final RetryBudget budget;

    /** The failure of the last walk, or null. */
    private AwsFailure lastFailure;

    OrganizationReader(OrganizationsClient client) {
        this(client, new RetryBudget(1, java.time.Duration.ZERO, java.time.Duration.ZERO));
    }

    /**
     * @param client the Organizations client of the scanner's own credentials
     * @param budget how often the walk is run again when a call is throttled or fails with HTTP 5xx
     */
    OrganizationReader(OrganizationsClient client, RetryBudget budget) {
        this.client = client;
        this.budget = budget;
    }

    /**
     * Reads the organization; a walk that a throttled or failing call (HTTP 5xx) interrupts is run again within the
     * {@link RetryBudget}, so a blip does not shrink the scan to the scanner's own account.
     *
     * @param callerAccountId the scanner's account, used when the organization can't be read
     * @return the organization, or one with {@link Organization#readError()} holding only the caller's account when
     *         Organizations answered definitely (denied, not in use)
     * @throws CollectException (transient) when Organizations still throttles or fails after the budget
     */
    Organization read(String callerAccountId) {
        for (int attempt = 1; ; attempt++) {
            lastFailure = null;
            Organization org = readOnce(callerAccountId);
            if (org.readable() || lastFailure == null || !lastFailure.transientFailure()) {
                return org;
            }
            if (attempt >= budget.attempts()) {
                throw new CollectException("AWS Organizations is throttling or failing (" + lastFailure.code()
                        + ") beyond " + attempt + " attempts: " + lastFailure.message() + "; the organization is "
                        + "needed to know what to scan: run again later", null, true);
            }
            budget.sleep(attempt);
        }
    }

    private Organization readOnce(String callerAccountId) {
        String op = "Organizations.DescribeOrganization";
        String orgId = null;
        String managementId = null;
        try {
            DescribeOrganizationResponse d = client.describeOrganization(r -> { });
            orgId = d.organization().id();
            managementId = d.organization().masterAccountId();
            op = "Organizations.ListRoots";
            List<Root> roots = new ArrayList<>();
            client.listRootsPaginator(r -> { }).forEach(p -> roots.addAll(p.roots()));
            if (roots.isEmpty()) {
                return unreadable(orgId, managementId, callerAccountId,
                        new ReadError(op, "NoRoot", op + ": the organization has no root"));
            }
            Root root = roots.get(0);
            List<String> enabledTypes = root.policyTypes().stream()
                    .filter(t -> t.status() == PolicyTypeStatus.ENABLED)
                    .map(PolicyTypeSummary::typeAsString).sorted().toList();

            List<OrganizationalUnit> ous = new ArrayList<>();
            List<OrgAccount> accounts = new ArrayList<>();
            Deque<String[]> containers = new ArrayDeque<>(); // {id, path}
            containers.add(new String[] {root.id(), "Root"});
            while (!containers.isEmpty()) {
                String[] c = containers.poll();
                op = "Organizations.ListOrganizationalUnitsForParent";
                for (ListOrganizationalUnitsForParentResponse page
                        : client.listOrganizationalUnitsForParentPaginator(r -> r.parentId(c[0]))) {
                    for (var ou : page.organizationalUnits()) {
                        String path = c[1] + "/" + ou.name();
                        ous.add(new OrganizationalUnit(ou.id(), ou.name(), c[0], path));
                        containers.add(new String[] {ou.id(), path});
                    }
                }
                op = "Organizations.ListAccountsForParent";
                for (ListAccountsForParentResponse page : client.listAccountsForParentPaginator(r -> r.parentId(c[0]))) {
                    for (Account a : page.accounts()) {
                        accounts.add(new OrgAccount(a.id(), a.name(), a.email(), status(a), c[0], c[1]));
                    }
                }
            }
            ous.sort(Comparator.comparing(OrganizationalUnit::path).thenComparing(OrganizationalUnit::id));
            accounts.sort(Comparator.comparing(OrgAccount::id));
            List<String> entities = new ArrayList<>();
            entities.add(root.id());
            ous.forEach(o -> entities.add(o.id()));
            accounts.forEach(a -> entities.add(a.id()));
            List<OrgPolicy> scps = enabledTypes.contains(Organization.SCP)
                    ? policies(PolicyType.SERVICE_CONTROL_POLICY, entities) : List.of();
            List<OrgPolicy> rcps = enabledTypes.contains(Organization.RCP)
                    ? policies(PolicyType.RESOURCE_CONTROL_POLICY, entities) : List.of();
            return new Organization(orgId, managementId, root.id(), enabledTypes, ous, accounts, scps, rcps, null);
        } catch (PolicyReadException e) {
            AwsFailure f = AwsFailure.of(e.operation, e.getCause());
            lastFailure = f;
            return unreadable(orgId, managementId, callerAccountId, new ReadError(f.operation(), f.code(), f.message()));
        } catch (SdkException e) {
            AwsFailure f = AwsFailure.of(op, e);
            lastFailure = f;
            return unreadable(orgId, managementId, callerAccountId, new ReadError(f.operation(), f.code(), f.message()));
        }
    }

    /** AWS managed policy names whose targets follow from documented invariants. */
    static final String FULL_AWS_ACCESS = "FullAWSAccess";
    static final String RCP_FULL_AWS_ACCESS = "RCPFullAWSAccess";

    /**
     * The policies of one type with their targets, in the fewest calls the documented invariants allow
     * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
     * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html):
     * <ul>
     *   <li>{@code RCPFullAWSAccess} "is automatically attached to the root, every OU, and every account" and can't be
     *       detached: its targets are every entity, no {@code ListTargetsForPolicy};</li>
     *   <li>{@code FullAWSAccess}, when it is the only AWS managed SCP: every entity must keep at least one SCP, so an
     *       entity without a custom SCP holds it. Only the entities that have a custom SCP are in doubt; they are asked
     *       with {@code ListPoliciesForTarget} (one call each) or, when that is more calls, by paging
     *       {@code ListTargetsForPolicy} of FullAWSAccess ({@code ⌈entities / 20⌉} calls);</li>
     *   <li>every other policy: {@code ListTargetsForPolicy}, all pages.</li>
     * </ul>
     */
    private List<OrgPolicy> policies(PolicyType type, List<String> entities) {
        List<OrgPolicy> out = new ArrayList<>();
        List<PolicySummary> summaries = new ArrayList<>();
        try {
            for (ListPoliciesResponse page : client.listPoliciesPaginator(r -> r.filter(type))) {
                summaries.addAll(page.policies());
            }
        } catch (SdkException e) {
            throw new PolicyReadException("Organizations.ListPolicies", e);
        }
        long awsManagedCount = summaries.stream().filter(p -> Boolean.TRUE.equals(p.awsManaged())).count();
        java.util.Map<String, List<String>> targetsOf = new java.util.HashMap<>();
        PolicySummary fullAccess = null;
        for (PolicySummary s : summaries) {
            boolean managed = Boolean.TRUE.equals(s.awsManaged());
            if (managed && type == PolicyType.RESOURCE_CONTROL_POLICY && RCP_FULL_AWS_ACCESS.equals(s.name())) {
                targetsOf.put(s.id(), new ArrayList<>(entities));
            } else if (managed && type == PolicyType.SERVICE_CONTROL_POLICY && FULL_AWS_ACCESS.equals(s.name())
                    && awsManagedCount == 1) {
                fullAccess = s;
            } else {
                targetsOf.put(s.id(), targets(s.id()));
            }
        }
        if (fullAccess != null) {
            java.util.Set<String> withCustom = new java.util.TreeSet<>();
            targetsOf.values().forEach(withCustom::addAll);
            List<String> targets = new ArrayList<>();
            entities.stream().filter(e -> !withCustom.contains(e)).forEach(targets::add);
            long pages = Math.max(1, (entities.size() + 19) / 20);
            if (withCustom.size() > pages) {
                targets = targets(fullAccess.id());
            } else {
                String fullId = fullAccess.id();
                for (String entity : withCustom) {
                    try {
                        boolean has = false;
                        for (var page : client.listPoliciesForTargetPaginator(r -> r.targetId(entity).filter(type))) {
                            has |= page.policies().stream().anyMatch(p -> p.id().equals(fullId));
                        }
                        if (has) {
                            targets.add(entity);
                        }
                    } catch (SdkException e) {
                        throw new PolicyReadException("Organizations.ListPoliciesForTarget", e);
                    }
                }
            }
            targetsOf.put(fullAccess.id(), targets);
        }
        for (PolicySummary s : summaries) {
            String content;
            try {
                content = client.describePolicy(r -> r.policyId(s.id())).policy().content();
            } catch (SdkException e) {
                throw new PolicyReadException("Organizations.DescribePolicy", e);
            }
            List<String> targets = new ArrayList<>(targetsOf.get(s.id()));
            targets.sort(Comparator.naturalOrder());
            out.add(new OrgPolicy(s.id(), s.arn(), s.name(), content == null ? "" : content,
                    Boolean.TRUE.equals(s.awsManaged()), targets));
        }
        out.sort(Comparator.comparing(OrgPolicy::id));
        return out;
    }

    private List<String> targets(String policyId) {
        List<String> targets = new ArrayList<>();
        try {
            for (ListTargetsForPolicyResponse page : client.listTargetsForPolicyPaginator(r -> r.policyId(policyId))) {
                page.targets().stream().map(PolicyTargetSummary::targetId).forEach(targets::add);
            }
        } catch (SdkException e) {
            throw new PolicyReadException("Organizations.ListTargetsForPolicy", e);
        }
        return targets;
    }

    private static String status(Account a) {
        String state = a.stateAsString();
        if (state != null && !state.isBlank()) {
            return state;
        }
        String status = a.statusAsString();
        return status == null ? "ACTIVE" : status;
    }

    private static Organization unreadable(String orgId, String managementId, String callerAccountId, ReadError error) {
        return new Organization(orgId, managementId, null, List.of(), List.of(),
                List.of(new OrgAccount(callerAccountId, null, null, "ACTIVE", null, null)), List.of(), List.of(), error);
    }

    /** Carries the failing operation of a policy read out of the lambda-free loops above. */
    private static final class PolicyReadException extends RuntimeException {
        final String operation;

        PolicyReadException(String operation, SdkException cause) {
            super(cause);
            this.operation = operation;
        }
    }
}
