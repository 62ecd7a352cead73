package io.cmkaudit.cli;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.analysis.FindingJoin;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.report.FindingsPart;
import io.cmkaudit.report.Owners;
import io.cmkaudit.report.ReportInputException;
import io.cmkaudit.report.RunOutput;
import io.cmkaudit.shard.Plan;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit merge-findings --plan PLAN PART... --out DIR}: the reduce step of a sharded report. Reads the
 * findings parts of {@code report SNAPSHOT --plan PLAN --shard I/N -o PART}, checks that they belong to the plan and
 * cover each of its accounts exactly once, joins findings that share an id across shards ({@link FindingJoin}), and
 * writes the normal run folder (report.html, findings.csv, findings.xlsx, coverage.csv, findings.json,
 * manifest.json) as {@code report} does, with the same report options; with {@code --upload} it copies that folder
 * to S3 as {@code scan --upload} does (the reduce task of the Step Functions run). A planned account no part
 * analyzed, or that two parts analyzed, is an error line, an ERROR coverage row and exit bit 2; exit bit 1 as
 * {@code report}; 70 when the upload fails (the reports stay on disk).
 */
@Command(name = "merge-findings", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Join the findings parts of `report SNAPSHOT --plan PLAN --shard I/N -o PART` into one run "
            + "folder (report.html, findings.csv, findings.xlsx, coverage.csv, findings.json) under --out; an account "
            + "missing or analyzed twice is an ERROR coverage row (exit code 2).")
final class MergeFindingsCommand implements Callable<Integer> {

    /** Error code of the coverage row of a planned account no part analyzed. */
    static final String NOT_ANALYZED = "NotAnalyzed";

    /** Error code of the coverage row of an account two parts analyzed. */
    static final String ANALYZED_TWICE = "AnalyzedTwice";

    @Option(names = "--plan", required = true, paramLabel = "FILE|s3://BUCKET/KEY", description = "The plan of the run.")
    String plan;

    @Parameters(arity = "1..*", paramLabel = "PART", description = "Findings parts: files or s3:// objects; a folder "
            + "or an s3://BUCKET/PREFIX/ ending in / stands for every .json file under it.")
    List<String> parts;

    @Option(names = "--endpoint-url", paramLabel = "URL", description = "S3 endpoint (moto, LocalStack) for s3:// files.")
    String endpointUrl;

    @Mixin
    OutputOptions output;

    @Option(names = "--upload", paramLabel = "s3://BUCKET/PREFIX",
            description = "Upload the run folder under this prefix (as scan --upload; the reduce step on ECS).")
    String upload;

    @Option(names = "--upload-kms-key", paramLabel = "KEY",
            description = "KMS key id or ARN for SSE-KMS on upload (default: the bucket's default encryption).")
    String uploadKmsKey;

    @Option(names = "--security-hub",
            description = "Import the findings (ASFF) into AWS Security Hub of the scanner's own account (the plan's "
                + "caller) with BatchImportFindings, and archive the ones RESOLVED against --previous, as scan "
                + "--security-hub does. Needs securityhub:BatchImportFindings for the task's principal.")
    boolean securityHub;

    @Option(names = "--region", paramLabel = "REGION",
            description = "Region of the Security Hub the findings are imported into and filed under (default: the "
                + "SDK's region, AWS_REGION on ECS, else the first scanned region).")
    String region;

