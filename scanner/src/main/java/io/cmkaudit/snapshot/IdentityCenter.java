package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the collector read of IAM Identity Center: the organization instance, its permission sets, where each is
 * provisioned and who is assigned to it. Read from the scanner's own account (the management account or the
 * Identity Center delegated administrator) in the instance's home region
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html). Each permission set
 * becomes an IAM role {@code AWSReservedSSO_<permission set name>_<suffix>} under the path
 * {@code /aws-reserved/sso.amazonaws.com/} in every account it is provisioned to; those roles are in the accounts'
 * {@link IamSnapshot}s like any other role.
 *
 * @param accountId  the account it was read from (the scanner's own account); never null
 * @param homeRegion the region holding the instance, e.g. {@code eu-west-1}; null when no instance was found
 * @param status     how far it was read: {@link CoverageStatus#SCANNED}, {@link CoverageStatus#PARTIAL} (some calls
 *                   failed: see {@code readErrors} and {@link PermissionSet#readErrors()}),
 *                   {@link CoverageStatus#SKIPPED} (no instance in any region probed: Identity Center is not in use,
 *                   or the account is neither the management account nor the delegated administrator), or
 *                   {@link CoverageStatus#ERROR} (the instances could not be listed); never null
 * @param readErrors the calls that failed, first failure first (empty when {@code SCANNED})
 * @param instances  the instances, sorted by ARN
 */
public record IdentityCenter(String accountId, String homeRegion, CoverageStatus status, List<ReadError> readErrors,
                             List<IdentityCenterInstance> instances) {

    /** The IAM path prefix of the roles Identity Center creates for permission sets. */
    public static final String RESERVED_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/";
    /** The name prefix of those roles. */
    public static final String RESERVED_ROLE_PREFIX = "AWSReservedSSO_";

    public IdentityCenter {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(status, "status");
        readErrors = Copies.list(readErrors);
        instances = Copies.list(instances);
    }

    /**
     * @return every permission set of every instance
     */
    public Stream<PermissionSet> permissionSets() {
        return instances.stream().flatMap(i -> i.permissionSets().stream());
    }

    /**
     * @param permissionSetArn a permission set ARN
     * @return that permission set, if read
     */
    public Optional<PermissionSet> permissionSet(String permissionSetArn) {
        return permissionSets().filter(p -> p.arn().equals(permissionSetArn)).findFirst();
    }

    /**
     * Whether an IAM role is one Identity Center created for a permission set: its path starts with
     * {@link #RESERVED_ROLE_PATH} (optionally followed by the instance's region, e.g.
     * {@code /aws-reserved/sso.amazonaws.com/eu-west-2/}) and its name is
     * {@code AWSReservedSSO_<permission set name>_<suffix>}
     * (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html).
     *
     * @param path role path, may be null
     * @param name role name, may be null
     * @return whether the role is an Identity Center reserved role
     */
    public static boolean isReservedRole(String path, String name) {
        return path != null && name != null && path.startsWith(RESERVED_ROLE_PATH)
                && permissionSetNameOf(name) != null;
    }

    /**
     * The permission set name inside a reserved role's name: what lies between {@code AWSReservedSSO_} and the last
     * {@code _} (permission set names may themselves contain {@code _}).
     *
     * @param roleName role name
     * @return the permission set name, or null when the name does not have that shape
     */
    public static String permissionSetNameOf(String roleName) {
        if (roleName == null || !roleName.startsWith(RESERVED_ROLE_PREFIX)) {
            return null;
        }
        int last = roleName.lastIndexOf('_');
        if (last <= RESERVED_ROLE_PREFIX.length() || last == roleName.length() - 1) {
            return null;
        }
        return roleName.substring(RESERVED_ROLE_PREFIX.length(), last);
    }
}
