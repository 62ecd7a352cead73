package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * One block device mapping of a launch template version, a launch configuration, a Spot Fleet launch specification
 * or an AMI, reduced to what decides the KMS key of the volume a launch creates
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateEbsBlockDevice.html,
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Ebs.html). Mappings without {@code Ebs} (instance
 * store, {@code NoDevice}) are kept so that they can suppress an AMI mapping of the same device.
 *
 * @param deviceName device name, e.g. {@code /dev/xvda}; never null
 * @param ebs        whether the mapping is an EBS volume (false: instance store or {@code NoDevice})
 * @param noDevice   whether the mapping removes the device ({@code NoDevice})
 * @param encrypted  {@code Ebs.Encrypted} as given, or null when not given
 * @param kmsKeyId   {@code Ebs.KmsKeyId} exactly as given (key id, key ARN, alias name or alias ARN), or null;
 *                   launch configurations and AMIs never carry one
 * @param kmsKeyArn  the key ARN {@code kmsKeyId} resolves to, or null when absent or unresolved
 * @param snapshotId {@code Ebs.SnapshotId}, or null
 */
public record LaunchBlockDevice(String deviceName, boolean ebs, boolean noDevice, Boolean encrypted, String kmsKeyId,
                                String kmsKeyArn, String snapshotId) {
    public LaunchBlockDevice {
        Objects.requireNonNull(deviceName, "deviceName");
    }
}
