package io.cmkaudit.analysis;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one analysis produces from one snapshot: the input of every report writer.
 *
 * @param run      metadata of the collection run the snapshot came from
 * @param findings findings sorted by severity, type, account, region, instance, principal, key; never null
 * @param coverage one row per account × region (region {@code global} for IAM / Organizations); never null
 * @param summary  counts for the report header
 */
public record AnalysisResult(RunInfo run, List<Finding> findings, List<CoverageRow> coverage, Summary summary) {

    public AnalysisResult {
        findings = List.copyOf(findings);
        coverage = List.copyOf(coverage);
    }

    /**
     * @param scannerVersion      version of cmk-audit that collected the snapshot
     * @param startedAt           collection start (UTC)
     * @param finishedAt          collection end (UTC)
     * @param organizationId      e.g. {@code o-abc123}, or null when the organization could not be read
     * @param managementAccountId 12-digit id, or null
     * @param regions             regions scanned
     * @param apiCalls            AWS API calls made, keyed {@code Service.Operation}
     * @param partition           the AWS partition of the run, e.g. {@code aws}, {@code aws-us-gov}, {@code aws-cn}
     *                            (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html);
     *                            never null
     */
    public record RunInfo(String scannerVersion, Instant startedAt, Instant finishedAt, String organizationId,
                          String managementAccountId, List<String> regions, Map<String, Long> apiCalls,
                          String partition) {

        public RunInfo {
            if (partition == null) {
                partition = Partition.ofRegion(regions == null || regions.isEmpty() ? null : regions.get(0));
            }
        }

        /**
         * The run of a snapshot whose partition is that of its first region ({@code aws} without regions).
         *
         * @see #RunInfo(String, Instant, Instant, String, String, List, Map, String)
         */
        public RunInfo(String scannerVersion, Instant startedAt, Instant finishedAt, String organizationId,
                       String managementAccountId, List<String> regions, Map<String, Long> apiCalls) {
            this(scannerVersion, startedAt, finishedAt, organizationId, managementAccountId, regions, apiCalls, null);
        }
    }

    /**
     * The columns of {@code coverage.csv}.
     *
     * @param status SCANNED, ASSUME_ROLE_DENIED, PARTIAL, SUSPENDED, SKIPPED or ERROR
     */
    public record CoverageRow(String accountId, String accountName, String region, String status, String errorCode,
                              String errorMessage, int instances, int volumes, int cmkKeys, int principals) {
    }

    /**
     * Header counts.
     *
     * @param accounts            accounts in the snapshot
     * @param accountsScanned     accounts whose every region was scanned
     * @param instances           instances seen
     * @param instancesInScope    instances with at least one volume on a customer managed key (joined)
     * @param instancesAwsManagedKeyOnly instances whose encrypted volumes use only AWS managed keys (counted only)
     * @param instancesUnencrypted instances with no encrypted volume (counted only)
     * @param principals          IAM users and roles evaluated
     * @param keysInScope         customer managed keys referenced by volumes
     */
    public record Summary(int accounts, int accountsScanned, int instances, int instancesInScope,
                          int instancesAwsManagedKeyOnly, int instancesUnencrypted, int principals, int keysInScope) {
    }
}
