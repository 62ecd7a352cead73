package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What was read in one account and region. A region section may also exist only to hold KMS keys of this account
 * that volumes of other accounts reference (its coverage says whether the region itself was scanned).
 *
 * @param region                 region name, e.g. {@code eu-west-1}; never null
 * @param ebsEncryptionByDefault {@code GetEbsEncryptionByDefault}, or null when unreadable / not read
 * @param ebsDefaultKmsKeyId     {@code GetEbsDefaultKmsKeyId} as returned (ARN, alias ARN or {@code alias/aws/ebs}),
 *                               read whether encryption by default is on or off; null when unreadable
 * @param ebsDefaultKmsKeyArn    the key ARN the default resolves to, or null
 * @param instances              instances of every state, sorted by id
 * @param volumes                volumes, sorted by id
 * @param kmsKeys                KMS keys owned by this account in this region and referenced anywhere in the
 *                               snapshot, sorted by ARN
 * @param ebsSnapshots           EBS snapshots owned by this account in this region that an AMI used by a launch
 *                               source (of any account) references, sorted by id
 * @param launch                 launch sources of this account and region; never null ({@link LaunchSources#EMPTY})
 */
public record RegionSnapshot(String region, Boolean ebsEncryptionByDefault, String ebsDefaultKmsKeyId,
                             String ebsDefaultKmsKeyArn, List<Ec2Instance> instances, List<EbsVolume> volumes,
                             List<KmsKey> kmsKeys, List<EbsSnapshot> ebsSnapshots, LaunchSources launch) {
    public RegionSnapshot {
        Objects.requireNonNull(region, "region");
        instances = Copies.list(instances);
        volumes = Copies.list(volumes);
        kmsKeys = Copies.list(kmsKeys);
        ebsSnapshots = Copies.list(ebsSnapshots);
        launch = launch == null ? LaunchSources.EMPTY : launch;
    }

    /**
     * A region section without launch data.
     *
     * @param region                 region name
     * @param ebsEncryptionByDefault encryption by default, or null
     * @param ebsDefaultKmsKeyId     default key as returned, or null
     * @param ebsDefaultKmsKeyArn    default key ARN, or null
     * @param instances              instances
     * @param volumes                volumes
     * @param kmsKeys                keys
     */
    public RegionSnapshot(String region, Boolean ebsEncryptionByDefault, String ebsDefaultKmsKeyId,
                          String ebsDefaultKmsKeyArn, List<Ec2Instance> instances, List<EbsVolume> volumes,
                          List<KmsKey> kmsKeys) {
        this(region, ebsEncryptionByDefault, ebsDefaultKmsKeyId, ebsDefaultKmsKeyArn, instances, volumes, kmsKeys,
                List.of(), LaunchSources.EMPTY);
    }

    /**
     * @param snapshotId an EBS snapshot id
     * @return the snapshot of this region with that id, if collected here
     */
    public Optional<EbsSnapshot> ebsSnapshot(String snapshotId) {
        return ebsSnapshots.stream().filter(s -> s.snapshotId().equals(snapshotId)).findFirst();
    }

    /**
     * @param volumeId a volume id
     * @return the volume of this region with that id, if any
     */
    public Optional<EbsVolume> volume(String volumeId) {
        return volumes.stream().filter(v -> v.volumeId().equals(volumeId)).findFirst();
    }
}
