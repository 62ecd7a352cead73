package io.cmkaudit.cli;

import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.shard.Plan;
import io.cmkaudit.shard.SnapshotMerger;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotFormatException;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit merge --plan PLAN -o SNAPSHOT PART...}: combines the partial snapshots of a sharded run into one
 * snapshot (see {@link SnapshotMerger}). An ACTIVE account of the plan that no part scanned, or that two parts
 * scanned, is a coverage ERROR row and an error line on stderr. Exit code 0, or 2 when coverage is incomplete; 64
 * for a part that is not of the plan, was collected in other regions, or is given twice ({@link
 * io.cmkaudit.shard.PartCheck}).
 * With {@code --report} it also analyzes the merged snapshot and writes the reports into a new run folder under
 * {@code --out}, as {@code report} does (exit bit 1 for findings at or above {@code --fail-on}), and with
 * {@code --upload} uploads that folder to S3, as {@code scan} does: the reduce step of a sharded run in one task.
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

    @Parameters(arity = "1..*", paramLabel = "PART", description = "Partial snapshots: files or s3:// objects; a "
            + "folder or an s3://BUCKET/PREFIX/ ending in / stands for every .json file under it.")
    List<String> parts;

    @Option(names = "--report", description = "Also analyze the merged snapshot and write the reports (by default "
            + "report.html, findings.csv, findings.xlsx, coverage.csv, findings.json; --format) and manifest.json into "
            + "a new timestamped folder under --out.")
    boolean report;

    @Mixin
    OutputOptions reportOutput;

    @Option(names = "--upload", paramLabel = "s3://BUCKET/PREFIX",
            description = "With --report: upload the run folder under this prefix (as scan --upload).")
    String upload;

    @Option(names = "--upload-kms-key", paramLabel = "KEY",
            description = "KMS key id or ARN for SSE-KMS on upload (default: the bucket's default encryption).")
    String uploadKmsKey;

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
        if ((upload != null || uploadKmsKey != null) && !report) {
            throw new UsageException((upload != null ? "--upload" : "--upload-kms-key") + ": only with --report");
        }
        io.cmkaudit.collect.ReportUploader.S3Location uploadTo = ScanCommand.uploadLocation(upload, uploadKmsKey);
        String failOn = this.reportOutput.failOn == null ? ScannerConfig.DEFAULTS.failOn()
                : this.reportOutput.failOn.toUpperCase(java.util.Locale.ROOT);
        if (report && !ScannerConfig.SEVERITIES.contains(failOn)) {
            throw new UsageException("--fail-on: must be one of " + ScannerConfig.SEVERITIES + ", got `"
                    + this.reportOutput.failOn + "`");
        }
        Locations.checkWritable("-o", output);
        Locations files = new Locations(endpoint, Duration.ofSeconds(ScannerConfig.DEFAULTS.callTimeoutSeconds()));
        Plan p = ShardRun.loadPlan(files, plan);
        List<SnapshotMerger.Part> loaded = new ArrayList<>();
        List<String> named = new ArrayList<>();
        for (String part : parts) {
            named.addAll(files.expand("PART", part));
        }
        io.cmkaudit.shard.PartCheck check = new io.cmkaudit.shard.PartCheck(p, plan);
        for (String part : named) {
            try {
                check.checkName(part);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            // parsed as it streams in (a file or an S3 object), never held as bytes
            try (java.io.InputStream in = files.open("PART", part)) {
                SnapshotMerger.Part read = new SnapshotMerger.Part(part, SnapshotJson.read(in, part));
                check.check(read);
                loaded.add(read);
            } catch (SnapshotFormatException | IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                throw new UsageException("PART: cannot read `" + part + "`: " + e.getMessage(), e);
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
        // written to a temporary file and streamed from it: a snapshot of thousands of accounts is GBs of JSON, more
        // than a byte array holds (2 GB) and a second copy of the organization in the heap
        java.nio.file.Path mergedFile;
        try {
            mergedFile = java.nio.file.Files.createTempFile("cmk-audit-merged-", ".json");
        } catch (java.io.IOException e) {
            throw new UsageException("-o: cannot create a temporary file: " + e.getMessage(), e);
        }
        String sha256;
        try {
            try (java.io.OutputStream o = new java.io.BufferedOutputStream(
                    java.nio.file.Files.newOutputStream(mergedFile), 1 << 16)) {
                SnapshotJson.write(merged, o);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                throw new UsageException("-o: cannot write the merged snapshot to " + mergedFile + ": "
                        + e.getMessage(), e);
            }
            sha256 = report ? io.cmkaudit.report.Manifest.sha256(mergedFile) : null;
            files.writeFile("-o", output, mergedFile, "application/json");
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(mergedFile);
            } catch (java.io.IOException ignored) {
                // a temporary file; moved into place for a local -o
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        for (String problem : result.problems()) {
            StatusLine.error(err, "error: " + problem);
        }
        long incomplete = merged.accounts().stream().flatMap(a -> a.coverage().stream())
                .filter(CollectCommand::incomplete).count();
        long scanned = merged.accounts().stream().filter(AccountSnapshot::fullyScanned).count();
        boolean quiet = parent != null && parent.verbosity() < 0;
        if (!quiet || incomplete > 0) {
            StatusLine.print(err, incomplete > 0 ? StatusLine.Level.WARN : StatusLine.Level.INFO,
                    (incomplete > 0 ? "warning: " : "") + "merged " + named.size()
                    + " partial snapshots: " + scanned + " of " + p.accounts().size() + " planned accounts fully scanned, "
                    + merged.run().totalApiCalls() + " API calls"
                    + (incomplete > 0 ? "; coverage incomplete: " + incomplete + " account/region entries not read" : "")
                    + "; wrote " + output);
        }
        err.flush();
        int code = incomplete > 0 || !result.problems().isEmpty() ? ExitCodes.COVERAGE_INCOMPLETE : ExitCodes.OK;
        if (report) {
            code |= report(merged, sha256, failOn, uploadTo, endpoint, err);
        }
        return code;
    }

    /** Analyzes the merged snapshot and writes (and uploads) the reports; returns the exit bits of the findings. */
    private int report(Snapshot merged, String sha256, String failOn,
                       io.cmkaudit.collect.ReportUploader.S3Location uploadTo, URI endpoint, PrintWriter err) {
        java.nio.file.Path outRoot = this.reportOutput.out == null ? ScannerConfig.DEFAULTS.outputDir() : this.reportOutput.out;
        ReportPhase phase = new ReportPhase(outRoot, failOn, this.reportOutput, endpoint);
        phase.warnAtStart(spec.commandLine().getErr());
        java.util.Map<String, Object> snap = new java.util.LinkedHashMap<>();
        snap.put("source", output);
        snap.put("sha256", sha256);
        java.util.Map<String, Object> caller = new java.util.LinkedHashMap<>();
        caller.put("accountId", merged.run().callerAccountId());
        caller.put("arn", merged.run().callerArn());
        caller.put("partition", merged.run().callerArn() == null ? null : merged.run().callerArn().split(":")[1]);
        caller.put("source", "the plan's collection");
        phase.manifest(new io.cmkaudit.report.Manifest(VersionProvider.version(), "merge", phase.describe(), caller,
                snap));
        io.cmkaudit.analysis.AnalysisResult analyzed = new io.cmkaudit.analysis.Analyzer().analyze(merged);
        io.cmkaudit.report.RunOutput run;
        try {
            run = phase.write(analyzed, java.util.Map.of(), spec.commandLine().getOut(), err);
        } catch (java.io.IOException e) {
            throw new UsageException("--out: cannot write the reports: " + e.getMessage(), e);
        }
        int code = phase.findingsBit(run) | ReportPhase.coverageBit(analyzed);
        if (uploadTo != null) {
            try {
                List<String> keys = new io.cmkaudit.collect.ReportUploader(endpoint,
                        Duration.ofSeconds(ScannerConfig.DEFAULTS.callTimeoutSeconds())).upload(run.runDir(), uploadTo,
                        uploadKmsKey);
                if (parent == null || parent.verbosity() >= 0) {
                    StatusLine.info(err, "uploaded " + keys.size() + " files to s3://" + uploadTo.bucket() + "/"
                            + keys.get(0).substring(0, keys.get(0).lastIndexOf('/') + 1));
                }
            } catch (io.cmkaudit.collect.ReportUploader.UploadException e) {
                StatusLine.error(err, e.getMessage() + " (the reports are intact in " + run.runDir() + ")");
                err.flush();
                return ExitCodes.INTERNAL;
            }
        }
        err.flush();
        return code;
    }
}
