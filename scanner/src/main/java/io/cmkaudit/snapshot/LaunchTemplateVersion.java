package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One version of a launch template from {@code DescribeLaunchTemplateVersions} with {@code ResolveAlias}
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateVersion.html). The collector reads the
 * default and latest version of every template of the region and each pinned version a launch source names.
 *
 * @param launchTemplateId    {@code lt-...}; never null
 * @param launchTemplateName  template name, or null
 * @param versionNumber       version number (1 and up)
 * @param defaultVersion      whether it is the template's {@code $Default}
 * @param latestVersion       whether it is the template's {@code $Latest}
 * @param imageId             AMI id ({@code resolve:ssm:} parameters resolved), or null when the version names none
 * @param marketType          {@code spot} when the version requests Spot Instances, else null
 * @param blockDeviceMappings its block device mappings, in API order
 */
public record LaunchTemplateVersion(String launchTemplateId, String launchTemplateName, long versionNumber,
                                    boolean defaultVersion, boolean latestVersion, String imageId, String marketType,
                                    List<LaunchBlockDevice> blockDeviceMappings) {
    public LaunchTemplateVersion {
        Objects.requireNonNull(launchTemplateId, "launchTemplateId");
        blockDeviceMappings = Copies.list(blockDeviceMappings);
    }

    /**
     * @param ref a reference from a launch source
     * @return whether this version is the one the reference resolves to
     */
    public boolean matches(LaunchTemplateRef ref) {
        boolean template = launchTemplateId.equals(ref.launchTemplateId())
                || ref.launchTemplateId() == null && launchTemplateName != null
                && launchTemplateName.equals(ref.launchTemplateName());
        if (!template) {
            return false;
        }
        String v = ref.effectiveVersion();
        return switch (v) {
            case LaunchTemplateRef.DEFAULT -> defaultVersion;
            case LaunchTemplateRef.LATEST -> latestVersion;
            default -> Long.toString(versionNumber).equals(v);
        };
    }
}
