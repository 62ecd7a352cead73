package io.cmkaudit.snapshot;

import java.util.Objects;

/**
 * Coverage of one account in one region, or {@link #GLOBAL} for the account's IAM data (and, for the management
 * account, the organization).
 *
 * @param region       region name, e.g. {@code eu-west-1}, or {@code global}; never null
 * @param status       what was read; never null
 * @param errorCode    AWS error code of the first failure, e.g. {@code AccessDenied}, {@code UnauthorizedOperation};
 *                     null when {@code status} is {@link CoverageStatus#SCANNED}
 * @param errorMessage one line saying which call failed and why, or null
 */
public record Coverage(String region, CoverageStatus status, String errorCode, String errorMessage) {

    /** Region name used for IAM and Organizations coverage. */
    public static final String GLOBAL = "global";

    public Coverage {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(status, "status");
    }

    /**
     * @param region region name or {@link #GLOBAL}
     * @return a {@link CoverageStatus#SCANNED} entry without error
     */
    public static Coverage scanned(String region) {
        return new Coverage(region, CoverageStatus.SCANNED, null, null);
    }
}
