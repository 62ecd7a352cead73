package io.cmkaudit.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.CharConversionException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads cases of the {@code simulate} format ({@code docs/design/simulate-format.md}): one case object or an array
 * of them, either from a Jackson tree ({@link #read(JsonNode)}) or <b>streaming</b> from a file
 * ({@link #open(InputStream)}, then {@link #next()} case by case), so that a file of any number of cases is read in
 * memory proportional to one case. Malformed cases raise {@link SimulationCaseException} naming the case (index and
 * name) and the field; malformed <i>policy documents</i> are not an error of the case file: they become
 * {@link SimulationCase#diagnostics()} and are evaluated as described in {@link PolicyParser}.
 *
 * <p>Input: JSON text in UTF-8 (a leading byte-order mark is skipped), UTF-16 or UTF-32 (detected from the first
 * bytes, as JSON allows: RFC 8259 section 8.1); duplicate fields, nesting deeper than {@value #MAX_DEPTH} levels and
 * content after the top-level value are errors. Every error of the text itself names the line, column, case and
 * JSON path.
 *
 * <p>Compiled policies are cached by (name, document): a document repeated across cases (the usual case when many
 * requests are asked of the same policies) is parsed once. The cache holds at most {@value #CACHE_ENTRIES} documents
 * and about {@value #CACHE_WEIGHT} characters of document text, least recently used out first.
 *
 * <p>Besides the fields of the format, a case may carry documentation fields ({@code description},
 * {@code comment}, {@code source}, {@code sources}, {@code reference}, {@code references}, {@code notes},
 * {@code doc}, {@code docs}), which are ignored; any other unknown field is an error, so that a misspelt field
 * cannot silently change a case. Extra accepted fields: {@code principal.accountId}, {@code principal.roleArn};
 * {@code policies.resourceInManagementAccount} and {@code policies.awsManagedKey} (booleans, default false).
 *
 * <p>Not thread-safe: one reader per file.
 */
public final class SimulationCaseReader implements Closeable {
    /** Deepest nesting of JSON arrays and objects accepted (Jackson's default limit, stated here). */
    public static final int MAX_DEPTH = 1000;
    /** Most documents the policy cache holds. */
    public static final int CACHE_ENTRIES = 16_384;
    /** About how many characters of document text (strings, names, plus 8 per JSON value) the cache holds. */
    public static final long CACHE_WEIGHT = 16_000_000L;
    /**
     * The KMS key states, from the {@code KeyState} of
     * https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html (see also
     * https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html). Case-sensitive, as in the API.
     */
    public static final List<String> KEY_STATES = List.of("Creating", "Enabled", "Disabled", "PendingDeletion",
            "PendingImport", "PendingReplicaDeletion", "Unavailable", "Updating");

    private static final Set<String> DOC_FIELDS = Set.of("description", "comment", "comments", "source", "sources",
            "reference", "references", "notes", "note", "doc", "docs", "why", "citation", "citations");
    private static final Set<String> CASE_FIELDS = Set.of("name", "request", "principal", "policies", "expected");
    private static final Set<String> REQUEST_FIELDS = Set.of("principal", "action", "resource", "resourceAccount",
            "context", "unknownKeys");
    private static final Set<String> PRINCIPAL_FIELDS = Set.of("type", "isServiceLinkedRole", "inManagementAccount",
            "accountId", "roleArn");
    private static final Set<String> POLICIES_FIELDS = Set.of("identity", "permissionsBoundary", "session",
            "scpLevels", "rcpLevels", "resource", "grants", "keyState", "resourceInManagementAccount",
            "awsManagedKey");
    private static final Set<String> POLICY_FIELDS = Set.of("name", "document");
    private static final Set<String> GRANT_FIELDS = Set.of("granteePrincipal", "operations", "constraints",
            "grantId", "name", "retiringPrincipal");
    private static final Set<String> CONSTRAINT_FIELDS = Set.of("encryptionContextEquals", "encryptionContextSubset");
    private static final Set<String> EXPECTED_FIELDS = Set.of("decision", "decidedBy", "matched", "keyUsable");
    private static final Set<String> MATCH_FIELDS = Set.of("layer", "policy", "statement", "sid", "index", "effect");

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            // duplicate fields: found while building trees (cheaper than the parser's own detector, which would also
            // run over the `policies` objects skipped on a cache hit); the case's own fields are checked by next()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();
    private static final Pattern BAD_BYTE = Pattern.compile("0x([0-9a-fA-F]{1,8})");
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'");

    private final PolicyCache cache = new PolicyCache();
    private final PolicySetCache policySets = new PolicySetCache();
    private final JsonParser parser;
    private final RecordingInputStream recording;
    private boolean array;
    private boolean done;
    private int nextIndex;
    private long caseLine = -1;
    /** Of the case being read: where its `policies` object starts, and its tree when it was read as one. */
    private JsonLocation policiesStart;
    private JsonNode policiesTree;

    private SimulationCaseReader(JsonParser parser, RecordingInputStream recording) {
        this.parser = parser;
        this.recording = recording;
    }

    /**
     * Reads every case of a tree (the whole file already in memory; for files of any size use
     * {@link #open(InputStream)}).
     *
     * @param root one case object or an array of case objects
     * @return the cases in file order; never null
     * @throws SimulationCaseException when a case is malformed; the message names the case and field
     */
    public static List<SimulationCase> read(JsonNode root) throws SimulationCaseException {
        SimulationCaseReader reader = new SimulationCaseReader(null, null);
        List<SimulationCase> out = new ArrayList<>();
        if (root == null || root.isMissingNode()) {
            throw new SimulationCaseException("file is empty");
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                throw new SimulationCaseException("file holds an empty array; expected at least one case");
            }
            for (int i = 0; i < root.size(); i++) {
                out.add(reader.readCase(root.get(i), i));
            }
        } else if (root.isObject()) {
            out.add(reader.readCase(root, 0));
        } else {
            throw new SimulationCaseException("file must hold a case object or an array of them, not a "
                    + kind(root));
        }
        return out;
    }

    /**
     * Starts reading a case file streaming: reads up to the first case. The stream is closed by {@link #close()}.
     *
     * @param in the file's bytes (JSON in UTF-8, with or without a byte-order mark, UTF-16 or UTF-32); never null
     * @return a reader positioned before the first case; never null
     * @throws SimulationCaseException when the file is empty, is not JSON, or holds neither a case object nor a
     *                                 non-empty array; the message gives line, column and what was found
     */
    public static SimulationCaseReader open(InputStream in) throws SimulationCaseException {
        Objects.requireNonNull(in, "in");
        JsonParser p;
        RecordingInputStream recording = new RecordingInputStream(in);
        try {
            p = MAPPER.createParser(recording);
        } catch (IOException e) {
            throw new SimulationCaseException("cannot read: " + oneLine(e.getMessage()));
        }
        SimulationCaseReader r = new SimulationCaseReader(p, recording);
        try {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new SimulationCaseException("file is empty");
            }
            if (t == JsonToken.START_ARRAY) {
                r.array = true;
                if (p.nextToken() == JsonToken.END_ARRAY) {
                    throw new SimulationCaseException("file holds an empty array; expected at least one case");
                }
            } else if (t != JsonToken.START_OBJECT) {
                throw new SimulationCaseException("file must hold a case object or an array of them, not "
                        + tokenKind(t) + " (line " + p.currentLocation().getLineNr() + ")");
            }
        } catch (IOException e) {
            r.closeQuietly();
            throw r.jsonFailure(e);
        } catch (SimulationCaseException e) {
            r.closeQuietly();
            throw e;
        }
        return r;
    }

    /** @return whether the file holds an array of cases (rather than one case object); false for a tree reader */
    public boolean holdsArray() {
        return array;
    }

    /** @return how many cases {@link #next()} has returned so far */
    public int casesRead() {
        return nextIndex;
    }

    /**
     * Reads the next case. Memory: the case's own JSON tree, the cached policies and nothing of the cases before.
     *
     * @return the next case in file order, or null after the last one (the whole file has then been checked: content
     *         after the top-level value is an error)
     * @throws SimulationCaseException when the case or the JSON text at that point is malformed; the message names
     *                                 the case (index, and name when it could be read) and the field or the line,
     *                                 column and JSON path; reading cannot go on after it
     * @throws IllegalStateException   when the reader was made by {@link #read(JsonNode)}
     */
    public SimulationCase next() throws SimulationCaseException {
        if (parser == null) {
            throw new IllegalStateException("not a streaming reader");
        }
        if (done) {
            return null;
        }
        int index = nextIndex;
        JsonNode node;
        byte[] policyBytes = null;
        policiesTree = null;
        policiesStart = null;
        try {
            caseLine = -1;
            if (index > 0) {
                parser.nextToken(); // past the previous case: an error here belongs to this case's place
            }
            JsonToken t = parser.currentToken();
            if (array ? t == JsonToken.END_ARRAY : index > 0) {
                finish();
                return null;
            }
            JsonLocation start = parser.currentTokenLocation();
            caseLine = start.getLineNr();
            if (recording != null && start.getByteOffset() >= 0) {
                recording.discardBefore(start.getByteOffset());
            }
            if (t == JsonToken.VALUE_NULL) {
                done = true;
                throw new SimulationCaseException("case " + index + ": is null (line " + caseLine + "); every "
                        + "element of the top-level array must be a case object", index, null);
            }
            if (t == JsonToken.START_OBJECT) {
                // field by field: `policies` is copied as compact text (the key of the policy-set cache), the rest
                // becomes a small tree
                ObjectNode caseNode = MAPPER.createObjectNode();
                for (JsonToken f = parser.nextToken(); f == JsonToken.FIELD_NAME; f = parser.nextToken()) {
                    String field = parser.currentName();
                    if (caseNode.has(field)) {
                        throw new JsonParseException(parser, "Duplicate field '" + field + "'");
                    }
                    JsonToken v = parser.nextToken();
                    if (field.equals("policies") && v == JsonToken.START_OBJECT) {
                        policiesStart = parser.currentTokenLocation();
                        long from = policiesStart.getByteOffset();
                        if (from >= 0 && recording != null) {
                            // UTF-8 input: the object's own bytes; the parser checks their syntax, encoding and
                            // depth as it skips them, duplicate fields are checked when they are read
                            parser.skipChildren();
                            policyBytes = recording.slice(from, parser.currentLocation().getByteOffset());
                        } else {
                            // UTF-16/32 input: the tree, and its compact text as the cache key
                            policiesTree = MAPPER.readTree(parser);
                            policyBytes = MAPPER.writeValueAsBytes(policiesTree);
                        }
                        caseNode.putObject(field);
                    } else {
                        caseNode.set(field, v == JsonToken.VALUE_NULL ? NullNode.getInstance()
                                : MAPPER.readTree(parser));
                    }
                }
                node = caseNode;
            } else {
                node = MAPPER.readTree(parser);
            }
        } catch (IOException e) {
            done = true;
            throw jsonFailure(e);
        }
        SimulationCase c;
        try {
            c = readCase(node, index, policyBytes);
        } catch (SimulationCaseException e) {
            done = true;
            throw e;
        }
        nextIndex++;
        return c;
    }

    /**
     * Passes the file's bytes to the parser and keeps those from a given offset on (the current case, plus what the
     * parser has read ahead), so that a part of the case can be taken as it was written. Not thread-safe.
     */
    private static final class RecordingInputStream extends InputStream {
        private final InputStream in;
        private byte[] window = new byte[64 * 1024];
        private long windowStart;
        private int windowLength;
        private long keepFrom;

        RecordingInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                if (windowLength + n > window.length) {
                    int drop = (int) Math.min(windowLength, keepFrom - windowStart);
                    System.arraycopy(window, drop, window, 0, windowLength - drop);
                    windowLength -= drop;
                    windowStart += drop;
                    if (windowLength + n > window.length) {
                        window = java.util.Arrays.copyOf(window, Math.max(window.length * 2, windowLength + n));
                    }
                }
                System.arraycopy(b, off, window, windowLength, n);
                windowLength += n;
            }
            return n;
        }

        /** The bytes before {@code offset} (an absolute offset in the file) are no longer needed. */
        void discardBefore(long offset) {
            keepFrom = Math.max(keepFrom, offset);
        }

        /** @return the bytes {@code [from, to)} of the file; they must still be in the window */
        byte[] slice(long from, long to) {
            if (from < windowStart || to > windowStart + windowLength || to < from) {
                throw new IllegalStateException("bytes " + from + "-" + to + " are not in the window "
                        + windowStart + "+" + windowLength);
            }
            return java.util.Arrays.copyOfRange(window, (int) (from - windowStart), (int) (to - windowStart));
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Checks that nothing follows the top-level value. */
    private void finish() throws IOException, SimulationCaseException {
        done = true;
        JsonToken after = array ? parser.nextToken() : parser.currentToken();
        if (after != null) {
            JsonLocation l = parser.currentLocation();
            throw new SimulationCaseException("unexpected " + tokenKind(after) + " after the top-level "
                    + (array ? "array" : "case object") + " at line " + l.getLineNr() + ", column " + l.getColumnNr()
                    + "; a file holds one case object or one array of cases");
        }
    }

    /** Closes the underlying stream (nothing for a tree reader). */
    @Override
    public void close() throws IOException {
        if (parser != null) {
            parser.close();
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            // reporting the first failure matters more
        }
    }

    /**
     * Turns a failure of the JSON text into one line: what is wrong, in our words, where (line, column, case, JSON
     * path), never Jackson's own text with its source dump.
     */
    private SimulationCaseException jsonFailure(IOException e) {
        return jsonFailure(e, parser, null, null);
    }

    /**
     * @param p      the parser that failed
     * @param origin null when {@code p} reads the file; else where in the file the text {@code p} reads starts
     * @param prefix null when {@code p} reads the file; else the JSON path (in the case) of what {@code p} reads
     */
    private SimulationCaseException jsonFailure(IOException e, JsonParser p, JsonLocation origin, String prefix) {
        JsonLocation loc = e instanceof JsonProcessingException jpe && jpe.getLocation() != null
                ? jpe.getLocation() : p.currentLocation();
        long line = loc.getLineNr();
        long column = loc.getColumnNr();
        if (origin != null) {
            column = line == 1 ? origin.getColumnNr() + column - 1 : column;
            line = origin.getLineNr() + line - 1;
        }
        String at = "at line " + line + ", column " + column;
        String where = where(p, prefix);
        String original = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        original = original == null ? e.getClass().getSimpleName() : oneLine(original);
        int index = prefix != null || inCase() ? nextIndex : -1;
        if (e instanceof StreamConstraintsException) {
            if (original.contains("nesting depth")) {
                String max = String.format(Locale.ROOT, "%,d", MAX_DEPTH);
                return new SimulationCaseException("json nested deeper than " + max + " levels " + at + where
                        + "; simulate reads at most " + max + " levels of arrays and objects", index, null);
            }
            return new SimulationCaseException("json value too large " + at + where + ": "
                    + original.replaceAll(" ?\\(from `StreamReadConstraints[^)]*\\)", ""), index, null);
        }
        if (original.startsWith("Invalid UTF-8") || e instanceof CharConversionException) {
            // Jackson names the lead byte ("start byte") or the byte after it that breaks the sequence ("middle
            // byte", "end of input"): only the first is the culprit
            Matcher m = BAD_BYTE.matcher(original);
            String b = original.contains("start byte") && m.find()
                    ? " (byte 0x" + m.group(1).toUpperCase(Locale.ROOT) + ")" : "";
            return new SimulationCaseException("not valid UTF-8 text " + at + where + b + "; save the file as UTF-8 "
                    + "(Latin-1 and other legacy encodings are not read; a byte-order mark is fine)", index, null);
        }
        Matcher dup = DUPLICATE.matcher(original);
        if (dup.find()) {
            return new SimulationCaseException("invalid json " + at + where + ": field `" + dup.group(1)
                    + "` appears twice in one object", index, null);
        }
        if (!(e instanceof JsonProcessingException)) {
            return new SimulationCaseException("cannot read " + at + where + ": " + original, index, null);
        }
        return new SimulationCaseException("invalid json " + at + where + ": "
                + original.replaceAll(" ?\\(start marker at \\[Source: [^\\]]*\\]\\)", ""), index, null);
    }

    /** Whether the parser is inside the top-level value (so the failure belongs to case {@link #nextIndex}). */
    private boolean inCase() {
        JsonStreamContext ctx = parser.getParsingContext();
        return ctx != null && !ctx.inRoot();
    }

    /**
     * {@code " (case 3, starting at line 40, at `policies.identity[0].document`)"}; {@code ""} before or after the
     * top-level value. Paths deeper than 10 levels show their first 8 and last 2 levels.
     */
    private String where(JsonParser p, String prefix) {
        if (prefix == null && !inCase()) {
            return "";
        }
        List<String> segments = new ArrayList<>();
        JsonStreamContext c = p.getParsingContext();
        while (c != null && !c.inRoot()) {
            if (prefix == null && array && c.getParent() != null && c.getParent().inRoot()) {
                break; // the top-level array: its index is the case's
            }
            if (c.inObject()) {
                if (c.getCurrentName() != null) {
                    segments.add("." + c.getCurrentName());
                }
            } else if (c.inArray()) {
                segments.add("[" + Math.max(0, c.getCurrentIndex()) + "]");
            }
            c = c.getParent();
        }
        java.util.Collections.reverse(segments);
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            if (i < 8 || i >= segments.size() - 2) {
                path.append(segments.get(i));
            } else if (i == 8) {
                path.append("…(").append(segments.size() - 10).append(" more levels)…");
            }
        }
        String at = prefix != null ? prefix + path
                : path.length() > 0 && path.charAt(0) == '.' ? path.substring(1) : path.toString();
        StringBuilder sb = new StringBuilder(" (case ").append(nextIndex);
        if (array && caseLine > 0) {
            sb.append(", starting at line ").append(caseLine);
        }
        if (!at.isEmpty()) {
            sb.append(", at `").append(at).append('`');
        }
        return sb.append(')').toString();
    }

    private static String tokenKind(JsonToken t) {
        switch (t) {
            case START_ARRAY:
                return "an array";
            case START_OBJECT:
                return "an object";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return "`" + t.asString() + "`";
        }
    }

    private static String oneLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    private static final class Ctx {
        final int index;
        final String name;

        Ctx(int index, String name) {
            this.index = index;
            this.name = name;
        }

        SimulationCaseException fail(String field, String problem) {
            return new SimulationCaseException("case " + index + (name == null ? "" : " (`" + name + "`)")
                    + ": field `" + field + "` " + problem, index, name);
        }
    }

    private SimulationCase readCase(JsonNode c, int index) throws SimulationCaseException {
        return readCase(c, index, null);
    }

    /**
     * @param c           the case; its {@code policies} field is ignored when {@code policyBytes} is given
     * @param policyBytes the case's {@code policies} object as compact JSON, or null to read it from {@code c}
     */
    private SimulationCase readCase(JsonNode c, int index, byte[] policyBytes) throws SimulationCaseException {
        String name = null;
        if (c != null && c.isObject() && c.get("name") != null && c.get("name").isTextual()) {
            name = c.get("name").asText();
        }
        Ctx x = new Ctx(index, name);
        if (c == null || !c.isObject()) {
            throw x.fail("(case)", "must be an object, not a " + kind(c));
        }
        checkFields(c, CASE_FIELDS, "", x);
        if (c.get("name") != null && !c.get("name").isTextual()) {
            throw x.fail("name", "must be a string");
        }
        JsonNode rq = c.get("request");
        if (rq == null || !rq.isObject()) {
            throw x.fail("request", rq == null ? "is missing" : "must be an object");
        }
        checkFields(rq, REQUEST_FIELDS, "request.", x);
        String principalArn = requiredString(rq, "principal", "request.", x);
        String action = requiredString(rq, "action", "request.", x);
        if (!action.equals("*") && action.indexOf(':') <= 0) {
            throw x.fail("request.action", "must be `service:Action`, not `" + action + "`");
        }
        String resource = requiredString(rq, "resource", "request.", x);
        String resourceAccount = optionalString(rq, "resourceAccount", "request.", x);
        Context.Builder cb = Context.builder();
        JsonNode ctxNode = rq.get("context");
        if (ctxNode != null && !ctxNode.isNull()) {
            if (!ctxNode.isObject()) {
                throw x.fail("request.context", "must be an object of key: value or [values]");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = ctxNode.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String f = "request.context." + e.getKey();
                JsonNode v = e.getValue();
                if (v.isArray()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 0; i < v.size(); i++) {
                        if (!v.get(i).isValueNode() || v.get(i).isNull()) {
                            throw x.fail(f + "[" + i + "]", "must be a string");
                        }
                        values.add(v.get(i).asText());
                    }
                    cb.put(e.getKey(), values);
                } else if (v.isValueNode() && !v.isNull()) {
                    cb.put(e.getKey(), v.asText());
                } else {
                    throw x.fail(f, "must be a string or an array of strings");
                }
            }
        }
        JsonNode unknown = rq.get("unknownKeys");
        if (unknown != null && !unknown.isNull()) {
            if (!unknown.isArray()) {
                throw x.fail("request.unknownKeys", "must be an array of condition keys");
            }
            for (int i = 0; i < unknown.size(); i++) {
                if (!unknown.get(i).isTextual() || unknown.get(i).asText().isEmpty()) {
                    throw x.fail("request.unknownKeys[" + i + "]", "must be a non-empty string");
                }
                cb.unknown(unknown.get(i).asText());
            }
        }
        Request request = new Request(principalArn, action, resource, resourceAccount, cb.build());

        PrincipalInfo principal = readPrincipal(c.get("principal"), principalArn, x);

        Policies policies = policyBytes != null ? policySets.read(policyBytes, x) : readPolicies(c.get("policies"), x);
        SimulationCase.Expected expected = readExpected(c.get("expected"), x);
        return new SimulationCase(index, name != null ? name : "case " + index, request, principal, policies.set(),
                policies.diagnostics(), expected);
    }

    /** The {@code policies} of a case, compiled, with the diagnostics of its documents. */
    private record Policies(PolicySet set, List<SimulationCase.PolicyDiagnostic> diagnostics) {
    }

    private Policies readPolicies(JsonNode pol, Ctx x) throws SimulationCaseException {
        List<SimulationCase.PolicyDiagnostic> diags = new ArrayList<>();
        PolicySet.Builder pb = PolicySet.builder();
        if (pol != null && !pol.isNull()) {
            if (!pol.isObject()) {
                throw x.fail("policies", "must be an object");
            }
            checkFields(pol, POLICIES_FIELDS, "policies.", x);
            JsonNode identity = pol.get("identity");
            if (identity != null && !identity.isNull()) {
                pb.identity(policyList(identity, "policies.identity", x, diags));
            }
            pb.permissionsBoundary(optionalPolicy(pol.get("permissionsBoundary"), "policies.permissionsBoundary", x,
                    diags));
            pb.session(optionalPolicy(pol.get("session"), "policies.session", x, diags));
            pb.scpLevels(levels(pol.get("scpLevels"), "policies.scpLevels", x, diags));
            pb.rcpLevels(levels(pol.get("rcpLevels"), "policies.rcpLevels", x, diags));
            pb.resourcePolicy(optionalPolicy(pol.get("resource"), "policies.resource", x, diags));
            JsonNode grants = pol.get("grants");
            if (grants != null && !grants.isNull()) {
                if (!grants.isArray()) {
                    throw x.fail("policies.grants", "must be an array of grants");
                }
                for (int i = 0; i < grants.size(); i++) {
                    pb.grant(readGrant(grants.get(i), "policies.grants[" + i + "]", x));
                }
            }
            pb.keyState(keyState(pol, x));
            pb.resourceInManagementAccount(optionalBool(pol, "resourceInManagementAccount", "policies.", x));
            pb.awsManagedKey(optionalBool(pol, "awsManagedKey", "policies.", x));
        }
        return new Policies(pb.build(), List.copyOf(diags));
    }

    /**
     * Compiled {@code policies} objects by their text (compact JSON, as copied from the input): in a file that asks
     * many requests of the same policies, the whole set is read and compiled once. Least recently used out first
     * beyond {@link #CACHE_ENTRIES} sets or {@link #CACHE_WEIGHT} bytes; a set over a quarter of that is not kept.
     */
    private final class PolicySetCache {
        private final LinkedHashMap<BytesKey, Policies> map = new LinkedHashMap<>(256, 0.75f, true);
        private long weight;

        Policies read(byte[] text, Ctx x) throws SimulationCaseException {
            BytesKey key = new BytesKey(text);
            Policies hit = map.get(key);
            if (hit != null) {
                return hit;
            }
            JsonNode tree = policiesTree;
            if (tree == null) {
                try (JsonParser p = MAPPER.createParser(text)) {
                    try {
                        tree = MAPPER.readTree(p);
                    } catch (IOException e) {
                        // what skipping cannot find: a duplicate field
                        throw jsonFailure(e, p, policiesStart, "policies");
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("closing a parser of bytes failed", e);
                }
            }
            Policies read = readPolicies(tree, x);
            if (text.length <= CACHE_WEIGHT / 4) {
                map.put(key, read);
                weight += text.length;
                Iterator<BytesKey> it = map.keySet().iterator();
                while ((weight > CACHE_WEIGHT || map.size() > CACHE_ENTRIES) && it.hasNext()) {
                    weight -= it.next().bytes.length;
                    it.remove();
                }
            }
            return read;
        }
    }

    /** Cache key: bytes compared by content. */
    private static final class BytesKey {
        final byte[] bytes;
        final int hash;

        private static final java.lang.invoke.VarHandle LONGS =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

        BytesKey(byte[] bytes) {
            this.bytes = bytes;
            // eight bytes at a time (Arrays.hashCode takes one, and is a measurable part of a cache hit)
            long h = bytes.length;
            int i = 0;
            for (; i + 8 <= bytes.length; i += 8) {
                h = (h ^ (long) LONGS.get(bytes, i)) * 0x9E3779B97F4A7C15L;
                h ^= h >>> 29;
            }
            for (; i < bytes.length; i++) {
                h = (h ^ bytes[i]) * 0x100000001B3L;
            }
            this.hash = (int) (h ^ (h >>> 32));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BytesKey k && k.hash == hash && java.util.Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static PrincipalInfo readPrincipal(JsonNode p, String arn, Ctx x) throws SimulationCaseException {
        PrincipalType inferred = PrincipalInfo.inferType(arn);
        if (p == null || p.isNull()) {
            if (inferred == null) {
                throw x.fail("request.principal", "`" + arn + "` is not a user, role, session, root or service "
                        + "principal; give `principal.type`");
            }
            return PrincipalInfo.fromArn(arn);
        }
        if (!p.isObject()) {
            throw x.fail("principal", "must be an object");
        }
        checkFields(p, PRINCIPAL_FIELDS, "principal.", x);
        PrincipalType type = inferred;
        String t = optionalString(p, "type", "principal.", x);
        if (t != null) {
            type = principalType(t);
            if (type == null) {
                throw x.fail("principal.type", "must be one of `user`, `role`, `assumed-role`, `federated-user`, "
                        + "`root`, `service`, not `" + t + "`");
            }
        }
        if (type == null) {
            throw x.fail("principal.type", "is missing and cannot be derived from `" + arn + "`");
        }
        if (inferred != null && type != inferred) {
            throw x.fail("principal.type", "is `" + t + "`, but `" + arn + "` is " + describe(inferred)
                    + "; give `" + typeName(inferred) + "` or leave `principal.type` out to derive it from the ARN");
        }
        PrincipalInfo derived = inferred != null ? PrincipalInfo.fromArn(arn) : null;
        String account = optionalString(p, "accountId", "principal.", x);
        String arnAccount = derived != null ? derived.accountId() : null;
        if (account != null && arnAccount != null && !account.equals(arnAccount)) {
            throw x.fail("principal.accountId", "is `" + account + "`, but the principal `" + arn
                    + "` belongs to account `" + arnAccount + "`; leave `principal.accountId` out to derive it");
        }
        if (account == null && type != PrincipalType.SERVICE) {
            account = arnAccount != null ? arnAccount : PrincipalInfo.accountOf(arn);
        }
        String roleArn = optionalString(p, "roleArn", "principal.", x);
        if (roleArn != null) {
            checkRoleArn(roleArn, arn, type, inferred, x);
        }
        if (roleArn == null && type == PrincipalType.ROLE_SESSION) {
            roleArn = derived != null ? derived.roleArn() : PrincipalInfo.sessionRoleArn(arn);
        }
        if (p.has("isServiceLinkedRole") && optionalBool(p, "isServiceLinkedRole", "principal.", x)
                && type != PrincipalType.ROLE && type != PrincipalType.ROLE_SESSION) {
            throw x.fail("principal.isServiceLinkedRole", "is true, but only a role or a session of one can be "
                    + "service-linked, and the principal is " + describe(type));
        }
        boolean slr = p.has("isServiceLinkedRole") ? optionalBool(p, "isServiceLinkedRole", "principal.", x)
                : derived != null && derived.isServiceLinkedRole();
        boolean mgmt = optionalBool(p, "inManagementAccount", "principal.", x);
        return new PrincipalInfo(type, account, slr, mgmt, roleArn);
    }

    /**
     * {@code principal.roleArn} is the role of a session: only for a session, and when the session ARN is known, in
     * the same partition and account and with the same role name (the session ARN leaves out the role's path).
     */
    private static void checkRoleArn(String roleArn, String arn, PrincipalType type, PrincipalType inferred, Ctx x)
            throws SimulationCaseException {
        if (type != PrincipalType.ROLE_SESSION) {
            throw x.fail("principal.roleArn", "is only for a role session (`assumed-role`), and the principal is "
                    + describe(type));
        }
        if (inferred != PrincipalType.ROLE_SESSION) {
            return; // nothing to compare with
        }
        String derived = PrincipalInfo.sessionRoleArn(arn); // arn:P:iam::A:role/NAME
        String[] want = derived.split(":", 6);
        String[] got = roleArn.split(":", 6);
        String gotName = got.length == 6 && got[5].startsWith("role/")
                ? got[5].substring(got[5].lastIndexOf('/') + 1) : null;
        String wantName = want[5].substring("role/".length());
        if (got.length != 6 || !got[0].equals("arn") || !got[1].equals(want[1]) || !got[2].equals("iam")
                || !got[4].equals(want[4]) || !wantName.equals(gotName)) {
            throw x.fail("principal.roleArn", "is `" + roleArn + "`, but the session `" + arn + "` is of the role `"
                    + derived + "` (a role ARN may add a path: `arn:" + want[1] + ":iam::" + want[4] + ":role/PATH/"
                    + wantName + "`)");
        }
    }

    private static String describe(PrincipalType t) {
        switch (t) {
            case USER:
                return "an IAM user (`user`)";
            case ROLE:
                return "an IAM role (`role`)";
            case ROLE_SESSION:
                return "a role session (`assumed-role`)";
            case FEDERATED_USER:
                return "a federated user session (`federated-user`)";
            case ROOT:
                return "an account root user (`root`)";
            default:
                return "a service principal (`service`)";
        }
    }

    private static String typeName(PrincipalType t) {
        switch (t) {
            case USER:
                return "user";
            case ROLE:
                return "role";
            case ROLE_SESSION:
                return "assumed-role";
            case FEDERATED_USER:
                return "federated-user";
            case ROOT:
                return "root";
            default:
                return "service";
        }
    }

    static PrincipalType principalType(String t) {
        switch (t.toLowerCase(Locale.ROOT).replace("_", "-")) {
            case "user":
            case "iam-user":
                return PrincipalType.USER;
            case "role":
            case "iam-role":
                return PrincipalType.ROLE;
            case "assumed-role":
            case "assumedrole":
            case "role-session":
            case "rolesession":
            case "session":
                return PrincipalType.ROLE_SESSION;
            case "federated-user":
            case "federateduser":
            case "federated":
                return PrincipalType.FEDERATED_USER;
            case "root":
            case "account":
                return PrincipalType.ROOT;
            case "service":
                return PrincipalType.SERVICE;
            default:
                return null;
        }
    }

    private static Grant readGrant(JsonNode g, String f, Ctx x) throws SimulationCaseException {
        if (g == null || !g.isObject()) {
            throw x.fail(f, "must be an object");
        }
        checkFields(g, GRANT_FIELDS, f + ".", x);
        String grantee = requiredString(g, "granteePrincipal", f + ".", x);
        JsonNode ops = g.get("operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw x.fail(f + ".operations", ops == null ? "is missing" : "must be a non-empty array of operations");
        }
        List<String> operations = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (!ops.get(i).isTextual()) {
                throw x.fail(f + ".operations[" + i + "]", "must be a string such as `Decrypt`");
            }
            operations.add(ops.get(i).asText());
        }
        Grant.Constraints constraints = null;
        JsonNode cn = g.get("constraints");
        if (cn != null && !cn.isNull()) {
            if (!cn.isObject()) {
                throw x.fail(f + ".constraints", "must be an object or null");
            }
            checkFields(cn, CONSTRAINT_FIELDS, f + ".constraints.", x);
            constraints = new Grant.Constraints(stringMap(cn.get("encryptionContextEquals"),
                    f + ".constraints.encryptionContextEquals", x),
                    stringMap(cn.get("encryptionContextSubset"), f + ".constraints.encryptionContextSubset", x));
        }
        return new Grant(optionalString(g, "grantId", f + ".", x), optionalString(g, "name", f + ".", x), grantee,
                operations, constraints);
    }

    private static Map<String, String> stringMap(JsonNode n, String f, Ctx x) throws SimulationCaseException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw x.fail(f, "must be an object of strings");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw x.fail(f + "." + e.getKey(), "must be a string");
            }
            m.put(e.getKey(), e.getValue().asText());
        }
        return m;
    }

    private static SimulationCase.Expected readExpected(JsonNode e, Ctx x) throws SimulationCaseException {
        if (e == null || e.isNull()) {
            return null;
        }
        if (!e.isObject()) {
            throw x.fail("expected", "must be an object");
        }
        checkFields(e, EXPECTED_FIELDS, "expected.", x);
        String d = requiredString(e, "decision", "expected.", x);
        DecisionKind kind;
        try {
            kind = DecisionKind.valueOf(d.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw x.fail("expected.decision", "must be ALLOWED, IMPLICIT_DENY, EXPLICIT_DENY or CONDITIONAL, not `"
                    + d + "`");
        }
        List<Layer> decidedBy = null;
        JsonNode by = e.get("decidedBy");
        if (by != null && !by.isNull()) {
            if (!by.isArray()) {
                throw x.fail("expected.decidedBy", "must be an array of layer names");
            }
            decidedBy = new ArrayList<>();
            for (int i = 0; i < by.size(); i++) {
                Layer l = by.get(i).isTextual() ? Layer.byId(by.get(i).asText()) : null;
                if (l == null) {
                    throw x.fail("expected.decidedBy[" + i + "]", "must be one of identity, boundary, session, scp, "
                            + "rcp, resource, grant, keyState, not `" + by.get(i).asText() + "`");
                }
                decidedBy.add(l);
            }
        }
        List<SimulationCase.ExpectedMatch> matched = null;
        JsonNode m = e.get("matched");
        if (m != null && !m.isNull()) {
            if (!m.isArray()) {
                throw x.fail("expected.matched", "must be an array");
            }
            matched = new ArrayList<>();
            for (int i = 0; i < m.size(); i++) {
                matched.add(readMatch(m.get(i), "expected.matched[" + i + "]", x));
            }
        }
        boolean kuGiven = e.has("keyUsable");
        Boolean keyUsable = null;
        if (kuGiven && !e.get("keyUsable").isNull()) {
            if (!e.get("keyUsable").isBoolean()) {
                throw x.fail("expected.keyUsable", "must be true, false or null");
            }
            keyUsable = e.get("keyUsable").asBoolean();
        }
        return new SimulationCase.Expected(kind, decidedBy, matched, keyUsable, kuGiven);
    }

    private static SimulationCase.ExpectedMatch readMatch(JsonNode n, String f, Ctx x)
            throws SimulationCaseException {
        if (n.isTextual()) {
            // "policy/statement" or "layer:policy/statement"
            String s = n.asText();
            Layer layer = null;
            int colon = s.indexOf(':');
            if (colon > 0 && Layer.byId(s.substring(0, colon)) != null) {
                layer = Layer.byId(s.substring(0, colon));
                s = s.substring(colon + 1);
            }
            int slash = s.lastIndexOf('/');
            if (slash <= 0) {
                throw x.fail(f, "must be `policy/statement` or an object {policy, statement}");
            }
            return new SimulationCase.ExpectedMatch(layer, s.substring(0, slash), s.substring(slash + 1), null);
        }
        if (!n.isObject()) {
            throw x.fail(f, "must be a string or an object");
        }
        checkFields(n, MATCH_FIELDS, f + ".", x);
        Layer layer = null;
        String l = optionalString(n, "layer", f + ".", x);
        if (l != null) {
            layer = Layer.byId(l);
            if (layer == null) {
                throw x.fail(f + ".layer", "is not a layer name: `" + l + "`");
            }
        }
        String statement = optionalString(n, "statement", f + ".", x);
        if (statement == null) {
            statement = optionalString(n, "sid", f + ".", x);
        }
        if (statement == null && n.has("index")) {
            if (!n.get("index").isInt()) {
                throw x.fail(f + ".index", "must be an integer");
            }
            statement = String.valueOf(n.get("index").asInt());
        }
        Effect effect = null;
        String ef = optionalString(n, "effect", f + ".", x);
        if (ef != null) {
            if (ef.equalsIgnoreCase("Allow")) {
                effect = Effect.ALLOW;
            } else if (ef.equalsIgnoreCase("Deny")) {
                effect = Effect.DENY;
            } else {
                throw x.fail(f + ".effect", "must be Allow or Deny");
            }
        }
        return new SimulationCase.ExpectedMatch(layer, optionalString(n, "policy", f + ".", x), statement, effect);
    }

    private List<List<Policy>> levels(JsonNode n, String f, Ctx x, List<SimulationCase.PolicyDiagnostic> d)
            throws SimulationCaseException {
        List<List<Policy>> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw x.fail(f, "must be an array of levels (each an array of policies)");
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode level = n.get(i);
            if (!level.isArray()) {
                throw x.fail(f + "[" + i + "]", "must be an array of policies (one level)");
            }
            out.add(policyList(level, f + "[" + i + "]", x, d));
        }
        return out;
    }

    private List<Policy> policyList(JsonNode n, String f, Ctx x, List<SimulationCase.PolicyDiagnostic> d)
            throws SimulationCaseException {
        if (!n.isArray()) {
            throw x.fail(f, "must be an array of {name, document}");
        }
        List<Policy> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            out.add(policy(n.get(i), f + "[" + i + "]", x, d));
        }
        return out;
    }

    private Policy optionalPolicy(JsonNode n, String f, Ctx x, List<SimulationCase.PolicyDiagnostic> d)
            throws SimulationCaseException {
        return n == null || n.isNull() ? null : policy(n, f, x, d);
    }

    private Policy policy(JsonNode n, String f, Ctx x, List<SimulationCase.PolicyDiagnostic> d)
            throws SimulationCaseException {
        if (n == null || !n.isObject()) {
            throw x.fail(f, "must be an object {name, document}");
        }
        checkFields(n, POLICY_FIELDS, f + ".", x);
        String name = optionalString(n, "name", f + ".", x);
        if (name == null) {
            name = f.substring("policies.".length());
        }
        JsonNode doc = n.get("document");
        if (doc == null) {
            throw x.fail(f + ".document", "is missing");
        }
        ParsedPolicy parsed = cache.parse(name, doc);
        for (Diagnostic diag : parsed.diagnostics()) {
            d.add(new SimulationCase.PolicyDiagnostic(f, name, diag));
        }
        return parsed.forEvaluation(name);
    }

    /**
     * {@code policies.keyState}: null, or one of {@link #KEY_STATES} exactly. A wrong case ({@code enabled}) is an
     * error, not an unusable key: AWS's key states are case-sensitive names, and a silent "key unusable" answer to a
     * typo would be wrong.
     */
    private static String keyState(JsonNode pol, Ctx x) throws SimulationCaseException {
        String state = optionalString(pol, "keyState", "policies.", x);
        if (state == null || KEY_STATES.contains(state)) {
            return state;
        }
        String hint = "";
        for (String k : KEY_STATES) {
            if (k.equalsIgnoreCase(state.replace("_", "").replace("-", "").replace(" ", ""))) {
                hint = " (did you mean `" + k + "`?)";
            }
        }
        throw x.fail("policies.keyState", "must be one of " + String.join(", ", KEY_STATES)
                + " (case-sensitive, as KMS names key states) or null, not `" + state + "`" + hint);
    }

    /**
     * Compiled policies by (name, document): a document repeated across cases is parsed once. Least recently used
     * out first when it holds more than {@link #CACHE_ENTRIES} documents or {@link #CACHE_WEIGHT} weight; a
     * document heavier than a quarter of the budget is parsed without being kept.
     */
    private static final class PolicyCache {
        private final LinkedHashMap<DocKey, ParsedPolicy> map = new LinkedHashMap<>(256, 0.75f, true);
        private long weight;

        ParsedPolicy parse(String name, JsonNode doc) {
            long w = weigh(doc, 0);
            if (w > CACHE_WEIGHT / 4) {
                return PolicyParser.parse(name, doc);
            }
            DocKey key = new DocKey(name, doc, w);
            ParsedPolicy hit = map.get(key);
            if (hit != null) {
                return hit;
            }
            ParsedPolicy parsed = PolicyParser.parse(name, doc);
            map.put(key, parsed);
            weight += w;
            Iterator<DocKey> it = map.keySet().iterator();
            while ((weight > CACHE_WEIGHT || map.size() > CACHE_ENTRIES) && it.hasNext()) {
                weight -= it.next().weight;
                it.remove();
            }
            return parsed;
        }

        /** Characters of names and scalar text, plus 8 per value; stops counting past the budget. */
        private static long weigh(JsonNode n, long acc) {
            if (acc > CACHE_WEIGHT) {
                return acc;
            }
            acc += 8;
            if (n.isContainerNode()) {
                if (n.isObject()) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                        Map.Entry<String, JsonNode> e = it.next();
                        acc = weigh(e.getValue(), acc + e.getKey().length());
                    }
                } else {
                    for (JsonNode c : n) {
                        acc = weigh(c, acc);
                    }
                }
                return acc;
            }
            return acc + (n.isTextual() ? n.textValue().length() : 8);
        }
    }

    /** Cache key: the policy's name and its document (deep equality of the JSON tree). */
    private static final class DocKey {
        final String name;
        final JsonNode doc;
        final long weight;
        final int hash;

        DocKey(String name, JsonNode doc, long weight) {
            this.name = name;
            this.doc = doc;
            this.weight = weight;
            this.hash = name.hashCode() * 31 + doc.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DocKey k && k.hash == hash && k.name.equals(name) && same(k.doc, doc);
        }

        /** Deep equality that also compares the order of fields (it decides the order of diagnostics). */
        private static boolean same(JsonNode a, JsonNode b) {
            if (a == b) {
                return true;
            }
            if (a.getNodeType() != b.getNodeType() || a.size() != b.size()) {
                return false;
            }
            if (a.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> ia = a.fields();
                Iterator<Map.Entry<String, JsonNode>> ib = b.fields();
                while (ia.hasNext()) {
                    Map.Entry<String, JsonNode> ea = ia.next();
                    Map.Entry<String, JsonNode> eb = ib.next();
                    if (!ea.getKey().equals(eb.getKey()) || !same(ea.getValue(), eb.getValue())) {
                        return false;
                    }
                }
                return true;
            }
            if (a.isArray()) {
                for (int i = 0; i < a.size(); i++) {
                    if (!same(a.get(i), b.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            return a.equals(b);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static void checkFields(JsonNode n, Set<String> allowed, String prefix, Ctx x)
            throws SimulationCaseException {
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!allowed.contains(f) && !DOC_FIELDS.contains(f) && !f.startsWith("_")) {
                throw x.fail(prefix + f, "is not a field of the simulate format");
            }
        }
    }

    private static String requiredString(JsonNode n, String field, String prefix, Ctx x)
            throws SimulationCaseException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw x.fail(prefix + field, "is missing");
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw x.fail(prefix + field, "must be a non-empty string");
        }
        return v.asText();
    }

    private static String optionalString(JsonNode n, String field, String prefix, Ctx x)
            throws SimulationCaseException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw x.fail(prefix + field, "must be a string");
        }
        return v.asText();
    }

    private static boolean optionalBool(JsonNode n, String field, String prefix, Ctx x)
            throws SimulationCaseException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw x.fail(prefix + field, "must be true or false");
        }
        return v.asBoolean();
    }

    private static String kind(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        return n.isObject() ? "object" : n.isArray() ? "array" : n.isTextual() ? "string" : n.isNumber() ? "number"
                : n.isBoolean() ? "boolean" : "null";
    }
}
