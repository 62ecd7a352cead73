package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * An EBS volume from {@code DescribeVolumes} (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Volume.html).
 *
 * @param volumeId    volume id; never null
 * @param encrypted   whether the volume is encrypted
 * @param kmsKeyId    the {@code KmsKeyId} exactly as EC2 returned it (a key ARN on AWS; a key id, alias or ARN
 *                    elsewhere), or null when not encrypted
 * @param kmsKeyArn   the full key ARN {@code arn:aws:kms:<region>:<account>:key/<key-id>} it resolves to, or null
 *                    (not encrypted, or an alias that could not be resolved)
 * @param state       e.g. {@code in-use}, {@code available}, or null
 * @param attachments the instances it is attached to
 */
public record EbsVolume(String volumeId, boolean encrypted, String kmsKeyId, String kmsKeyArn, String state,
                        List<VolumeAttachment> attachments) {
    public EbsVolume {
        Objects.requireNonNull(volumeId, "volumeId");
        attachments = Copies.list(attachments);
    }
}
