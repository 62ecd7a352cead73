package io.cmkaudit.collect;

/**
 * The collection could not start: the scanner's own credentials are missing or rejected, or the endpoint does not
 * answer. The message is one line saying what to do. Failures of single accounts or regions never throw: they are
 * recorded in the snapshot's coverage.
 */
public class CollectException extends RuntimeException {
    /**
     * @param message one line; never null
     * @param cause   the SDK error
     */
    public CollectException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private final boolean transientFailure;

    /**
     * @param message          one line; never null
     * @param cause            the SDK error
     * @param transientFailure whether AWS throttled or failed (HTTP 5xx) beyond the retries: run again later
     */
    public CollectException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /**
     * @return whether the failure is transient (throttling or AWS errors beyond the retries), not a problem of the
     *         configuration or the credentials
     */
    public boolean transientFailure() {
        return transientFailure;
    }

    /** @param message one line saying what failed and what to do */
    public CollectException(String message) {
        this(message, null, false);
    }
}
