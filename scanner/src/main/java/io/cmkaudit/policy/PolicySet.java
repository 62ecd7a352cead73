package io.cmkaudit.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Every policy that takes part in one request's evaluation. Immutable; build one with {@link #builder()} and reuse
 * it for any number of evaluations.
 *
 * @param identity                    the principal's identity policies (its own, and its groups' for a user); never null
 * @param permissionsBoundary         the principal's permissions boundary, or null
 * @param session                     the session policy of a role or federated-user session, or null
 * @param scpLevels                   SCPs of the principal's account, one list per level root → OUs → account; empty
 *                                    when the account is not in an organization (no SCPs apply); never null
 * @param rcpLevels                   RCPs of the resource's account, one list per level; empty when RCPs do not
 *                                    apply (resource account outside an organization, or RCPs not enabled); never null
 * @param resourcePolicy              the resource-based policy (for a KMS key: its key policy), or null
 * @param grants                      KMS grants on the key; never null
 * @param keyState                    the KMS key state ({@code Enabled}, {@code Disabled}, {@code PendingDeletion},
 *                                    ...), or null when unknown or not a KMS key
 * @param resourceInManagementAccount the resource belongs to the organization's management account (RCPs do not
 *                                    apply)
 * @param awsManagedKey               the resource is an AWS managed KMS key such as {@code aws/ebs} (RCPs do not apply)
 */
public record PolicySet(List<Policy> identity, Policy permissionsBoundary, Policy session, List<List<Policy>> scpLevels,
        List<List<Policy>> rcpLevels, Policy resourcePolicy, List<Grant> grants, String keyState,
        boolean resourceInManagementAccount, boolean awsManagedKey) {

    /** Copies the lists. */
    public PolicySet {
        identity = List.copyOf(identity);
        scpLevels = copyLevels(scpLevels);
        rcpLevels = copyLevels(rcpLevels);
        grants = List.copyOf(grants);
    }

    private static List<List<Policy>> copyLevels(List<List<Policy>> levels) {
        List<List<Policy>> out = new ArrayList<>(levels.size());
        for (List<Policy> l : levels) {
            out.add(List.copyOf(l));
        }
        return List.copyOf(out);
    }

    /** @return a builder with every layer empty */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from this set's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.identity.addAll(identity);
        b.permissionsBoundary = permissionsBoundary;
        b.session = session;
        b.scpLevels.addAll(scpLevels);
        b.rcpLevels.addAll(rcpLevels);
        b.resourcePolicy = resourcePolicy;
        b.grants.addAll(grants);
        b.keyState = keyState;
        b.resourceInManagementAccount = resourceInManagementAccount;
        b.awsManagedKey = awsManagedKey;
        return b;
    }

    /** Builder of a {@link PolicySet}; not thread-safe. */
    public static final class Builder {
        private final List<Policy> identity = new ArrayList<>();
        private Policy permissionsBoundary;
        private Policy session;
        private final List<List<Policy>> scpLevels = new ArrayList<>();
        private final List<List<Policy>> rcpLevels = new ArrayList<>();
        private Policy resourcePolicy;
        private final List<Grant> grants = new ArrayList<>();
        private String keyState;
        private boolean resourceInManagementAccount;
        private boolean awsManagedKey;

        private Builder() {
        }

        /** Adds identity policies. @return this builder */
        public Builder identity(Policy... policies) {
            identity.addAll(List.of(policies));
            return this;
        }

        /** Adds identity policies. @return this builder */
        public Builder identity(List<Policy> policies) {
            identity.addAll(policies);
            return this;
        }

        /** Sets the permissions boundary (null for none). @return this builder */
        public Builder permissionsBoundary(Policy policy) {
            this.permissionsBoundary = policy;
            return this;
        }

        /** Sets the session policy (null for none). @return this builder */
        public Builder session(Policy policy) {
            this.session = policy;
            return this;
        }

        /** Appends one SCP level (root first). @return this builder */
        public Builder scpLevel(Policy... policies) {
            scpLevels.add(List.of(policies));
            return this;
        }

        /** Sets all SCP levels (root first). @return this builder */
        public Builder scpLevels(List<List<Policy>> levels) {
            scpLevels.clear();
            scpLevels.addAll(levels);
            return this;
        }

        /** Appends one RCP level (root first). @return this builder */
        public Builder rcpLevel(Policy... policies) {
            rcpLevels.add(List.of(policies));
            return this;
        }

        /** Sets all RCP levels (root first). @return this builder */
        public Builder rcpLevels(List<List<Policy>> levels) {
            rcpLevels.clear();
            rcpLevels.addAll(levels);
            return this;
        }

        /** Sets the resource-based policy / key policy (null for none). @return this builder */
        public Builder resourcePolicy(Policy policy) {
            this.resourcePolicy = policy;
            return this;
        }

        /** Adds grants. @return this builder */
        public Builder grants(List<Grant> grants) {
            this.grants.addAll(grants);
            return this;
        }

        /** Adds a grant. @return this builder */
        public Builder grant(Grant grant) {
            this.grants.add(grant);
            return this;
        }

        /** Sets the key state (null when unknown). @return this builder */
        public Builder keyState(String keyState) {
            this.keyState = keyState;
            return this;
        }

        /** Marks the resource as owned by the management account. @return this builder */
        public Builder resourceInManagementAccount(boolean value) {
            this.resourceInManagementAccount = value;
            return this;
        }

        /** Marks the resource as an AWS managed key. @return this builder */
        public Builder awsManagedKey(boolean value) {
            this.awsManagedKey = value;
            return this;
        }

        /** @return the immutable policy set */
        public PolicySet build() {
            return new PolicySet(identity, permissionsBoundary, session, scpLevels, rcpLevels, resourcePolicy, grants,
                    keyState, resourceInManagementAccount, awsManagedKey);
        }
    }
}
