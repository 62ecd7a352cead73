package io.cmkaudit.cli;

import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.shard.Plan;
import io.cmkaudit.shard.SnapshotMerger;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotFormatException;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit merge --plan PLAN -o SNAPSHOT PART...}: combines the partial snapshots of a sharded run into one
 * snapshot (see {@link SnapshotMerger}). An ACTIVE account of the plan that no part scanned, or that two parts
 * scanned, is a coverage ERROR row and an error line on stderr. Exit code 0, or 2 when coverage is incomplete.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Combine the partial snapshots of `collect --plan PLAN --shard I/N` with the plan into one "
            + "snapshot; an account missing or collected twice is an ERROR coverage row (exit code 2).")
final class MergeCommand implements Callable<Integer> {

    @Option(names = "--plan", required = true, paramLabel = "FILE|s3://BUCKET/KEY", description = "The plan of the run.")
    String plan;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE|s3://BUCKET/KEY",
            description = "Merged snapshot to write (replaced atomically), or an S3 object.")
    String output;

    @Option(names = "--endpoint-url", paramLabel = "URL", description = "S3 endpoint (moto, LocalStack) for s3:// files.")
    String endpointUrl;

    @Parameters(arity = "1..*", paramLabel = "PART", description = "Partial snapshots (files or s3:// objects).")
    List<String> parts;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Main parent;

    @Override
    public Integer call() {
        URI endpoint = null;
        if (endpointUrl != null) {
            endpoint = io.cmkaudit.config.ConfigLoader.parseEndpoint(endpointUrl);
            if (endpoint == null) {
                throw new UsageException("--endpoint-url: not an http(s) URL: `" + endpointUrl + "`");
            }
        }
        Locations.checkWritable("-o", output);
        Locations files = new Locations(endpoint, Duration.ofSeconds(ScannerConfig.DEFAULTS.callTimeoutSeconds()));
        Plan p = ShardRun.loadPlan(files, plan);
        List<SnapshotMerger.Part> loaded = new ArrayList<>();
        for (String part : parts) {
            byte[] bytes = files.read("PART", part);
            try {
                loaded.add(new SnapshotMerger.Part(part, SnapshotJson.read(new ByteArrayInputStream(bytes), part)));
            } catch (SnapshotFormatException e) {
                throw new UsageException(e.getMessage(), e);
            }
        }
        SnapshotMerger.Result result;
        try {
            result = SnapshotMerger.merge(p, loaded);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        loaded.clear();
        Snapshot merged = result.snapshot();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        SnapshotJson.write(merged, buf);
        files.write("-o", output, buf.toByteArray(), "application/json");
        PrintWriter err = spec.commandLine().getErr();
        for (String problem : result.problems()) {
            err.println("cmk-audit: error: " + problem);
        }
        long incomplete = merged.accounts().stream().flatMap(a -> a.coverage().stream())
                .filter(CollectCommand::incomplete).count();
        long scanned = merged.accounts().stream().filter(AccountSnapshot::fullyScanned).count();
        boolean quiet = parent != null && parent.verbosity() < 0;
        if (!quiet || incomplete > 0) {
            err.println("cmk-audit: " + (incomplete > 0 ? "warning: " : "") + "merged " + parts.size()
                    + " partial snapshots: " + scanned + " of " + p.accounts().size() + " planned accounts fully scanned, "
                    + merged.run().totalApiCalls() + " API calls"
                    + (incomplete > 0 ? "; coverage incomplete: " + incomplete + " account/region entries not read" : "")
                    + "; wrote " + output);
        }
        err.flush();
        return incomplete > 0 || !result.problems().isEmpty() ? ExitCodes.COVERAGE_INCOMPLETE : ExitCodes.OK;
    }
}
