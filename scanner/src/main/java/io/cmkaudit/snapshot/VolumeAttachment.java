package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * An attachment of an EBS volume to an instance.
 *
 * @param instanceId instance id; never null
 * @param device     device name, or null
 */
public record VolumeAttachment(String instanceId, String device) {
    public VolumeAttachment {
        Objects.requireNonNull(instanceId, "instanceId");
    }
}
