package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * An EBS snapshot behind an AMI a launch source uses, read with {@code DescribeSnapshots} in the account that owns it
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html), stored in that owner's region section
 * like a {@link KmsKey}. Sharing an AMI does not share its snapshots, so the launching account usually can't see the
 * key of a shared AMI; the owner's session can when the owner is in the organization.
 *
 * @param snapshotId snapshot id; never null
 * @param ownerId    owning account; never null
 * @param region     region; never null
 * @param encrypted  whether encrypted, or null when unreadable
 * @param kmsKeyId   {@code KmsKeyId} as returned (a key ARN), or null when unencrypted or unreadable
 * @param kmsKeyArn  the key ARN it resolves to, or null
 * @param readError  why it could not be read (owner outside the organization, role not assumable, not found), or null
 */
public record EbsSnapshot(String snapshotId, String ownerId, String region, Boolean encrypted, String kmsKeyId,
                          String kmsKeyArn, ReadError readError) {
    public EbsSnapshot {
        Objects.requireNonNull(snapshotId, "snapshotId");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(region, "region");
    }
}
