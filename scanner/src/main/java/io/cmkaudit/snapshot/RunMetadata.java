package io.cmkaudit.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Facts about the collection run.
 *
 * @param startedAt      when collection started (UTC); never null
 * @param finishedAt     when it finished (UTC); never null
 * @param scannerVersion cmk-audit version, e.g. {@code 0.1.0}; never null
 * @param callerAccountId account whose credentials the scanner ran with, or null when unknown
 * @param callerArn      ARN of the scanner's own principal ({@code GetCallerIdentity}), or null when unknown
 * @param roleName       audit role name assumed in each account, e.g. {@code OrganizationAccountAccessRole}
 * @param endpointUrl    the endpoint every client was sent to (moto, LocalStack), or null for real AWS
 * @param regions        regions requested, sorted; empty = every region enabled in each account
 * @param apiCalls       SDK API executions per {@code Service.Operation}, e.g. {@code "KMS.DescribeKey" -> 12}
 *                       (one per call or page; retries not counted), sorted by name
 * @param planId         for a partial snapshot of a sharded run ({@code collect --plan}) and the snapshot
 *                       {@code merge} joins from such parts: the id of the plan, the organization id and the plan's
 *                       {@code startedAt} ({@code o-abc123@2026-03-01T10:00:00Z}, as a findings part's
 *                       {@code planId}); null for a snapshot of one {@code collect} or {@code scan}
 */
public record RunMetadata(Instant startedAt, Instant finishedAt, String scannerVersion, String callerAccountId,
                          String callerArn, String roleName, String endpointUrl, List<String> regions,
                          Map<String, Long> apiCalls, String planId) {
    public RunMetadata {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(scannerVersion, "scannerVersion");
        regions = Copies.list(regions);
        apiCalls = Copies.map(apiCalls);
    }

    /**
     * Run metadata without a plan id (a snapshot of one {@code collect} or {@code scan}).
     *
     * @param startedAt       as the canonical constructor
     * @param finishedAt      as the canonical constructor
     * @param scannerVersion  as the canonical constructor
     * @param callerAccountId as the canonical constructor
     * @param callerArn       as the canonical constructor
     * @param roleName        as the canonical constructor
     * @param endpointUrl     as the canonical constructor
     * @param regions         as the canonical constructor
     * @param apiCalls        as the canonical constructor
     */
    public RunMetadata(Instant startedAt, Instant finishedAt, String scannerVersion, String callerAccountId,
                       String callerArn, String roleName, String endpointUrl, List<String> regions,
                       Map<String, Long> apiCalls) {
        this(startedAt, finishedAt, scannerVersion, callerAccountId, callerArn, roleName, endpointUrl, regions,
                apiCalls, null);
    }

    /**
     * @param id the plan id, or null
     * @return this run metadata with that plan id, everything else kept
     */
    public RunMetadata withPlanId(String id) {
        return new RunMetadata(startedAt, finishedAt, scannerVersion, callerAccountId, callerArn, roleName,
                endpointUrl, regions, apiCalls, id);
    }

    /**
     * @return the total number of API executions
     */
    public long totalApiCalls() {
        return apiCalls.values().stream().mapToLong(Long::longValue).sum();
    }
}
