package io.cmkaudit.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingJoin;
import io.cmkaudit.analysis.FindingType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The findings part of one shard of a sharded report ({@code report SNAPSHOT --plan PLAN --shard I/N -o PART}), which
 * {@code merge-findings} joins into one run folder. One JSON object (format: {@code docs/findings-json.md}, "Findings
 * parts"): {@code partVersion}, the plan it belongs to ({@code plan.id}: organization id and the plan's start time),
 * the shard's label and accounts, the run, the summary and coverage rows of the shard's accounts, the findings in
 * the {@code findings.json} format (status OPEN, no diff), what each public key policy exposes of the shard's
 * principals, and the owner tags of the principals and keys its findings name.
 *
 * @param source       where the part was read from (messages), or null when built
 * @param planId       the plan's id ({@link #planId}); never null
 * @param shard        e.g. {@code shard 2/10}, or {@code accounts of s3://…/shards/x.json}; never null
 * @param accounts     the plan's accounts the shard reports on, sorted; never null
 * @param run          the run the snapshot records; never null
 * @param callerAccountId the account that collected the snapshot, or null
 * @param callerArn    the identity that collected it, or null
 * @param summary      the summary of the shard's accounts; never null
 * @param coverage     coverage rows of the shard's accounts and those tied to no planned account; never null
 * @param findings     the shard's findings; never null
 * @param exposure     key ARN → finding type → ARNs of the shard's principals a public key policy exposes
 * @param owners       principal or key ARN → owner tag value, for the ARNs the findings name
 * @param ownerTag     the owner tag key
 * @param units        by finding id, the members of a fix made in a permission set ({@link FindingJoin.Unit})
 * @param permissionSetMembers by the id of a finding merged per permission set, its members
 * @param grouped      ids of the findings merged one per fix
 */
public record FindingsPart(String source, String planId, String shard, List<String> accounts,
                           AnalysisResult.RunInfo run, String callerAccountId, String callerArn,
                           AnalysisResult.Summary summary, List<AnalysisResult.CoverageRow> coverage,
                           List<Finding> findings, Map<String, Map<FindingType, List<String>>> exposure,
                           Map<String, String> owners, String ownerTag, Map<String, FindingJoin.Unit> units,
                           Map<String, List<Finding>> permissionSetMembers, java.util.Set<String> grouped) {

    /** The part format version this scanner writes and reads. */
    public static final int PART_VERSION = 1;

    /** The value of the part's {@code kind} field, which tells a part from a snapshot or a findings.json. */
    public static final String KIND = "cmk-audit findings part";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public FindingsPart {
        Objects.requireNonNull(planId, "planId");
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(summary, "summary");
        accounts = List.copyOf(accounts);
        coverage = List.copyOf(coverage);
        findings = List.copyOf(findings);
        exposure = exposure == null ? Map.of() : exposure;
        owners = owners == null ? Map.of() : owners;
        ownerTag = ownerTag == null ? "owner" : ownerTag;
        units = units == null ? Map.of() : units;
        permissionSetMembers = permissionSetMembers == null ? Map.of() : permissionSetMembers;
        grouped = grouped == null ? java.util.Set.of() : grouped;
    }

    /** @return what the join takes of this part */
    public FindingJoin.PartFindings joinInput() {
        return new FindingJoin.PartFindings(findings, exposure, units, permissionSetMembers, grouped);
    }

    /**
     * @param organizationId the plan's organization id, or null
     * @param startedAt      when the plan was made; never null
     * @return the id parts carry of their plan, e.g. {@code o-abc123@2026-12-05T18:00:00Z}
     */
    public static String planId(String organizationId, Instant startedAt) {
        return io.cmkaudit.shard.Plan.id(organizationId, startedAt);
    }

    /** @return the owners the findings of this part name, as the report writer takes them */
    public Owners ownersOf() {
        return new Owners(ownerTag, owners);
    }

    /**
     * @return the part as UTF-8 JSON
     */
    public byte[] toJson() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(buf, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("kind", KIND);
            g.writeNumberField("partVersion", PART_VERSION);
            g.writeStringField("planId", planId);
            g.writeStringField("shard", shard);
            g.writeArrayFieldStart("accounts");
            for (String a : accounts) {
                g.writeString(a);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("run");
            g.writeStringField("scannerVersion", run.scannerVersion());
            g.writeStringField("startedAt", run.startedAt() == null ? null : run.startedAt().toString());
            g.writeStringField("finishedAt", run.finishedAt() == null ? null : run.finishedAt().toString());
            g.writeStringField("organizationId", run.organizationId());
            g.writeStringField("managementAccountId", run.managementAccountId());
            g.writeStringField("partition", run.partition());
            g.writeStringField("callerAccountId", callerAccountId);
            g.writeStringField("callerArn", callerArn);
            g.writeArrayFieldStart("regions");
            for (String r : run.regions() == null ? List.<String>of() : run.regions()) {
                g.writeString(r);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("apiCalls");
            if (run.apiCalls() != null) {
                for (Map.Entry<String, Long> e : new TreeMap<>(run.apiCalls()).entrySet()) {
                    if (e.getValue() != null) {
                        g.writeNumberField(e.getKey(), e.getValue());
                    }
                }
            }
            g.writeEndObject();
            g.writeEndObject();
            AnalysisResult.Summary s = summary;
            g.writeObjectFieldStart("summary");
            g.writeNumberField("accounts", s.accounts());
            g.writeNumberField("accountsScanned", s.accountsScanned());
            g.writeNumberField("instances", s.instances());
            g.writeNumberField("instancesInScope", s.instancesInScope());
            g.writeNumberField("instancesAwsManagedKeyOnly", s.instancesAwsManagedKeyOnly());
            g.writeNumberField("instancesUnencrypted", s.instancesUnencrypted());
            g.writeNumberField("principals", s.principals());
            g.writeNumberField("keysInScope", s.keysInScope());
            g.writeEndObject();
            g.writeArrayFieldStart("coverage");
            for (AnalysisResult.CoverageRow r : coverage) {
                g.writeStartObject();
                g.writeStringField("accountId", r.accountId());
                g.writeStringField("accountName", r.accountName());
                g.writeStringField("region", r.region());
                g.writeStringField("status", r.status());
                g.writeStringField("errorCode", r.errorCode());
                g.writeStringField("errorMessage", r.errorMessage());
                g.writeNumberField("instances", r.instances());
                g.writeNumberField("volumes", r.volumes());
                g.writeNumberField("cmkKeys", r.cmkKeys());
                g.writeNumberField("principals", r.principals());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("findings");
            for (Finding f : findings) {
                FindingsJson.finding(g, new ReportedFinding(f, ReportedFinding.Status.OPEN, null, null));
            }
            g.writeEndArray();
            g.writeObjectFieldStart("publicExposure");
            for (Map.Entry<String, Map<FindingType, List<String>>> e : new TreeMap<>(exposure).entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                for (Map.Entry<FindingType, List<String>> t : e.getValue().entrySet()) {
                    g.writeArrayFieldStart(t.getKey().name());
                    for (String p : t.getValue()) {
                        g.writeString(p);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("units");
            for (Map.Entry<String, FindingJoin.Unit> e : new TreeMap<>(units).entrySet()) {
                g.writeFieldName(e.getKey());
                MAPPER.writeTree(g, FindingJoin.unitToJson(e.getValue()));
            }
            g.writeEndObject();
            g.writeObjectFieldStart("permissionSetMembers");
            for (Map.Entry<String, List<Finding>> e : new TreeMap<>(permissionSetMembers).entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                for (Finding f : e.getValue()) {
                    FindingsJson.finding(g, new ReportedFinding(f, ReportedFinding.Status.OPEN, null, null));
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeArrayFieldStart("grouped");
            for (String id : new java.util.TreeSet<>(grouped)) {
                g.writeString(id);
            }
            g.writeEndArray();
            g.writeStringField("ownerTag", ownerTag);
            g.writeObjectFieldStart("owners");
            for (Map.Entry<String, String> e : new TreeMap<>(owners).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    /**
     * Reads a part.
     *
     * @param bytes  UTF-8 JSON written by {@link #toJson()}
     * @param source where it came from, for messages
     * @return the part
     * @throws ReportInputException one line naming {@code source} when it is not JSON, not a findings part (e.g. a
     *                              snapshot or a findings.json), of another part version, or a field is missing or
     *                              malformed
     */
    public static FindingsPart read(byte[] bytes, String source) {
        JsonNode n;
        try {
            n = MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // line and column as for snapshots, not Jackson's "[Source: ...]" (absent for end-of-input)
            com.fasterxml.jackson.core.JsonLocation loc = e.getLocation();
            String where = loc == null || loc.getLineNr() < 0 ? ""
                    : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
            throw new ReportInputException(source + ": " + where + "not valid JSON: "
                    + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse(""), e);
        } catch (IOException e) {
            throw new ReportInputException(source + ": not valid JSON: " + String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse(""), e);
        }
        if (n == null || !n.isObject() || !KIND.equals(n.path("kind").asText())) {
            throw new ReportInputException(source + ": not a findings part (written by `report --plan PLAN --shard "
                    + "I/N -o PART`): no \"kind\": \"" + KIND + "\"");
        }
        if (n.path("partVersion").asInt() != PART_VERSION) {
            throw new ReportInputException(source + ": findings part version " + n.path("partVersion")
                    + " is not supported (this cmk-audit reads version " + PART_VERSION + ")");
        }
        try {
            JsonNode run = n.path("run");
            Map<String, Long> calls = new TreeMap<>();
            run.path("apiCalls").fields().forEachRemaining(e -> calls.put(e.getKey(), e.getValue().asLong()));
            List<String> regions = new ArrayList<>();
            run.path("regions").forEach(r -> regions.add(r.asText()));
            AnalysisResult.RunInfo info = new AnalysisResult.RunInfo(text(run, "scannerVersion"),
                    instant(run, "startedAt"), instant(run, "finishedAt"), text(run, "organizationId"),
                    text(run, "managementAccountId"), regions, calls, text(run, "partition"));
            JsonNode s = required(n, "summary");
            AnalysisResult.Summary summary = new AnalysisResult.Summary(s.path("accounts").asInt(),
                    s.path("accountsScanned").asInt(), s.path("instances").asInt(), s.path("instancesInScope").asInt(),
                    s.path("instancesAwsManagedKeyOnly").asInt(), s.path("instancesUnencrypted").asInt(),
                    s.path("principals").asInt(), s.path("keysInScope").asInt());
            List<AnalysisResult.CoverageRow> coverage = new ArrayList<>();
            for (JsonNode r : required(n, "coverage")) {
                coverage.add(new AnalysisResult.CoverageRow(text(r, "accountId"), text(r, "accountName"),
                        text(r, "region"), text(r, "status"), text(r, "errorCode"), text(r, "errorMessage"),
                        r.path("instances").asInt(), r.path("volumes").asInt(), r.path("cmkKeys").asInt(),
                        r.path("principals").asInt()));
            }
            List<Finding> findings = new ArrayList<>();
            int i = 0;
            for (JsonNode f : required(n, "findings")) {
                try {
                    findings.add(FindingsJson.readFinding(f).finding());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("findings[" + i + "]: " + e.getMessage(), e);
                }
                i++;
            }
            Map<String, Map<FindingType, List<String>>> exposure = new TreeMap<>();
            n.path("publicExposure").fields().forEachRemaining(e -> {
                Map<FindingType, List<String>> by = new EnumMap<>(FindingType.class);
                e.getValue().fields().forEachRemaining(t -> {
                    List<String> ps = new ArrayList<>();
                    t.getValue().forEach(p -> ps.add(p.asText()));
                    by.put(FindingType.valueOf(t.getKey()), List.copyOf(ps));
                });
                exposure.put(e.getKey(), by);
            });
            Map<String, FindingJoin.Unit> units = new TreeMap<>();
            n.path("units").fields().forEachRemaining(e -> {
                try {
                    units.put(e.getKey(), FindingJoin.unitFromJson(e.getValue()));
                } catch (IllegalArgumentException x) {
                    throw new IllegalArgumentException("units." + e.getKey() + ": " + x.getMessage(), x);
                }
            });
            Map<String, List<Finding>> psMembers = new TreeMap<>();
            n.path("permissionSetMembers").fields().forEachRemaining(e -> {
                List<Finding> ms = new ArrayList<>();
                e.getValue().forEach(m -> ms.add(FindingsJson.readFinding(m).finding()));
                psMembers.put(e.getKey(), List.copyOf(ms));
            });
            java.util.Set<String> grouped = new java.util.TreeSet<>();
            n.path("grouped").forEach(x -> grouped.add(x.asText()));
            Map<String, String> owners = new LinkedHashMap<>();
            n.path("owners").fields().forEachRemaining(e -> owners.put(e.getKey(), e.getValue().asText()));
            List<String> accounts = new ArrayList<>();
            required(n, "accounts").forEach(a -> accounts.add(a.asText()));
            return new FindingsPart(source, Objects.requireNonNull(text(n, "planId"), "missing `planId`"),
                    Objects.requireNonNull(text(n, "shard"), "missing `shard`"), accounts, info,
                    text(run, "callerAccountId"), text(run, "callerArn"), summary, coverage, findings, exposure,
                    owners, text(n, "ownerTag"), units, psMembers, grouped);
        } catch (IllegalArgumentException | NullPointerException | java.time.format.DateTimeParseException e) {
            throw new ReportInputException(source + ": not a valid findings part: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing `" + field + "`");
        }
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        return t == null ? null : Instant.parse(t);
    }
}
