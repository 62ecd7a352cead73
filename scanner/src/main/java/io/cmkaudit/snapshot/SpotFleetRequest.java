package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * A Spot Fleet request from {@code DescribeSpotFleetRequests}
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotFleetRequestConfigData.html). Its launches call KMS
 * as {@code AWSServiceRoleForEC2SpotFleet}; {@code iamFleetRole} is an ordinary service role, not a KMS caller
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-prerequisites.html).
 *
 * @param spotFleetRequestId    {@code sfr-...}; never null
 * @param state                 request state, e.g. {@code active}, or null
 * @param iamFleetRole          the fleet role ARN, or null
 * @param launchTemplateConfigs launch template configurations
 * @param launchSpecifications  launch specifications (without launch templates)
 */
public record SpotFleetRequest(String spotFleetRequestId, String state, String iamFleetRole,
                               List<FleetLaunchTemplate> launchTemplateConfigs,
                               List<LaunchSpecification> launchSpecifications) {
    public SpotFleetRequest {
        Objects.requireNonNull(spotFleetRequestId, "spotFleetRequestId");
        launchTemplateConfigs = Copies.list(launchTemplateConfigs);
        launchSpecifications = Copies.list(launchSpecifications);
    }

    /**
     * A launch specification of a Spot Fleet
     * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotFleetLaunchSpecification.html).
     *
     * @param imageId             AMI id, or null
     * @param instanceType        instance type, or null
     * @param blockDeviceMappings block device mappings, in API order
     */
    public record LaunchSpecification(String imageId, String instanceType, List<LaunchBlockDevice> blockDeviceMappings) {
        public LaunchSpecification {
            blockDeviceMappings = Copies.list(blockDeviceMappings);
        }
    }
}
