package io.cmkaudit.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code findings.json} with a streaming {@link JsonGenerator} (one finding at a time) and turns a finding's
 * JSON object back into a {@link Finding} for {@link PreviousRun}. The layout is documented in
 * {@code docs/findings-json.md}.
 */
final class FindingsJson {

    /** Version of the layout below: one finding per fix, listing principals and keys (docs/findings-json.md). */
    static final int SCHEMA_VERSION = 3;

    /** The layout of one finding per (principal, key, cause), listing instances; {@link PreviousRun#read} reads it. */
    static final int SCHEMA_VERSION_PER_KEY = 2;

    /** The earlier layout {@link PreviousRun#read} still reads: one finding per instance. */
    static final int SCHEMA_VERSION_PER_INSTANCE = 1;

    private FindingsJson() {
    }

    /**
     * Everything {@code findings.json} holds besides the analysis result.
     *
     * @param minSeverity   {@code --severity}: the lowest severity of {@code findings} and {@code resolved}
     * @param belowSeverity the current findings (open and suppressed) {@code --severity} left out of the reports,
     *                      with their diff values: written under {@code belowSeverity} so that the next run's
     *                      {@code --previous} knows them (not NEW when they show again); empty with {@code INFO}
     */
    record Content(AnalysisResult result, List<ReportedFinding> findings, List<ReportedFinding> resolved, FindingCounts counts,
                   SuppressionReport suppressions, PreviousRun previous, Instant writtenAt, Severity minSeverity,
                   List<ReportedFinding> belowSeverity) {

        Content(AnalysisResult result, List<ReportedFinding> findings, List<ReportedFinding> resolved,
                FindingCounts counts, SuppressionReport suppressions, PreviousRun previous, Instant writtenAt) {
            this(result, findings, resolved, counts, suppressions, previous, writtenAt, Severity.INFO, List.of());
        }
    }

    static void write(Path file, Content c) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            AnalysisResult.RunInfo run = c.result().run();
            g.writeStartObject();
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            g.writeObjectFieldStart("generator");
            g.writeStringField("name", "cmk-audit");
            g.writeStringField("version", run.scannerVersion());
            g.writeEndObject();

            g.writeObjectFieldStart("run");
            g.writeStringField("startedAt", Formats.iso(run.startedAt()));
            g.writeStringField("finishedAt", Formats.iso(run.finishedAt()));
            g.writeStringField("reportWrittenAt", Formats.iso(c.writtenAt()));
            g.writeStringField("organizationId", run.organizationId());
            g.writeStringField("managementAccountId", run.managementAccountId());
            g.writeStringField("partition", run.partition());
            stringArray(g, "regions", run.regions() == null ? List.of() : run.regions());
            g.writeObjectFieldStart("apiCalls");
            if (run.apiCalls() != null) {
                for (Map.Entry<String, Long> e : new TreeMap<>(run.apiCalls()).entrySet()) {
                    if (e.getValue() != null) { // a count the snapshot does not give is left out, not a crash
                        g.writeNumberField(e.getKey(), e.getValue());
                    }
                }
            }
            g.writeEndObject();
            g.writeEndObject();

            if (c.previous() == null) {
                g.writeNullField("previousRun");
            } else {
                g.writeObjectFieldStart("previousRun");
                g.writeStringField("source", c.previous().source());
                g.writeStringField("startedAt", Formats.iso(c.previous().startedAt()));
                g.writeNumberField("findings", c.previous().findings().size());
                g.writeEndObject();
            }

