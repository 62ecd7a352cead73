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
 */
public record RunMetadata(Instant startedAt, Instant finishedAt, String scannerVersion, String callerAccountId,
                          String callerArn, String roleName, String endpointUrl, List<String> regions,
                          Map<String, Long> apiCalls) {
    public RunMetadata {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(scannerVersion, "scannerVersion");
        regions = Copies.list(regions);
        apiCalls = Copies.map(apiCalls);
    }

    /**
     * @return the total number of API executions
     */
    public long totalApiCalls() {
        return apiCalls.values().stream().mapToLong(Long::longValue).sum();
    }
}
