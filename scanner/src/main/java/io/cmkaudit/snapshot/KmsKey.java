package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A KMS key referenced by an EBS volume or by an EBS default, stored in the region section of the account that owns
 * it (https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html). The collector reads
 * {@code DescribeKey}, {@code GetKeyPolicy}, {@code ListGrants}, {@code ListAliases} and {@code ListResourceTags};
 * a field whose call failed is null (lists empty) and {@link #readError()} names the first failure.
 *
 * @param arn         key ARN {@code arn:aws:kms:<region>:<account>:key/<key-id>}; never null
 * @param keyId       key id (a UUID, or {@code mrk-...} for multi-Region keys); never null
 * @param accountId   owning account; never null
 * @param region      the key's region; never null
 * @param keyManager  {@code CUSTOMER} or {@code AWS}, or null when unreadable
 * @param keyState    e.g. {@code Enabled}, {@code Disabled}, {@code PendingDeletion}, {@code PendingImport},
 *                    {@code Unavailable}, or null when unreadable
 * @param origin      {@code AWS_KMS}, {@code EXTERNAL}, {@code AWS_CLOUDHSM}, {@code EXTERNAL_KEY_STORE}, or null
 * @param multiRegion whether the key is multi-Region, or null when unreadable
 * @param keyPolicy   the {@code default} key policy as JSON text (possibly malformed), or null when unreadable
 * @param grants      the key's grants (empty when none or unreadable)
 * @param aliases     alias names pointing at the key, e.g. {@code alias/app-data}, sorted
 * @param tags        tags, key to value (sorted by key)
 * @param readError   the first failure while reading the key, or null when everything was read
 */
public record KmsKey(String arn, String keyId, String accountId, String region, String keyManager, String keyState,
                     String origin, Boolean multiRegion, String keyPolicy, List<KmsGrant> grants,
                     List<String> aliases, Map<String, String> tags, ReadError readError) {
    public KmsKey {
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(region, "region");
        grants = Copies.list(grants);
        aliases = Copies.list(aliases);
        tags = Copies.map(tags);
    }
}
