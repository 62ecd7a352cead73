package io.cmkaudit.snapshot;

/**
 * A reference to a launch template version as a launch source names it: an Auto Scaling group, a mixed instances
 * policy override, an EC2 Fleet, a Spot Fleet or an EKS managed node group
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplateSpecification.html). At least one of
 * id and name is set.
 *
 * @param launchTemplateId   {@code lt-...}, or null when only the name was given
 * @param launchTemplateName the template name, or null when only the id was given
 * @param version            as given: a version number ({@code "3"}), {@code $Latest} or {@code $Default}; null when
 *                           not given, which AWS treats as {@code $Default}
 */
public record LaunchTemplateRef(String launchTemplateId, String launchTemplateName, String version) {

    /** The version AWS uses when a reference names none. */
    public static final String DEFAULT = "$Default";
    /** The newest version of a template. */
    public static final String LATEST = "$Latest";

    /**
     * @return {@link #version()}, or {@link #DEFAULT} when none was given
     */
    public String effectiveVersion() {
        return version == null || version.isBlank() ? DEFAULT : version;
    }

    /**
     * @return whether {@link #effectiveVersion()} is a version number rather than {@code $Latest}/{@code $Default}
     */
    public boolean pinned() {
        return effectiveVersion().chars().allMatch(Character::isDigit);
    }
}
