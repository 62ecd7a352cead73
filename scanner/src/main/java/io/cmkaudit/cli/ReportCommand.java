package io.cmkaudit.cli;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.report.RunOutput;
import io.cmkaudit.snapshot.Snapshot;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit report [SNAPSHOT]}: analyzes a saved snapshot offline (or, without one, the embedded sample
 * organization) and writes {@code report.html}, {@code findings.csv}, {@code coverage.csv} and {@code findings.json}
 * into a new timestamped folder under {@code --out}; prints a summary on stdout. Exit code: bit 1 when an open
 * finding is at or above {@code --fail-on}, bit 2 when the snapshot's coverage is incomplete.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Analyze a saved snapshot offline and write the reports (by default report.html, findings.csv, "
            + "findings.xlsx, coverage.csv, findings.json; --format) and manifest.json into a new timestamped folder "
            + "under --out; print a summary. Without SNAPSHOT (or with "
            + "--sample) the sample organization embedded in the jar is used.")
final class ReportCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReportCommand.class);

    @Parameters(index = "0", arity = "0..1", paramLabel = "SNAPSHOT",
            description = "Snapshot file written by `cmk-audit collect` (or snapshot.json of a scan run folder); with "
                + "--plan also an s3://BUCKET/KEY object, read as it streams in.")
    String snapshotArg;

    /** SNAPSHOT as a local path, or null. */
    Path snapshot;

    @Option(names = "--sample", description = "Analyze the sample organization embedded in the jar.")
    boolean sample;

    @Mixin
    OutputOptions output;

    @Option(names = "--plan", paramLabel = "FILE|s3://BUCKET/KEY", description = "Sharded runs: analyze one shard of "
            + "this plan (with --shard or --accounts-file) and write its findings part (-o) for merge-findings, "
            + "instead of the reports. SNAPSHOT is the merged snapshot.")
    String plan;

    @Option(names = "--shard", paramLabel = "I/N", description = "With --plan: the shard to analyze, as for collect.")
    String shard;

    @Option(names = "--accounts-file", paramLabel = "FILE|s3://BUCKET/KEY",
            description = "With --plan: the accounts to analyze (a JSON array or one id per line).")
    String accountsFile;

    @Option(names = {"-o", "--output"}, paramLabel = "PART|s3://BUCKET/KEY",
            description = "With --plan: the findings part to write (replaced), or an S3 object.")
    String partOutput;

    @Option(names = "--endpoint-url", paramLabel = "URL", description = "S3 endpoint (moto, LocalStack) for s3:// files (--plan, -o, --previous).")
    String endpointUrl;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sample && snapshotArg != null) {
            throw new UsageException("give either SNAPSHOT or --sample, not both");
        }
        if (plan != null || shard != null || accountsFile != null || partOutput != null) {
            String reportOption = output.out != null ? "--out" : output.failOn != null ? "--fail-on"
                    : output.severity != null ? "--severity" : output.formats != null ? "--format"
                    : output.previous != null ? "--previous" : output.suppressions != null ? "--suppressions"
                    : output.templates != null ? "--templates" : null;
            if (reportOption != null) {
                throw new UsageException(reportOption + ": a sharded report (--plan) writes a findings part (-o); "
                        + "give the report options to merge-findings");
            }
            return new ShardReport(plan, shard, accountsFile, partOutput, endpointUrl, snapshotArg, sample)
                    .run(spec.commandLine().getErr(), parentQuiet());
        }
        java.net.URI endpoint = null;
        if (endpointUrl != null) {
            if (!io.cmkaudit.collect.S3Objects.S3Url.is(output.previous)) {
                throw new UsageException("--endpoint-url: only with --plan (a sharded report) or --previous s3://…");
            }
            endpoint = io.cmkaudit.config.ConfigLoader.parseEndpoint(endpointUrl);
            if (endpoint == null) {
                throw new UsageException("--endpoint-url: not an http(s) URL: `" + endpointUrl + "`");
            }
        }
        if (io.cmkaudit.collect.S3Objects.S3Url.is(snapshotArg)) {
            throw new UsageException("SNAPSHOT: an s3:// snapshot only with --plan (a sharded report); copy it to a "
                    + "file first (aws s3 cp " + snapshotArg + " .)");
        }
        snapshot = snapshotArg == null ? null : Path.of(snapshotArg);
        String failOn = output.failOn == null ? ScannerConfig.DEFAULTS.failOn()
                : output.failOn.toUpperCase(java.util.Locale.ROOT);
        if (!ScannerConfig.SEVERITIES.contains(failOn)) {
            throw new UsageException("--fail-on: must be one of " + ScannerConfig.SEVERITIES + ", got `"
                    + output.failOn + "`");
        }
        Path outRoot = output.out == null ? ScannerConfig.DEFAULTS.outputDir() : output.out;
        ReportPhase report = new ReportPhase(outRoot, failOn, output, endpoint);
        report.warnAtStart(spec.commandLine().getErr());
        AnalysisResult result = analyze(report);
        long t2 = System.nanoTime();
        RunOutput run = report.write(result, java.util.Map.of(), spec.commandLine().getOut(),
                spec.commandLine().getErr());
        LOG.info("wrote the reports in {} ms", (System.nanoTime() - t2) / 1_000_000);
        return report.findingsBit(run) | ReportPhase.coverageBit(result);
    }

    @picocli.CommandLine.ParentCommand
    Main parent;

    private boolean parentQuiet() {
        return parent != null && parent.verbosity() < 0;
    }

    /**
     * Reads and analyzes the snapshot. A method of its own so that the snapshot is garbage once the analysis is
     * done and does not stay reachable from a local variable while the reports are written.
     */
    private AnalysisResult analyze(ReportPhase report) throws java.io.IOException {
        long t0 = System.nanoTime();
        Snapshot s = SnapshotSource.load(snapshot);
        Map<String, Object> snap = new java.util.LinkedHashMap<>();
        Path file = snapshot == null ? null : java.nio.file.Files.isDirectory(snapshot)
                ? snapshot.resolve(ScanCommand.SNAPSHOT_JSON) : snapshot;
        if (file == null) {
            snap.put("source", "embedded sample " + SnapshotSource.SAMPLE);
            try (java.io.InputStream in = SnapshotSource.class.getResourceAsStream(SnapshotSource.SAMPLE)) {
                snap.put("sha256", io.cmkaudit.report.Manifest.sha256(in));
            }
        } else {
            snap.put("source", file.toAbsolutePath().toString());
            snap.put("sha256", io.cmkaudit.report.Manifest.sha256(file));
        }
        // no AWS call here: the identity that collected the snapshot
        Map<String, Object> caller = new java.util.LinkedHashMap<>();
        caller.put("accountId", s.run().callerAccountId());
        caller.put("arn", s.run().callerArn());
        caller.put("partition", partitionOf(s.run().callerArn()));
        caller.put("source", "the snapshot's collection");
        report.manifest(new io.cmkaudit.report.Manifest(VersionProvider.version(), "report", report.describe(),
                caller, snap));
        if (s.run().callerAccountId() != null) {
            // offline: the ASFF findings are filed under the collecting account, in the first region it scanned
            String region = s.run().regions().isEmpty() ? "us-east-1" : s.run().regions().get(0);
            report.asffTarget(new io.cmkaudit.report.Asff.Target(s.run().callerAccountId(), region));
        }
        report.owners(io.cmkaudit.report.Owners.of(s, ScannerConfig.DEFAULTS.ownerTag()));
        long t1 = System.nanoTime();
        LOG.info("read the snapshot ({} accounts) in {} ms", s.accounts().size(), (t1 - t0) / 1_000_000);
        AnalysisResult result = new Analyzer().analyze(s);
        LOG.info("analyzed in {} ms: {} findings", (System.nanoTime() - t1) / 1_000_000, result.findings().size());
        return result;
    }

    /**
     * @param arn an ARN ({@code arn:PARTITION:service:...}) or anything a snapshot holds in its place
     * @return its partition, or null when {@code arn} is null or not an ARN (a damaged snapshot is no internal error)
     */
    static String partitionOf(String arn) {
        if (arn == null || !arn.startsWith("arn:")) {
            return null;
        }
        String[] parts = arn.split(":", 3);
        return parts.length < 3 || parts[1].isEmpty() ? null : parts[1];
    }
}
