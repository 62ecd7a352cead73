package io.cmkaudit.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The published JSON Schema of the snapshot format ({@code docs/snapshot.schema.json}, packaged next to this class),
 * enforced on every snapshot read (https://json-schema.org/draft/2020-12; validator
 * {@code com.networknt:json-schema-validator}). It fixes every field's type, which fields are required, the enum of
 * coverage statuses and the 12-digit account ids, and rejects unknown fields. A violation becomes one line in the
 * words of the format: the JSON path and what was expected there, e.g.
 * {@code accounts[1].regions[0].volumes[3].encrypted: expected true or false, got 0}. The closed AWS enums the
 * analysis branches on are enumerated with their API names (KMS {@code KeyState} and {@code KeyManager},
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html; EC2 instance state names,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html; EBS volume states; Organizations
 * account states; EC2 Fleet types), so a value in the wrong case is rejected with a "did you mean" rather than read
 * as an unusable key or a stopped instance. Region names must have the shape of AWS region names,
 * {@code ^[a-z]{2,4}(-[a-z]+)+-[0-9]+$} (every partition's: {@code us-east-1}, {@code us-gov-west-1},
 * {@code cn-north-1}, {@code us-isob-east-1}, {@code eusc-de-east-1};
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html), not be in a list of today's
 * regions, so {@code "US-EAST-1"} or {@code "us-east-1 "} is rejected instead of read as a region nothing matches.
 * A violation inside an account names the account's id after the path. Thread-safe.
 */
final class SnapshotSchema {

    /** Classpath name of the schema, beside this class. */
    static final String RESOURCE = "snapshot.schema.json";

    private static final JsonNode SCHEMA_TREE;
    private static final Schema SCHEMA;

