package io.cmkaudit.snapshot;

import java.time.Instant;
import java.util.Objects;

/**
 * A failed or cancelled scaling activity from {@code DescribeScalingActivities}
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Activity.html). AWS keeps activities for six weeks
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/CHAP_Troubleshooting.html); a launch that failed on a KMS key
 * says so in {@code statusMessage} or {@code description} (e.g. {@code Client.InternalError: Client error on launch},
 * {@code Client.InvalidKMSKey.InvalidState}).
 *
 * @param activityId           activity id; never null
 * @param autoScalingGroupName the group; never null
 * @param statusCode           {@code Failed} or {@code Cancelled}; never null
 * @param statusMessage        the reason (at most 255 characters), or null
 * @param description          e.g. {@code Launching a new EC2 instance. Status Reason: ...}, or null
 * @param cause                why the activity began, or null
 * @param startTime            start, or null
 * @param endTime              end, or null
 */
public record ScalingActivity(String activityId, String autoScalingGroupName, String statusCode, String statusMessage,
                              String description, String cause, Instant startTime, Instant endTime) {
    public ScalingActivity {
        Objects.requireNonNull(activityId, "activityId");
        Objects.requireNonNull(autoScalingGroupName, "autoScalingGroupName");
        Objects.requireNonNull(statusCode, "statusCode");
    }
}
