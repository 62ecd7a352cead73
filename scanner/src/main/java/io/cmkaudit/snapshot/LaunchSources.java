package io.cmkaudit.snapshot;

import java.util.List;

/**
 * What one account and region launches instances from, and what AWS recorded of failed launches: the input of the
 * launch-path analysis (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 * Every list is sorted by its natural id; a list whose read failed is empty and the account's coverage has a row
 * naming the call.
 *
 * @param autoScalingGroups      Auto Scaling groups, by name
 * @param scalingActivities      failed or cancelled scaling activities of the region's groups (newest first, at most
 *                               {@code LaunchReader}'s page budget), including deleted groups'
 * @param launchConfigurations   launch configurations, by name
 * @param launchTemplateVersions the default and latest version of every launch template and every pinned version a
 *                               launch source names, by template id then version number
 * @param images                 AMIs referenced by a launch source, by id
 * @param eksNodeGroups          EKS managed node groups, by cluster then name
 * @param ec2Fleets              EC2 Fleets ({@code maintain}/{@code request}), by id
 * @param spotFleetRequests      Spot Fleet requests, by id
 */
public record LaunchSources(List<AutoScalingGroup> autoScalingGroups, List<ScalingActivity> scalingActivities,
                            List<LaunchConfiguration> launchConfigurations,
                            List<LaunchTemplateVersion> launchTemplateVersions, List<MachineImage> images,
                            List<EksNodeGroup> eksNodeGroups, List<Ec2Fleet> ec2Fleets,
                            List<SpotFleetRequest> spotFleetRequests) {

    /** No launch sources. */
    public static final LaunchSources EMPTY = new LaunchSources(null, null, null, null, null, null, null, null);

    public LaunchSources {
        autoScalingGroups = Copies.list(autoScalingGroups);
        scalingActivities = Copies.list(scalingActivities);
        launchConfigurations = Copies.list(launchConfigurations);
        launchTemplateVersions = Copies.list(launchTemplateVersions);
        images = Copies.list(images);
        eksNodeGroups = Copies.list(eksNodeGroups);
        ec2Fleets = Copies.list(ec2Fleets);
        spotFleetRequests = Copies.list(spotFleetRequests);
    }

    /**
     * @return whether the region has any launch source (groups, configurations, templates, node groups, fleets)
     */
    public boolean hasSources() {
        return !autoScalingGroups.isEmpty() || !launchConfigurations.isEmpty() || !launchTemplateVersions.isEmpty()
                || !eksNodeGroups.isEmpty() || !ec2Fleets.isEmpty() || !spotFleetRequests.isEmpty();
    }

    /**
     * @param ref a launch template reference
     * @return the version it resolves to, if read
     */
    public java.util.Optional<LaunchTemplateVersion> version(LaunchTemplateRef ref) {
        return launchTemplateVersions.stream().filter(v -> v.matches(ref)).findFirst();
    }
}
