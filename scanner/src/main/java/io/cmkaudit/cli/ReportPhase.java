package io.cmkaudit.cli;

import io.cmkaudit.analysis.AnalysisResult;

import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import io.cmkaudit.report.PreviousRun;
import io.cmkaudit.report.ReportedFinding;
import io.cmkaudit.report.ReportInputException;
import io.cmkaudit.report.ReportOptions;
import io.cmkaudit.report.ReportWriter;
import io.cmkaudit.report.RunOutput;
import io.cmkaudit.report.Suppressions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The report phase shared by {@code scan} and {@code report}: reads the suppressions and the previous run (all input
 * is validated before any work starts), writes the run folder with {@link ReportWriter}, prints the summary on
 * stdout, and computes the exit-code bits.
 */
final class ReportPhase {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReportPhase.class);

    private final Path outputRoot;
    private final Severity failOn;
    private final Suppressions suppressions;
    /** {@code --previous} as typed, or null */
    private final String previousOption;
    /** the S3 client of {@code --previous s3://…}; null until needed */
    private io.cmkaudit.collect.S3Objects s3;
    private final java.net.URI s3Endpoint;
    private final String s3Profile;
    private final String s3Region;
    /** {@code --previous FILE}: read when validated; for {@code latest} / an S3 prefix: chosen in {@link #write} */
    private PreviousRun previous;
    /** {@code --previous latest}: every run folder under --out, newest first, with or without findings.json */
    private java.util.List<Path> runFolders = java.util.List.of();
    /** {@code --previous latest} or {@code s3://bucket/prefix/}: the run folders' findings.json, newest first */
    private java.util.List<String> candidates;
    /** what the diff was against, for the summary and the manifest: the source, or why there is none */
    private String previousUsed;
    private final Path templates;
    private final int htmlMaxRows;
    private final int htmlMaxTotalRows;
    private final Severity minSeverity;
    private final java.util.List<String> formats;
    private io.cmkaudit.report.Manifest manifest;
    private int belowSeverity;
    private io.cmkaudit.report.Asff.Target asffTarget;
    private io.cmkaudit.report.OutputSelection.Content written;
    private io.cmkaudit.report.Owners owners = io.cmkaudit.report.Owners.NONE;
    private java.util.List<String> selectionGaps = java.util.List.of();

    /**
     * Validates the report inputs.
     *
     * @param outputRoot the {@code --out} root
     * @param failOn     {@code --fail-on} name, or {@code NONE}
     * @param output     the report options of the command line
     * @throws UsageException when a suppressions file, previous findings.json or templates folder is unusable, or
     *                        an HTML row limit is negative
     */
    ReportPhase(Path outputRoot, String failOn, OutputOptions output) {
        this(outputRoot, failOn, output, (java.net.URI) null);
    }

    /**
     * Validates the report inputs; {@code --previous s3://…} is read through {@code s3Endpoint} with the default
     * credential chain.
     *
     * @param s3Endpoint S3 endpoint override ({@code --endpoint-url}), or null for real S3
     * @throws UsageException as the three-argument form
     */
    ReportPhase(Path outputRoot, String failOn, OutputOptions output, java.net.URI s3Endpoint) {
        this(outputRoot, failOn, output, severityOf(output), formatsOf(output), s3Endpoint, null, null);
    }

    /**
     * Validates the report inputs.
     *
     * @param outputRoot  the {@code --out} root
     * @param failOn      {@code --fail-on} name, or {@code NONE}
     * @param output      the report options of the command line
     * @param minSeverity {@code --severity}: lowest severity written, e.g. {@code INFO}
     * @param formats     {@code --format}: files to write, among {@link io.cmkaudit.config.ScannerConfig#FORMATS}
     * @throws UsageException as the three-argument form
     */
    ReportPhase(Path outputRoot, String failOn, OutputOptions output, String minSeverity,
                java.util.List<String> formats) {
        this(outputRoot, failOn, output, minSeverity, formats, null, null, null);
    }

    /**
     * Validates the report inputs; {@code --previous s3://…} is read with the given S3 settings.
     *
     * @param outputRoot  the {@code --out} root; a local folder ({@code s3://…} is refused)
     * @param failOn      {@code --fail-on} name, or {@code NONE}
     * @param output      the report options of the command line
     * @param minSeverity {@code --severity}: lowest severity written, e.g. {@code INFO}
     * @param formats     {@code --format}: files to write
     * @param s3Endpoint  S3 endpoint override ({@code --endpoint-url}: moto, LocalStack), or null for real S3
     * @param profile     {@code --profile} for S3, or null for the default credential chain
     * @param region      home region for S3, or null for the SDK's region chain
     * @throws UsageException as the three-argument form, or when {@code --previous s3://…} cannot be read
     */
    ReportPhase(Path outputRoot, String failOn, OutputOptions output, String minSeverity,
                java.util.List<String> formats, java.net.URI s3Endpoint, String profile, String region) {
        this.s3Endpoint = s3Endpoint;
        this.s3Profile = profile;
        this.s3Region = region;
        this.previousOption = output.previous;
        if (outputRoot.toString().toLowerCase(Locale.ROOT).startsWith("s3:")) {
            throw new UsageException("--out: must be a local folder, got `" + asTyped(outputRoot.toString())
                    + "`; keep the runs in S3 with --upload s3://BUCKET/PREFIX (scan, merge) and diff against the "
                    + "newest there with --previous s3://BUCKET/PREFIX/");
        }
        this.minSeverity = Severity.valueOf(minSeverity);
        this.formats = java.util.List.copyOf(formats);
        this.outputRoot = outputRoot;
        this.failOn = "NONE".equals(failOn) ? null : Severity.valueOf(failOn);
        this.htmlMaxRows = rowLimit("--html-max-rows", output.htmlMaxRows,
                ReportOptions.DEFAULT_HTML_MAX_ROWS_PER_GROUP);
        this.htmlMaxTotalRows = rowLimit("--html-max-total-rows", output.htmlMaxTotalRows,
                ReportOptions.DEFAULT_HTML_MAX_ROWS);
        try {
            this.suppressions = output.suppressions == null ? Suppressions.none()
                    : Suppressions.read(output.suppressions);
            readPrevious(output.previous, outputRoot);
            this.templates = output.templates;
            ReportWriter.checkTemplates(templates);
        } catch (ReportInputException e) {
            throw new UsageException(e.getMessage(), e);
        }
        if (Files.exists(outputRoot) && !Files.isDirectory(outputRoot)) {
            throw new UsageException("--out: not a folder: `" + outputRoot + "`");
        }
        // created now, so an unusable --out fails before a scan spends minutes collecting
        try {
            Files.createDirectories(outputRoot);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e instanceof java.nio.file.FileSystemException ? "the file system refused it"
                    : e.getMessage();
            throw new UsageException("--out: cannot create folder `" + outputRoot + "`: " + why, e);
        }
        if (!Files.isWritable(outputRoot)) {
            throw new UsageException("--out: folder not writable: `" + outputRoot + "`");
        }
    }

    private static String severityOf(OutputOptions output) {
        if (output.severity == null) {
            return io.cmkaudit.config.ScannerConfig.DEFAULTS.minSeverity();
        }
        String s = output.severity.toUpperCase(Locale.ROOT);
        if (!io.cmkaudit.config.ScannerConfig.SEVERITIES.contains(s) || "NONE".equals(s)) {
            throw new UsageException("--severity: must be one of CRITICAL, HIGH, MEDIUM, LOW, INFO, got `"
                    + output.severity + "`");
        }
        return s;
    }

    private static java.util.List<String> formatsOf(OutputOptions output) {
        return output.formats == null ? io.cmkaudit.config.ScannerConfig.DEFAULTS.formats()
                : OutputOptions.parseFormats(output.formats);
    }

    /**
     * Sets the manifest written last into the run folder ({@code manifest.json}).
     *
     * @param m the manifest's content
     * @return this
     */
    ReportPhase manifest(io.cmkaudit.report.Manifest m) {
        this.manifest = m;
        return this;
    }

    /**
     * Sets the account and home region ASFF findings are filed under ({@code --format asff}, {@code --security-hub}).
     *
     * @param target the scanner's account and home region, or null when unknown
     * @return this
     */
    ReportPhase asffTarget(io.cmkaudit.report.Asff.Target target) {
        this.asffTarget = target;
        return this;
    }

    /**
     * Sets the owner tag values (findings.csv {@code owner}).
     *
     * @param o the owners of the snapshot's principals and keys
     * @return this
     */
    ReportPhase owners(io.cmkaudit.report.Owners o) {
        this.owners = o;
        return this;
    }

    /** @return the findings the last {@code write} wrote (after suppressions, diff and --severity), or null */
    io.cmkaudit.report.OutputSelection.Content written() {
        return written;
    }

    /** @return the formats written */
    java.util.List<String> formats() {
        return formats;
    }

    /** @return the report options as the manifest records them */
    Map<String, Object> describe() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("outputDir", outputRoot.toString());
        m.put("failOn", failOn == null ? "NONE" : failOn.name());
        m.put("severity", minSeverity.name());
        m.put("formats", formats);
        m.put("previous", previousOption == null ? null : "latest".equals(previousOption) ? "latest" : "given");
        m.put("suppressions", suppressions == null || !suppressions.given() ? null : "given");
        m.put("templates", templates == null ? null : templates.toString());
        m.put("htmlMaxRows", htmlMaxRows);
        m.put("htmlMaxTotalRows", htmlMaxTotalRows);
        return m;
    }

    private static int rowLimit(String option, Integer given, int fallback) {
        if (given == null) {
            return fallback;
        }
        if (given < 0) {
            throw new UsageException(option + ": must be 0 (no limit) or a positive number, got " + given);
        }
        return given;
    }

    /**
     * {@code --previous FILE} or {@code s3://bucket/key}: read now (an unusable file fails before a scan starts);
     * {@code latest} or {@code s3://bucket/prefix/}: the run folders listed now, the one of this run's organization
     * chosen in {@link #write}.
     */
    private void readPrevious(String option, Path outputRoot) {
        if (option == null) {
            return;
        }
        if ("latest".equals(option)) {
            runFolders = runFolders(outputRoot);
            candidates = latestRuns(outputRoot).stream().map(Path::toString).toList();
            return;
        }
        if (io.cmkaudit.collect.S3Objects.S3Url.is(option)) {
            if (option.endsWith("/")) {
                candidates = s3Runs(option);
            } else {
                previous = readS3(option);
            }
            return;
        }
        Path file = Path.of(option);
        if (Files.isDirectory(file)) {
            file = file.resolve(ReportWriter.FINDINGS_JSON);
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--previous: no such file: `" + (Files.isDirectory(Path.of(option))
                    ? file.toString() : option) + "`");
        }
        previous = PreviousRun.read(file);
    }

    /** @return the value as typed, for a path that {@link Path#of} turned {@code s3://b/k} into {@code s3:/b/k} */
    private static String asTyped(String path) {
        return path.matches("(?i)s3:/[^/].*") ? path.substring(0, 3) + "//" + path.substring(4) : path;
    }

    private io.cmkaudit.collect.S3Objects s3() {
        if (s3 == null) {
            s3 = new io.cmkaudit.collect.S3Objects(s3Endpoint,
                    java.time.Duration.ofSeconds(io.cmkaudit.config.ScannerConfig.DEFAULTS.callTimeoutSeconds()),
                    s3Profile, s3Region);
        }
        return s3;
    }

    private byte[] s3Bytes(String url) {
        try {
            return s3().get(io.cmkaudit.collect.S3Objects.S3Url.parse(url));
        } catch (IllegalArgumentException | io.cmkaudit.collect.S3Objects.S3Exception e) {
            throw new UsageException("--previous: " + e.getMessage(), e);
        }
    }

    private PreviousRun readS3(String url) {
        try {
            return PreviousRun.read(url, url, new java.io.ByteArrayInputStream(s3Bytes(url)));
        } catch (ReportInputException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /**
     * The findings.json of the run folders directly under an S3 prefix (where {@code --upload} puts them), newest
     * first ({@code ListObjectsV2}: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
     */
    private java.util.List<String> s3Runs(String prefixUrl) {
        String rest = prefixUrl.substring(5);
        int slash = rest.indexOf('/');
        String bucket = rest.substring(0, slash);
        String prefix = rest.substring(slash + 1);
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new UsageException("--previous: not a valid S3 bucket name: `" + bucket + "`");
        }
        java.util.List<io.cmkaudit.collect.S3Objects.S3Url> objects;
        try {
            objects = s3().list(new io.cmkaudit.collect.S3Objects.S3Url(bucket, prefix));
        } catch (io.cmkaudit.collect.S3Objects.S3Exception e) {
            throw new UsageException("--previous: " + e.getMessage(), e);
        }
        java.util.List<Map.Entry<String, Matcher>> runs = new java.util.ArrayList<>();
        for (io.cmkaudit.collect.S3Objects.S3Url u : objects) {
            String tail = u.key().substring(prefix.length());
            int sep = tail.indexOf('/');
            if (sep > 0 && tail.substring(sep + 1).equals(ReportWriter.FINDINGS_JSON)) {
                Matcher m = RUN_FOLDER.matcher(tail.substring(0, sep));
                if (m.matches()) {
                    runs.add(Map.entry(u.toString(), m));
                }
            }
        }
        runs.sort(Map.Entry.<String, Matcher>comparingByValue(NEWEST).reversed());
        return runs.stream().map(Map.Entry::getKey).toList();
    }

    /**
     * The previous run to diff this run against: the one given, after checking that it is of this run's
     * organization and partition (when either organization is unknown: diffed, with one warning line), or the newest
     * listed one of the same organization id (both unknown counts as the same) and partition.
     *
     * @throws UsageException when the one given is of another organization or partition (a diff would report the
     *                        other's findings RESOLVED, and {@code --security-hub} archive them), or a listed
     *                        findings.json is unusable
     */
    private PreviousRun previousFor(AnalysisResult.RunInfo run, PrintWriter err) {
        String org = run.organizationId();
        String partition = run.partition();
        if (previous != null) {
            String why = mismatch(previous.organizationId(), previous.partition(), org, partition);
            if (why != null) {
                throw new UsageException("--previous `" + previousOption + "`: a run of " + why + "; a diff across "
                        + "organizations would report the other's findings RESOLVED: give a findings.json of "
                        + describe(org, partition) + ", or use one --out per organization");
            }
            warnUnchecked(previous.source(), previous.organizationId(), org, err);
            previousUsed = previous.source();
            return previous;
        }
        if (candidates == null) {
            return null;
        }
        int skipped = 0;
        for (String c : candidates) {
            // an S3 object is fetched once: its header, then (when it is this organization's) all of it
            byte[] bytes = io.cmkaudit.collect.S3Objects.S3Url.is(c) ? s3Bytes(c) : null;
            PreviousRun.Header h = header(c, bytes);
            // stricter than a file given by name: a run that could not read its organization (null) is taken only
            // by a run that could not either, never by a guess
            if (!java.util.Objects.equals(h.organizationId(), org)
                    || mismatch(h.organizationId(), h.partition(), org, partition) != null) {
                skipped++;
                continue;
            }
            PreviousRun p;
            try {
                p = bytes != null ? PreviousRun.read(c, c, new java.io.ByteArrayInputStream(bytes))
                        : PreviousRun.read(Path.of(c));
            } catch (ReportInputException e) {
                throw new UsageException(e.getMessage(), e);
            }
            warnUnchecked(c, p.organizationId(), org, err);
            previousUsed = c;
            long newerWithout = withoutFindingsJson(Path.of(c).getParent());
            if (newerWithout > 0) {
                warn("--previous latest: diffing against " + Path.of(c).getParent() + "; skipped " + newerWithout
                        + " newer run folder" + (newerWithout == 1 ? "" : "s") + " without "
                        + ReportWriter.FINDINGS_JSON + " (written with a --format that has no json)", err);
            }
            return p;
        }
        String where = "latest".equals(previousOption) ? outputRoot.toString() : previousOption;
        previousUsed = null;
        long without = withoutFindingsJson(null);
        noPrevious = "none: no earlier run of " + describe(org, partition) + " in `" + where + "`"
                + (skipped == 0 ? "" : " (" + skipped + " of other organizations skipped)")
                + (without == 0 ? "" : " (" + without + " run folder" + (without == 1 ? "" : "s") + " without "
                + ReportWriter.FINDINGS_JSON + " skipped)");
        return null;
    }

    /** Why there is no diff although {@code --previous} was given, or null. */
    private String noPrevious;

    /** @param bytes the object's content when it is in S3, else null (the local file is read) */
    private static PreviousRun.Header header(String address, byte[] bytes) {
        try (java.io.InputStream in = bytes != null ? new java.io.ByteArrayInputStream(bytes)
                : Files.newInputStream(Path.of(address))) {
            return PreviousRun.header(address, in);
        } catch (IOException e) {
            throw new UsageException("--previous: cannot read `" + address + "`: " + e.getMessage(), e);
        } catch (ReportInputException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /**
     * @return {@code "organization o-a (partition aws-us-gov), this run is of organization o-b (partition aws)"}
     *         when the organizations or partitions are both known and differ, else null
     */
    static String mismatch(String prevOrg, String prevPartition, String org, String partition) {
        boolean otherOrg = prevOrg != null && org != null && !prevOrg.equals(org);
        boolean otherPartition = prevPartition != null && partition != null && !prevPartition.equals(partition);
        return otherOrg || otherPartition ? describe(prevOrg, prevPartition) + ", this run is of "
                + describe(org, partition) : null;
    }

    private static String describe(String org, String partition) {
        return "organization " + (org == null ? "(not readable)" : org)
                + (partition == null ? "" : " (partition " + partition + ")");
    }

    /** One warning line when the organization of the previous run or of this one is unknown. */
    private static void warnUnchecked(String source, String prevOrg, String org, PrintWriter err) {
        if (prevOrg != null && org != null) {
            return;
        }
        String line = "--previous `" + source + "`: " + (prevOrg == null
                ? "the previous run records no organization id (an older findings.json, or its organization was "
                + "not readable)" : "this run could not read its organization")
                + ", so it is not checked that both are of " + (org != null ? "organization " + org
                : prevOrg != null ? "organization " + prevOrg : "one organization") + "; diffing anyway";
        warn(line, err);
    }

    private static void warn(String line, PrintWriter err) {
        if (err == null) {
            LOG.warn("{}", line);
        } else {
            err.println("cmk-audit: warning: " + line);
            err.flush();
        }
    }

    /** A run folder name: the UTC timestamp, then {@code -2}, {@code -3}, ... for later runs of the same second. */
    private static final Pattern RUN_FOLDER = Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z)(?:-(\\d{1,9}))?");

    /** Newest first: by timestamp, then by suffix ({@code T-10} is newer than {@code T-9}, {@code T} older). */
    private static final Comparator<Matcher> NEWEST = Comparator.<Matcher, String>comparing(m -> m.group(1))
            .thenComparingInt(m -> m.group(2) == null ? 1 : Integer.parseInt(m.group(2)));

    /**
     * The findings.json of the newest finished run folder under {@code root}: by timestamp, then by suffix
     * ({@code T-10} is newer than {@code T-9}); folders whose name is not a run folder name are ignored.
     *
     * @param root the {@code --out} folder
     * @return the newest, or empty when there is none
     */
    static Optional<Path> latestRun(Path root) {
        return latestRuns(root).stream().findFirst();
    }

    /**
     * @param newerThan a run folder of {@link #runFolders}, or null for all of them
     * @return how many run folders of {@code --previous latest} newer than {@code newerThan} have no findings.json
     */
    private long withoutFindingsJson(Path newerThan) {
        long n = 0;
        for (Path d : runFolders) {
            if (d.equals(newerThan)) {
                break;
            }
            if (!Files.isRegularFile(d.resolve(ReportWriter.FINDINGS_JSON))) {
                n++;
            }
        }
        return n;
    }

    /**
     * @param root the {@code --out} folder
     * @return every folder under {@code root} named like a run folder, with or without findings.json, newest
     *         first; empty when {@code root} is missing or cannot be listed
     */
    static java.util.List<Path> runFolders(Path root) {
        if (!Files.isDirectory(root)) {
            return java.util.List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory)
                    .map(d -> Map.entry(d, RUN_FOLDER.matcher(d.getFileName().toString())))
                    .filter(e -> e.getValue().matches())
                    .sorted(Map.Entry.<Path, Matcher>comparingByValue(NEWEST).reversed())
                    .map(Map.Entry::getKey)
                    .toList();
        } catch (IOException e) {
            return java.util.List.of();
        }
    }

    /**
     * @param root the {@code --out} folder
     * @return the findings.json of every finished run folder under {@code root}, newest first
     * @throws UsageException when the folder cannot be listed
     */
    static java.util.List<Path> latestRuns(Path root) {
        if (!Files.isDirectory(root)) {
            return java.util.List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(ReportWriter.FINDINGS_JSON)))
                    .map(d -> Map.entry(d, RUN_FOLDER.matcher(d.getFileName().toString())))
                    .filter(e -> e.getValue().matches())
                    .sorted(Map.Entry.<Path, Matcher>comparingByValue(NEWEST).reversed())
                    .map(e -> e.getKey().resolve(ReportWriter.FINDINGS_JSON))
                    .toList();
        } catch (IOException e) {
            throw new UsageException("--previous latest: cannot list `" + root + "`: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the run folder and prints the summary.
     *
     * @param result the analysis result
     * @param out    stdout
     * @return the run output
     * @throws IOException when the run folder cannot be written
     */
    RunOutput write(AnalysisResult result, PrintWriter out) throws IOException {
        return write(result, Map.of(), out);
    }

    /**
     * Writes the run folder with extra files (published atomically with the reports) and prints the summary.
     *
     * @param result the analysis result
     * @param extras extra files of the run folder, see {@link ReportWriter#write(AnalysisResult, ReportOptions, Map)}
     * @param out    stdout
     * @return the run output
     * @throws IOException when the run folder cannot be written
     */
    RunOutput write(AnalysisResult result, Map<String, ReportWriter.ExtraFile> extras, PrintWriter out)
            throws IOException {
        return write(result, extras, out, null);
    }

    /**
     * As {@link #write(AnalysisResult, Map, PrintWriter)}, with the warnings about invalid or expired suppression
     * entries printed on {@code err} (one line each; null: logged).
     *
     * @throws IOException when the run folder cannot be written
     */
    RunOutput write(AnalysisResult result, Map<String, ReportWriter.ExtraFile> extras, PrintWriter out,
                    PrintWriter err) throws IOException {
        result.coverage().stream().filter(c -> io.cmkaudit.analysis.Analyzer.ANALYSIS_REGION.equals(c.region()))
                .forEach(c -> LOG.error("{}", c.errorMessage()));
        previous = previousFor(result.run(), err);
        warnSeverityUnknown(err);
        RunOutput run;
        try {
            io.cmkaudit.report.Manifest m = manifest == null ? null : withPrevious(manifest);
            io.cmkaudit.report.OutputSelection.Finisher finish = (folder, content) -> {
                belowSeverity = content.belowSeverity();
                written = content;
                if (m != null) {
                    m.finish(folder, content);
                }
            };
            run = new ReportWriter().write(result,
                    new ReportOptions(outputRoot, suppressions, previous, templates, Clock.systemUTC(), htmlMaxRows,
                            htmlMaxTotalRows), extras,
                    new io.cmkaudit.report.OutputSelection(java.util.Set.copyOf(formats), minSeverity,
                            Exports.of(formats, asffTarget), finish, owners));
        } catch (ReportInputException e) {
            // e.g. a template error found while rendering: the user's input, not an internal error
            throw new UsageException(e.getMessage(), e);
        }
        warnSuppressions(run.suppressions(), err);
        printSummary(result, run, out);
        return run;
    }

    /** The manifest with {@code configuration.previousUsed}: the findings.json the diff used, or why none. */
    private io.cmkaudit.report.Manifest withPrevious(io.cmkaudit.report.Manifest m) {
        if (previousOption == null) {
            return m;
        }
        Map<String, Object> cfg = new java.util.LinkedHashMap<>(m.configuration());
        cfg.put("previousUsed", previousUsed != null ? previousUsed : noPrevious);
        return new io.cmkaudit.report.Manifest(m.toolVersion(), m.command(), cfg, m.callerIdentity(), m.snapshot());
    }

    /**
     * One warning line when the previous findings.json does not record its {@code --severity} (written before that
     * was recorded) and the run folder's manifest.json says a threshold above INFO left findings out: those findings
     * show as NEW in this run's diff.
     */
    private void warnSeverityUnknown(PrintWriter err) {
        if (previous == null || previous.minSeverity() != null
                || io.cmkaudit.collect.S3Objects.S3Url.is(previous.source())) {
            return;
        }
        Path src = Path.of(previous.source());
        Path manifestFile = (Files.isDirectory(src) ? src : src.toAbsolutePath().getParent())
                .resolve(io.cmkaudit.report.Manifest.FILE);
        try {
            String severity = new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifestFile.toFile())
                    .path("configuration").path("severity").asText("INFO");
            if (!"INFO".equals(severity)) {
                warn("--previous `" + previous.source() + "`: that run wrote only findings of --severity " + severity
                        + " and up and (an older findings.json) does not list the others: those that are still there "
                        + "show as NEW in this diff", err);
            }
        } catch (IOException | RuntimeException e) {
            // no manifest, or not readable: nothing known about the threshold
        }
    }

    /**
     * @return bit 1 when an open finding is at or above {@code --fail-on}
     */
    int findingsBit(RunOutput run) {
        return failOn != null && run.openAtLeast(failOn) > 0 ? ExitCodes.FINDINGS : 0;
    }

    /**
     * @return bit 2 when an account or region of the snapshot was not covered
     */
    static int coverageBit(AnalysisResult result) {
        return result.coverage().stream().anyMatch(ReportPhase::notCovered) ? ExitCodes.COVERAGE_INCOMPLETE : 0;
    }

    /**
     * The warning when {@code --fail-on} is below {@code --severity}: {@code --fail-on} counts the findings written,
     * so findings between the two can't fail the run.
     *
     * @return one line without the {@code warning: } prefix, or null when the gate sees every severity it names
     */
    String failOnWarning() {
        if (failOn == null || failOn.atLeast(minSeverity)) {
            return null;
        }
        return "--fail-on " + failOn + " is below --severity " + minSeverity + ": findings below " + minSeverity
                + " are not written and don't fail the run";
    }

    /** Prints the warnings about the report options before any work: {@link #failOnWarning()}. */
    void warnAtStart(PrintWriter err) {
        String w = failOnWarning();
        if (w != null) {
            StatusLine.warn(err, "warning: " + w);
            err.flush();
        }
    }

    /**
     * What {@code --accounts} / {@code --exclude-accounts} left out ({@link AccountSelection#gaps}); the summary's
     * coverage line then says incomplete and lists them.
     *
     * @param gaps one line each; never null
     */
    void selectionGaps(java.util.List<String> gaps) {
        this.selectionGaps = java.util.List.copyOf(gaps);
    }

    static boolean notCovered(AnalysisResult.CoverageRow c) {
        return switch (c.status()) {
            case "ASSUME_ROLE_DENIED", "PARTIAL", "ERROR" -> true;
            default -> false;
        };
    }

    /**
     * One warning line on stderr per invalid or expired suppression entry, and one for the entries that match no
     * finding (their count and the first five).
     */
    private static void warnSuppressions(io.cmkaudit.report.SuppressionReport r, PrintWriter err) {
        if (r == null) {
            return;
        }
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (io.cmkaudit.report.InvalidSuppression i : r.invalid()) {
            lines.add(r.source() + ": " + i.message() + " (entry ignored)");
        }
        for (io.cmkaudit.report.SuppressionReport.RuleUse u : r.expired()) {
            lines.add(r.source() + ": entry " + u.rule().index() + (u.rule().line() > 0 ? " (line " + u.rule().line()
                    + ")" : "") + " expired on " + u.rule().expires() + " (no longer suppresses; " + u.matched()
                    + " finding(s) match it)");
        }
        for (String w : r.warnings()) {
            lines.add(r.source() + ": " + w);
        }
        if (!r.unused().isEmpty()) {
            int shown = Math.min(5, r.unused().size());
            lines.add(r.source() + ": " + r.unused().size() + " entr" + (r.unused().size() == 1 ? "y matches" : "ies match")
                    + " no finding: " + r.unused().stream().limit(shown).map(u -> "entry " + u.index()
                    + (u.line() > 0 ? " (line " + u.line() + ")" : "")).collect(java.util.stream.Collectors.joining(", "))
                    + (r.unused().size() > shown ? " and " + (r.unused().size() - shown) + " more" : "")
                    + " (findings.json lists them)");
        }
        for (String l : lines) {
            if (err == null) {
                LOG.warn("suppressions {}", l);
            } else {
                StatusLine.warn(err, "warning: suppressions " + l);
            }
        }
        if (err != null) {
            err.flush();
        }
    }

    private void printSummary(AnalysisResult result, RunOutput run, PrintWriter out) {
        AnalysisResult.Summary s = result.summary();
        out.println("cmk-audit report: " + run.runDir());
        out.printf("  organization      %s%n", result.run().organizationId() == null ? "(not readable)"
                : result.run().organizationId());
        out.printf("  accounts          %d (%d fully scanned)%n", s.accounts(), s.accountsScanned());
        out.printf("  instances         %d (%d with customer managed keys, %d AWS managed key only, %d unencrypted)%n",
                s.instances(), s.instancesInScope(), s.instancesAwsManagedKeyOnly(), s.instancesUnencrypted());
        out.printf("  principals        %d; customer managed keys in scope: %d%n", s.principals(), s.keysInScope());
        StringBuilder sev = new StringBuilder();
        for (Map.Entry<Severity, Integer> e : run.counts().openBySeverity().entrySet()) {
            sev.append(sev.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
        }
        out.printf("  open findings     %d (%s); suppressed %d%n", run.counts().open(), sev, run.counts().suppressed());
        if (belowSeverity > 0) {
            out.printf("                    %d open below --severity %s not written%n", belowSeverity, minSeverity);
        }
        io.cmkaudit.report.SuppressionReport sr = run.suppressions();
        if (sr != null && (!sr.invalid().isEmpty() || !sr.expired().isEmpty())) {
            out.printf("  suppressions      %d invalid, %d expired entries ignored (see the warnings)%n",
                    sr.invalidEntries(), sr.expired().size());
        }
        Map<FindingType, Integer> byType = new EnumMap<>(FindingType.class);
        for (ReportedFinding f : run.findings()) {
            if (f.status() == ReportedFinding.Status.OPEN) { // the heading counts open findings only
                byType.merge(f.type(), 1, Integer::sum);
            }
        }
        // one column for every type name, the longest included
        int width = java.util.Arrays.stream(FindingType.values()).mapToInt(t -> t.name().length()).max().orElse(1);
        byType.forEach((t, n) -> out.printf("    %-" + width + "s %d%n", t.name(), n));
        if (previous == null && noPrevious != null) {
            out.printf("  since previous    %s%n", noPrevious);
        } else if (previous != null || run.counts().resolved() > 0 || run.counts().byChange().values().stream().anyMatch(v -> v > 0)) {
            Map<ReportedFinding.Change, Integer> c = run.counts().byChange();
            out.printf("  since previous    new %d, changed %d, unchanged %d, resolved %d%n",
                    c.get(ReportedFinding.Change.NEW), c.get(ReportedFinding.Change.CHANGED), c.get(ReportedFinding.Change.UNCHANGED),
                    run.counts().resolved());
        }
        long gaps = result.coverage().stream().filter(ReportPhase::notCovered).count();
        out.printf("  coverage          %s%n", gaps == 0 && selectionGaps.isEmpty() ? "complete"
                : gaps == 0 ? "incomplete"
                : gaps + " account/region entries not covered (see coverage.csv)");
        selectionGaps.forEach(g -> out.printf("    %s%n", g));
        result.coverage().stream().filter(ReportPhase::notCovered).limit(20).forEach(c ->
                out.printf("    %s %s %s: %s%n", c.accountId(), c.region(), c.status(),
                        c.errorMessage() == null ? "" : c.errorMessage()));
        if (formats.contains("html")) {
            out.println("  report            " + run.reportHtml());
        } else {
            out.println("  files             " + String.join(", ", formats));
        }
        if (run.htmlRows().truncated()) {
            out.printf(Locale.ENGLISH, "                    lists %,d of %,d findings (--html-max-rows, "
                    + "--html-max-total-rows); all are in findings.csv / findings.json%n", run.htmlRows().shown(),
                    run.htmlRows().total());
        }
        out.flush();
    }
}
