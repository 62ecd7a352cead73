package io.cmkaudit.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.Partition;
import io.cmkaudit.analysis.Severity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code findings.json} of an earlier run, the input of the diff ({@code --previous}).
 *
 * @param source         the file as given (a path or {@code s3://bucket/key}; for the report's "compared with" line)
 * @param startedAt      when the previous run's collection started, or null when the file does not say
 * @param organizationId the previous run's organization id, or null (organization not readable in that run, or a
 *                       file that does not say)
 * @param findings       the previous run's current findings, with those its {@code --severity} left out of the
 *                       reports (its own resolved findings are not carried over)
 * @param partition      the previous run's AWS partition ({@code aws}, {@code aws-us-gov}, {@code aws-cn}, ...): its
 *                       {@code run.partition}, else (a file written before that field) the partition of the first of
 *                       its {@code run.regions}; null when the file says neither
 * @param schemaVersion  the file's {@code schemaVersion} (1, 2 or 3): from 3 on, findings list every instance, key and
 *                       principal and {@link RunDiff} compares them
 * @param minSeverity    the previous run's {@code --severity} when the file records it ({@code belowSeverity}: the
 *                       findings below it are in {@code findings} all the same), or null for a file written before
 *                       that was recorded (then findings below an unknown threshold may be missing from it)
 */
