package io.cmkaudit.cli;

import io.cmkaudit.collect.CollectException;
import io.cmkaudit.collect.Collector;
import io.cmkaudit.collect.CollectorOptions;
import io.cmkaudit.collect.ProgressListener;
import io.cmkaudit.collect.S3Objects;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit collect -o FILE|s3://BUCKET/KEY}: reads the organization into a snapshot file (the same collection {@code scan}
 * runs). Progress per account goes to stderr: a redrawn line when stderr is a terminal, plain lines otherwise.
 * Exit code 0 when every selected account and region was read, 2 when coverage is incomplete.
 */
@Command(name = "collect", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Read the organization (accounts, OUs, SCPs, RCPs; per account IAM, EC2 instances and volumes, "
            + "and the KMS keys they use) into a snapshot JSON file. Read-only.")
final class CollectCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE|s3://BUCKET/KEY",
            description = "Snapshot file to write (replaced atomically), or an S3 object; `-` writes to stdout.")
    String output;

    @Option(names = "--plan", paramLabel = "FILE|s3://BUCKET/KEY",
            description = "Plan written by `cmk-audit plan`: take the organization from it (Organizations is not "
                + "called) and collect one shard (--shard or --accounts-file) into a partial snapshot for `merge`.")
    String plan;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "With --plan: collect shard I of N (the plan's accounts dealt out round-robin; "
                + "deterministic).")
    String shard;

    @Option(names = "--accounts-file", paramLabel = "FILE|s3://BUCKET/KEY",
            description = "With --plan: collect these accounts of the plan (12-digit ids, one per line or a JSON "
                + "array; `#` starts a comment).")
    String accountsFile;

    @Mixin
    ScanOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Main parent;

    @Override
    public Integer call() {
        ScannerConfig config = options.effective();
        if (plan == null && (shard != null || accountsFile != null)) {
            throw new UsageException((shard != null ? "--shard" : "--accounts-file") + ": needs --plan PLAN "
                    + "(write one with `cmk-audit plan -o PLAN`)");
        }
        if (plan != null && shard != null && accountsFile != null) {
            throw new UsageException("give either --shard or --accounts-file, not both");
        }
        if (plan != null && shard == null && accountsFile == null) {
            throw new UsageException("--plan: also give --shard I/N or --accounts-file FILE (the accounts to collect)");
        }
        if (plan != null && (options.accounts != null || options.excludeAccounts != null)) {
            throw new UsageException("--accounts / --exclude-accounts select accounts when planning; with --plan "
                    + "choose the shard with --shard or --accounts-file");
        }
        if (S3Objects.S3Url.is(output)) {
            Locations.checkWritable("-o", output);
            ShardRun.Loaded loaded = plan == null ? null : ShardRun.scope(config, plan, shard, accountsFile);
            Snapshot snapshot = collectSnapshot(config, loaded, spec.commandLine().getErr());
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            SnapshotJson.write(snapshot, buf);
            new Locations(config.endpointUrl(), java.time.Duration.ofSeconds(config.callTimeoutSeconds()))
                    .write("-o", output, buf.toByteArray(), "application/json");
            return summarize(config, snapshot, output);
        }
        Path file = "-".equals(output) ? null : Path.of(output);
        if (file != null) {
            if (Files.isDirectory(file)) {
                throw new UsageException("-o: `" + file + "` is a folder; name the snapshot file, e.g. `"
                        + file.resolve("snapshot.json") + "`");
            }
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new UsageException("-o: `" + dir + "` is a file, not a folder");
            }
            if (dir == null || !Files.isDirectory(dir)) {
                throw new UsageException("-o: folder does not exist: `" + dir + "`");
            }
            if (!Files.isWritable(dir)) {
                throw new UsageException("-o: folder not writable: `" + dir + "`");
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        ShardRun.Loaded loaded = plan == null ? null : ShardRun.scope(config, plan, shard, accountsFile);
        Snapshot snapshot = collectSnapshot(config, loaded, err);
        if (file == null) {
            PrintWriter out = spec.commandLine().getOut();
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            SnapshotJson.write(snapshot, buf);
            out.print(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
        } else {
            try {
                SnapshotJson.write(snapshot, file);
            } catch (java.io.UncheckedIOException e) {
                throw new UsageException("-o: " + e.getMessage(), e);
            }
        }
        return summarize(config, snapshot, file == null ? null : file.toString());
    }

    private Snapshot collectSnapshot(ScannerConfig config, ShardRun.Loaded loaded, PrintWriter err) {
        try {
            ScannerConfig effective = loaded == null ? config
                    : ShardRun.withPlanRegions(ShardRun.withPlanRates(config, loaded.plan()), loaded.plan(), plan);
            Snapshot collected = new Collector(effective, CollectorOptions.defaults(VersionProvider.version()))
                    .collect(progress(parent, err), loaded == null ? null : loaded.scope());
            // a partial snapshot names its plan, so that merge refuses a part of another plan
            return loaded == null ? collected : collected.withRun(collected.run().withPlanId(loaded.plan().id()));
        } catch (CollectException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private int summarize(ScannerConfig config, Snapshot snapshot, String file) {
        PrintWriter err = spec.commandLine().getErr();
        boolean quiet = parent != null && parent.verbosity() < 0;
        long incomplete = snapshot.accounts().stream().flatMap(a -> a.coverage().stream())
                .filter(CollectCommand::incomplete).count();
        long scanned = snapshot.accounts().stream().filter(AccountSnapshot::fullyScanned).count();
        if (!quiet || incomplete > 0) {
            StatusLine.print(err, incomplete > 0 ? StatusLine.Level.WARN : StatusLine.Level.INFO,
                (quiet ? "warning: " : "") + "collected " + snapshot.accounts().size() + " accounts (" + scanned
                + " fully scanned) in "
                + java.time.Duration.between(snapshot.run().startedAt(), snapshot.run().finishedAt()).toMillis() + " ms, "
                + snapshot.run().totalApiCalls() + " API calls"
                + (incomplete > 0 ? "; coverage incomplete: " + incomplete + " account/region entries not read" : "")
                + (file == null ? "" : "; wrote " + file));
        }
        if (!snapshot.organization().readable()) {
            StatusLine.warn(err, "warning: the organization could not be read ("
                    + snapshot.organization().readError().message() + "); scanned "
                    + snapshot.accounts().size() + " account(s) alone; SCPs and RCPs are unknown");
        }
        // with --plan the plan applied --accounts (and warned); a shard's config has no selection
        int selection = plan != null ? 0
                : AccountSelection.warn(AccountSelection.gaps(config, snapshot.organization()), err);
        err.flush();
        return incomplete > 0 ? ExitCodes.COVERAGE_INCOMPLETE : selection;
    }

    /** Progress on stderr, or none with {@code -q}; a redrawn bar when stderr is a terminal. */
    static ProgressListener progress(Main parent, PrintWriter err) {
        if (parent != null && parent.verbosity() < 0) {
            return ProgressListener.NONE;
        }
        if (parent != null && parent.logFormat == LoggingSetup.Format.json) {
            return new LoggedProgress();
        }
        return new StderrProgress(err, System.console() != null);
    }

    /** Progress as log events, so {@code --log-format json} keeps stderr one JSON object per line. */
    static final class LoggedProgress implements ProgressListener {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.cmkaudit.progress");

        @Override
        public void organizationRead(String organizationId, int accountsToScan, String problem) {
            if (problem == null) {
                LOG.info("organization {}: {} accounts to scan", organizationId, accountsToScan);
            } else {
                LOG.warn("organization not readable ({}): scanning {} account(s)", problem, accountsToScan);
            }
        }

        @Override
        public void accountFinished(String accountId, String name, List<Coverage> coverage, int done, int total) {
            LOG.info("[{}/{}] {}{}: {}", done, total, accountId, name == null ? "" : " " + name, coverage.stream()
                    .map(c -> c.region() + " " + c.status() + (c.errorCode() == null ? "" : " (" + c.errorCode() + ")"))
                    .collect(Collectors.joining(", ")));
        }

        @Override
        public void readingKeys(int keys) {
            LOG.info("reading {} referenced KMS key(s)", keys);
        }
    }

    /** Whether a coverage entry means data that should have been read is missing. */
    static boolean incomplete(Coverage c) {
        return c.status() == CoverageStatus.ASSUME_ROLE_DENIED || c.status() == CoverageStatus.PARTIAL
                || c.status() == CoverageStatus.ERROR;
    }

    /** Progress on stderr; thread-safe. */
    static final class StderrProgress implements ProgressListener {
        private final PrintWriter err;
        private final boolean terminal;

        StderrProgress(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public synchronized void organizationRead(String organizationId, int accountsToScan, String problem) {
            err.println(problem == null
                    ? "cmk-audit: organization " + organizationId + ": " + accountsToScan + " accounts to scan"
                    : "cmk-audit: organization not readable (" + problem + "): scanning " + accountsToScan + " account(s)");
            err.flush();
        }

        @Override
        public synchronized void accountFinished(String accountId, String name, List<Coverage> coverage, int done, int total) {
            String summary = coverage.stream()
                    .map(c -> c.region() + " " + c.status() + (c.errorCode() == null ? "" : " (" + c.errorCode() + ")"))
                    .collect(Collectors.joining(", "));
            String line = "[" + done + "/" + total + "] " + accountId + (name == null ? "" : " " + name) + ": " + summary;
            if (terminal) {
                // a redrawn bar; accounts that were not fully read stay on screen as their own line
                boolean complete = coverage.stream().allMatch(c -> c.status() == CoverageStatus.SCANNED);
                if (!complete) {
                    TerminalPrintWriter.control(err, "\r\033[K");
                    err.println(line);
                }
                int width = 30;
                int filled = total == 0 ? width : done * width / total;
                TerminalPrintWriter.control(err, "\r\033[K");
                err.print("[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total
                        + " accounts" + (complete ? " (last: " + accountId + ")" : ""));
                if (done == total) {
                    err.println();
                }
            } else {
                err.println(line);
            }
            err.flush();
        }

        @Override
        public synchronized void readingKeys(int keys) {
            if (!terminal) {
                StatusLine.info(err, "reading " + keys + " referenced KMS key(s)");
                err.flush();
            }
        }
    }
}
