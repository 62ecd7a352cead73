package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * An inline (embedded) policy of a user, group or role.
 *
 * @param name     policy name; never null
 * @param document the policy document as JSON text, exactly as AWS returned it after URL-decoding (it may be
 *                 malformed: parsing is the analysis's job); never null
 */
public record InlinePolicy(String name, String document) {
    public InlinePolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(document, "document");
    }
}
