package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * A managed policy with the document of its default version: a customer managed policy of one account, or an AWS
 * managed policy ({@code arn:aws:iam::aws:policy/...}, stored once per snapshot in
 * {@link Snapshot#awsManagedPolicies()}).
 *
 * @param arn              policy ARN, e.g. {@code arn:aws:iam::111122223333:policy/StartTagged}; never null
 * @param name             policy name (the last ARN segment when AWS did not return it); never null
 * @param path             policy path, e.g. {@code /} or {@code /service-role/}; never null
 * @param defaultVersionId default version id, e.g. {@code v3}; never null
 * @param document         the default version's document as JSON text (URL-decoded, possibly malformed); never null
 */
public record ManagedPolicy(String arn, String name, String path, String defaultVersionId, String document) {
    public ManagedPolicy {
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(defaultVersionId, "defaultVersionId");
        Objects.requireNonNull(document, "document");
    }

    /**
     * @return whether this is an AWS managed policy (account field {@code aws} in the ARN)
     */
    public boolean awsManaged() {
        return arn.contains(":iam::aws:policy/");
    }
}
