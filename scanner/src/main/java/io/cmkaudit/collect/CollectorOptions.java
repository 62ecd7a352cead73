package io.cmkaudit.collect;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Settings of a collection run that are not user configuration: how the SDK behaves and which credentials the
 * scanner itself uses. {@link #defaults(String)} is right for real AWS.
 *
 * @param scannerVersion  version written to the snapshot's run metadata, e.g. {@code 0.1.0}; never null
 * @param sdkRetries      whether the SDK retries (adaptive mode); tests turn it off so emulator errors are fast
 * @param baseCredentials the scanner's own credentials, or null for the SDK's default chain (environment, profile,
 *                        container and instance roles)
 */
public record CollectorOptions(String scannerVersion, boolean sdkRetries, AwsCredentialsProvider baseCredentials) {

    public CollectorOptions {
        java.util.Objects.requireNonNull(scannerVersion, "scannerVersion");
    }

    /**
     * @param scannerVersion the scanner's version
     * @return options for real AWS: adaptive retries, default credential chain
     */
    public static CollectorOptions defaults(String scannerVersion) {
        return new CollectorOptions(scannerVersion, true, null);
    }
}
