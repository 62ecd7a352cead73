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
 * @param ebsDefaultKmsKeyId     {@code GetEbsDefaultKmsKeyId} as returned (ARN or alias ARN), or null when unreadable
 * @param ebsDefaultKmsKeyArn    the key ARN the default resolves to, or null
 * @param instances              instances of every state, sorted by id
 * @param volumes                volumes, sorted by id
 * @param kmsKeys                KMS keys owned by this account in this region and referenced anywhere in the
 *                               snapshot, sorted by ARN
 */
public record RegionSnapshot(String region, Boolean ebsEncryptionByDefault, String ebsDefaultKmsKeyId,
                             String ebsDefaultKmsKeyArn, List<Ec2Instance> instances, List<EbsVolume> volumes,
                             List<KmsKey> kmsKeys) {
    public RegionSnapshot {
        Objects.requireNonNull(region, "region");
        instances = Copies.list(instances);
        volumes = Copies.list(volumes);
        kmsKeys = Copies.list(kmsKeys);
    }

    /**
     * @param volumeId a volume id
     * @return the volume of this region with that id, if any
     */
    public Optional<EbsVolume> volume(String volumeId) {
        return volumes.stream().filter(v -> v.volumeId().equals(volumeId)).findFirst();
    }
}