            AnalysisResult.Summary s = c.result().summary();
            FindingCounts n = c.counts();
            g.writeObjectFieldStart("summary");
            g.writeNumberField("accounts", s.accounts());
            g.writeNumberField("accountsScanned", s.accountsScanned());
            g.writeNumberField("instances", s.instances());
            g.writeNumberField("instancesInScope", s.instancesInScope());
            g.writeNumberField("instancesAwsManagedKeyOnly", s.instancesAwsManagedKeyOnly());
            g.writeNumberField("instancesUnencrypted", s.instancesUnencrypted());
            g.writeNumberField("principals", s.principals());
            g.writeNumberField("keysInScope", s.keysInScope());
            g.writeObjectFieldStart("findings");
            g.writeNumberField("total", n.total());
            g.writeNumberField("open", n.open());
            g.writeNumberField("suppressed", n.suppressed());
            g.writeObjectFieldStart("openBySeverity");
            for (Map.Entry<Severity, Integer> e : n.openBySeverity().entrySet()) {
                g.writeNumberField(e.getKey().name(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("byChange");
            for (Map.Entry<ReportedFinding.Change, Integer> e : n.byChange().entrySet()) {
                g.writeNumberField(e.getKey().name(), e.getValue());
            }
            g.writeNumberField("RESOLVED", n.resolved());
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();

            g.writeArrayFieldStart("coverage");
            for (AnalysisResult.CoverageRow r : c.result().coverage()) {
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
            for (ReportedFinding f : c.findings()) {
                finding(g, f);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("resolvedFindings");
            for (ReportedFinding f : c.resolved()) {
                finding(g, f);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("belowSeverity");
            g.writeStringField("minSeverity", c.minSeverity().name());
            g.writeArrayFieldStart("findings");
            for (ReportedFinding f : c.belowSeverity()) {
                finding(g, f);
            }
            g.writeEndArray();
            g.writeEndObject();

            suppressions(g, c.suppressions());
            g.writeEndObject();
        }
    }

    static void finding(JsonGenerator g, ReportedFinding f) throws IOException {
        g.writeStartObject();
        g.writeStringField("findingId", f.findingId());
        g.writeStringField("type", f.type().name());
        g.writeStringField("severity", f.severity().name());
        g.writeStringField("status", f.status().name());
        g.writeStringField("change", f.change() == null ? null : f.change().name());
        g.writeStringField("accountId", f.accountId());
        g.writeStringField("accountName", f.accountName());
        g.writeStringField("ouPath", f.ouPath());
        g.writeStringField("region", f.region());
        List<Finding.Resource> instances = f.finding().instances();
        g.writeNumberField("instanceCount", instances.size());
        g.writeArrayFieldStart("instances");
        for (Finding.Resource r : instances) {
            g.writeStartObject();
            g.writeStringField("instanceId", r.id());
            g.writeStringField("accountId", r.accountIdOr(f.accountId()));
            g.writeStringField("name", r.name());
            g.writeStringField("region", r.region());
            stringArray(g, "volumeIds", r.volumeIds());
            g.writeEndObject();
        }
        g.writeEndArray();
        stringArray(g, "volumeIds", f.volumeIds());
        g.writeArrayFieldStart("launchSources");
        for (Finding.Resource r : f.finding().launchSources()) {
            g.writeStartObject();
            g.writeStringField("kind", r.kind().name());
            g.writeStringField("id", r.id());
            g.writeStringField("accountId", r.accountIdOr(f.accountId()));
            g.writeStringField("name", r.name());
            g.writeStringField("region", r.region());
            g.writeEndObject();
        }
        g.writeEndArray();
        Finding.Confirmed c = f.finding().confirmed();
        if (c == null) {
            g.writeNullField("confirmed");
        } else {
            g.writeObjectFieldStart("confirmed");
            g.writeStringField("source", c.source());
            g.writeStringField("code", c.code());
            g.writeStringField("message", c.message());
            g.writeStringField("time", c.time() == null ? null : Formats.iso(c.time()));
            g.writeEndObject();
        }
        g.writeStringField("keyArn", f.keyArn());
        g.writeStringField("keyAccountId", f.keyAccountId());
        g.writeStringField("keyState", f.keyState());
        List<Finding.Key> keys = f.finding().keys();
        g.writeNumberField("keyCount", keys.size());
        g.writeArrayFieldStart("keys");
        for (Finding.Key k : keys) {
            g.writeStartObject();
            g.writeStringField("keyArn", k.arn());
            g.writeStringField("keyAccountId", k.accountId());
            g.writeStringField("keyState", k.state());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("principalArn", f.principalArn());
        g.writeStringField("principalType", f.principalType());
        List<Finding.Principal> principals = f.finding().principals();
        g.writeNumberField("principalCount", principals.size());
        g.writeArrayFieldStart("principals");
        for (Finding.Principal p : principals) {
            g.writeStartObject();
            g.writeStringField("principalArn", p.arn());
            g.writeStringField("principalType", p.type());
            g.writeEndObject();
        }
        g.writeEndArray();
        stringArray(g, "decidingLayers", f.decidingLayers());
        stringArray(g, "evidence", f.evidence());
        g.writeStringField("explanation", f.explanation());
        g.writeStringField("remediation", f.remediation());
        g.writeStringField("remediationPolicy", f.remediationPolicy());
        g.writeStringField("permissionSetArn", f.permissionSetArn());
        g.writeStringField("permissionSetName", f.permissionSetName());
        permissionSet(g, f.permissionSet());
        g.writeStringField("firstSeen", Formats.iso(f.tracking().firstSeen()));
        g.writeStringField("lastSeen", Formats.iso(f.tracking().lastSeen()));
        g.writeStringField("owner", f.tracking().owner());
        if (f.suppression() == null) {
            g.writeNullField("suppression");
        } else {
            g.writeObjectFieldStart("suppression");
            g.writeStringField("reason", f.suppression().reason());
            g.writeStringField("owner", f.suppression().owner());
            g.writeStringField("expires", f.suppression().expires().toString());
            g.writeStringField("ticket", f.suppression().ticket());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void permissionSet(JsonGenerator g, Finding.PermissionSetRef ps) throws IOException {
        if (ps == null) {
            g.writeNullField("permissionSet");
            return;
        }
        g.writeObjectFieldStart("permissionSet");
        g.writeStringField("arn", ps.arn());
        g.writeStringField("name", ps.name());
        g.writeStringField("instanceArn", ps.instanceArn());
        g.writeArrayFieldStart("accounts");
        for (Finding.Account a : ps.accounts()) {
            g.writeStartObject();
            g.writeStringField("accountId", a.id());
            g.writeStringField("accountName", a.name());
            g.writeStringField("ouPath", a.ouPath());
            g.writeEndObject();
        }
        g.writeEndArray();
        stringArray(g, "roleArns", ps.roleArns());
        stringArray(g, "keyArns", ps.keyArns());
        g.writeArrayFieldStart("assignments");
        for (Finding.Assignment a : ps.assignments()) {
            g.writeStartObject();
            g.writeStringField("accountId", a.accountId());
            g.writeStringField("principalType", a.principalType());
            g.writeStringField("principalId", a.principalId());
            g.writeStringField("principalName", a.principalName());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Reads {@code permissionSet} as written by {@link #permissionSet}; null when absent (earlier files). */
    private static Finding.PermissionSetRef readPermissionSet(JsonNode n) {
        JsonNode ps = n.get("permissionSet");
        if (ps == null || ps.isNull()) {
            String arn = text(n, "permissionSetArn");
            return arn == null ? null : new Finding.PermissionSetRef(arn, text(n, "permissionSetName"), null,
                    List.of(), List.of(), List.of(), List.of());
        }
        if (!ps.isObject()) {
            throw new IllegalArgumentException("field `permissionSet` must be an object");
        }
        List<Finding.Account> accounts = new ArrayList<>();
        for (JsonNode a : array(ps, "accounts", "permissionSet.accounts")) {
            accounts.add(new Finding.Account(text(a, "accountId"), text(a, "accountName"), text(a, "ouPath")));
        }
        List<Finding.Assignment> assignments = new ArrayList<>();
        for (JsonNode a : array(ps, "assignments", "permissionSet.assignments")) {
            assignments.add(new Finding.Assignment(required(a, "accountId", "permissionSet.assignments[].accountId"),
                    required(a, "principalType", "permissionSet.assignments[].principalType"),
                    required(a, "principalId", "permissionSet.assignments[].principalId"), text(a, "principalName")));
        }
        return new Finding.PermissionSetRef(required(ps, "arn", "permissionSet.arn"), text(ps, "name"),
                text(ps, "instanceArn"), accounts, list(ps, "roleArns"), list(ps, "keyArns"), assignments);
    }

    private static List<JsonNode> array(JsonNode n, String field, String label) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("field `" + label + "` must be a list");
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    private static void suppressions(JsonGenerator g, SuppressionReport r) throws IOException {
        if (r.source() == null) {
            g.writeNullField("suppressions");
            return;
        }
        g.writeObjectFieldStart("suppressions");
        g.writeStringField("source", r.source());
        g.writeNumberField("entries", r.entries());
        g.writeArrayFieldStart("active");
        for (SuppressionReport.RuleUse u : r.active()) {
            rule(g, u.rule(), u.matched());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("expired");
        for (SuppressionReport.RuleUse u : r.expired()) {
            rule(g, u.rule(), u.matched());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("unused");
        for (SuppressionRule u : r.unused()) {
            rule(g, u, 0);
        }
        g.writeEndArray();
        stringArray(g, "warnings", r.warnings());
        g.writeArrayFieldStart("invalid");
        for (InvalidSuppression i : r.invalid()) {
            g.writeStartObject();
            g.writeNumberField("index", i.index());
            g.writeNumberField("line", i.line());
            g.writeStringField("field", i.field());
            g.writeStringField("message", i.message());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void rule(JsonGenerator g, SuppressionRule u, int matched) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", u.index());
        g.writeNumberField("line", u.line());
        g.writeStringField("findingId", u.findingId());
        g.writeStringField("type", u.type() == null ? null : u.type().name());
        g.writeStringField("accountId", u.accountId());
        g.writeStringField("principalArn", u.principalArn());
        g.writeStringField("keyArn", u.keyArn());
        g.writeStringField("instanceId", u.instanceId());
        g.writeStringField("reason", u.reason());
        g.writeStringField("owner", u.owner());
        g.writeStringField("expires", u.expires().toString());
        g.writeStringField("ticket", u.ticket());
        g.writeNumberField("matched", matched);
        g.writeEndObject();
    }

    private static void stringArray(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /**
     * Reads one finding object as written by {@link #finding}.
     *
     * @throws IllegalArgumentException naming the first missing or bad field
     */
    static ReportedFinding readFinding(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a finding must be a JSON object");
        }
        ReportedFinding.Suppression suppression = null;
        JsonNode s = n.get("suppression");
        if (s != null && s.isObject()) {
            suppression = new ReportedFinding.Suppression(text(s, "reason"), text(s, "owner"),
                    parseDate(required(s, "expires", "suppression.expires")), text(s, "ticket"));
        }
        String change = text(n, "change");
        String region = text(n, "region");
        String instanceId = text(n, "instanceId");
        String keyArn = text(n, "keyArn");
        String principalArn = text(n, "principalArn");
        String accountId = text(n, "accountId");
        List<Finding.Resource> resources = new ArrayList<>();
        JsonNode instances = n.get("instances");
        if (instances != null && instances.isArray()) {
            for (JsonNode i : instances) {
                String id = text(i, "instanceId");
                if (id == null) {
                    throw new IllegalArgumentException("missing `instances[].instanceId`");
                }
                String r = text(i, "region");
                // schemaVersion 3 names each instance's account (absent before: the finding's)
                resources.add(Finding.Resource.instance(id, text(i, "name"), r == null ? region : r,
                        list(i, "volumeIds")).relativeTo(text(i, "accountId"), accountId));
            }
        } else if (instanceId != null) {
            // schemaVersion 1: one instance per finding
            resources.add(Finding.Resource.instance(instanceId, text(n, "instanceName"), region,
                    list(n, "volumeIds")));
        }
        JsonNode keys = n.get("keys");
        if (keys != null && keys.isArray() && keys.size() > 1) {
            for (JsonNode k : keys) {
                String arn = text(k, "keyArn");
                if (arn == null) {
                    throw new IllegalArgumentException("missing `keys[].keyArn`");
                }
                resources.add(Finding.Resource.key(new Finding.Key(arn, text(k, "keyAccountId"),
                        text(k, "keyState"))));
            }
        }
        JsonNode principals = n.get("principals");
        if (principals != null && principals.isArray() && principals.size() > 1) {
            for (JsonNode p : principals) {
                String arn = text(p, "principalArn");
                if (arn == null) {
                    throw new IllegalArgumentException("missing `principals[].principalArn`");
                }
                resources.add(Finding.Resource.principal(new Finding.Principal(arn, text(p, "principalType"))));
            }
        }
        JsonNode sources = n.get("launchSources");
        if (sources != null && sources.isArray()) {
            for (JsonNode l : sources) {
                String kind = required(l, "kind", "launchSources[].kind");
                resources.add(Finding.Resource.launchSource(enumValue(Finding.ResourceKind.class, kind,
                        "launchSources[].kind"), required(l, "id", "launchSources[].id"), text(l, "name"),
                        text(l, "region") == null ? region : text(l, "region"))
                        .relativeTo(text(l, "accountId"), accountId));
            }
        }
        Finding.Confirmed confirmed = null;
        JsonNode c = n.get("confirmed");
        if (c != null && c.isObject()) {
            String time = text(c, "time");
            try {
                confirmed = new Finding.Confirmed(required(c, "source", "confirmed.source"),
                        required(c, "code", "confirmed.code"), text(c, "message"),
                        time == null ? null : java.time.Instant.parse(time));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("field `confirmed.time` must be an ISO-8601 UTC time");
            }
        }
        Finding f = new Finding(
                required(n, "findingId", "findingId"),
                enumValue(FindingType.class, required(n, "type", "type"), "type"),
                enumValue(Severity.class, required(n, "severity", "severity"), "severity"),
                new Finding.Account(text(n, "accountId"), text(n, "accountName"), text(n, "ouPath")), region,
                resources,
                keyArn == null ? null : new Finding.Key(keyArn, text(n, "keyAccountId"), text(n, "keyState")),
                principalArn == null ? null : new Finding.Principal(principalArn, text(n, "principalType")),
                new Finding.Details(list(n, "decidingLayers"), list(n, "evidence"),
                        required(n, "explanation", "explanation"), required(n, "remediation", "remediation"),
                        text(n, "remediationPolicy")), readPermissionSet(n), confirmed);
        return new ReportedFinding(f,
                enumValue(ReportedFinding.Status.class, required(n, "status", "status"), "status"),
                change == null ? null : enumValue(ReportedFinding.Change.class, change, "change"), suppression,
                new ReportedFinding.Tracking(time(n, "firstSeen"), time(n, "lastSeen"), text(n, "owner")));
    }

    private static java.time.Instant time(JsonNode n, String field) {
        String t = text(n, field);
        if (t == null) {
            return null;
        }
        try {
            return java.time.Instant.parse(t);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("field `" + field + "`: not an ISO-8601 UTC time: `" + t + "`");
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException("field `" + field + "` must be a string");
        }
        return v.asText();
    }

    private static String required(JsonNode n, String field, String label) {
        String v = text(n, field);
        if (v == null) {
            throw new IllegalArgumentException("missing `" + label + "`");
        }
        return v;
    }

    private static List<String> list(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("field `" + field + "` must be a list of strings");
        }
        List<String> out = new ArrayList<>(v.size());
        v.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String field) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field `" + field + "`: unknown value `" + value + "`");
        }
    }

    private static LocalDate parseDate(String s) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field `suppression.expires`: not a date YYYY-MM-DD: `" + s + "`");
        }
    }
}
