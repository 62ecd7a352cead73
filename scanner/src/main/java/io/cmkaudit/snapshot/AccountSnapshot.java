package io.cmkaudit.snapshot;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything read in one account. Accounts of the organization that were not scanned still appear when they own a
 * referenced KMS key or when their coverage needs reporting (SUSPENDED, SKIPPED, ASSUME_ROLE_DENIED).
 *
 * @param accountId 12-digit account id; never null
 * @param name      account name from Organizations, or null when unknown
 * @param coverage  one entry for {@code global} (IAM) and one per region attempted, sorted with {@code global} first
 * @param iam       IAM data ({@link IamSnapshot#EMPTY} when not read); never null
 * @param regions   region sections, sorted by region name
 */
public record AccountSnapshot(String accountId, String name, List<Coverage> coverage, IamSnapshot iam,
                              List<RegionSnapshot> regions) {
    public AccountSnapshot {
        Objects.requireNonNull(accountId, "accountId");
        coverage = Copies.list(coverage);
        iam = iam == null ? IamSnapshot.EMPTY : iam;
        regions = Copies.list(regions);
    }

    /**
     * @param region region name or {@link Coverage#GLOBAL}
     * @return the coverage entry for it, if any
     */
    public Optional<Coverage> coverage(String region) {
        return coverage.stream().filter(c -> c.region().equals(region)).findFirst();
    }

    /**
     * @param region region name
     * @return the region section, if any
     */
    public Optional<RegionSnapshot> region(String region) {
        return regions.stream().filter(r -> r.region().equals(region)).findFirst();
    }

    /**
     * @return whether every coverage entry is {@link CoverageStatus#SCANNED}
     */
    public boolean fullyScanned() {
        return !coverage.isEmpty() && coverage.stream().allMatch(c -> c.status() == CoverageStatus.SCANNED);
    }
}
