package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * An EKS managed node group from {@code DescribeNodegroup}
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html). Its nodes are launched by the Auto Scaling
 * groups EKS manages in the account ({@code autoScalingGroupNames}), so their launches are Auto Scaling launches
 * (https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html).
 *
 * @param clusterName           EKS cluster; never null
 * @param nodegroupName         node group name; never null
 * @param arn                   node group ARN, or null
 * @param status                e.g. {@code ACTIVE}, {@code DEGRADED}, or null
 * @param capacityType          {@code ON_DEMAND}, {@code SPOT} or {@code CAPACITY_BLOCK}, or null
 * @param nodeRole              the nodes' IAM role ARN (not a KMS caller at launch), or null
 * @param launchTemplate        the custom launch template the node group was created with, or null
 * @param autoScalingGroupNames the Auto Scaling groups behind the node group, sorted
 * @param healthIssues          current health issues (e.g. {@code AsgInstanceLaunchFailures})
 */
public record EksNodeGroup(String clusterName, String nodegroupName, String arn, String status, String capacityType,
                           String nodeRole, LaunchTemplateRef launchTemplate, List<String> autoScalingGroupNames,
                           List<HealthIssue> healthIssues) {
    public EksNodeGroup {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(nodegroupName, "nodegroupName");
        autoScalingGroupNames = Copies.list(autoScalingGroupNames);
        healthIssues = Copies.list(healthIssues);
    }

    /**
     * A node group health issue (https://docs.aws.amazon.com/eks/latest/APIReference/API_Issue.html).
     *
     * @param code        e.g. {@code AsgInstanceLaunchFailures}; never null
     * @param message     AWS's message (for launch failures it embeds the Auto Scaling reason), or null
     * @param resourceIds affected resources, e.g. Auto Scaling group names
     */
    public record HealthIssue(String code, String message, List<String> resourceIds) {
        public HealthIssue {
            Objects.requireNonNull(code, "code");
            resourceIds = Copies.list(resourceIds);
        }
    }
}
