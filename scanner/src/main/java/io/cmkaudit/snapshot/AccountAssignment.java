package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * One account assignment of a permission set: a user or group of the identity store gets the permission set in an
 * account (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AccountAssignment.html).
 *
 * @param accountId     12-digit account id; never null
 * @param principalType {@code USER} or {@code GROUP}; never null
 * @param principalId   the identity store's id of the user or group; never null
 * @param principalName the user name or group display name from the identity store, or null when unreadable
 */
public record AccountAssignment(String accountId, String principalType, String principalId, String principalName) {
    public AccountAssignment {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(principalType, "principalType");
        Objects.requireNonNull(principalId, "principalId");
    }
}
