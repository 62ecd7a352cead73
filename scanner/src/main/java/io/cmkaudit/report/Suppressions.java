package io.cmkaudit.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The parsed suppressions file (accepted risks). Format ({@code config/suppressions.example.yaml}):
 *
 * <pre>
 * suppressions:
 *   - finding_id: 3f2a9c0d1e4b5a69      # or any of the pattern fields below (all set ones must match)
 *     type: KMS_DECRYPT_ALL_KEYS
 *     account_id: "111122223333"         # quoted: 12 digits
 *     principal_arn: "arn:aws:iam::111122223333:role/backup-*"   # glob: * any characters, ? one
 *     key_arn: "arn:aws:kms:*:111122223333:key/*"
 *     reason: Backup vault restores need it
 *     owner: platform-team@example.com
 *     expires: 2027-03-31               # last day it applies (UTC)
 *     ticket: SEC-1234                   # optional
 * </pre>
 *
 * A bare top-level list of entries (without {@code suppressions:}) is accepted too. An entry with a problem (missing
 * or bad field, unknown field, {@code finding_id} together with a pattern field) is kept as an
 * {@link InvalidSuppression} and suppresses nothing; only a file that is not YAML, or whose top level is neither
 * {@code suppressions:} with a list nor a list, fails as a whole with a {@link ReportInputException}.
 */
public final class Suppressions {

    private static final Pattern FINDING_ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Set<String> FIELDS = Set.of("finding_id", "type", "account_id", "principal_arn", "key_arn",
            "instance_id", "reason", "owner", "expires", "ticket");
    private static final String KNOWN = FIELDS.stream().sorted().collect(Collectors.joining(", "));

    private final String source;
    private final int entries;
    private final List<SuppressionRule> rules;
    private final List<InvalidSuppression> invalid;

    private Suppressions(String source, int entries, List<SuppressionRule> rules, List<InvalidSuppression> invalid) {
        this.source = source;
        this.entries = entries;
        this.rules = List.copyOf(rules);
        this.invalid = List.copyOf(invalid);
    }

    private static final Suppressions NONE = new Suppressions(null, 0, List.of(), List.of());

    /**
     * @return no suppressions file: nothing is suppressed and the report has no suppression section; always the same
     *         object, and the only one whose {@link #given()} is false
     */
    public static Suppressions none() {
        return NONE;
    }

    /** @return whether a suppressions file was given (false only for {@link #none()}; an empty file is given) */
    public boolean given() {
        return source != null;
    }

