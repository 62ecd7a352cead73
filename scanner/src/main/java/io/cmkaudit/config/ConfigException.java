package io.cmkaudit.config;

/**
 * A configuration problem a user can fix. The message is one line naming the file, the line (when known), the
 * field and what is wrong, e.g. {@code scanner.yaml:7: concurrency: must be between 1 and 256, got 0}.
 */
public class ConfigException extends RuntimeException {
    /**
     * @param message one line, never null
     */
    public ConfigException(String message) {
        super(message);
    }

    /**
     * @param message one line, never null
     * @param cause   the parser error, shown only with {@code -v}
     */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
