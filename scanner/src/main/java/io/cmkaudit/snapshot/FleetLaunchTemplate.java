package io.cmkaudit.snapshot;

import java.util.List;

/**
 * A launch template configuration of an EC2 Fleet or a Spot Fleet
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FleetLaunchTemplateConfig.html).
 *
 * @param launchTemplate the template, or null when the configuration names none
 * @param overrides      its overrides (each may name an AMI)
 */
public record FleetLaunchTemplate(LaunchTemplateRef launchTemplate, List<LaunchTemplateOverride> overrides) {
    public FleetLaunchTemplate {
        overrides = Copies.list(overrides);
    }
}
