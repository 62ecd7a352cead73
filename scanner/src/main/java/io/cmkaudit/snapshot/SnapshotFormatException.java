package io.cmkaudit.snapshot;

import io.cmkaudit.match.ControlCharacters;

/**
 * A snapshot file that can't be read: not JSON, an unsupported {@code schemaVersion}, a missing required field or a
 * field of the wrong type. The message is one line naming the source, the location and the JSON path, e.g.
 * {@code snap.json: line 12, column 7: accounts[0].iam.users[0]: missing required field `arn`}.
 */
public class SnapshotFormatException extends RuntimeException {
    /**
     * @param message the problem; control characters in it (e.g. from a field name of the file) are escaped so
     *                that it stays one line; never null
     * @param cause   the parser error, or null
     */
    public SnapshotFormatException(String message, Throwable cause) {
        super(ControlCharacters.escape(message), cause);
    }
}
