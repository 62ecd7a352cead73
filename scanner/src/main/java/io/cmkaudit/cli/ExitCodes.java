package io.cmkaudit.cli;

/**
 * Process exit codes of every {@code cmk-audit} command (see {@code docs/design/architecture.md}).
 *
 * <p>{@link #FINDINGS} and {@link #COVERAGE_INCOMPLETE} are bit flags, so a scheduler can tell them apart:
 * {@code 3} means both. {@link #USAGE} and {@link #INTERNAL} follow BSD {@code sysexits.h}.
 */
public final class ExitCodes {
    /** The run completed and found nothing at or above {@code --fail-on}. */
    public static final int OK = 0;
    /** Findings at or above {@code --fail-on} (bit 1); for {@code simulate}: a case differs from its expectation. */
    public static final int FINDINGS = 1;
    /** Coverage incomplete: an account or region could not be read (bit 2). */
    public static final int COVERAGE_INCOMPLETE = 2;
    /** Usage or configuration error ({@code EX_USAGE}). */
    public static final int USAGE = 64;
    /**
     * Temporary failure ({@code EX_TEMPFAIL}): AWS throttled or failed with HTTP 5xx beyond the retries on a call the
     * whole run needs ({@code GetCallerIdentity}, the organization walk). Not a configuration error: run again later.
     */
    public static final int TEMPORARY_FAILURE = 75;
    /** Internal error ({@code EX_SOFTWARE}). */
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }
}
