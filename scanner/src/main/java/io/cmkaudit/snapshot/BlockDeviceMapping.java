package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * One EBS block device mapping of an instance.
 *
 * @param deviceName device name, e.g. {@code /dev/xvda}; never null
 * @param volumeId   EBS volume id, e.g. {@code vol-0abc...}; never null
 */
public record BlockDeviceMapping(String deviceName, String volumeId) {
    public BlockDeviceMapping {
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(volumeId, "volumeId");
    }
}
