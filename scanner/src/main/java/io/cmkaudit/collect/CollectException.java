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
        super(message, cause);
    }

    /** @param message one line saying what failed and what to do */
    public CollectException(String message) {
        super(message);
    }
}
