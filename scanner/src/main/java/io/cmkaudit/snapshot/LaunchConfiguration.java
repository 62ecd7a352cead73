package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * A launch configuration from {@code DescribeLaunchConfigurations}
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchConfiguration.html). Its block device mappings
 * can ask for encryption but cannot name a key, so its volumes use the AMI snapshot's key or the EBS default key
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Ebs.html).
 *
 * @param name                launch configuration name; never null
 * @param arn                 its ARN, or null
 * @param imageId             AMI id, or null
 * @param spotPrice           maximum Spot price when the configuration launches Spot Instances, else null
 * @param blockDeviceMappings its block device mappings, in API order
 */
public record LaunchConfiguration(String name, String arn, String imageId, String spotPrice,
                                  List<LaunchBlockDevice> blockDeviceMappings) {
    public LaunchConfiguration {
        Objects.requireNonNull(name, "name");
        blockDeviceMappings = Copies.list(blockDeviceMappings);
    }
}