    static {
        try (InputStream in = SnapshotSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from this build");
            }
            SCHEMA_TREE = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of(SCHEMA_TREE.path("$id").asText()), SCHEMA_TREE);
    }

    private SnapshotSchema() {
    }

    /** @return the schema as JSON (for tests and documentation) */
    static JsonNode tree() {
        return SCHEMA_TREE.deepCopy();
    }

    /**
     * @param tree a parsed snapshot
     * @return null when the tree is valid, else one line: the JSON path of the first violation (with the account's
     *         id after it when the violation is inside an account, e.g.
     *         {@code accounts[3].regions[0].region (account 012345678901): expected an AWS region name ...}) and what
     *         was expected, with the number of further violations
     */
    static String check(JsonNode tree) {
        List<Error> errors = SCHEMA.validate(tree);
        if (errors.isEmpty()) {
            return null;
        }
        Error first = errors.get(0);
        String more = errors.size() == 1 ? "" : " (and " + (errors.size() - 1) + " more problem"
                + (errors.size() == 2 ? "" : "s") + " in the snapshot)";
        String line = describe(first);
        String path = path(first.getInstanceLocation());
        String account = accountOf(tree, first.getInstanceLocation());
        if (account != null && !path.isEmpty() && line.startsWith(path + ": ")) {
            line = path + " (account " + account + ")" + line.substring(path.length());
        }
        return line + more;
    }

    /**
     * @return the 12-digit {@code accountId} of the account a violation at {@code p} is inside
     *         ({@code accounts[N]...}), or null when it is not inside one or the id is itself missing or malformed
     */
    static String accountOf(JsonNode tree, NodePath p) {
        if (p == null || p.getNameCount() < 3 || !"accounts".equals(String.valueOf(p.getElement(0)))
                || !(p.getElement(1) instanceof Integer idx)) {
            return null;
        }
        JsonNode id = tree.path("accounts").path(idx).path("accountId");
        return id.isTextual() && id.asText().matches("[0-9]{12}") ? id.asText() : null;
    }

    /** One violation in the format's words: {@code PATH: expected ...}. */
    static String describe(Error e) {
        String path = path(e.getInstanceLocation());
        JsonNode value = e.getInstanceNode();
        JsonNode rule = subschema(e);
        String what = switch (e.getKeyword()) {
            case "required" -> "missing required field `" + e.getProperty() + "`";
            case "additionalProperties" -> "unknown field `" + e.getProperty() + "`";
            case "type" -> rule.has("enum") ? "expected one of " + enumWords(rule.path("enum")) + ", got " + shown(value)
                    : "expected " + (rule.has("description") && !rule.has("properties") && !rule.has("items")
                    ? rule.path("description").asText() : typeWords(rule.path("type"))) + ", got " + shown(value);
            case "enum" -> "expected one of " + enumWords(rule.path("enum")) + ", got " + shown(value)
                    + didYouMean(rule.path("enum"), value);
            case "const" -> "expected " + rule.path("const") + ", got " + shown(value);
            case "minItems" -> "expected " + (rule.has("description") ? rule.path("description").asText()
                    : "at least " + rule.path("minItems").asInt() + " entries") + ", got an empty list";
            case "minimum" -> "expected " + (rule.has("description") ? rule.path("description").asText()
                    : "a number of at least " + rule.path("minimum")) + ", got " + shown(value);
            case "pattern" -> "expected " + (rule.has("description") ? rule.path("description").asText()
                    : "a string matching " + rule.path("pattern").asText()) + ", got " + shown(value);
            default -> "not as the snapshot format says: " + oneLine(e.getMessage());
        };
        if (e.getKeyword().equals("required") || e.getKeyword().equals("additionalProperties")) {
            return (path.isEmpty() ? "top level" : path) + ": " + what;
        }
        return (path.isEmpty() ? "top level" : path) + ": " + what;
    }

    /** The schema object holding the keyword that failed, found by its location in {@link #SCHEMA_TREE}. */
    private static JsonNode subschema(Error e) {
        NodePath fragment = e.getSchemaLocation() == null ? null : e.getSchemaLocation().getFragment();
        JsonNode node = SCHEMA_TREE;
        if (fragment == null) {
            return node;
        }
        int n = fragment.getNameCount();
        // the fragment ends with the keyword itself (e.g. .../properties/encrypted/type): stop at its object
        for (int i = 0; i < n - 1; i++) {
            Object el = fragment.getElement(i);
            node = el instanceof Integer idx ? node.path(idx) : node.path(String.valueOf(el));
        }
        return node;
    }

    /** {@code accounts[1].iam.users[0]} from a validator path. */
    static String path(NodePath p) {
        StringBuilder sb = new StringBuilder();
        if (p == null) {
            return "";
        }
        for (int i = 0; i < p.getNameCount(); i++) {
            Object el = p.getElement(i);
            if (el instanceof Integer idx) {
                sb.append('[').append(idx).append(']');
            } else {
                String name = String.valueOf(el);
                if (name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    if (!sb.isEmpty()) {
                        sb.append('.');
                    }
                    sb.append(name);
                } else {
                    sb.append("[\"").append(oneLine(name).replace("\"", "\\\"")).append("\"]");
                }
            }
        }
        return sb.toString();
    }

    private static String typeWords(JsonNode type) {
        if (type.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode t : type) {
                if (!t.asText().equals("null")) {
                    sb.append(sb.isEmpty() ? "" : " or ").append(typeWord(t.asText()));
                }
            }
            return sb.toString();
        }
        return typeWord(type.asText());
    }

    private static String typeWord(String t) {
        return switch (t) {
            case "string" -> "a string";
            case "boolean" -> "true or false";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "array" -> "a list";
            case "object" -> "an object";
            default -> t;
        };
    }

    private static String enumWords(JsonNode values) {
        StringBuilder sb = new StringBuilder();
        boolean nullable = false;
        for (JsonNode v : values) {
            if (v.isNull()) {
                nullable = true;
            } else {
                sb.append(sb.isEmpty() ? "" : ", ").append(v.asText());
            }
        }
        return nullable ? sb + " (or null)" : sb.toString();
    }

    /**
     * {@code " (did you mean `Enabled`?)"} when the string differs from one allowed value only in case or in
     * {@code -}, {@code _} and blanks (AWS's enum values are case-sensitive names), else "".
     */
    static String didYouMean(JsonNode values, JsonNode value) {
        if (value == null || !value.isTextual()) {
            return "";
        }
        String given = squeeze(value.asText());
        for (JsonNode v : values) {
            if (v.isTextual() && squeeze(v.asText()).equals(given)) {
                return " (did you mean `" + v.asText() + "`?)";
            }
        }
        return "";
    }

    private static String squeeze(String s) {
        return s.replaceAll("[-_\\s]", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** A value as JSON text, one line, at most 60 characters. */
    static String shown(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        if (v.isArray()) {
            return v.isEmpty() ? "an empty list" : "a list";
        }
        if (v.isObject()) {
            return "an object";
        }
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
    }
}
