package io.cmkaudit.cli;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.collect.CollectException;
import io.cmkaudit.collect.Collector;
import io.cmkaudit.collect.CollectorOptions;
import io.cmkaudit.collect.ProgressListener;
import io.cmkaudit.collect.ReportUploader;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.report.ReportWriter;
import io.cmkaudit.report.RunOutput;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit scan}: collect + analyze + report in one run, the scheduled job. Phases: validate all input,
 * collect (per account, failures recorded as coverage gaps), analyze, write a new run folder atomically, optionally
 * keep the snapshot beside the reports and upload the folder to S3. Exit code: bit 1 for open findings at or above
 * {@code --fail-on}, bit 2 for incomplete coverage (also when an {@code --accounts} id is not in the organization or
 * no account is left to scan: {@link AccountSelection}).
 */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Collect, analyze and report in one run (the scheduled job): writes the reports (by default "
            + "report.html, findings.csv, findings.xlsx, coverage.csv, findings.json; --format) and manifest.json into a "
            + "new timestamped folder under --out.")
final class ScanCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ScanCommand.class);

    /** The snapshot's file name in the run folder. */
    static final String SNAPSHOT_JSON = "snapshot.json";

    @Mixin
    ScanOptions options;

    @Mixin
    OutputOptions output;

    @Option(names = "--upload", paramLabel = "s3://BUCKET/PREFIX",
            description = "Copy the run folder to S3 (server-side encrypted, bucket-owner-full-control), for ECS "
                + "tasks whose disk is temporary.")
    String upload;

    @Option(names = "--upload-kms-key", paramLabel = "KEY",
            description = "KMS key id or ARN for SSE-KMS on upload (default: the bucket's default encryption).")
    String uploadKmsKey;

    @Option(names = "--security-hub",
            description = "Import the findings (ASFF) into AWS Security Hub of the scanner's own account and home "
                + "region with BatchImportFindings, and archive the ones RESOLVED against --previous. Needs "
                + "securityhub:BatchImportFindings for the scanner's principal (not for the audit role).")
    boolean securityHub;

    @Option(names = "--snapshot", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Keep the collected snapshot as snapshot.json in the run folder (default), so the run can "
                + "be re-analyzed offline with `report`.")
    boolean keepSnapshot;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Main parent;

    @Override
    public Integer call() throws Exception {
        ScannerConfig config = options.effective(output);
        ReportUploader.S3Location s3 = uploadLocation(upload, uploadKmsKey);
        ReportPhase report = new ReportPhase(config.outputDir(), config.failOn(), output, config.minSeverity(),
                config.formats(), config.endpointUrl(), config.profile(), config.region());
        PrintWriter err = spec.commandLine().getErr();
        report.warnAtStart(err);

        boolean quiet = parent != null && parent.verbosity() < 0;
        Snapshot snapshot = collect(config, CollectCommand.progress(parent, err));
        List<String> selectionGaps = AccountSelection.gaps(config, snapshot.organization());
        int selectionBit = AccountSelection.warn(selectionGaps, err);
        report.selectionGaps(selectionGaps);
        LOG.info("collected {} accounts with {} API calls; analyzing", snapshot.accounts().size(),
                snapshot.run().totalApiCalls());
        PrintWriter out = spec.commandLine().getOut();
        report.manifest(manifest(config, snapshot, report));
        io.cmkaudit.report.Asff.Target target = snapshot.run().callerAccountId() == null ? null
                : new io.cmkaudit.report.Asff.Target(snapshot.run().callerAccountId(),
                        io.cmkaudit.collect.Credentials.homeRegionName(config));
        report.asffTarget(target);
        report.owners(io.cmkaudit.report.Owners.of(snapshot, config.ownerTag()));
        AnalysisResult[] analyzed = new AnalysisResult[1];
        RunOutput run = preservingSnapshot(snapshot, config.outputDir(), Clock.systemUTC(), () -> {
            analyzed[0] = new Analyzer().analyze(snapshot);
            // the snapshot is written inside the temporary run folder, so it is published (and uploaded) with the
            // reports
            Map<String, ReportWriter.ExtraFile> extras = !keepSnapshot ? Map.of() : Map.of(SNAPSHOT_JSON, file -> {
                try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file))) {
                    SnapshotJson.write(snapshot, o);
                }
            });
            return report.write(analyzed[0], extras, out, err);
        });
        AnalysisResult result = analyzed[0];
        int code = report.findingsBit(run) | ReportPhase.coverageBit(result) | selectionBit;
        if (s3 != null) {
            try {
                List<String> keys = new ReportUploader(config.endpointUrl(),
                        Duration.ofSeconds(config.callTimeoutSeconds()), config.profile(), config.region()).upload(run.runDir(), s3, uploadKmsKey);
                if (!quiet) {
                    StatusLine.info(err, "uploaded " + keys.size() + " files to s3://" + s3.bucket() + "/"
                            + keys.get(0).substring(0, keys.get(0).lastIndexOf('/') + 1));
                }
            } catch (ReportUploader.UploadException e) {
                StatusLine.error(err, e.getMessage() + " (the reports are intact in " + run.runDir() + ")");
                err.flush();
                return ExitCodes.INTERNAL;
            }
        }
        if (securityHub) {
            int hub = SecurityHubExport.importFindings(config.endpointUrl(), Duration.ofSeconds(config.callTimeoutSeconds()),
                    config.profile(), target, report.written(), run, err, quiet);
            if (hub != 0) {
                err.flush();
                return hub;
            }
        }
        err.flush();
        return code;
    }

    /**
     * The checked {@code --upload} of a command that writes a run folder (scan, merge --report, merge-findings).
     *
     * @param upload       {@code s3://BUCKET/PREFIX}, or null
     * @param uploadKmsKey {@code --upload-kms-key}, or null
     * @return the location, or null without {@code --upload}
     * @throws UsageException when the location is malformed, or a KMS key is given without {@code --upload}
     */
    static ReportUploader.S3Location uploadLocation(String upload, String uploadKmsKey) {
        if (uploadKmsKey != null && upload == null) {
            throw new UsageException("--upload-kms-key: only used with --upload s3://BUCKET/PREFIX");
        }
        if (upload == null) {
            return null;
        }
        try {
            return ReportUploader.S3Location.parse(upload);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--upload: " + e.getMessage());
        }
    }

    /** @return e.g. {@code 1 finding}, {@code 2 findings} */
    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The manifest of a scan: configuration, the caller identity of the collection, the snapshot's SHA-256. */
    private io.cmkaudit.report.Manifest manifest(ScannerConfig config, Snapshot snapshot, ReportPhase report)
            throws java.io.IOException {
        Map<String, Object> cfg = new java.util.LinkedHashMap<>(ConfigCommand.describe(config));
        cfg.putAll(report.describe());
        cfg.put("upload", upload);
        cfg.put("uploadKmsKey", uploadKmsKey == null ? null : "(set)");
        cfg.put("snapshot", keepSnapshot);
        Map<String, Object> caller = new java.util.LinkedHashMap<>();
        caller.put("accountId", snapshot.run().callerAccountId());
        caller.put("arn", snapshot.run().callerArn());
        caller.put("partition", ReportCommand.partitionOf(snapshot.run().callerArn()));
        Map<String, Object> snap = new java.util.LinkedHashMap<>();
        if (keepSnapshot) {
            snap.put("source", SNAPSHOT_JSON);
        } else {
            // not kept: the digest of the snapshot as it would have been written
            java.security.MessageDigest md;
            try {
                md = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (OutputStream o = new java.security.DigestOutputStream(OutputStream.nullOutputStream(), md)) {
                SnapshotJson.write(snapshot, o);
            }
            snap.put("source", "collected in memory, not kept (--no-snapshot)");
            snap.put("sha256", java.util.HexFormat.of().formatHex(md.digest()));
        }
        return new io.cmkaudit.report.Manifest(VersionProvider.version(), "scan", cfg, caller, snap);
    }

    /** What runs after the collection; may throw anything. */
    interface AfterCollection<T> {
        T run() throws Exception;
    }

    /**
     * Runs the analysis and report writing; when they fail, the collected snapshot (minutes of API calls) is not
     * lost: it is written to {@code <outputRoot>/snapshot-<UTC time>.json} ({@code -2}, {@code -3}, ... before
     * {@code .json} when another run saved one in the same second; never replaced) and the error names that file.
     *
     * @param snapshot   the collected snapshot
     * @param outputRoot the {@code --out} root (exists)
     * @param clock      for the file name
     * @param work       analysis and report writing
     * @return what {@code work} returns
     * @throws UsageException when {@code work} throws one (message extended with the saved snapshot's path)
     * @throws SnapshotSavedException for any other failure of {@code work} (message names the saved snapshot)
     * @throws Exception the original failure when the snapshot could not be saved either (that failure suppressed)
     */
    static <T> T preservingSnapshot(Snapshot snapshot, Path outputRoot, Clock clock, AfterCollection<T> work)
            throws Exception {
        try {
            return work.run();
        } catch (Exception | Error e) {
            String base = "snapshot-" + java.time.format.DateTimeFormatter
                    .ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(java.time.ZoneOffset.UTC)
                    .format(clock.instant());
            Path saved;
            try {
                // a new file even when another run failed in the same second (snapshot-<time>-2.json, ...)
                saved = SnapshotJson.writeNew(snapshot, outputRoot, base);
            } catch (RuntimeException w) {
                e.addSuppressed(w);
                throw e;
            }
            String keep = "; the collected snapshot is saved as " + saved + " (analyze it again with `cmk-audit "
                    + "report " + saved + "`)";
            if (e instanceof UsageException u) {
                throw new UsageException(u.getMessage() + keep, u);
            }
            throw new SnapshotSavedException("analysis or report writing failed: " + e + keep, e);
        }
    }

    /** A failure after collection whose message names the file the collected snapshot was saved to. */
    static final class SnapshotSavedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SnapshotSavedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static Snapshot collect(ScannerConfig config, ProgressListener progress) {
        try {
            return new Collector(config, CollectorOptions.defaults(VersionProvider.version())).collect(progress);
        } catch (CollectException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