public record PreviousRun(String source, Instant startedAt, String organizationId, List<ReportedFinding> findings,
                          String partition, int schemaVersion, Severity minSeverity) {

    public PreviousRun {
        findings = List.copyOf(findings);
    }

    /**
     * A previous run of the current layout that records no partition and no severity threshold (tests, merges).
     *
     * @see #PreviousRun(String, Instant, String, List, String, int, Severity)
     */
    public PreviousRun(String source, Instant startedAt, String organizationId, List<ReportedFinding> findings) {
        this(source, startedAt, organizationId, findings, null, FindingsJson.SCHEMA_VERSION, null);
    }

    /** @return whether the file's findings list every instance, key and principal (schemaVersion 3 or later) */
    public boolean listsResources() {
        return schemaVersion >= FindingsJson.SCHEMA_VERSION;
    }

    /**
     * What {@code run} of a findings.json says about the organization, read without reading its findings (to pick
     * the run folder of {@code --previous latest}).
     *
     * @param source         the file, for messages
     * @param startedAt      the collection start, or null
     * @param organizationId the organization id, or null when the run could not read it or the file does not say
     * @param partition      as {@link PreviousRun#partition()}; null when unknown
     */
    public record Header(String source, Instant startedAt, String organizationId, String partition) {
    }

    /**
     * Reads a previous run's {@code findings.json}, streaming over its findings.
     *
     * @param file a {@code findings.json}, or a run folder that contains one; never null
     * @return the previous run
     * @throws ReportInputException when the file is missing, not JSON, of another schema version, or a finding in
     *                              it lacks a required field; one line naming the file and line
     */
    public static PreviousRun read(Path file) {
        Path json = Files.isDirectory(file) ? file.resolve("findings.json") : file;
        try (InputStream in = Files.newInputStream(json)) {
            return read(file.toString(), json.toString(), in);
        } catch (NoSuchFileException e) {
            throw new ReportInputException(json + ": previous findings.json not found", e);
        } catch (IOException e) {
            throw new ReportInputException(json + ": cannot read previous findings.json: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a previous run's {@code findings.json} from a stream (e.g. an S3 object), streaming over its findings.
     *
     * @param source the address as given, e.g. {@code s3://bucket/runs/…/findings.json} ({@link #source()})
     * @param name   the name errors start with, usually {@code source}
     * @param in     the file's bytes, UTF-8 JSON; not closed
     * @return the previous run
     * @throws ReportInputException as {@link #read(Path)}
     */
    public static PreviousRun read(String source, String name, InputStream in) {
        return (PreviousRun) parse(source, name, in, false);
    }

    /**
     * Reads only the schema version and the {@code run} object of a findings.json (its findings are not read).
     *
     * @param name the file as given, for messages
     * @param in   the file's bytes; not closed
     * @return what the file says about its run
     * @throws ReportInputException when it is not a findings.json of a supported schema version
     */
    public static Header header(String name, InputStream in) {
        return (Header) parse(name, name, in, true);
    }

    /** @return the previous run, or with {@code headerOnly} the {@link Header} as soon as {@code run} is read */
    private static Object parse(String source, String json, InputStream in, boolean headerOnly) {
        ObjectMapper mapper = new ObjectMapper();
        Integer schemaVersion = null;
        Instant startedAt = null;
        String organizationId = null;
        String partition = null;
        Severity minSeverity = null;
        List<ReportedFinding> findings = new ArrayList<>();
        boolean sawFindings = false;
        boolean sawRun = false;
        try (JsonParser p = mapper.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad(json, p, "not a cmk-audit findings.json (expected a JSON object)");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "schemaVersion" -> {
                        if (!p.currentToken().isNumeric()) {
                            throw bad(json, p, "`schemaVersion` must be a number");
                        }
                        schemaVersion = p.getIntValue();
                        if (schemaVersion != FindingsJson.SCHEMA_VERSION
                                && schemaVersion != FindingsJson.SCHEMA_VERSION_PER_KEY
                                && schemaVersion != FindingsJson.SCHEMA_VERSION_PER_INSTANCE) {
                            throw bad(json, p, "schemaVersion " + schemaVersion + " is not supported (this version "
                                    + "reads " + FindingsJson.SCHEMA_VERSION_PER_INSTANCE + " to "
                                    + FindingsJson.SCHEMA_VERSION + ")");
                        }
                    }
                    case "run" -> {
                        JsonNode run = p.readValueAsTree();
                        sawRun = run != null && run.isObject();
                        if (sawRun) {
                            startedAt = instant(json, p, run.path("startedAt"));
                            organizationId = run.path("organizationId").isTextual()
                                    ? run.get("organizationId").asText() : null;
                            partition = run.path("partition").isTextual() ? run.get("partition").asText()
                                    : run.path("regions").path(0).isTextual()
                                    ? Partition.ofRegion(run.get("regions").get(0).asText()) : null;
                            if (headerOnly) {
                                if (schemaVersion == null) {
                                    throw new ReportInputException(json
                                            + ":1: not a cmk-audit findings.json (no `schemaVersion`)");
                                }
                                return new Header(source, startedAt, organizationId, partition);
                            }
                        }
                    }
                    case "findings" -> {
                        if (p.currentToken() != JsonToken.START_ARRAY) {
                            throw bad(json, p, "`findings` must be a list");
                        }
                        sawFindings = true;
                        readFindings(json, p, findings, "finding ");
                    }
                    case "belowSeverity" -> {
                        if (p.currentToken() == JsonToken.VALUE_NULL) {
                            break;
                        }
                        if (p.currentToken() != JsonToken.START_OBJECT) {
                            throw bad(json, p, "`belowSeverity` must be an object");
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            p.nextToken();
                            if ("minSeverity".equals(field)) {
                                try {
                                    minSeverity = Severity.valueOf(p.getValueAsString(""));
                                } catch (IllegalArgumentException e) {
                                    throw bad(json, p, "`belowSeverity.minSeverity` must be one of CRITICAL, HIGH, "
                                            + "MEDIUM, LOW, INFO");
                                }
                            } else if ("findings".equals(field) && p.currentToken() == JsonToken.START_ARRAY) {
                                readFindings(json, p, findings, "belowSeverity finding ");
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ReportInputException(json + ":" + line + ": not valid JSON: "
                    + io.cmkaudit.snapshot.SnapshotJson.plainLocations(firstLine(e.getOriginalMessage())), e);
        } catch (IOException e) {
            throw new ReportInputException(json + ": cannot read previous findings.json: " + e.getMessage(), e);
        }
        if (schemaVersion == null) {
            throw new ReportInputException(json + ":1: not a cmk-audit findings.json (no `schemaVersion`)");
        }
        if (!sawFindings || !sawRun) {
            throw new ReportInputException(json + ":1: not a cmk-audit findings.json (no `"
                    + (!sawFindings ? "findings` list; is it a snapshot?)" : "run` object)"));
        }
        return new PreviousRun(source, startedAt, organizationId,
                schemaVersion == FindingsJson.SCHEMA_VERSION_PER_INSTANCE ? grouped(findings) : findings,
                partition, schemaVersion, minSeverity);
    }

    private static void readFindings(String json, JsonParser p, List<ReportedFinding> into, String what)
            throws IOException {
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int line = p.currentTokenLocation().getLineNr();
            JsonNode node = p.readValueAsTree();
            n++;
            try {
                into.add(FindingsJson.readFinding(node));
            } catch (IllegalArgumentException e) {
                throw new ReportInputException(json + ":" + line + ": " + what + n + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Maps per-instance findings (schemaVersion 1) onto the grouped ones of schemaVersion 2: findings with the same
     * {@link Finding#groupedId()} become one, listing every instance ({@link #onto} then maps them onto the current
     * ones). A grouped file passes unchanged. The merged finding keeps the first member's report state.
     */
    static List<ReportedFinding> grouped(List<ReportedFinding> findings) {
        Map<String, List<ReportedFinding>> byId = new LinkedHashMap<>();
        for (ReportedFinding f : findings) {
            byId.computeIfAbsent(f.finding().groupedId(), k -> new ArrayList<>()).add(f);
        }
        List<ReportedFinding> out = new ArrayList<>(byId.size());
        byId.forEach((id, members) -> {
            ReportedFinding m = merged(id, members);
            Finding f = m.finding();
            String account = f.groupedAccountId();
            if (account != null && !account.equals(f.accountId())) {
                // START_BLOCKED_KEY_UNUSABLE of a key of another account: the grouped finding is in the key's
                m = m.withFinding(new Finding(f.findingId(), f.type(), f.severity(),
                        new Finding.Account(account, null, null), f.region(), f.resources(), f.key(), f.principal(),
                        f.details()));
            }
            out.add(m);
        });
        return out;
    }

    /**
     * Several findings of an earlier run that are one finding now, as one: the first's report state and texts, every
     * instance, principal and key of all of them.
     */
    static ReportedFinding merged(String id, List<ReportedFinding> members) {
        ReportedFinding first = members.get(0);
        if (members.size() == 1 && id.equals(first.findingId())) {
            return first;
        }
        Map<String, Finding.Resource> instances = new LinkedHashMap<>();
        Map<String, Finding.Principal> principals = new LinkedHashMap<>();
        Map<String, Finding.Key> keys = new LinkedHashMap<>();
        for (ReportedFinding m : members) {
            m.finding().instances().forEach(r -> instances.putIfAbsent(r.id(), r));
            m.finding().principals().forEach(p -> principals.putIfAbsent(p.arn(), p));
            m.finding().keys().forEach(k -> keys.putIfAbsent(k.arn(), k));
        }
        List<Finding.Resource> resources = new ArrayList<>(instances.values());
        if (principals.size() > 1) {
            principals.values().forEach(p -> resources.add(Finding.Resource.principal(p)));
        }
        if (keys.size() > 1) {
            keys.values().forEach(k -> resources.add(Finding.Resource.key(k)));
        }
        // as the analysis merges them: the most severe, the evidence of all
        Finding f = first.finding();
        io.cmkaudit.analysis.Severity severity = f.severity();
        java.util.Set<String> evidence = new java.util.LinkedHashSet<>();
        for (ReportedFinding m : members) {
            severity = m.severity().compareTo(severity) < 0 ? m.severity() : severity;
            evidence.addAll(m.evidence());
        }
        Finding.Details d = f.details();
        return first.withFinding(new Finding(id, f.type(), severity, f.account(), f.region(), resources, f.key(),
                f.principal(), new Finding.Details(d.decidingLayers(), List.copyOf(evidence), d.explanation(),
                d.remediation(), d.remediationPolicy())));
    }

    /**
     * Maps the findings of an earlier run onto the current ones, so that a run after a change of the finding model
     * (schemaVersion 1 or 2 to 3, or a fix that now covers more) diffs correctly: a previous finding whose id is not
     * among the current ones belongs to the current finding of the same type, account and cause (deciding layers)
     * that lists all of its principals and keys — for a finding merged across the accounts of an IAM Identity Center
     * permission set, any account, its reserved roles being the principals (a role's finding of one account is now
     * the permission set's, or the permission set's finding is now one key-policy statement naming the role with
     * others); previous findings that belong to one current finding become one.
     * The others are kept as they are (they are resolved, or new ids of this version).
     *
     * @param current the current findings; never null
     * @return the previous run with its findings mapped
     */
    public PreviousRun onto(List<ReportedFinding> current) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        Map<String, List<Finding>> byUnit = new java.util.HashMap<>();
        for (ReportedFinding c : current) {
            ids.add(c.findingId());
            byUnit.computeIfAbsent(unit(c.finding()), k -> new ArrayList<>()).add(c.finding());
        }
        Map<String, List<ReportedFinding>> byId = new LinkedHashMap<>();
        for (ReportedFinding f : findings) {
            String id = f.findingId();
            if (!ids.contains(id)) {
                for (Finding c : byUnit.getOrDefault(unit(f.finding()), List.of())) {
                    if (covers(c, f.finding())) {
                        id = c.findingId();
                        break;
                    }
                }
            }
            byId.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
        }
        List<ReportedFinding> out = new ArrayList<>(byId.size());
        byId.forEach((id, members) -> out.add(merged(id, members)));
        return new PreviousRun(source, startedAt, organizationId, out, partition, schemaVersion, minSeverity);
    }

    /** Type and cause; the account is compared in {@link #covers} (a permission set's finding spans accounts). */
    private static String unit(Finding f) {
        return f.type() + "|" + String.join(";", new java.util.TreeSet<>(f.decidingLayers()));
    }

    /** @return whether the finding was merged across the accounts of a permission set (its principal is that) */
    private static boolean acrossAccounts(Finding f) {
        return Finding.PERMISSION_SET_PRINCIPAL.equals(f.principalType()) && f.permissionSet() != null;
    }

    /** @return the principals a finding covers: a permission set's finding covers its reserved roles */
    private static List<String> principalsOf(Finding f) {
        return acrossAccounts(f) ? f.permissionSet().roleArns()
                : f.principals().stream().map(Finding.Principal::arn).toList();
    }

    /** @return the keys a finding covers, with those its permission set section lists */
    private static List<String> keysOf(Finding f) {
        List<String> out = new ArrayList<>(f.keys().stream().map(Finding.Key::arn).toList());
        if (f.permissionSet() != null) {
            f.permissionSet().keyArns().stream().filter(k -> !out.contains(k)).forEach(out::add);
        }
        return out;
    }

    /**
     * Whether a current finding lists every principal and key of a previous one (and both or neither list some), in
     * the same account unless one of them was merged across the accounts of a permission set (then its reserved roles
     * are the principals compared).
     */
    private static boolean covers(Finding current, Finding previous) {
        if (!acrossAccounts(current) && !acrossAccounts(previous)
                && !java.util.Objects.equals(current.accountId(), previous.accountId())) {
            return false;
        }
        List<String> cp = principalsOf(current);
        List<String> pp = principalsOf(previous);
        List<String> ck = keysOf(current);
        List<String> pk = keysOf(previous);
        return cp.isEmpty() == pp.isEmpty() && ck.isEmpty() == pk.isEmpty() && cp.containsAll(pp)
                && ck.containsAll(pk);
    }

    /** @return the previous findings keyed by finding id, in file order (a repeated id keeps its last entry) */
    public Map<String, ReportedFinding> byId() {
        Map<String, ReportedFinding> m = new LinkedHashMap<>();
        for (ReportedFinding f : findings) {
            m.put(f.findingId(), f);
        }
        return m;
    }

    private static Instant instant(String json, JsonParser p, JsonNode n) {
        if (!n.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            throw bad(json, p, "`run.startedAt` is not an ISO-8601 UTC time: `" + n.asText() + "`");
        }
    }

    private static ReportInputException bad(String json, JsonParser p, String what) {
        return new ReportInputException(json + ":" + p.currentTokenLocation().getLineNr() + ": " + what);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
