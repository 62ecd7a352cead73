package io.cmkaudit.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An EC2 Fleet from {@code DescribeFleets} (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FleetData.html).
 * Fleets of type {@code maintain} and {@code request} launch as {@code AWSServiceRoleForEC2Fleet}; {@code instant}
 * fleets launch as their requester and appear only when asked for by id
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-fleet-prerequisites.html).
 *
 * @param fleetId                   {@code fleet-...}; never null
 * @param type                      {@code maintain}, {@code request} or {@code instant}, or null
 * @param state                     fleet state, e.g. {@code active}, or null
 * @param defaultTargetCapacityType {@code spot}, {@code on-demand} or {@code capacity-block}, or null
 * @param launchTemplateConfigs     its launch template configurations
 * @param errors                    launch errors the fleet recorded
 */
public record Ec2Fleet(String fleetId, String type, String state, String defaultTargetCapacityType,
                       List<FleetLaunchTemplate> launchTemplateConfigs, List<LaunchError> errors) {
    public Ec2Fleet {
        Objects.requireNonNull(fleetId, "fleetId");
        launchTemplateConfigs = Copies.list(launchTemplateConfigs);
        errors = Copies.list(errors);
    }

    /**
     * A launch error of a fleet (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFleetError.html).
     *
     * @param errorCode    e.g. {@code Client.InvalidKMSKey.InvalidState}; never null
     * @param errorMessage AWS's message, or null
     * @param time         when it was recorded, or null when the API gives no time
     */
    public record LaunchError(String errorCode, String errorMessage, Instant time) {
        public LaunchError {
            Objects.requireNonNull(errorCode, "errorCode");
        }
    }
}
