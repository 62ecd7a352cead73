package io.cmkaudit.snapshot;

/**
 * An override of a mixed instances policy or of a fleet's launch template configuration
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplateOverrides.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FleetLaunchTemplateOverrides.html): it may name its own
 * launch template and its own AMI.
 *
 * @param instanceType   instance type, or null
 * @param imageId        AMI id replacing the template's, or null
 * @param launchTemplate launch template replacing the group's, or null
 */
public record LaunchTemplateOverride(String instanceType, String imageId, LaunchTemplateRef launchTemplate) {
}
