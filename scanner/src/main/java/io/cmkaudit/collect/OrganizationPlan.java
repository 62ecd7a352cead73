package io.cmkaudit.collect;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Organization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The organization as read for a sharded run, before any account is scanned ({@link Collector#readOrganization()}).
 *
 * @param startedAt       when reading started (UTC); never null
 * @param finishedAt      when it finished (UTC); never null
 * @param scannerVersion  cmk-audit version; never null
 * @param callerAccountId account of the scanner's credentials; never null
 * @param callerArn       the scanner's principal ARN; never null
 * @param organization    the organization (its {@link Organization#readError()} says when it could not be read)
 * @param accountIds      ids of the ACTIVE selected accounts to scan, sorted; the items the shards divide
 * @param notScanned      sections of accounts reported without a scan (not selected, suspended, outside the
 *                        organization), sorted by id
 * @param apiCalls        API calls made, per {@code Service.Operation}
 */
public record OrganizationPlan(Instant startedAt, Instant finishedAt, String scannerVersion, String callerAccountId,
                               String callerArn, Organization organization, List<String> accountIds,
                               List<AccountSnapshot> notScanned, Map<String, Long> apiCalls) {
    public OrganizationPlan {
        Objects.requireNonNull(organization, "organization");
        accountIds = List.copyOf(accountIds);
        notScanned = List.copyOf(notScanned);
        apiCalls = Map.copyOf(apiCalls);
    }
}
