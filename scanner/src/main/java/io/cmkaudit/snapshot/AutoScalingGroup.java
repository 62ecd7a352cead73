package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * An EC2 Auto Scaling group from {@code DescribeAutoScalingGroups}
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html). Its launches call KMS as
 * its service-linked role ({@code ServiceLinkedRoleARN}), not as the principal that created the group
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 *
 * @param name                    group name; never null
 * @param arn                     group ARN, or null when not returned
 * @param serviceLinkedRoleArn    the service-linked role the group launches with, e.g.
 *                                {@code arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling};
 *                                null when not returned
 * @param launchConfigurationName launch configuration, or null
 * @param launchTemplate          launch template of the group, or null
 * @param mixedInstancesLaunchTemplate launch template of the mixed instances policy, or null
 * @param overrides               the mixed instances policy's overrides (each may name a template or an AMI)
 * @param onDemandPercentageAboveBaseCapacity mixed instances policy: percent of On-Demand above the base capacity
 *                                (below 100 means Spot capacity), or null without such a policy
 * @param warmPool                whether the group has a warm pool (its instances are started by the role)
 * @param instanceIds             ids of the group's instances, sorted
 * @param status                  {@code Delete in progress} while being deleted, else null
 */
public record AutoScalingGroup(String name, String arn, String serviceLinkedRoleArn, String launchConfigurationName,
                               LaunchTemplateRef launchTemplate, LaunchTemplateRef mixedInstancesLaunchTemplate,
                               List<LaunchTemplateOverride> overrides, Integer onDemandPercentageAboveBaseCapacity,
                               boolean warmPool, List<String> instanceIds, String status) {
    public AutoScalingGroup {
        Objects.requireNonNull(name, "name");
        overrides = Copies.list(overrides);
        instanceIds = Copies.list(instanceIds);
    }
}
