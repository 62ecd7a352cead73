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
 * @param roleName         name of the read-only audit role assumed in every account: by default
 *                         {@value #DEFAULT_ROLE_NAME}, the role the StackSet {@code config/audit-role.cfn.yaml}
 *                         creates; never blank
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
 * @param profile          the named profile of the AWS config/credentials files the scanner's own credentials come
 *                         from (static keys, {@code role_arn}, IAM Identity Center / SSO, {@code credential_process},
 *                         web identity), or null for the SDK's default chain (which honours {@code AWS_PROFILE})
 * @param region           the home region, e.g. {@code us-gov-west-1}: STS is called there, and its partition is
 *                         the one expected of the organization; null = the SDK's region chain ({@code AWS_REGION},
 *                         the profile's {@code region}, the instance metadata)
 * @param minSeverity      lowest severity written to the reports (one of {@link #SEVERITIES} without
 *                         {@code NONE}); {@code INFO} writes everything
 * @param ownerTag         tag key whose value fills the {@code owner} column (the principal's tag for principal
 *                         findings, the key's for key findings), e.g. {@code owner} or {@code team}
 * @param formats          report files to write, a subset of {@link #FORMATS}
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
        String profile,
        String region,
        String minSeverity,
        String ownerTag,
        List<String> formats,
        int maxRequests,
        java.util.Map<RateLimit, Double> rateLimits) {

    /** Severity names accepted by {@code failOn}, highest first, plus {@code NONE}. */
    public static final List<String> SEVERITIES = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "NONE");

    /**
     * Report formats {@code --format} accepts: {@code html} (report.html), {@code csv} (findings.csv and
     * coverage.csv), {@code json} (findings.json), {@code xlsx} (findings.xlsx), {@code ocsf} (findings.ocsf.json,
     * OCSF Detection Findings), {@code asff} (findings.asff.json, AWS Security Finding Format).
     */
    public static final List<String> FORMATS = List.of("html", "csv", "json", "xlsx", "ocsf", "asff");

    /** The formats written when none are chosen. */
    public static final List<String> DEFAULT_FORMATS = List.of("html", "csv", "json", "xlsx");

    /** The audit role's name: the one {@code config/audit-role.cfn.yaml} (the StackSet) creates. */
    public static final String DEFAULT_ROLE_NAME = "cmk-audit-read";

    /** Built-in defaults, used for every key the file and the command line leave out. */
    public static final ScannerConfig DEFAULTS = new ScannerConfig(
            DEFAULT_ROLE_NAME, null, "cmk-audit", List.of(), List.of(), List.of(), 64, "HIGH",
            Path.of("cmk-audit-reports"), null, 60, false, null, null, "INFO", "owner", DEFAULT_FORMATS, 256,
            java.util.Map.of());

    /**
     * The configuration without profile, home region, severity, owner tag, formats and request limits (the SDK
     * chains, every severity, tag {@code owner}, {@link #DEFAULT_FORMATS}, 256 requests in flight, AWS's rates).
     */
    public ScannerConfig(String roleName, String externalId, String sessionName, List<String> regions,
                         List<String> includeAccounts, List<String> excludeAccounts, int concurrency, String failOn,
                         Path outputDir, URI endpointUrl, int callTimeoutSeconds, boolean scanCurrentAccountWithRole) {
        this(roleName, externalId, sessionName, regions, includeAccounts, excludeAccounts, concurrency, failOn,
                outputDir, endpointUrl, callTimeoutSeconds, scanCurrentAccountWithRole, null, null, "INFO", "owner",
                DEFAULT_FORMATS, 256, java.util.Map.of());
    }

    /**
     * @param max     new {@code maxRequests}
     * @param limits  new {@code rateLimits}
     * @return this configuration with those two values
     */
    public ScannerConfig withRequestLimits(int max, java.util.Map<RateLimit, Double> limits) {
        return new ScannerConfig(roleName, externalId, sessionName, regions, includeAccounts, excludeAccounts,
                concurrency, failOn, outputDir, endpointUrl, callTimeoutSeconds, scanCurrentAccountWithRole, profile,
                region, minSeverity, ownerTag, formats, max, limits);
    }

    /**
     * @param replacement new {@code regions}; empty = every enabled region
     * @return this configuration with those regions
     */
    public ScannerConfig withRegions(List<String> replacement) {
        return new ScannerConfig(roleName, externalId, sessionName, replacement, includeAccounts, excludeAccounts,
                concurrency, failOn, outputDir, endpointUrl, callTimeoutSeconds, scanCurrentAccountWithRole, profile,
                region, minSeverity, ownerTag, formats, maxRequests, rateLimits);
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
        minSeverity = minSeverity == null ? "INFO" : minSeverity.toUpperCase(Locale.ROOT);
        ownerTag = ownerTag == null ? "owner" : ownerTag;
        formats = formats == null ? DEFAULT_FORMATS : List.copyOf(formats);
    }

    /**
     * @param regionName home region, or null for the SDK's region chain
     * @param profileName profile, or null for the default chain
     * @return this configuration with another home region and profile
     */
    public ScannerConfig withProfileAndRegion(String profileName, String regionName) {
        return new ScannerConfig(roleName, externalId, sessionName, regions, includeAccounts, excludeAccounts,
                concurrency, failOn, outputDir, endpointUrl, callTimeoutSeconds, scanCurrentAccountWithRole,
                profileName, regionName, minSeverity, ownerTag, formats, maxRequests, rateLimits);
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
