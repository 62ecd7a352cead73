package io.cmkaudit.cli;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.Snapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit report [SNAPSHOT] [--out DIR]}: analyzes a saved snapshot (or, without one, the embedded sample
 * organization), writes {@code findings.json} into a new timestamped folder under {@code --out}, and prints a summary
 * (findings by severity and type; coverage) on stdout. Exit code: bit 1 when a finding is at or above
 * {@code --fail-on}, bit 2 when the snapshot's coverage is incomplete.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Analyze a saved snapshot offline and write the reports into a new timestamped folder under "
            + "--out; print a summary. Without SNAPSHOT (or with --sample) the embedded sample organization is used.")
final class ReportCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReportCommand.class);

    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    @Parameters(index = "0", arity = "0..1", paramLabel = "SNAPSHOT",
            description = "Snapshot file written by `cmk-audit collect`.")
    Path snapshot;

    @Option(names = "--sample", description = "Analyze the sample organization embedded in the jar.")
    boolean sample;

    @Mixin
    ScanOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Clock of the run folder's name; tests replace it. */
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        if (sample && snapshot != null) {
            throw new UsageException("give either SNAPSHOT or --sample, not both");
        }
        ScannerConfig config = options.effective();
        long t0 = System.nanoTime();
        Snapshot s = SnapshotSource.load(snapshot);
        long t1 = System.nanoTime();
        LOG.info("read the snapshot ({} accounts) in {} ms", s.accounts().size(), (t1 - t0) / 1_000_000);
        AnalysisResult result = new Analyzer().analyze(s);
        long t2 = System.nanoTime();
        LOG.info("analyzed in {} ms: {} findings", (t2 - t1) / 1_000_000, result.findings().size());
        Instant now = clock.instant();
        Path folder = runFolder(config.outputDir(), now);
        FindingsJsonWriter.write(result, now, folder.resolve("findings.json"));
        LOG.info("wrote findings.json in {} ms", (System.nanoTime() - t2) / 1_000_000);
        PrintWriter out = spec.commandLine().getOut();
        out.print(summary(result, snapshot == null ? "the sample organization" : snapshot.toString()));
        out.println("wrote " + folder.resolve("findings.json"));
        out.flush();
        int code = ExitCodes.OK;
        if (!"NONE".equals(config.failOn())) {
            Severity threshold = Severity.valueOf(config.failOn());
            if (result.findings().stream().anyMatch(f -> f.severity().atLeast(threshold))) {
                code |= ExitCodes.FINDINGS;
            }
        }
        if (coverageIncomplete(result)) {
            code |= ExitCodes.COVERAGE_INCOMPLETE;
        }
        return code;
    }

    /** Creates {@code DIR/cmk-audit-<UTC time>} (with {@code -2}, {@code -3}... when taken); never reuses a folder. */
    static Path runFolder(Path dir, Instant now) {
        try {
            Files.createDirectories(dir);
            String base = "cmk-audit-" + FOLDER.format(now);
            for (int i = 1; ; i++) {
                Path p = dir.resolve(i == 1 ? base : base + "-" + i);
                try {
                    return Files.createDirectory(p);
                } catch (FileAlreadyExistsException e) {
                    // taken: try the next suffix
                }
            }
        } catch (IOException e) {
            throw new UsageException("--out: cannot create a run folder under `" + dir + "`: " + e.getMessage(), e);
        }
    }

    static boolean coverageIncomplete(AnalysisResult r) {
        return r.coverage().stream().anyMatch(c -> List.of("ASSUME_ROLE_DENIED", "PARTIAL", "ERROR")
                .contains(c.status()));
    }

    /** The stdout summary: findings by severity and type, scope counts, coverage. */
    static String summary(AnalysisResult r, String source) {
        StringBuilder sb = new StringBuilder();
        Map<Severity, Long> bySeverity = new EnumMap<>(Severity.class);
        Map<FindingType, Long> byType = new EnumMap<>(FindingType.class);
        for (Finding f : r.findings()) {
            bySeverity.merge(f.severity(), 1L, Long::sum);
            byType.merge(f.type(), 1L, Long::sum);
        }
        sb.append("cmk-audit report on ").append(source).append('\n');
        sb.append("findings: ").append(r.findings().size()).append(" (")
                .append(java.util.Arrays.stream(Severity.values())
                        .map(s -> bySeverity.getOrDefault(s, 0L) + " " + s).collect(Collectors.joining(", ")))
                .append(")\n");
        for (FindingType t : FindingType.values()) {
            long n = byType.getOrDefault(t, 0L);
            if (n > 0) {
                sb.append(String.format("  %-32s %6d%n", t.name(), n));
            }
        }
        AnalysisResult.Summary s = r.summary();
        sb.append("instances: ").append(s.instances()).append(" (").append(s.instancesInScope())
                .append(" on customer managed keys, joined; ").append(s.instancesAwsManagedKeyOnly())
                .append(" on AWS managed keys only and ").append(s.instancesUnencrypted())
                .append(" unencrypted, counted only); principals: ").append(s.principals())
                .append("; keys in scope: ").append(s.keysInScope()).append('\n');
        List<AnalysisResult.CoverageRow> gaps = r.coverage().stream()
                .filter(c -> !"SCANNED".equals(c.status())).toList();
        sb.append("coverage: ").append(s.accountsScanned()).append(" of ").append(s.accounts())
                .append(" accounts fully scanned").append(gaps.isEmpty() ? "\n" : "; not scanned:\n");
        for (AnalysisResult.CoverageRow c : gaps) {
            sb.append("  ").append(c.accountId()).append(c.accountName() == null ? "" : " " + c.accountName())
                    .append(' ').append(c.region()).append(": ").append(c.status())
                    .append(c.errorCode() == null ? "" : " (" + c.errorCode() + ")").append('\n');
        }
        return sb.toString();
    }
}
