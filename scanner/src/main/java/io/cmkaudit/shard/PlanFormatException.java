package io.cmkaudit.shard;

/** A plan file that is not valid JSON, not a plan, or of another version; the message is one line naming the file. */
public final class PlanFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PlanFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
