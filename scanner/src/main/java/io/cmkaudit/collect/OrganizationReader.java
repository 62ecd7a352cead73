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
 *
 * <p>The policy reads draw from other quota rows than the tree walk ({@code organizationsPolicies},
 * {@code organizationsDescribePolicy} vs {@code organizationsTree}), so they run at the same time as the walk on the
 * executor given; only FullAWSAccess's targets, which need every entity, wait for the walk. Each account is handed to
 * a listener as soon as its {@code ListAccountsForParent} page is in, so the caller can scan it while the walk goes on.
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
        this(client, budget, Runnable::run);
    }

    /**
     * @param client   the Organizations client of the scanner's own credentials
     * @param budget   how often the walk is run again when a call is throttled or fails with HTTP 5xx
     * @param parallel runs the policy reads alongside the tree walk ({@code Runnable::run}: one after the other)
     */
    OrganizationReader(OrganizationsClient client, RetryBudget budget, java.util.concurrent.Executor parallel) {
        this.client = client;
        this.budget = budget;
        this.parallel = parallel;
    }

    private final java.util.concurrent.Executor parallel;

    /** Receives each account as soon as the walk lists it (possibly again when a failed walk is run again). */
    interface AccountListener {
        /** A listener that ignores the accounts. */
        AccountListener NONE = a -> { };

        /**
         * @param account an account as listed, with its parent and path; called from the walking thread
         */
        void listed(OrgAccount account);
    }

    /**
     * Reads the organization without a listener.
     *
     * @param callerAccountId the scanner's account
     * @return see {@link #read(String, AccountListener)}
     */
    Organization read(String callerAccountId) {
        return read(callerAccountId, AccountListener.NONE);
    }

    /**
     * Reads the organization; a walk that a throttled or failing call (HTTP 5xx) interrupts is run again within the
     * {@link RetryBudget}, so a blip does not shrink the scan to the scanner's own account.
     *
     * @param callerAccountId the scanner's account, used when the organization can't be read
     * @param listener        gets every account as soon as it is listed (before the walk ends; again on a re-walk)
     * @return the organization, or one with {@link Organization#readError()} holding only the caller's account when
     *         Organizations answered definitely (denied, not in use)
     * @throws CollectException (transient) when Organizations still throttles or fails after the budget
     */
    Organization read(String callerAccountId, AccountListener listener) {
        for (int attempt = 1; ; attempt++) {
            lastFailure = null;
            Organization org = readOnce(callerAccountId, listener);
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

    private Organization readOnce(String callerAccountId, AccountListener listener) {
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

            // The policy reads that need no entity list start now, alongside the walk (other quota rows).
            java.util.concurrent.CompletableFuture<PendingPolicies> scpPending = enabledTypes.contains(Organization.SCP)
                    ? java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> listPolicies(PolicyType.SERVICE_CONTROL_POLICY), parallel) : null;
            java.util.concurrent.CompletableFuture<PendingPolicies> rcpPending = enabledTypes.contains(Organization.RCP)
                    ? java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> listPolicies(PolicyType.RESOURCE_CONTROL_POLICY), parallel) : null;
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
                        OrgAccount listed = new OrgAccount(a.id(), a.name(), a.email(), status(a), c[0], c[1]);
                        accounts.add(listed);
                        listener.listed(listed);
                    }
                }
            }
            ous.sort(Comparator.comparing(OrganizationalUnit::path).thenComparing(OrganizationalUnit::id));
            accounts.sort(Comparator.comparing(OrgAccount::id));
            List<String> entities = new ArrayList<>();
            entities.add(root.id());
            ous.forEach(o -> entities.add(o.id()));
            accounts.forEach(a -> entities.add(a.id()));
            List<OrgPolicy> scps = scpPending == null ? List.of() : policies(join(scpPending), entities);
            List<OrgPolicy> rcps = rcpPending == null ? List.of() : policies(join(rcpPending), entities);
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
     * The part of one policy type's read that needs no entity list: {@code ListPolicies}, {@code ListTargetsForPolicy}
     * of every policy whose targets don't follow from an invariant, and {@code DescribePolicy} of every policy.
     */
    private record PendingPolicies(PolicyType type, List<PolicySummary> summaries,
                                   java.util.Map<String, List<String>> targetsOf, PolicySummary fullAccess,
                                   java.util.Map<String, String> content, boolean allEntities) {
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private PendingPolicies listPolicies(PolicyType type) {
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
        String everyEntity = null;
        for (PolicySummary s : summaries) {
            boolean managed = Boolean.TRUE.equals(s.awsManaged());
            if (managed && type == PolicyType.RESOURCE_CONTROL_POLICY && RCP_FULL_AWS_ACCESS.equals(s.name())) {
                everyEntity = s.id();
            } else if (managed && type == PolicyType.SERVICE_CONTROL_POLICY && FULL_AWS_ACCESS.equals(s.name())
                    && awsManagedCount == 1) {
                fullAccess = s;
            } else {
                targetsOf.put(s.id(), targets(s.id()));
            }
        }
        java.util.Map<String, String> content = new java.util.HashMap<>();
        for (PolicySummary s : summaries) {
            try {
                String c = client.describePolicy(r -> r.policyId(s.id())).policy().content();
                content.put(s.id(), c == null ? "" : c);
            } catch (SdkException e) {
                throw new PolicyReadException("Organizations.DescribePolicy", e);
            }
        }
        if (everyEntity != null) {
            targetsOf.put(everyEntity, null); // filled with every entity once the walk is done
        }
        return new PendingPolicies(type, summaries, targetsOf, fullAccess, content, everyEntity != null);
    }

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
     * Calls per type: 1 {@code ListPolicies} (per 20 policies), 1 {@code DescribePolicy} per policy, 1
     * {@code ListTargetsForPolicy} per 20 targets of each other policy, and for FullAWSAccess
     * {@code min(E, ⌈entities / 20⌉)} with E the entities that have a custom SCP.
     */
    private List<OrgPolicy> policies(PendingPolicies pending, List<String> entities) {
        PolicyType type = pending.type();
        java.util.Map<String, List<String>> targetsOf = new java.util.HashMap<>(pending.targetsOf());
        targetsOf.replaceAll((id, t) -> t == null ? new ArrayList<>(entities) : t);
        PolicySummary fullAccess = pending.fullAccess();
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
        List<OrgPolicy> out = new ArrayList<>();
        for (PolicySummary s : pending.summaries()) {
            List<String> targets = new ArrayList<>(targetsOf.get(s.id()));
            targets.sort(Comparator.naturalOrder());
            out.add(new OrgPolicy(s.id(), s.arn(), s.name(), pending.content().get(s.id()),
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
