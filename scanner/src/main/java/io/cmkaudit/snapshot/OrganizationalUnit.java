package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * One organizational unit of the OU tree.
 *
 * @param id       OU id, e.g. {@code ou-ab12-cd34ef56}; never null
 * @param name     OU name; never null
 * @param parentId id of the parent: the root ({@code r-...}) or another OU; never null
 * @param path     names from the root, joined with {@code /}, e.g. {@code Root/Workloads/Prod}; never null
 */
public record OrganizationalUnit(String id, String name, String parentId, String path) {
    public OrganizationalUnit {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parentId, "parentId");
        Objects.requireNonNull(path, "path");
    }
}
