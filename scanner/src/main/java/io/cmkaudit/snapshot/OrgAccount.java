package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * An account of the organization (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html).
 *
 * @param id       12-digit account id; never null
 * @param name     account name, or null when unknown
 * @param email    root user e-mail, or null when unknown
 * @param status   {@code ACTIVE}, {@code SUSPENDED} or {@code PENDING_CLOSURE}; never null
 * @param parentId id of the parent root or OU, or null when the organization could not be read
 * @param ouPath   path of the parent, e.g. {@code Root} or {@code Root/Workloads/Prod}, or null when unknown
 */
public record OrgAccount(String id, String name, String email, String status, String parentId, String ouPath) {
    public OrgAccount {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
    }
}
