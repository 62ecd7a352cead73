package io.cmkaudit.cli;

import io.cmkaudit.collect.CollectException;
import io.cmkaudit.collect.Collector;
import io.cmkaudit.collect.CollectorOptions;
import io.cmkaudit.collect.OrganizationPlan;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.shard.Plan;
import io.cmkaudit.shard.PlanJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit plan -o FILE|s3://BUCKET/KEY}: the first step of a sharded run. Reads the organization once (tree,
 * accounts, SCPs, RCPs) and writes the plan: the ACTIVE selected accounts that {@code collect --plan --shard I/N}
 * divides, the sections of accounts reported without a scan, the per-shard rates and the regions ({@code --regions}
 * or the configuration's; none = every enabled region) that every shard then collects. Exit 0; 2 (plan written) when
 * an {@code --accounts} id is not in the organization or no account is left to scan; 64 when the organization can't
 * be read (a sharded run needs it).
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Read the organization (accounts, OUs, SCPs, RCPs) once and write the plan of a sharded run: "
            + "the accounts that `collect --plan PLAN --shard I/N` divides. Read-only.")
final class PlanCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE|s3://BUCKET/KEY",
            description = "Plan file to write (replaced atomically), or an S3 object.")
    String output;

    @Option(names = "--accounts-output", paramLabel = "FILE|s3://BUCKET/KEY",
            description = "Also write the accounts to scan as a JSON array (the items of the Step Functions "
                + "Distributed Map).")
    String accountsOutput;

    @Option(names = "--parallel-shards", paramLabel = "N", defaultValue = "1",
            description = "Shards that will run at the same time (the Step Functions MaxConcurrency); each shard's "
                + "client-side rates are the per-caller quotas divided by N, written into the plan. Default: 1.")
    int parallelShards;

    @Mixin
    ScanOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Main parent;

    @Override
    public Integer call() {
        ScannerConfig config = options.effective();
        if (parallelShards < 1 || parallelShards > 10_000) {
            throw new UsageException("--parallel-shards: must be between 1 and 10000, got " + parallelShards);
        }
        Locations.checkWritable("-o", output);
        if (accountsOutput != null) {
            Locations.checkWritable("--accounts-output", accountsOutput);
        }
        OrganizationPlan read;
        try {
            read = new Collector(config, CollectorOptions.defaults(VersionProvider.version())).readOrganization();
        } catch (CollectException e) {
            throw new UsageException(e.getMessage(), e);
        }
        if (!read.organization().readable()) {
            throw new UsageException("plan: the organization could not be read ("
                    + read.organization().readError().message() + "); a sharded run needs the management account "
                    + "or a delegated administrator's credentials (scan or collect read single accounts)");
        }
        Plan plan = new Plan(Plan.PLAN_VERSION, read.scannerVersion(), read.startedAt(), read.finishedAt(),
                read.callerAccountId(), read.callerArn(), read.organization(), read.accountIds(), read.notScanned(),
                read.apiCalls(), parallelShards, shardRates(config, parallelShards), config.regions());
        Locations files = new Locations(config.endpointUrl(), Duration.ofSeconds(config.callTimeoutSeconds()));
        files.write("-o", output, PlanJson.toBytes(plan), "application/json");
        if (accountsOutput != null) {
            files.write("--accounts-output", accountsOutput, PlanJson.accountsToBytes(plan), "application/json");
        }
        PrintWriter err = spec.commandLine().getErr();
        if (parent == null || parent.verbosity() >= 0) {
            StatusLine.info(err, "plan of organization " + plan.organization().id() + ": " + plan.accounts().size()
                    + " accounts to scan, " + plan.notScanned().size() + " reported without a scan, "
                    + plan.organization().organizationalUnits().size() + " OUs, "
                    + (plan.organization().serviceControlPolicies().size()
                        + plan.organization().resourceControlPolicies().size()) + " SCPs/RCPs; "
                    + read.apiCalls().values().stream().mapToLong(Long::longValue).sum() + " API calls; regions "
                    + (plan.regions().isEmpty() ? "every enabled one" : String.join(",", plan.regions()))
                    + "; wrote " + output);
            err.flush();
        }
        return AccountSelection.warn(AccountSelection.gaps(config, plan.organization()), err);
    }

    /**
     * The per-shard rates written into the plan: every quota row that parallel shards share (Organizations, STS and
     * IAM reads: one caller, one source account) gets the configured rate divided by the shards running at once;
     * rows per target account (EC2, KMS, Auto Scaling, EKS) are not shared, since each account is in one shard.
     *
     * @param config         effective configuration (its rates, defaults or overrides)
     * @param parallelShards shards running at the same time
     * @return row key → requests per second for each shard
     */
    static Map<String, Double> shardRates(ScannerConfig config, int parallelShards) {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (io.cmkaudit.config.RateLimit row : io.cmkaudit.config.RateLimit.values()) {
            if (row.scope().sharedByShards()) {
                out.put(row.key(), config.rate(row) / parallelShards);
            }
        }
        return out;
    }
}
