package io.cmkaudit.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The scanner's effective configuration: the YAML file ({@code config/scanner.example.yaml} documents every key)
 * with command-line options laid over it. Immutable; lists are unmodifiable copies.
 *
 * @param roleName         name of the read-only audit role assumed in every account, e.g.
 *                         {@code OrganizationAccountAccessRole}; never blank
 * @param externalId       the {@code sts:ExternalId} the role's trust policy requires, or null for none
 * @param sessionName      role session name written to CloudTrail, e.g. {@code cmk-audit}
 * @param regions          regions to scan, e.g. {@code [us-east-1, eu-west-1]}; empty = every region enabled in
 *                         each account
 * @param includeAccounts  12-digit account ids to scan; empty = every ACTIVE account of the organization
 * @param excludeAccounts  12-digit account ids never scanned (wins over {@code includeAccounts})
 * @param concurrency      accounts read in parallel, 1..256
 * @param failOn           lowest severity that makes the run exit with bit 1, one of {@link #SEVERITIES},
 *                         or {@code NONE} to never fail on findings
 * @param outputDir        folder under which each run writes a new timestamped sub-folder
 * @param endpointUrl      one endpoint for every AWS client (moto, LocalStack), or null for real AWS
 * @param callTimeoutSeconds timeout of one AWS API call including retries, in seconds, 1..600
 * @param scanCurrentAccountWithRole whether the account the scanner runs in is also read through the audit role
 *                         (false: with the scanner's own credentials)
 */
public record ScannerConfig(
        String roleName,
        String externalId,
        String sessionName,
        List<String> regions,
        List<String> includeAccounts,
        List<String> excludeAccounts,
        int concurrency,
        String failOn,
        Path outputDir,
        URI endpointUrl,
        int callTimeoutSeconds,
        boolean scanCurrentAccountWithRole) {

    /** Severity names accepted by {@code failOn}, highest first, plus {@code NONE}. */
    public static final List<String> SEVERITIES = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "NONE");

    /** Built-in defaults, used for every key the file and the command line leave out. */
    public static final ScannerConfig DEFAULTS = new ScannerConfig(
            "OrganizationAccountAccessRole", null, "cmk-audit", List.of(), List.of(), List.of(), 8, "HIGH",
            Path.of("cmk-audit-reports"), null, 60, false);

    public ScannerConfig {
        Objects.requireNonNull(roleName, "roleName");
        Objects.requireNonNull(sessionName, "sessionName");
        Objects.requireNonNull(failOn, "failOn");
        Objects.requireNonNull(outputDir, "outputDir");
        regions = List.copyOf(regions);
        includeAccounts = List.copyOf(includeAccounts);
        excludeAccounts = List.copyOf(excludeAccounts);
        failOn = failOn.toUpperCase(Locale.ROOT);
    }

    /**
     * Whether an account is selected by {@code includeAccounts} / {@code excludeAccounts}.
     *
     * @param accountId 12-digit account id
     * @return true when the account should be scanned
     */
    public boolean accountSelected(String accountId) {
        if (excludeAccounts.contains(accountId)) {
            return false;
        }
        return includeAccounts.isEmpty() || Set.copyOf(includeAccounts).contains(accountId);
    }
}
