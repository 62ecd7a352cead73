package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * A service control policy (SCP) or resource control policy (RCP) of the organization
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
 *
 * @param id         policy id, e.g. {@code p-FullAWSAccess} or {@code p-abcd1234}; never null
 * @param arn        policy ARN, or null when not returned
 * @param name       policy name; never null
 * @param document   the policy document as JSON text (possibly malformed); never null
 * @param awsManaged whether AWS manages it (e.g. {@code FullAWSAccess}, {@code RCPFullAWSAccess})
 * @param targetIds  ids of the root, OUs and accounts it is attached to, sorted
 */
public record OrgPolicy(String id, String arn, String name, String document, boolean awsManaged,
                        List<String> targetIds) {
    public OrgPolicy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(document, "document");
        targetIds = Copies.list(targetIds);
    }
}
