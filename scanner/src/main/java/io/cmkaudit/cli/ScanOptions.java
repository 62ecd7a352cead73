package io.cmkaudit.cli;

import io.cmkaudit.collect.Partitions;
import io.cmkaudit.config.ConfigLoader;
import io.cmkaudit.config.ScannerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that talk to AWS ({@code scan}, {@code collect}, {@code config}).
 * Each option, when given, overrides the same key of the {@code --config} file.
 */
public final class ScanOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration (see config/scanner.example.yaml). Command-line options override it.")
    Path config;

    @Option(names = "--role-name", paramLabel = "NAME",
            description = "Audit role assumed in each account. Default: cmk-audit-read (the role "
                + "config/audit-role.cfn.yaml creates).")
    String roleName;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Named profile of ~/.aws/config / ~/.aws/credentials for the scanner's own credentials "
                + "(static keys, role_arn, IAM Identity Center / SSO after `aws sso login`, credential_process, web "
                + "identity). Default: the SDK's chain (environment, AWS_PROFILE, web identity, ECS container, "
                + "instance role).")
    String profile;

    @Option(names = "--region", paramLabel = "REGION",
            description = "Home region: STS is called there and its partition (aws, aws-us-gov, aws-cn) is the "
                + "organization's. Default: the SDK's region chain (AWS_REGION, the profile's region), else us-east-1.")
    String region;

    @Option(names = "--external-id", paramLabel = "ID", description = "sts:ExternalId required by the audit role's trust policy.")
    String externalId;

    @Option(names = "--regions", split = ",", paramLabel = "REGION",
            description = "Regions to scan, comma-separated. Default: every region enabled in each account.")
    List<String> regions;

    @Option(names = "--accounts", split = ",", paramLabel = "ACCOUNT_ID",
            description = "Only these 12-digit account ids, comma-separated. Default: every ACTIVE account. An id "
                + "not in the organization is a warning and exit bit 2.")
    List<String> accounts;

    @Option(names = "--exclude-accounts", split = ",", paramLabel = "ACCOUNT_ID",
            description = "Never scan these account ids.")
    List<String> excludeAccounts;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "Accounts read at the same time (1-256); their calls share --max-requests. Default: 64.")
    Integer concurrency;

    @Option(names = "--max-requests", paramLabel = "N",
            description = "AWS requests in flight at most (1-4096), across accounts, regions and keys; each also "
                + "waits for its quota's client-side token bucket (rateLimits in --config). Default: 256.")
    Integer maxRequests;

    @Option(names = "--endpoint-url", paramLabel = "URL",
            description = "Send every AWS call to this endpoint (moto_server, LocalStack, any AWS-compatible endpoint).")
    String endpointUrl;

    /**
     * The effective configuration: built-in defaults, then the {@code --config} file, then the options given here.
     *
     * @return the configuration, validated
     * @throws io.cmkaudit.config.ConfigException for a bad file
     * @throws UsageException for a bad option value
     */
    public ScannerConfig effective() {
        return effective(null);
    }

    /**
     * The effective configuration including the report options of {@code scan}.
     *
     * @param output the {@code --out} / {@code --fail-on} options, or null when the command has none
     * @return the configuration, validated
     * @throws io.cmkaudit.config.ConfigException for a bad file
     * @throws UsageException for a bad option value
     */
    public ScannerConfig effective(OutputOptions output) {
        String failOn = output == null ? null : output.failOn;
        Path out = output == null ? null : output.out;
        ScannerConfig c = config == null ? ScannerConfig.DEFAULTS : new ConfigLoader().load(config);
        if (concurrency != null && (concurrency < 1 || concurrency > 256)) {
            throw new UsageException("--concurrency: must be between 1 and 256, got " + concurrency);
        }
        if (maxRequests != null && (maxRequests < 1 || maxRequests > 4096)) {
            throw new UsageException("--max-requests: must be between 1 and 4096, got " + maxRequests);
        }
        String fail = failOn == null ? c.failOn() : failOn.toUpperCase(Locale.ROOT);
        if (!ScannerConfig.SEVERITIES.contains(fail)) {
            throw new UsageException("--fail-on: must be one of " + ScannerConfig.SEVERITIES + ", got `" + failOn + "`");
        }
        URI endpoint = c.endpointUrl();
        if (endpointUrl != null) {
            endpoint = ConfigLoader.parseEndpoint(endpointUrl);
            if (endpoint == null) {
                throw new UsageException("--endpoint-url: not an http(s) URL: `" + endpointUrl + "`");
            }
        }
        for (List<String> ids : new List[] {accounts, excludeAccounts}) {
            if (ids != null) {
                for (String id : ids) {
                    if (!id.matches("\\d{12}")) {
                        throw new UsageException("--accounts: account ids are 12 digits, got `" + id + "`");
                    }
                }
            }
        }
        if (regions != null) {
            for (String r : regions) {
                if (!io.cmkaudit.config.ConfigLoader.isRegionName(r)) {
                    throw new UsageException("--regions: not an AWS region name: `" + r + "` (e.g. us-east-1)");
                }
            }
        }
        List<String> effectiveRegions = regions != null ? regions : c.regions();
        List<String> problems = Partitions.problems(effectiveRegions);
        if (!problems.isEmpty()) {
            throw new UsageException((regions != null ? "--regions" : "regions in " + config) + ": "
                    + String.join("; ", problems));
        }
        String home = region != null ? region : c.region();
        if (home != null) {
            List<String> homeProblems = Partitions.problems(List.of(home));
            if (!io.cmkaudit.config.ConfigLoader.isRegionName(home) || !homeProblems.isEmpty()) {
                throw new UsageException((region != null ? "--region" : "region in " + config) + ": "
                        + (homeProblems.isEmpty() ? "not an AWS region name: `" + home + "`" : homeProblems.get(0)));
            }
            if (!effectiveRegions.isEmpty()
                    && !Partitions.ofRegion(effectiveRegions.get(0)).equals(Partitions.ofRegion(home))) {
                throw new UsageException("--regions: " + effectiveRegions.get(0) + " is in partition "
                        + Partitions.ofRegion(effectiveRegions.get(0)) + ", the home region " + home + " in "
                        + Partitions.ofRegion(home) + "; scan one partition per run");
            }
        }
        if (profile != null && !profile.matches("[\\w+=,.@:/-]{1,128}")) {
            throw new UsageException("--profile: not a profile name: `" + profile + "`");
        }
        return new ScannerConfig(
                roleName != null ? roleName : c.roleName(),
                externalId != null ? externalId : c.externalId(),
                c.sessionName(),
                regions != null ? regions : c.regions(),
                accounts != null ? accounts : c.includeAccounts(),
                excludeAccounts != null ? excludeAccounts : c.excludeAccounts(),
                concurrency != null ? concurrency : c.concurrency(),
                fail,
                out != null ? out : c.outputDir(),
                endpoint,
                c.callTimeoutSeconds(),
                c.scanCurrentAccountWithRole(),
                profile != null ? profile : c.profile(),
                home,
                severity(output, c),
                c.ownerTag(),
                formats(output, c),
                maxRequests != null ? maxRequests : c.maxRequests(),
                c.rateLimits());
    }

    private static String severity(OutputOptions output, ScannerConfig c) {
        if (output == null || output.severity == null) {
            return c.minSeverity();
        }
        String s = output.severity.toUpperCase(Locale.ROOT);
        if (!ScannerConfig.SEVERITIES.contains(s) || "NONE".equals(s)) {
            throw new UsageException("--severity: must be one of CRITICAL, HIGH, MEDIUM, LOW, INFO, got `"
                    + output.severity + "`");
        }
        return s;
    }

    private static List<String> formats(OutputOptions output, ScannerConfig c) {
        if (output == null || output.formats == null) {
            return c.formats();
        }
        return OutputOptions.parseFormats(output.formats);
    }
}
