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
 * @param concurrency      accounts read at the same time, 1..256 (their calls share the {@code maxRequests} bound)
 * @param failOn           lowest severity that makes the run exit with bit 1, one of {@link #SEVERITIES},
 *                         or {@code NONE} to never fail on findings
 * @param outputDir        folder under which each run writes a new timestamped sub-folder
 * @param endpointUrl      one endpoint for every AWS client (moto, LocalStack), or null for real AWS
 * @param callTimeoutSeconds timeout of one AWS API call including retries, in seconds, 1..600
 * @param scanCurrentAccountWithRole whether the account the scanner runs in is also read through the audit role
 *                         (false: with the scanner's own credentials)
 * @param maxRequests      AWS requests in flight at most, 1..4096: the bound on concurrency
 * @param rateLimits       requests per second per quota row, overriding AWS's published rates
 *                         ({@link RateLimit#defaultRate()}); rows left out keep their default
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
        boolean scanCurrentAccountWithRole,
        int maxRequests,
        java.util.Map<RateLimit, Double> rateLimits) {

    /** Severity names accepted by {@code failOn}, highest first, plus {@code NONE}. */
    public static final List<String> SEVERITIES = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "NONE");

    /** Built-in defaults, used for every key the file and the command line leave out. */
    public static final ScannerConfig DEFAULTS = new ScannerConfig(
            "OrganizationAccountAccessRole", null, "cmk-audit", List.of(), List.of(), List.of(), 64, "HIGH",
            Path.of("cmk-audit-reports"), null, 60, false, 256, java.util.Map.of());

    /**
     * A configuration with the default {@code maxRequests} and AWS's published rates.
     *
     * @param roleName                   see the record
     * @param externalId                 see the record
     * @param sessionName                see the record
     * @param regions                    see the record
     * @param includeAccounts            see the record
     * @param excludeAccounts            see the record
     * @param concurrency                see the record
     * @param failOn                     see the record
     * @param outputDir                  see the record
     * @param endpointUrl                see the record
     * @param callTimeoutSeconds         see the record
     * @param scanCurrentAccountWithRole see the record
     */
    public ScannerConfig(String roleName, String externalId, String sessionName, List<String> regions,
                         List<String> includeAccounts, List<String> excludeAccounts, int concurrency, String failOn,
                         Path outputDir, URI endpointUrl, int callTimeoutSeconds, boolean scanCurrentAccountWithRole) {
        this(roleName, externalId, sessionName, regions, includeAccounts, excludeAccounts, concurrency, failOn,
                outputDir, endpointUrl, callTimeoutSeconds, scanCurrentAccountWithRole, 256, java.util.Map.of());
    }

    /**
     * @param max     new {@code maxRequests}
     * @param limits  new {@code rateLimits}
     * @return this configuration with those two values
     */
    public ScannerConfig withRequestLimits(int max, java.util.Map<RateLimit, Double> limits) {
        return new ScannerConfig(roleName, externalId, sessionName, regions, includeAccounts, excludeAccounts,
                concurrency, failOn, outputDir, endpointUrl, callTimeoutSeconds, scanCurrentAccountWithRole, max, limits);
    }

    /**
     * @param row a quota row
     * @return its rate in this configuration, requests per second
     */
    public double rate(RateLimit row) {
        return rateLimits.getOrDefault(row, row.defaultRate());
    }

    public ScannerConfig {
        Objects.requireNonNull(roleName, "roleName");
        Objects.requireNonNull(sessionName, "sessionName");
        Objects.requireNonNull(failOn, "failOn");
        Objects.requireNonNull(outputDir, "outputDir");
        regions = List.copyOf(regions);
        includeAccounts = List.copyOf(includeAccounts);
        excludeAccounts = List.copyOf(excludeAccounts);
        failOn = failOn.toUpperCase(Locale.ROOT);
        rateLimits = rateLimits == null || rateLimits.isEmpty() ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.EnumMap<>(rateLimits));
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
