package io.cmkaudit.cli;

/**
 * A problem the user can fix (bad option value, unreadable or malformed input file). Mapped to exit code
 * {@link ExitCodes#USAGE} and printed as one line without a stack trace.
 */
public class UsageException extends RuntimeException {
    /**
     * @param message one line naming the file, field or option and what is wrong; never null
     */
    public UsageException(String message) {
        super(message);
    }

    /**
     * @param message one line naming the file, field or option and what is wrong; never null
     * @param cause the underlying error, shown only with {@code -v}
     */
    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
