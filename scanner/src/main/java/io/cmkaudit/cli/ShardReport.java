package io.cmkaudit.cli;

import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.collect.S3Objects;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.report.FindingsPart;
import io.cmkaudit.report.Owners;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotFormatException;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code report SNAPSHOT --plan PLAN --shard I/N -o PART} (or {@code --accounts-file}): one shard of a sharded
 * report. Reads the merged snapshot keeping the shard's accounts in full and, of the other accounts, only their keys,
 * instances and volumes ({@link SnapshotJson#readShard}); analyzes the shard's accounts with every key policy of the
 * organization ({@link Analyzer#analyzeShard}); writes the findings part {@code merge-findings} joins
 * ({@link FindingsPart}). Exit code 0, or 2 when a coverage row of the shard is not covered.
 */
final class ShardReport {

    private final String plan;
    private final String shard;
    private final String accountsFile;
    private final String output;
    private final String endpointUrl;
    private final String snapshot;
    private final boolean sample;

    /**
     * @param plan         {@code --plan}: a path or {@code s3://bucket/key}, or null (a usage error)
     * @param shard        {@code --shard I/N}, or null
     * @param accountsFile {@code --accounts-file}: a path or {@code s3://bucket/key}, or null
     * @param output       {@code -o}: the part to write, a path or {@code s3://bucket/key}, or null (a usage error)
     * @param endpointUrl  {@code --endpoint-url} for S3, or null for AWS
     * @param snapshot     SNAPSHOT: the merged snapshot, a file, a scan run folder or {@code s3://bucket/key}; null
     *                     is a usage error
     * @param sample       whether {@code --sample} was given (a usage error)
     */
    ShardReport(String plan, String shard, String accountsFile, String output, String endpointUrl, String snapshot,
                boolean sample) {
        this.plan = plan;
        this.shard = shard;
        this.accountsFile = accountsFile;
        this.output = output;
        this.endpointUrl = endpointUrl;
        this.snapshot = snapshot;
        this.sample = sample;
    }

    /**
     * @param err   stderr, for the one-line summary
     * @param quiet whether {@code -q} was given
     * @return the exit code
     * @throws UsageException for a missing or conflicting option, an unreadable plan or snapshot, or a snapshot of
     *                        another organization than the plan or merged from another plan
     */
    int run(PrintWriter err, boolean quiet) {
        if (plan == null) {
            throw new UsageException((shard != null ? "--shard" : accountsFile != null ? "--accounts-file" : "-o")
                    + ": only with --plan PLAN (a sharded report)");
        }
        if ((shard == null) == (accountsFile == null)) {
            throw new UsageException("--plan: give either --shard I/N or --accounts-file FILE");
        }
        if (output == null) {
            throw new UsageException("--plan: -o PART is required (the findings part merge-findings joins)");
        }
        if (sample || snapshot == null) {
            throw new UsageException("--plan: give the merged snapshot of the run (SNAPSHOT), not the sample");
        }
        URI endpoint = null;
        if (endpointUrl != null) {
            endpoint = io.cmkaudit.config.ConfigLoader.parseEndpoint(endpointUrl);
            if (endpoint == null) {
                throw new UsageException("--endpoint-url: not an http(s) URL: `" + endpointUrl + "`");
            }
        }
        Locations.checkWritable("-o", output);
        Locations files = new Locations(endpoint, Duration.ofSeconds(ScannerConfig.DEFAULTS.callTimeoutSeconds()));
        ShardRun.Loaded loaded = ShardRun.scope(files, plan, shard, accountsFile);
        Set<String> mine = Set.copyOf(loaded.scope().accountIds());
        Set<String> planned = Set.copyOf(loaded.plan().accounts());
        String file = !S3Objects.S3Url.is(snapshot) && Files.isDirectory(Path.of(snapshot))
                ? Path.of(snapshot).resolve(ScanCommand.SNAPSHOT_JSON).toString() : snapshot;
        Snapshot s;
        // the accounts of no shard (excluded or not ACTIVE: stubs from the plan) are read by every shard in full;
        // an S3 snapshot is parsed as it streams in, never held whole
        try (InputStream in = files.open("SNAPSHOT", file)) {
            s = SnapshotJson.readShard(in, file, id -> mine.contains(id) || !planned.contains(id));
        } catch (SnapshotFormatException e) {
            throw new UsageException(e.getMessage(), e);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new UsageException("SNAPSHOT: cannot read `" + file + "`: " + e.getMessage(), e);
        }
        String planOrg = loaded.plan().organization().id();
        if (planOrg != null && !planOrg.equals(s.organization().id())) {
            throw new UsageException("SNAPSHOT: " + file + " is of organization " + s.organization().id()
                    + ", but the plan is of organization " + planOrg);
        }
        if (s.run().planId() != null && !s.run().planId().equals(loaded.plan().id())) {
            throw new UsageException("SNAPSHOT: " + file + " was merged from plan " + s.run().planId()
                    + ", not from --plan " + plan + " (" + loaded.plan().id() + ")");
        }
        Set<String> focus = new HashSet<>(mine);
        for (AccountSnapshot a : s.accounts()) {
            if (!planned.contains(a.accountId())) {
                focus.add(a.accountId());
            }
        }
        Analyzer.ShardOutcome o = new Analyzer().analyzeShard(s, focus, mine);
        Owners all = Owners.of(s, ScannerConfig.DEFAULTS.ownerTag());
        Map<String, String> owners = new TreeMap<>();
        for (Finding f : o.result().findings()) {
            if (f.principalArn() != null && all.byArn().containsKey(f.principalArn())) {
                owners.put(f.principalArn(), all.byArn().get(f.principalArn()));
            }
            f.principals().forEach(p -> {
                if (all.byArn().containsKey(p.arn())) {
                    owners.put(p.arn(), all.byArn().get(p.arn()));
                }
            });
            f.keys().forEach(k -> {
                if (all.byArn().containsKey(k.arn())) {
                    owners.put(k.arn(), all.byArn().get(k.arn()));
                }
            });
        }
        FindingsPart part = new FindingsPart(null, FindingsPart.planId(planOrg, loaded.plan().startedAt()),
                loaded.scope().label(), mine.stream().sorted().toList(), o.result().run(), s.run().callerAccountId(),
                s.run().callerArn(), o.result().summary(), o.result().coverage(), o.result().findings(),
                o.publicExposure(), owners, all.tagKey(), o.units(), o.permissionSetMembers(), o.grouped());
        files.write("-o", output, part.toJson(), "application/json");
        int code = ReportPhase.coverageBit(o.result());
        if (!quiet || code != 0) {
            long gaps = o.result().coverage().stream().filter(ReportPhase::notCovered).count();
            StatusLine.print(err, code != 0 ? StatusLine.Level.WARN : StatusLine.Level.INFO,
                    (code != 0 ? "warning: " : "") + loaded.scope().label() + ": "
                    + o.result().findings().size() + " findings of " + mine.size() + " accounts"
                    + (gaps > 0 ? "; coverage incomplete: " + gaps + " account/region entries" : "") + "; wrote "
                    + output);
            err.flush();
        }
        return code;
    }

    /** @return the ids, sorted (messages) */
    static List<String> sorted(Set<String> ids) {
        return ids.stream().sorted().toList();
    }
}
