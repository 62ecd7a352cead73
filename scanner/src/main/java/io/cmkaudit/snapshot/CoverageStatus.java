package io.cmkaudit.snapshot;

/**
 * How far one account × region (or {@code global}, for IAM and Organizations) was read. The names are the
 * {@code status} column of {@code coverage.csv}.
 */
public enum CoverageStatus {
    /** Everything the collector reads there was read. */
    SCANNED,
    /** {@code sts:AssumeRole} into the account's audit role failed (denied, role missing, bad external id). */
    ASSUME_ROLE_DENIED,
    /** Some calls succeeded and some were denied or failed; the error fields name the first failure. */
    PARTIAL,
    /** The account is SUSPENDED (or PENDING_CLOSURE) in the organization; nothing was read. */
    SUSPENDED,
    /** Not read on purpose: excluded by {@code --accounts}/{@code --exclude-accounts}, region not enabled, or
     *  the account is outside the organization. */
    SKIPPED,
    /** Reading failed for another reason (timeout, throttling after retries, endpoint error). */
    ERROR
}
