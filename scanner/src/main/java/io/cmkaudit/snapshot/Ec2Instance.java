package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An EC2 instance from {@code DescribeInstances}
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html). The attributes kept are those the
 * {@code ec2:StartInstances} request context uses
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
 *
 * @param instanceId           instance id, e.g. {@code i-0abc...}; never null
 * @param arn                  {@code arn:aws:ec2:<region>:<account>:instance/<id>} (built by the collector: the API
 *                             returns no ARN); never null
 * @param state                state name: pending, running, shutting-down, terminated, stopping, stopped; never null
 * @param stateReasonCode      state reason code, e.g. {@code Client.InternalError}, or null
 * @param stateReasonMessage   state reason message, or null
 * @param tags                 tags, key to value (sorted by key)
 * @param instanceType         e.g. {@code t3.micro}, or null
 * @param availabilityZone     e.g. {@code eu-west-1a}, or null
 * @param tenancy              {@code default}, {@code dedicated} or {@code host}, or null
 * @param ebsOptimized         whether EBS-optimized, or null when not reported
 * @param placementGroup       placement group name, or null
 * @param iamInstanceProfileArn instance profile ARN, or null
 * @param rootDeviceType       {@code ebs} or {@code instance-store}, or null
 * @param rootDeviceName       e.g. {@code /dev/xvda}, or null
 * @param blockDeviceMappings  EBS block device mappings
 * @param imageId              AMI the instance was launched from, or null
 * @param launchTime           launch time, or null (the time of a launch failure its state reason reports)
 * @param instanceLifecycle    {@code spot} or {@code capacity-block}; null for On-Demand
 */
public record Ec2Instance(String instanceId, String arn, String state, String stateReasonCode,
                          String stateReasonMessage, Map<String, String> tags, String instanceType,
                          String availabilityZone, String tenancy, Boolean ebsOptimized, String placementGroup,
                          String iamInstanceProfileArn, String rootDeviceType, String rootDeviceName,
                          List<BlockDeviceMapping> blockDeviceMappings, String imageId, java.time.Instant launchTime,
                          String instanceLifecycle) {
    public Ec2Instance {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(state, "state");
        tags = Copies.map(tags);
        blockDeviceMappings = Copies.list(blockDeviceMappings);
    }

    /**
     * An instance without image, launch time and lifecycle.
     *
     * @param instanceId            instance id
     * @param arn                   instance ARN
     * @param state                 state name
     * @param stateReasonCode       state reason code, or null
     * @param stateReasonMessage    state reason message, or null
     * @param tags                  tags
     * @param instanceType          type, or null
     * @param availabilityZone      zone, or null
     * @param tenancy               tenancy, or null
     * @param ebsOptimized          EBS-optimized, or null
     * @param placementGroup        placement group, or null
     * @param iamInstanceProfileArn instance profile, or null
     * @param rootDeviceType        root device type, or null
     * @param rootDeviceName        root device name, or null
     * @param blockDeviceMappings   EBS block device mappings
     */
    public Ec2Instance(String instanceId, String arn, String state, String stateReasonCode,
                       String stateReasonMessage, Map<String, String> tags, String instanceType,
                       String availabilityZone, String tenancy, Boolean ebsOptimized, String placementGroup,
                       String iamInstanceProfileArn, String rootDeviceType, String rootDeviceName,
                       List<BlockDeviceMapping> blockDeviceMappings) {
        this(instanceId, arn, state, stateReasonCode, stateReasonMessage, tags, instanceType, availabilityZone, tenancy,
                ebsOptimized, placementGroup, iamInstanceProfileArn, rootDeviceType, rootDeviceName,
                blockDeviceMappings, null, null, null);
    }

    /**
     * @return the {@code Name} tag, or null
     */
    public String name() {
        return tags.get("Name");
    }
}
