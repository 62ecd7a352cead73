package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Everything one collection run read from an AWS Organization: the input of the analysis. Immutable; read and
 * written as JSON by {@link SnapshotJson}; the format is documented in {@code docs/snapshot-format.md}.
 *
 * @param schemaVersion      format version, {@link #SCHEMA_VERSION} for snapshots this scanner writes
 * @param run                run metadata; never null
 * @param organization       the organization; never null
 * @param accounts           one entry per account read or reported on, sorted by account id
 * @param awsManagedPolicies every AWS managed policy attached to any user, group or role (or used as a boundary)
 *                           in any account, by ARN, stored once per snapshot
 * @param identityCenter     IAM Identity Center (permission sets, provisioning, assignments), or null when it was
 *                           not collected (a snapshot of format version 1, or one built without it)
 */
public record Snapshot(int schemaVersion, RunMetadata run, Organization organization, List<AccountSnapshot> accounts,
                       Map<String, ManagedPolicy> awsManagedPolicies, IdentityCenter identityCenter) {

    /** The format version this scanner writes. */
    public static final int SCHEMA_VERSION = 2;

    /**
     * The format versions this scanner reads: 2, and 1 (the same without {@code identityCenter}, which then reads as
     * not collected).
     */
    public static final java.util.Set<Integer> READABLE_VERSIONS = java.util.Set.of(1, 2);

    public Snapshot {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(organization, "organization");
        accounts = Copies.list(accounts);
        awsManagedPolicies = Copies.map(awsManagedPolicies);
    }

    /**
     * A snapshot in the current format version.
     *
     * @param run                run metadata
     * @param organization       the organization
     * @param accounts           accounts
     * @param awsManagedPolicies AWS managed policies by ARN
     */
    public Snapshot(RunMetadata run, Organization organization, List<AccountSnapshot> accounts,
                    Map<String, ManagedPolicy> awsManagedPolicies) {
        this(SCHEMA_VERSION, run, organization, accounts, awsManagedPolicies, null);
    }

    /**
     * A snapshot in the current format version, with IAM Identity Center.
     *
     * @param run                run metadata
     * @param organization       the organization
     * @param accounts           accounts
     * @param awsManagedPolicies AWS managed policies by ARN
     * @param identityCenter     IAM Identity Center, or null when not collected
     */
    public Snapshot(RunMetadata run, Organization organization, List<AccountSnapshot> accounts,
                    Map<String, ManagedPolicy> awsManagedPolicies, IdentityCenter identityCenter) {
        this(SCHEMA_VERSION, run, organization, accounts, awsManagedPolicies, identityCenter);
    }

    /**
     * @param replacement the new accounts
     * @return this snapshot with other accounts, everything else kept
     */
    public Snapshot withAccounts(List<AccountSnapshot> replacement) {
        return new Snapshot(schemaVersion, run, organization, replacement, awsManagedPolicies, identityCenter);
    }

    /**
     * @param replacement the new run metadata; never null
     * @return this snapshot with it, everything else kept
     */
    public Snapshot withRun(RunMetadata replacement) {
        return new Snapshot(schemaVersion, replacement, organization, accounts, awsManagedPolicies, identityCenter);
    }

    /**
     * @param replacement the new IAM Identity Center section, or null
     * @return this snapshot with it, everything else kept
     */
    public Snapshot withIdentityCenter(IdentityCenter replacement) {
        return new Snapshot(replacement == null ? schemaVersion : SCHEMA_VERSION, run, organization, accounts,
                awsManagedPolicies, replacement);
    }

    /**
     * @param accountId a 12-digit account id
     * @return that account's section, if any
     */
    public Optional<AccountSnapshot> account(String accountId) {
        return accounts.stream().filter(a -> a.accountId().equals(accountId)).findFirst();
    }

    /**
     * Finds a KMS key by its ARN in the section of the account and region that own it.
     *
     * @param keyArn full key ARN
     * @return the key, if collected
     */
    public Optional<KmsKey> kmsKey(String keyArn) {
        return allKmsKeys().filter(k -> k.arn().equals(keyArn)).findFirst();
    }

    /**
     * @return every KMS key of every account and region
     */
    public Stream<KmsKey> allKmsKeys() {
        return accounts.stream().flatMap(a -> a.regions().stream()).flatMap(r -> r.kmsKeys().stream());
    }

    /**
     * Looks a managed policy up by ARN: AWS managed ones in {@link #awsManagedPolicies()}, customer managed ones in
     * the owning account's IAM section.
     *
     * @param policyArn policy ARN
     * @return the policy, if collected
     */
    public Optional<ManagedPolicy> managedPolicy(String policyArn) {
        ManagedPolicy aws = awsManagedPolicies.get(policyArn);
        if (aws != null) {
            return Optional.of(aws);
        }
        return accounts.stream().flatMap(a -> a.iam().customerManagedPolicies().stream())
                .filter(p -> p.arn().equals(policyArn)).findFirst();
    }
}