    /**
     * Reads a suppressions file.
     *
     * @param file a YAML file; never null
     * @return its valid entries and the problems of its invalid ones
     * @throws ReportInputException when the file is missing, unreadable, not YAML, or not a list of entries; the
     *                              message is one line naming the file and line
     */
    public static Suppressions read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ReportInputException(file + ": suppressions file not found", e);
        } catch (IOException e) {
            throw new ReportInputException(file + ": cannot read suppressions file: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses the text of a suppressions file.
     *
     * @param yamlText   the YAML text; blank means no entries
     * @param sourceName how messages name the file (usually its path)
     * @return its valid entries and the problems of its invalid ones
     * @throws ReportInputException when the text is not YAML or not a list of entries
     */
    public static Suppressions parse(String yamlText, String sourceName) {
        List<SuppressionRule> rules = new ArrayList<>();
        List<InvalidSuppression> invalid = new ArrayList<>();
        int index = 0;
        // a key given twice is an error naming file, line and key, not "the last one wins"
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));
        try (JsonParser p = yaml.getFactory().createParser(yamlText)) {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.VALUE_NULL) {
                return new Suppressions(sourceName, 0, List.of(), List.of());
            }
            if (t == JsonToken.START_OBJECT) {
                boolean found = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    if (!"suppressions".equals(name)) {
                        throw new ReportInputException(sourceName + ":" + line(p) + ": unknown top-level key `"
                                + name + "` (expected `suppressions:` with a list of entries)");
                    }
                    found = true;
                    t = p.nextToken();
                    if (t == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    if (t != JsonToken.START_ARRAY) {
                        throw new ReportInputException(sourceName + ":" + line(p)
                                + ": `suppressions` must be a list of entries");
                    }
                    index = readEntries(p, rules, invalid);
                }
                if (!found) {
                    throw new ReportInputException(sourceName + ":1: expected `suppressions:` with a list of entries");
                }
            } else if (t == JsonToken.START_ARRAY) {
                index = readEntries(p, rules, invalid);
            } else {
                throw new ReportInputException(sourceName + ":" + line(p)
                        + ": expected `suppressions:` with a list of entries");
            }
        } catch (JsonProcessingException e) {
            int l = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            java.util.regex.Matcher dup = Pattern.compile("Duplicate field '([^']*)'")
                    .matcher(String.valueOf(e.getOriginalMessage()));
            if (dup.find()) {
                throw new ReportInputException(sourceName + ":" + l + ": key `" + dup.group(1) + "` given twice "
                        + "(remove one)", e);
            }
            throw new ReportInputException(sourceName + ":" + l + ": not valid YAML: "
                    + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ReportInputException(sourceName + ": cannot read suppressions: " + e.getMessage(), e);
        }
        return new Suppressions(sourceName, index, rules, invalid);
    }

    private static int readEntries(JsonParser p, List<SuppressionRule> rules, List<InvalidSuppression> invalid)
            throws IOException {
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            index++;
            int line = line(p);
            JsonNode node = p.readValueAsTree();
            entry(index, line, node, rules, invalid);
        }
        return index;
    }

    private static void entry(int index, int line, JsonNode node, List<SuppressionRule> rules,
                              List<InvalidSuppression> invalid) {
        if (node == null || !node.isObject()) {
            invalid.add(new InvalidSuppression(index, line, null, "not a mapping of fields (" + KNOWN + ")"));
            return;
        }
        List<InvalidSuppression> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!FIELDS.contains(name)) {
                problems.add(new InvalidSuppression(index, line, name, "unknown field (known: " + KNOWN + ")"));
            }
        }
        Fields f = new Fields(index, line, node, problems);
        String findingId = f.text("finding_id", false);
        if (findingId != null && !FINDING_ID.matcher(findingId).matches()) {
            f.problem("finding_id", "not a finding id (16 lowercase hex digits): `" + findingId + "`");
        }
        String typeName = f.text("type", false);
        FindingType type = null;
        if (typeName != null) {
            try {
                type = FindingType.valueOf(typeName);
            } catch (IllegalArgumentException e) {
                f.problem("type", "unknown finding type `" + typeName + "` (known: "
                        + Arrays.stream(FindingType.values()).map(Enum::name).collect(Collectors.joining(", "))
                        + ")");
            }
        }
        String accountId = null;
        JsonNode account = node.get("account_id");
        if (account != null && account.isNumber()) {
            f.problem("account_id", "write account ids in quotes (YAML reads `" + account.asText()
                    + "` as a number and drops leading zeros)");
        } else {
            accountId = f.text("account_id", false);
            if (accountId != null && !ACCOUNT_ID.matcher(accountId).matches()) {
                f.problem("account_id", "not a 12-digit account id: `" + accountId + "`");
            }
        }
        String principalArn = f.text("principal_arn", false);
        String keyArn = f.text("key_arn", false);
        String instanceId = f.text("instance_id", false);
        if (instanceId != null && !instanceId.matches("i-[0-9a-f]{8,17}")) {
            f.problem("instance_id", "not an EC2 instance id (i- and 8 or 17 hex digits): `" + instanceId + "`");
        }
        String reason = f.text("reason", true);
        String owner = f.text("owner", true);
        String ticket = f.text("ticket", false);
        LocalDate expires = null;
        String expiresText = f.text("expires", false);
        if (expiresText == null && !node.has("expires")) {
            f.problem("expires", "missing (the last day it applies, YYYY-MM-DD)");
        } else if (expiresText != null) {
            try {
                expires = LocalDate.parse(expiresText);
            } catch (DateTimeParseException e) {
                f.problem("expires", "not a date YYYY-MM-DD: `" + expiresText + "`");
            }
        }
        if (findingId != null && (typeName != null || node.has("account_id") || principalArn != null
                || keyArn != null)) {
            List<String> pattern = new ArrayList<>();
            for (String name : List.of("type", "account_id", "principal_arn", "key_arn")) {
                if (node.has(name)) {
                    pattern.add(name);
                }
            }
            f.problem(null, "set either `finding_id` (one finding; `instance_id` may narrow it) or pattern fields, "
                    + "not both: this entry also sets " + String.join(", ", pattern));
        }
        if (findingId == null && typeName == null && !node.has("account_id") && principalArn == null
                && keyArn == null && instanceId == null && problems.isEmpty()) {
            f.problem(null, "matches nothing: set `finding_id` or at least one of type, account_id, principal_arn, "
                    + "key_arn");
        }
        if (problems.isEmpty()) {
            rules.add(new SuppressionRule(index, line, findingId, type, accountId, principalArn, keyArn, instanceId, reason, owner,
                    expires, ticket));
        } else {
            invalid.addAll(problems);
        }
    }

    /** Reads string fields of one entry, collecting problems. */
    private record Fields(int index, int line, JsonNode node, List<InvalidSuppression> problems) {

        String text(String name, boolean required) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                if (required) {
                    problem(name, "missing");
                } else if (v != null) {
                    problem(name, "empty");
                }
                return null;
            }
            if (!v.isValueNode()) {
                problem(name, "must be a single value, not a " + (v.isArray() ? "list" : "mapping"));
                return null;
            }
            String s = v.asText().strip();
            if (s.isEmpty()) {
                problem(name, "empty");
                return null;
            }
            return s;
        }

        void problem(String field, String what) {
            problems.add(new InvalidSuppression(index, line, field, what));
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation() == null ? 0 : p.currentTokenLocation().getLineNr();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /** @return the file as given, or null for {@link #none()} */
    public String source() {
        return source;
    }

    /** @return the valid entries in file order */
    public List<SuppressionRule> rules() {
        return rules;
    }

    /** @return the problems of invalid entries in file order */
    public List<InvalidSuppression> invalid() {
        return invalid;
    }

    /**
     * The suppression phase: marks each finding matched by an unexpired entry SUPPRESSED with that entry's
     * columns (the first matching entry in file order wins); every other finding is OPEN. Findings are never
     * removed.
     *
     * @param findings current findings; never null
     * @param today    the current UTC date (entries expire after their {@code expires} day)
     * @return the findings in the same order, and what each entry did
     */
    public Applied apply(List<ReportedFinding> findings, LocalDate today) {
        List<String> warnings = new ArrayList<>();
        List<SuppressionRule> valid = upgraded(rules, findings, warnings);
        List<SuppressionRule> active = valid.stream().filter(r -> !r.isExpiredOn(today)).toList();
        List<SuppressionRule> expired = valid.stream().filter(r -> r.isExpiredOn(today)).toList();
        int[] activeCounts = new int[active.size()];
        int[] expiredCounts = new int[expired.size()];
        List<ReportedFinding> out = new ArrayList<>(findings.size());
        for (ReportedFinding f : findings) {
            SuppressionRule first = null;
            SuppressionRule firstInstance = null;
            Set<String> removed = new java.util.HashSet<>();
            for (int i = 0; i < active.size(); i++) {
                SuppressionRule r = active.get(i);
                if (r.matches(f)) {
                    activeCounts[i]++;
                    if (r.instanceId() != null) {
                        removed.add(r.instanceId());
                        firstInstance = firstInstance == null ? r : firstInstance;
                    } else if (first == null) {
                        first = r;
                    }
                }
            }
            for (int i = 0; i < expired.size(); i++) {
                if (expired.get(i).matches(f)) {
                    expiredCounts[i]++;
                }
            }
            if (first == null && !removed.isEmpty()) {
                List<Finding.Resource> left = f.finding().resources().stream()
                        .filter(r -> !removed.contains(r.id())).toList();
                if (left.isEmpty()) {
                    first = firstInstance;
                } else {
                    f = f.withFinding(f.finding().withResources(f.findingId(), left));
                }
            }
            if (first == null && f.status() == ReportedFinding.Status.OPEN && f.suppression() == null) {
                out.add(f);
            } else {
                out.add(f.withSuppression(first == null ? null : first.toSuppression()));
            }
        }
        List<SuppressionReport.RuleUse> activeUses = new ArrayList<>();
        List<SuppressionRule> unused = new ArrayList<>();
        for (int i = 0; i < active.size(); i++) {
            activeUses.add(new SuppressionReport.RuleUse(active.get(i), activeCounts[i]));
            if (activeCounts[i] == 0) {
                unused.add(active.get(i));
            }
        }
        List<SuppressionReport.RuleUse> expiredUses = new ArrayList<>();
        for (int i = 0; i < expired.size(); i++) {
            expiredUses.add(new SuppressionReport.RuleUse(expired.get(i), expiredCounts[i]));
        }
        SuppressionReport report = source == null && entries == 0 ? SuppressionReport.NONE
                : new SuppressionReport(source, entries, activeUses, expiredUses, unused, invalid, warnings);
        return new Applied(out, report);
    }

    /**
     * Rewrites entries whose {@code finding_id} is a per-instance id of schemaVersion 1 (no current finding has it,
     * but one instance of a grouped finding had it) into the grouped finding's id with {@code instance_id}, and warns
     * with the entry to write instead.
     */
    private static List<SuppressionRule> upgraded(List<SuppressionRule> rules, List<ReportedFinding> findings,
                                                  List<String> warnings) {
        Set<String> current = new java.util.HashSet<>();
        findings.forEach(f -> current.add(f.findingId()));
        if (rules.stream().allMatch(r -> r.findingId() == null || current.contains(r.findingId()))) {
            return rules;
        }
        java.util.Map<String, String[]> perInstance = new java.util.HashMap<>();
        for (ReportedFinding f : findings) {
            Finding a = f.finding();
            if (!a.findingId().equals(a.groupedId())) {
                continue;
            }
            for (Finding.Resource r : a.instances()) {
                String old = Finding.stableId(a.type(), a.accountId(), r.region(), r.id(), a.principalArn(),
                        a.keyArn());
                perInstance.putIfAbsent(old, new String[] {a.findingId(), r.id()});
            }
        }
        List<SuppressionRule> out = new ArrayList<>(rules.size());
        for (SuppressionRule r : rules) {
            String[] to = r.findingId() == null || current.contains(r.findingId()) ? null
                    : perInstance.get(r.findingId());
            if (to == null) {
                out.add(r);
                continue;
            }
            warnings.add("entry " + r.index() + (r.line() > 0 ? " (line " + r.line() + ")" : "") + ": finding_id "
                    + r.findingId() + " is the id of one instance's finding before findings were grouped "
                    + "(schemaVersion 1); write `finding_id: " + to[0] + "` with `instance_id: " + to[1]
                    + "` instead (applied so for this run)");
            out.add(r.withFindingAndInstance(to[0], to[1]));
        }
        return out;
    }

    /**
     * Result of the suppression phase.
     *
     * @param findings the findings, same order, with status and suppression set
     * @param report   what each entry did
     */
    public record Applied(List<ReportedFinding> findings, SuppressionReport report) {
    }
}
