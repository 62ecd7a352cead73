package io.cmkaudit.cli;

import io.cmkaudit.config.ConfigException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Entry point of the {@code cmk-audit} command line. Every subcommand is a {@link Callable} returning its exit code
 * (see {@link ExitCodes}); {@link #run(String[], PrintWriter, PrintWriter)} is the testable form of {@link #main}.
 * Everything printed passes {@link TerminalPrintWriter} (no terminal control characters from data), and an
 * {@link OutOfMemoryError} ends with one line naming {@code CMK_AUDIT_JAVA_OPTS} and exit code 70.
 */
@Command(name = "cmk-audit",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Finds principals whose EC2 instance starts will fail on customer managed KMS keys, and "
            + "principals with over-broad KMS rights, across an AWS Organization. Read-only: it never writes to AWS.%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:complete, nothing at or above --fail-on",
            "1:findings at or above --fail-on (simulate: a case differs from its expectation)",
            "2:coverage incomplete (an account or region could not be read)",
            "3:both 1 and 2",
            "64:usage or configuration error",
            "75:temporary failure: AWS throttled or failed (HTTP 5xx) beyond the retries; run again later",
            "70:internal error"},
        subcommands = {
            ScanCommand.class,
            CollectCommand.class,
            PlanCommand.class,
            MergeCommand.class,
            MergeFindingsCommand.class,
            ReportCommand.class,
            ExplainCommand.class,
            ConfigCommand.class,
            SimulateCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "Only warnings and errors on stderr.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More detail on stderr, and stack traces on errors; -vv also logs the AWS SDK.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "text|json", defaultValue = "text",
            description = "Log lines on stderr as plain text or JSON lines (for ECS / CloudWatch). Default: ${DEFAULT-VALUE}.")
    LoggingSetup.Format logFormat;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.USAGE;
    }

    /** Verbosity from {@code -q} / {@code -v}: -1 quiet, 0 default, 1 {@code -v}, 2 {@code -vv}. */
    int verbosity() {
        return quiet ? -1 : verbose.length;
    }

    /**
     * Runs the command line and returns its exit code without exiting the JVM.
     *
     * @param args command-line arguments, never null
     * @param out  where machine output and help go (stdout)
     * @param err  where errors go (stderr)
     * @return the exit code, one of {@link ExitCodes}
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        PrintWriter safeOut = out instanceof TerminalPrintWriter ? out : new TerminalPrintWriter(out, false);
        PrintWriter safeErr = err instanceof TerminalPrintWriter ? err : new TerminalPrintWriter(err, false);
        try {
            return execute(args, safeOut, safeErr);
        } catch (OutOfMemoryError oom) {
            return outOfMemory(oom, safeErr);
        } finally {
            safeOut.flush();
            safeErr.flush();
            out.flush();
            err.flush();
        }
    }

    /** Prepared before it is needed: building it after an {@link OutOfMemoryError} could fail in turn. */
    private static final String OOM_ADVICE = "raise the heap with CMK_AUDIT_JAVA_OPTS, e.g. "
            + "`CMK_AUDIT_JAVA_OPTS=-Xmx8g bin/cmk-audit ...` (or `java -Xmx8g -jar cmk-audit.jar ...`); "
            + "docs/PERFORMANCE.md gives the heap per organization size";

    /**
     * The one line an {@link OutOfMemoryError} ends with (no stack trace): what ran out and which setting to raise.
     *
     * @return {@link ExitCodes#INTERNAL}
     */
    static int outOfMemory(OutOfMemoryError oom, PrintWriter err) {
        long maxMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        StatusLine.error(err, "out of memory (" + oom.getMessage() + ", maximum heap " + maxMb + " MB): "
                + OOM_ADVICE);
        return ExitCodes.INTERNAL;
    }

    /** @return a transient {@link io.cmkaudit.collect.CollectException} in {@code t}'s cause chain, or null */
    static io.cmkaudit.collect.CollectException transientCause(Throwable t) {
        for (int i = 0; t != null && i < 20; i++, t = t.getCause()) {
            if (t instanceof io.cmkaudit.collect.CollectException c && c.transientFailure()) {
                return c;
            }
        }
        return null;
    }

    /** @return the {@link OutOfMemoryError} in {@code t}'s cause chain, or null */
    static OutOfMemoryError outOfMemoryCause(Throwable t) {
        for (int i = 0; t != null && i < 20; i++, t = t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    private static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        // no ANSI styles in help: every byte on the terminal passes TerminalPrintWriter, which shows ESC as \x1b
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? ExitCodes.USAGE : ExitCodes.INTERNAL);
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        cl.getCommandSpec().exitCodeOnUsageHelp(ExitCodes.OK);
        cl.getCommandSpec().exitCodeOnVersionHelp(ExitCodes.OK);
        cl.setExecutionStrategy(parseResult -> {
            LoggingSetup.configure(main.verbosity(), main.logFormat == null ? LoggingSetup.Format.text : main.logFormat);
            return new CommandLine.RunLast().execute(parseResult);
        });
        // a usage error is one line naming what is wrong (with picocli's "Did you mean" for a mistyped option or
        // subcommand) and where to read more, not the whole help
        cl.setParameterExceptionHandler((ex, args1) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter e = c.getErr();
            String message = ex.getMessage();
            if (main.logFormat == LoggingSetup.Format.json) {
                LoggingSetup.configure(main.verbosity(), LoggingSetup.Format.json);
                LOG.error(message);
            } else {
                e.println("cmk-audit: " + message);
            }
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, e);
            e.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            e.flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            OutOfMemoryError oom = outOfMemoryCause(ex);
            if (oom != null) {
                if (ex instanceof ScanCommand.SnapshotSavedException) {
                    StatusLine.error(commandLine.getErr(), ex.getMessage());
                }
                return outOfMemory(oom, commandLine.getErr());
            }
            io.cmkaudit.collect.CollectException transientFailure = transientCause(ex);
            if (transientFailure != null) {
                StatusLine.error(commandLine.getErr(), transientFailure.getMessage());
                return ExitCodes.TEMPORARY_FAILURE;
            }
            boolean verbose = main.verbosity() >= 1;
            boolean json = main.logFormat == LoggingSetup.Format.json;
            if (ex instanceof UsageException || ex instanceof ConfigException) {
                if (json) {
                    LOG.error(ex.getMessage());
                } else {
                    commandLine.getErr().println("cmk-audit: " + ex.getMessage());
                }
                if (verbose && ex.getCause() != null) {
                    ex.getCause().printStackTrace(commandLine.getErr());
                }
                commandLine.getErr().flush();
                return ExitCodes.USAGE;
            }
            if (json) {
                LOG.error("internal error: " + ex, verbose ? ex : null);
                return ExitCodes.INTERNAL;
            }
            LOG.debug("internal error", ex);
            commandLine.getErr().println("cmk-audit: internal error: "
                    + (ex instanceof ScanCommand.SnapshotSavedException ? ex.getMessage() : ex.toString())
                    + (verbose ? "" : " (run with -v for the stack trace)"));
            if (verbose) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return ExitCodes.INTERNAL;
        });
        return cl.execute(args);
    }

    /**
     * Process entry point: runs {@link #run} on the standard streams and exits with its code.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        PrintWriter out = new TerminalPrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new TerminalPrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(args, out, err));
    }
}