    @picocli.CommandLine.ParentCommand
    Main parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        URI endpoint = null;
        if (endpointUrl != null) {
            endpoint = io.cmkaudit.config.ConfigLoader.parseEndpoint(endpointUrl);
            if (endpoint == null) {
                throw new UsageException("--endpoint-url: not an http(s) URL: `" + endpointUrl + "`");
            }
        }
        io.cmkaudit.collect.ReportUploader.S3Location uploadTo = ScanCommand.uploadLocation(upload, uploadKmsKey);
        String failOn = output.failOn == null ? ScannerConfig.DEFAULTS.failOn()
                : output.failOn.toUpperCase(java.util.Locale.ROOT);
        if (!ScannerConfig.SEVERITIES.contains(failOn)) {
            throw new UsageException("--fail-on: must be one of " + ScannerConfig.SEVERITIES + ", got `"
                    + output.failOn + "`");
        }
        java.nio.file.Path outRoot = output.out == null ? ScannerConfig.DEFAULTS.outputDir() : output.out;
        ReportPhase phase = new ReportPhase(outRoot, failOn, output, endpoint);
        phase.warnAtStart(spec.commandLine().getErr());
        Locations files = new Locations(endpoint, Duration.ofSeconds(ScannerConfig.DEFAULTS.callTimeoutSeconds()));
        Plan p = ShardRun.loadPlan(files, plan);
        String planId = FindingsPart.planId(p.organization().id(), p.startedAt());
        List<String> named = new ArrayList<>();
        for (String part : parts) {
            named.addAll(files.expand("PART", part));
        }
        List<FindingsPart> loaded = new ArrayList<>();
        for (String part : named) {
            FindingsPart fp;
            try {
                fp = FindingsPart.read(files.read("PART", part), part);
            } catch (ReportInputException e) {
                throw new UsageException(e.getMessage(), e);
            }
            if (!planId.equals(fp.planId())) {
                throw new UsageException(part + ": a findings part of plan " + fp.planId() + ", not of --plan " + plan
                        + " (" + planId + ")");
            }
            loaded.add(fp);
        }
        Joined j = join(p, loaded);
        PrintWriter err = spec.commandLine().getErr();
        for (String problem : j.problems()) {
            StatusLine.error(err, "error: " + problem);
        }
        for (String w : j.join().warnings()) {
            StatusLine.warn(err, "warning: " + w);
        }
        err.flush();
        FindingsPart first = j.used().get(0);
        Map<String, Object> caller = new LinkedHashMap<>();
        caller.put("accountId", first.callerAccountId());
        caller.put("arn", first.callerArn());
        caller.put("partition", ReportCommand.partitionOf(first.callerArn()));
        caller.put("source", "the snapshot's collection");
        Map<String, Object> snap = new LinkedHashMap<>();
        snap.put("source", "findings parts of plan " + planId);
        snap.put("parts", named);
        phase.manifest(new io.cmkaudit.report.Manifest(VersionProvider.version(), "merge-findings", phase.describe(),
                caller, snap));
        io.cmkaudit.report.Asff.Target target = first.callerAccountId() == null ? null
                : new io.cmkaudit.report.Asff.Target(first.callerAccountId(), homeRegion(region,
                        ReportCommand.partitionOf(first.callerArn()), first.run().regions()));
        if (target != null) {
            phase.asffTarget(target);
        }
        Map<String, String> owners = new HashMap<>();
        j.used().forEach(fp -> owners.putAll(fp.owners()));
        phase.owners(new Owners(first.ownerTag(), owners));
        RunOutput run = phase.write(j.result(), Map.of(), spec.commandLine().getOut(), err);
        int code = phase.findingsBit(run) | ReportPhase.coverageBit(j.result());
        code = j.problems().isEmpty() ? code : code | ExitCodes.COVERAGE_INCOMPLETE;
        if (uploadTo != null) {
            try {
                List<String> keys = new io.cmkaudit.collect.ReportUploader(endpoint,
                        Duration.ofSeconds(ScannerConfig.DEFAULTS.callTimeoutSeconds())).upload(run.runDir(), uploadTo,
                        uploadKmsKey);
                if (parent == null || parent.verbosity() >= 0) {
                    err.println("cmk-audit: uploaded " + keys.size() + " files to s3://" + uploadTo.bucket() + "/"
                            + keys.get(0).substring(0, keys.get(0).lastIndexOf('/') + 1));
                }
            } catch (io.cmkaudit.collect.ReportUploader.UploadException e) {
                err.println("cmk-audit: " + e.getMessage() + " (the reports are intact in " + run.runDir() + ")");
                err.flush();
                return ExitCodes.INTERNAL;
            }
            err.flush();
        }
        if (securityHub) {
            int hub = SecurityHubExport.importFindings(endpoint,
                    Duration.ofSeconds(ScannerConfig.DEFAULTS.callTimeoutSeconds()), null, target, phase.written(), run,
                    err, parent != null && parent.verbosity() < 0);
            err.flush();
            if (hub != 0) {
                return hub;
            }
        }
        return code;
    }

    /**
     * The region findings are filed under and imported into: {@code --region}; else the SDK's region (AWS_REGION,
     * which ECS sets to the task's region) when it is of the caller's partition; else the first scanned region; else
     * the partition's usual first region.
     *
     * @param option    {@code --region}, or null
     * @param partition the caller's partition ({@code aws}, {@code aws-us-gov}, {@code aws-cn}), or null
     * @param scanned   the run's regions, or null
     * @return a region name, never null
     */
    static String homeRegion(String option, String partition, List<String> scanned) {
        if (option != null) {
            if (!io.cmkaudit.config.ConfigLoader.isRegionName(option)) {
                throw new UsageException("--region: not a region name: `" + option + "`");
            }
            return option;
        }
        String sdk = io.cmkaudit.collect.Credentials.defaultRegionOrNull();
        if (sdk != null && (partition == null || partition.equals(io.cmkaudit.analysis.Partition.ofRegion(sdk)))) {
            return sdk;
        }
        if (scanned != null && !scanned.isEmpty()) {
            return scanned.get(0);
        }
        return "aws-us-gov".equals(partition) ? "us-gov-west-1" : "aws-cn".equals(partition) ? "cn-north-1"
                : "us-east-1";
    }

    /**
     * @param result   the joined analysis result
     * @param join     the joined findings and the join's warnings
     * @param problems one line per planned account missing or analyzed twice
     * @param used     the parts whose findings were joined (a part overlapping an earlier one is left out)
     */
    record Joined(AnalysisResult result, FindingJoin.Result join, List<String> problems, List<FindingsPart> used) {
    }

    /**
     * Joins parts of one plan: coverage rows of each planned account from the part that analyzed it, the other rows
     * (organization, Identity Center, accounts of no shard) once; summaries added (the organization's
     * {@code keysInScope} once); findings joined by id. A part with an account an earlier part already analyzed is
     * left out whole (as {@code merge} keeps the first part's data).
     *
     * @param plan  the plan
     * @param parts the parts, in order; at least one
     * @return the result
     * @throws UsageException when there are no parts
     */
    static Joined join(Plan plan, List<FindingsPart> parts) {
        if (parts.isEmpty()) {
            throw new UsageException("PART: no findings parts to merge");
        }
        Set<String> planned = new LinkedHashSet<>(plan.accounts());
        Map<String, FindingsPart> owner = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        List<AnalysisResult.CoverageRow> extra = new ArrayList<>();
        List<FindingsPart> used = new ArrayList<>();
        for (FindingsPart fp : parts) {
            List<String> twice = fp.accounts().stream().filter(owner::containsKey).toList();
            List<String> foreign = fp.accounts().stream().filter(a -> !planned.contains(a)).toList();
            if (!foreign.isEmpty()) {
                throw new UsageException(fp.source() + ": account " + foreign.get(0) + " is not among the plan's "
                        + planned.size() + " accounts to scan");
            }
            if (!twice.isEmpty()) {
                for (String a : twice) {
                    String msg = "account " + a + " was analyzed by 2 findings parts (" + owner.get(a).source() + ", "
                            + fp.source() + "): shards overlap; the first one's findings are used";
                    problems.add(msg);
                    extra.add(new AnalysisResult.CoverageRow(a, name(plan, a), Coverage.GLOBAL, "ERROR",
                            ANALYZED_TWICE, msg, 0, 0, 0, 0));
                }
                continue;
            }
            fp.accounts().forEach(a -> owner.put(a, fp));
            used.add(fp);
        }
        for (String a : planned) {
            if (!owner.containsKey(a)) {
                String msg = "account " + a + (name(plan, a) == null ? "" : " (" + name(plan, a) + ")") + " is in the "
                        + "plan but none of the " + parts.size() + " findings parts analyzed it (a shard is missing or "
                        + "failed)";
                problems.add(msg);
                extra.add(new AnalysisResult.CoverageRow(a, name(plan, a), Coverage.GLOBAL, "ERROR", NOT_ANALYZED, msg,
                        0, 0, 0, 0));
            }
        }
        // coverage: a planned account's rows from its part; the other rows (the same in every part) once
        Set<AnalysisResult.CoverageRow> rows = new LinkedHashSet<>();
        for (FindingsPart fp : used) {
            for (AnalysisResult.CoverageRow r : fp.coverage()) {
                if (r.accountId() == null || !planned.contains(r.accountId()) || owner.get(r.accountId()) == fp) {
                    rows.add(r);
                }
            }
        }
        List<AnalysisResult.CoverageRow> coverage = new ArrayList<>(rows);
        coverage.addAll(extra);
        coverage.sort(Comparator.comparingInt(MergeFindingsCommand::rank)
                .thenComparing(r -> r.accountId() == null ? "" : r.accountId()));
        int[] sum = new int[7];
        for (FindingsPart fp : used) {
            AnalysisResult.Summary s = fp.summary();
            int[] v = {s.accounts(), s.accountsScanned(), s.instances(), s.instancesInScope(),
                s.instancesAwsManagedKeyOnly(), s.instancesUnencrypted(), s.principals()};
            for (int i = 0; i < v.length; i++) {
                sum[i] += v[i];
            }
        }
        for (AccountSnapshot a : plan.notScanned()) {
            // accounts of no shard (excluded, not ACTIVE): in the snapshot as the plan recorded them, not analyzed
            sum[0]++;
            sum[1] += a.fullyScanned() ? 1 : 0;
            sum[6] += a.iam().users().size() + a.iam().roles().size();
        }
        for (String a : planned) {
            if (!owner.containsKey(a)) {
                sum[0]++;
            }
        }
        AnalysisResult.Summary summary = new AnalysisResult.Summary(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5],
                sum[6], used.isEmpty() ? 0 : used.get(0).summary().keysInScope());
        FindingJoin.Result joined = FindingJoin.joinParts(used.stream().map(FindingsPart::joinInput).toList());
        FindingsPart first = used.isEmpty() ? parts.get(0) : used.get(0);
        return new Joined(new AnalysisResult(first.run(), joined.findings(), coverage, summary), joined, problems,
                used.isEmpty() ? List.of(parts.get(0)) : used);
    }

    /** Coverage order: the organization's rows, then by account, the analysis's failures last. */
    private static int rank(AnalysisResult.CoverageRow r) {
        if (Analyzer.ANALYSIS_REGION.equals(r.region())) {
            return 2;
        }
        return r.accountId() == null || Analyzer.ORGANIZATION_REGION.equals(r.region()) ? 0 : 1;
    }

    private static String name(Plan plan, String account) {
        return plan.organization().account(account).map(io.cmkaudit.snapshot.OrgAccount::name).orElse(null);
    }
}
