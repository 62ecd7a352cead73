package io.cmkaudit.collect;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A retry budget on top of the SDK's own retries, for the calls a whole run depends on: {@code sts:GetCallerIdentity}
 * and the organization walk. Throttling and server errors that outlast the SDK's attempts are retried after an
 * exponential backoff with full jitter (a random wait between 0 and {@code min(cap, base × 2^attempt)}), as the AWS
 * guidance on retries describes
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). Organizations is the smallest
 * quota of a scan (a few requests per second per organization,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html), so a blip must not cost the
 * organization. Denials and other client errors are not retried.
 *
 * @param attempts how many times the operation runs at most (1 = no retry)
 * @param base     first backoff ceiling
 * @param cap      largest backoff ceiling
 */
public record RetryBudget(int attempts, Duration base, Duration cap) {

    /** For real AWS: 6 runs, backoff ceilings 1, 2, 4, 8, 16 s (at most about half a minute of waiting). */
    public static final RetryBudget DEFAULT = new RetryBudget(6, Duration.ofSeconds(1), Duration.ofSeconds(16));

    /**
     * Runs {@code call} until it succeeds, fails for a reason that is not transient, or the budget is spent.
     *
     * @param call the operation; its transient failures are {@link SdkException}s {@link AwsFailure#transientFailure}
     *             classifies as such
     * @param <T>  result type
     * @return the result
     * @throws SdkException the last failure
     */
    <T> T run(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (SdkException e) {
                if (attempt >= attempts || !AwsFailure.of("call", e).transientFailure()) {
                    throw e;
                }
                sleep(attempt);
            }
        }
    }

    /**
     * Waits before the next run of an operation.
     *
     * @param attempt the number of runs so far (1 or more)
     */
    void sleep(int attempt) {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectException("interrupted while waiting to retry", e);
        }
    }
}
