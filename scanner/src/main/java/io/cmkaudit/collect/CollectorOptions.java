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
 * @param retryBudget     extra attempts, with jittered backoff, of {@code GetCallerIdentity} and the organization walk
 *                        when they are throttled or fail with HTTP 5xx beyond the SDK's own retries
 */
public record CollectorOptions(String scannerVersion, boolean sdkRetries, AwsCredentialsProvider baseCredentials,
                               RetryBudget retryBudget) {

    public CollectorOptions {
        java.util.Objects.requireNonNull(scannerVersion, "scannerVersion");
        java.util.Objects.requireNonNull(retryBudget, "retryBudget");
    }

    /**
     * Options with {@link RetryBudget#DEFAULT} when the SDK retries, else no extra attempts (tests against
     * emulators, where errors should be fast).
     *
     * @param scannerVersion  the scanner's version
     * @param sdkRetries      whether the SDK retries
     * @param baseCredentials the scanner's own credentials, or null for the default chain
     */
    public CollectorOptions(String scannerVersion, boolean sdkRetries, AwsCredentialsProvider baseCredentials) {
        this(scannerVersion, sdkRetries, baseCredentials, sdkRetries ? RetryBudget.DEFAULT
                : new RetryBudget(1, java.time.Duration.ZERO, java.time.Duration.ZERO));
    }

    /**
     * @param scannerVersion the scanner's version
     * @return options for real AWS: adaptive retries, default credential chain
     */
    public static CollectorOptions defaults(String scannerVersion) {
        return new CollectorOptions(scannerVersion, true, null);
    }
}
