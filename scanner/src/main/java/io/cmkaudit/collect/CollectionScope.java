package io.cmkaudit.collect;

import io.cmkaudit.snapshot.Organization;
import java.util.List;
import java.util.Objects;

/**
 * What one shard of a sharded run collects: the organization as the plan recorded it (so Organizations is not
 * walked again) and the accounts of this shard.
 *
 * @param organization the organization from the plan; never null
 * @param accountIds   12-digit ids of the ACTIVE accounts this shard scans; never null, may be empty
 * @param label        how progress and messages name the shard, e.g. {@code shard 2/10}; never null
 */
public record CollectionScope(Organization organization, List<String> accountIds, String label) {

    /**
     * Error code of the {@code global} coverage entry (status {@code SKIPPED}) of a key-only section: an account of
     * the organization that another shard scans, listed only with the KMS keys this shard's volumes use. Merging
     * shards replaces it with that account's own section.
     */
    public static final String OTHER_SHARD = "OtherShard"; // same value as SnapshotMerger.OTHER_SHARD

    public CollectionScope {
        Objects.requireNonNull(organization, "organization");
        Objects.requireNonNull(label, "label");
        accountIds = List.copyOf(accountIds);
    }
}
