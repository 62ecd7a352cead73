package io.cmkaudit.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.analysis.Finding;

import java.io.IOException;
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
 * @param source         the file as given (for the report's "compared with" line)
 * @param startedAt      when the previous run's collection started, or null when the file does not say
 * @param organizationId the previous run's organization id, or null
 * @param findings       the previous run's current findings (its own resolved findings are not carried over)
 */
public record PreviousRun(String source, Instant startedAt, String organizationId, List<ReportedFinding> findings) {

    public PreviousRun {
        findings = List.copyOf(findings);
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
        ObjectMapper mapper = new ObjectMapper();
        Integer schemaVersion = null;
        Instant startedAt = null;
        String organizationId = null;
        List<ReportedFinding> findings = new ArrayList<>();
        boolean sawFindings = false;
        boolean sawRun = false;
        try (JsonParser p = mapper.getFactory().createParser(Files.newInputStream(json))) {
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
                                && schemaVersion != FindingsJson.SCHEMA_VERSION_PER_INSTANCE) {
                            throw bad(json, p, "schemaVersion " + schemaVersion + " is not supported (this version "
                                    + "reads " + FindingsJson.SCHEMA_VERSION_PER_INSTANCE + " and "
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
                        }
                    }
                    case "findings" -> {
                        if (p.currentToken() != JsonToken.START_ARRAY) {
                            throw bad(json, p, "`findings` must be a list");
                        }
                        sawFindings = true;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            int line = p.currentTokenLocation().getLineNr();
                            JsonNode node = p.readValueAsTree();
                            try {
                                findings.add(FindingsJson.readFinding(node));
                            } catch (IllegalArgumentException e) {
                                throw new ReportInputException(json + ":" + line + ": finding " + (findings.size() + 1)
                                        + ": " + e.getMessage(), e);
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (NoSuchFileException e) {
            throw new ReportInputException(json + ": previous findings.json not found", e);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ReportInputException(json + ":" + line + ": not valid JSON: "
                    + firstLine(e.getOriginalMessage()), e);
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
        return new PreviousRun(file.toString(), startedAt, organizationId,
                schemaVersion == FindingsJson.SCHEMA_VERSION_PER_INSTANCE ? grouped(findings) : findings);
    }

    /**
     * Maps per-instance findings (schemaVersion 1) onto the grouped ones of this version: findings with the same
     * {@link Finding#groupedId()} become one, listing every instance, so the first run after the upgrade diffs
     * correctly. A grouped file passes unchanged. The merged finding keeps the first member's report state.
     */
    static List<ReportedFinding> grouped(List<ReportedFinding> findings) {
        Map<String, List<ReportedFinding>> byId = new LinkedHashMap<>();
        for (ReportedFinding f : findings) {
            byId.computeIfAbsent(f.finding().groupedId(), k -> new ArrayList<>()).add(f);
        }
        List<ReportedFinding> out = new ArrayList<>(byId.size());
        byId.forEach((id, members) -> {
            ReportedFinding first = members.get(0);
            if (members.size() == 1 && id.equals(first.findingId())) {
                out.add(first);
                return;
            }
            Map<String, Finding.Resource> resources = new LinkedHashMap<>();
            members.forEach(m -> m.finding().resources().forEach(r -> resources.putIfAbsent(r.id(), r)));
            out.add(first.withFinding(first.finding().withResources(id, new ArrayList<>(resources.values()))));
        });
        return out;
    }

    /** @return the previous findings keyed by finding id, in file order (a repeated id keeps its last entry) */
    public Map<String, ReportedFinding> byId() {
        Map<String, ReportedFinding> m = new LinkedHashMap<>();
        for (ReportedFinding f : findings) {
            m.put(f.findingId(), f);
        }
        return m;
    }

    private static Instant instant(Path json, JsonParser p, JsonNode n) {
        if (!n.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            throw bad(json, p, "`run.startedAt` is not an ISO-8601 UTC time: `" + n.asText() + "`");
        }
    }

    private static ReportInputException bad(Path json, JsonParser p, String what) {
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
