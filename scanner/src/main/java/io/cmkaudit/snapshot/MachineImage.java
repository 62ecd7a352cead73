package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * An AMI a launch source references, from {@code DescribeImages} in the launching account
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html): owned by the account, shared with it, or
 * public. The keys of its snapshots are in {@link EbsSnapshot} records of the owner's section.
 *
 * @param imageId             {@code ami-...}; never null
 * @param ownerId             owning account; never null
 * @param name                AMI name, or null
 * @param state               e.g. {@code available}, or null
 * @param rootDeviceName      root device, e.g. {@code /dev/xvda}, or null
 * @param blockDeviceMappings the AMI's block device mappings (their {@code kmsKeyId} is always null)
 */
public record MachineImage(String imageId, String ownerId, String name, String state, String rootDeviceName,
                           List<LaunchBlockDevice> blockDeviceMappings) {
    public MachineImage {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(ownerId, "ownerId");
        blockDeviceMappings = Copies.list(blockDeviceMappings);
    }
}
