package io.cmkaudit.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes {@link Snapshot}s as JSON (UTF-8, pretty-printed, map keys sorted, null fields left out, times as
 * ISO-8601 UTC). The format is documented in {@code docs/snapshot-format.md}; the first field is
 * {@code schemaVersion}. Reading is strict: an unknown {@code schemaVersion} or an unknown field is an error.
 * Thread-safe; stateless.
 */
public final class SnapshotJson {

    /** Deepest nesting a snapshot may have: its own structure needs 8 levels (policy documents are text). */
    static final int MAX_NESTING = 64;

    private static final ObjectMapper MAPPER = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING).build())
                    .build())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private SnapshotJson() {
    }

    /**
     * Writes a snapshot. The stream is flushed, not closed.
     *
     * @param snapshot the snapshot; never null
     * @param out      where the UTF-8 JSON goes
     * @throws UncheckedIOException when writing fails
     */
    public static void write(Snapshot snapshot, OutputStream out) {
        try {
            MAPPER.writeValue(out, snapshot);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a snapshot to a file atomically (a temporary file in the same folder, then a rename). The temporary
     * file is removed when writing fails and when the JVM exits meanwhile (SIGTERM, SIGINT).
     *
     * @param snapshot the snapshot
     * @param file     target file; its folder must exist
     * @throws UncheckedIOException when writing fails
     */
    public static void write(Snapshot snapshot, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            throw new UncheckedIOException(file + ": cannot write snapshot: it is a folder",
                    new IOException("is a folder"));
        }
        // a sibling temporary file created with the process umask (Files.createTempFile would make it 0600)
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + ".tmp");
        PENDING.add(tmp);
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(snapshot, out);
            }
            try {
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException gone) {
                e.addSuppressed(gone);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException(file + ": cannot write snapshot: " + e.getMessage(), (IOException) e);
        } finally {
            PENDING.remove(tmp);
        }
    }

    /**
     * Writes a snapshot to a new file that no other run has: {@code dir/base.json}, or {@code base-2.json},
     * {@code base-3.json}, ... when that name is taken, even by a run of another process that starts in the same
     * second. The file appears complete and at once: it is written to a temporary file first and then given its
     * name with an exclusive create (a hard link, which fails when the name exists, or, on a file system without
     * hard links, an {@code O_EXCL} create reserving the name followed by an atomic rename onto it). An existing
     * file is never replaced.
     *
     * @param snapshot the snapshot; never null
     * @param dir      the folder (exists)
     * @param base     the file name without {@code .json}, e.g. {@code snapshot-2026-11-29T20-03-01Z}
     * @return the file written
     * @throws UncheckedIOException when writing fails (no file is left behind)
     */
    public static Path writeNew(Snapshot snapshot, Path dir, String base) {
        Path tmp = dir.toAbsolutePath().resolve("." + base + ".json." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + "." + java.util.UUID.randomUUID() + ".tmp");
        PENDING.add(tmp);
        try {
            try (OutputStream out = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                write(snapshot, out);
            }
            for (int n = 1; ; n++) {
                Path target = dir.resolve(n == 1 ? base + ".json" : base + "-" + n + ".json");
                try {
                    claim(tmp, target);
                    return target;
                } catch (java.nio.file.FileAlreadyExistsException taken) {
                    // another run (or an earlier one) has this name: the next suffix
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir.resolve(base + ".json") + ": cannot write snapshot: "
                    + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the shutdown hook tries again
            }
            PENDING.remove(tmp);
        }
    }

    /** Gives the complete file {@code tmp} the name {@code target} unless that name exists (then throws). */
    private static void claim(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp);
            return;
        } catch (java.nio.file.FileAlreadyExistsException taken) {
            throw taken;
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
            // no hard links here (e.g. some network or FAT file systems): reserve the name, then replace it
        }
        Files.createFile(target);
        try {
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(target);
            throw e;
        }
    }

    /**
     * Whether {@link #read} runs the schema and reference checks: always, but for the benchmark that measures what
     * they cost ({@code benchmarks/.../ValidationCost}, same package; no option or property reaches it).
     */
    static volatile boolean validate = true;

    /** Temporary snapshot files being written; removed by a shutdown hook when the JVM exits (e.g. SIGTERM). */
    private static final java.util.Set<Path> PENDING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> PENDING.forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort while exiting
                }
            }), "cmk-audit-snapshot-cleanup"));
        } catch (IllegalStateException exiting) {
            // already shutting down
        }
    }

    /**
     * Reads a snapshot. The stream is not closed.
     *
     * @param in UTF-8 JSON
     * @return the snapshot
     * @throws SnapshotFormatException for malformed JSON, an unsupported {@code schemaVersion}, a missing required
     *                                 field, an unknown field or a wrong type
     * @throws UncheckedIOException    when reading fails
     */
    public static Snapshot read(InputStream in) {
        return read(in, "snapshot");
    }

    /**
     * Reads a snapshot file.
     *
     * @param file the file
     * @return the snapshot
     * @throws SnapshotFormatException as {@link #read(InputStream)}, with the file name in the message
     * @throws UncheckedIOException    when the file can't be opened
     */
    public static Snapshot read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a snapshot, naming {@code source} in error messages. Three steps, each rejecting with one line that
     * names the source, the place (line and column, or the JSON path) and what was expected there:
     * <ol>
     *   <li>parsing: UTF-8 JSON (a byte-order mark is allowed), nested at most {@value #MAX_NESTING} levels;</li>
     *   <li>{@code schemaVersion}, then the published JSON Schema {@code docs/snapshot.schema.json}
     *       ({@link SnapshotSchema}): types, required and unknown fields, enums, account id and region name format;</li>
     *   <li>the references between objects ({@link SnapshotReferences}): OU parents and cycles, coverage entries;
     *       managed policies attached but not in the snapshot become a {@code PARTIAL} coverage entry.</li>
     * </ol>
     *
     * @param in     UTF-8 JSON
     * @param source file name or description used in messages
     * @return the snapshot
     * @throws SnapshotFormatException see {@link #read(InputStream)}
     */
    public static Snapshot read(InputStream in, String source) {
        return read(in, source, null);
    }

    /**
     * Reads the snapshot one shard of a sharded report analyzes ({@code report --plan --shard}): the accounts
     * {@code keep} accepts in full; of every other account only what the analysis needs to decide about the shard's
     * accounts (its id, name, coverage, and per region its KMS keys with their policies and grants, EBS encryption
     * defaults, encrypted volumes and the instances using them, reduced to ids, state and key) — its IAM (principals
     * and their policies), other instances and volumes, launch sources and EBS snapshots are dropped while reading. The file is read with a streaming parser one account at a time, so an account
     * outside the shard never exists in memory in full. Checked as {@link #read(InputStream, String)}.
     *
     * @param in     UTF-8 JSON; not closed
     * @param source file name or description used in messages
     * @param keep   the account ids read in full; never null
     * @return the reduced snapshot
     * @throws SnapshotFormatException as {@link #read(InputStream, String)}
     */
    public static Snapshot readShard(InputStream in, String source, java.util.function.Predicate<String> keep) {
        return read(in, source, java.util.Objects.requireNonNull(keep, "keep"));
    }

    private static Snapshot read(InputStream in, String source, java.util.function.Predicate<String> keep) {
        JsonNode tree = parse(in, source, keep);
        if (tree == null || tree.isMissingNode()) {
            throw new SnapshotFormatException(source + ": line 1, column 1: not a snapshot: the file holds no JSON "
                    + "value (empty)", null);
        }
        if (!tree.isObject()) {
            throw new SnapshotFormatException(source + ": top level: not a snapshot: expected a JSON object, got "
                    + SnapshotSchema.shown(tree), null);
        }
        JsonNode version = tree.get("schemaVersion");
        if (version == null && tree.has("planVersion")) {
            throw new SnapshotFormatException(source + ": top level: is a plan (written by `cmk-audit plan`; it has "
                    + "`planVersion`), not a snapshot or partial snapshot", null);
        }
        if (version == null) {
            throw new SnapshotFormatException(source + ": top level: not a snapshot: missing required field "
                    + "`schemaVersion`", null);
        }
        if (!version.isInt()) {
            throw new SnapshotFormatException(source + ": schemaVersion: not a snapshot: expected an integer, got "
                    + SnapshotSchema.shown(version), null);
        }
        if (!Snapshot.READABLE_VERSIONS.contains(version.intValue())) {
            throw new SnapshotFormatException(source + ": schemaVersion: unsupported snapshot schemaVersion "
                    + version.intValue()
                    + " (this cmk-audit reads versions " + new java.util.TreeSet<>(Snapshot.READABLE_VERSIONS)
                    .stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" and "))
                    + "; re-collect the snapshot or use a matching cmk-audit release)", null);
        }
        if (version.intValue() < 2 && tree.has("identityCenter")) {
            throw new SnapshotFormatException(source + ": top level: unknown field `identityCenter` (a schemaVersion 1 snapshot "
                    + "has no Identity Center section)", null);
        }
        String bad = validate ? SnapshotSchema.check(tree) : null;
        if (bad != null) {
            throw new SnapshotFormatException(source + ": " + bad, null);
        }
        Snapshot snapshot;
        try {
            snapshot = MAPPER.treeToValue(tree, Snapshot.class);
        } catch (JsonProcessingException e) {
            throw new SnapshotFormatException(source + ": " + describe(e), e);
        } catch (IllegalArgumentException | NullPointerException e) {
            // a record refusing a value the schema let through: still one line naming the source
            throw new SnapshotFormatException(source + ": top level: " + SnapshotSchema.oneLine(String.valueOf(e.getMessage())), e);
        }
        try {
            return validate ? SnapshotReferences.check(snapshot) : snapshot;
        } catch (SnapshotFormatException e) {
            throw new SnapshotFormatException(source + ": " + e.getMessage(), e);
        }
    }

    /** Parses with the nesting limit; every failure is one line with line and column. */
    private static JsonNode parse(InputStream in, String source, java.util.function.Predicate<String> keep) {
        JsonParser p = null;
        try {
            p = MAPPER.createParser(in);
            return keep == null ? MAPPER.readTree(p) : readFiltered(p, keep);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new SnapshotFormatException(source + ": " + where(p) + "not a snapshot: "
                    + (String.valueOf(e.getMessage()).contains("nesting")
                    ? "nested deeper than " + MAX_NESTING + " levels (a snapshot nests about 8)"
                    : "a value is too large: " + firstLine(e.getOriginalMessage())), e);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            String loc = where(e);
            if (loc.isEmpty()) {
                loc = where(p);
            }
            if (msg.contains("Invalid UTF-8") || msg.contains("UTF8")) {
                throw new SnapshotFormatException(source + ": " + loc + "not UTF-8 text (" + firstLine(msg)
                        + "): save the snapshot as UTF-8; a Latin-1 or Windows-1252 file is not a snapshot", e);
            }
            throw new SnapshotFormatException(source + ": " + loc + "not valid JSON: " + plainLocations(firstLine(msg)), e);
        } catch (java.io.CharConversionException | java.nio.charset.CharacterCodingException e) {
            throw new SnapshotFormatException(source + ": " + where(p) + "not UTF-8 text (" + e.getMessage()
                    + "): save the snapshot as UTF-8", e);
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": cannot read snapshot: " + e.getMessage(), e);
        } finally {
            if (p != null) {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // the stream is the caller's; nothing was written
                }
            }
        }
    }

    /**
     * The top-level object field by field; the {@code accounts} array one account at a time, each account outside
     * {@code keep} reduced before the next is read (see {@link #readShard}).
     */
    private static JsonNode readFiltered(JsonParser p, java.util.function.Predicate<String> keep) throws IOException {
        com.fasterxml.jackson.core.JsonToken t = p.nextToken();
        if (t != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
            return t == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : p.readValueAsTree();
        }
        com.fasterxml.jackson.databind.node.ObjectNode root = MAPPER.createObjectNode();
        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
            String name = p.currentName();
            t = p.nextToken();
            if ("accounts".equals(name) && t == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                com.fasterxml.jackson.databind.node.ArrayNode accounts = root.putArray("accounts");
                java.util.Set<String> represented = new java.util.HashSet<>();
                while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                    JsonNode a = p.readValueAsTree();
                    if (a instanceof com.fasterxml.jackson.databind.node.ObjectNode o && a.path("accountId").isTextual()
                            && !keep.test(a.path("accountId").asText())) {
                        o.set("iam", MAPPER.createObjectNode());
                        for (JsonNode r : o.path("regions")) {
                            if (r instanceof com.fasterxml.jackson.databind.node.ObjectNode region) {
                                reduceRegion(region, keep, represented);
                            }
                        }
                    }
                    accounts.add(a);
                }
            } else {
                root.set(name, p.readValueAsTree());
            }
        }
        return root;
    }

    /**
     * A region of an account outside the shard, reduced to what decides the shard's findings: its KMS keys and EBS
     * defaults as they are; of its volumes the encrypted ones (id, encryption, key, attachments); of its instances
     * those with such a volume (id, ARN, state, block device mappings). A volume whose key belongs to an account of
     * the shard is kept with its instance (a key's findings, filed in its own account, list every instance using
     * it); of the volumes on any other key only the first one read per key is kept, with its instance: it keeps the
     * key in scope (every key an instance of any account uses decides the shard's principals' breadth findings),
     * and the key's own findings come from its own shard. Launch sources and EBS snapshots are dropped.
     *
     * @param keep        the shard's account ids
     * @param represented keys outside the shard that already have a volume kept (updated)
     */
    private static void reduceRegion(com.fasterxml.jackson.databind.node.ObjectNode region,
                                     java.util.function.Predicate<String> keep, java.util.Set<String> represented) {
        region.remove("launch");
        region.remove("ebsSnapshots");
        java.util.Set<String> encrypted = new java.util.HashSet<>();
        java.util.Set<String> attachedTo = new java.util.HashSet<>();
        com.fasterxml.jackson.databind.node.ArrayNode volumes = MAPPER.createArrayNode();
        for (JsonNode v : region.path("volumes")) {
            if (v.path("encrypted").asBoolean(false) && v.path("volumeId").isTextual()
                    && (shardKey(v, keep) || represented.add(v.path("kmsKeyArn").asText(v.path("kmsKeyId")
                    .asText(""))))) {
                com.fasterxml.jackson.databind.node.ObjectNode kept = volumes.addObject();
                for (String f : new String[] {"volumeId", "encrypted", "kmsKeyId", "kmsKeyArn", "attachments"}) {
                    if (v.has(f)) {
                        kept.set(f, v.get(f));
                    }
                }
                encrypted.add(v.path("volumeId").asText());
                v.path("attachments").forEach(a -> attachedTo.add(a.path("instanceId").asText()));
            }
        }
        if (region.has("volumes")) {
            region.set("volumes", volumes);
        }
        com.fasterxml.jackson.databind.node.ArrayNode instances = MAPPER.createArrayNode();
        for (JsonNode i : region.path("instances")) {
            boolean uses = attachedTo.contains(i.path("instanceId").asText());
            for (JsonNode b : i.path("blockDeviceMappings")) {
                uses |= encrypted.contains(b.path("volumeId").asText());
            }
            if (uses) {
                com.fasterxml.jackson.databind.node.ObjectNode kept = instances.addObject();
                for (String f : new String[] {"instanceId", "arn", "state", "blockDeviceMappings"}) {
                    if (i.has(f)) {
                        kept.set(f, i.get(f));
                    }
                }
            }
        }
        if (region.has("instances")) {
            region.set("instances", instances);
        }
    }

    /** Whether an encrypted volume's key (its ARN names the key's account) belongs to an account of the shard. */
    private static boolean shardKey(JsonNode volume, java.util.function.Predicate<String> keep) {
        for (String f : new String[] {"kmsKeyArn", "kmsKeyId"}) {
            String[] arn = volume.path(f).asText("").split(":", 6);
            if (arn.length == 6 && "arn".equals(arn[0])) {
                return keep.test(arn[4]);
            }
        }
        return false; // a bare key id names a key of the volume's own account, which is outside the shard
    }

    private static String where(JsonParser p) {
        if (p == null) {
            return "";
        }
        JsonLocation loc = p.currentLocation();
        return loc == null || loc.getLineNr() < 0 ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
    }

    /**
     * Jackson's {@code [Source: REDACTED (...); line: 1, column: 1]} inside a parser message (e.g. where an unclosed
     * array started) as {@code line 1, column 1}, so a one-line error names the place in the reader's terms.
     *
     * @param msg a Jackson message; never null
     * @return the message with every such location rewritten
     */
    public static String plainLocations(String msg) {
        return msg.replaceAll("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]", "line $1, column $2");
    }

    private static String firstLine(String msg) {
        if (msg == null) {
            return "";
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    private static String where(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        return loc == null || loc.getLineNr() < 0 ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
    }

    private static String describe(JsonProcessingException e) {
        String path = e instanceof JsonMappingException m ? path(m) : "";
        if (e instanceof UnrecognizedPropertyException u) {
            String suffix = "." + u.getPropertyName();
            String parent = path.endsWith(suffix) ? path.substring(0, path.length() - suffix.length()) : path;
            return (parent.isEmpty() ? "top level" : parent) + ": unknown field `" + u.getPropertyName() + "`";
        }
        String prefix = path.isEmpty() ? "top level: " : path + ": ";
        if (e instanceof ValueInstantiationException v && v.getCause() instanceof NullPointerException npe
                && npe.getMessage() != null) {
            return prefix + "missing required field `" + npe.getMessage() + "`";
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m
                && m.getTargetType() != null) {
            return prefix + expected(m.getTargetType());
        }
        String msg = e.getOriginalMessage();
        int nl = msg == null ? -1 : msg.indexOf('\n');
        return prefix + (nl < 0 ? msg : msg.substring(0, nl));
    }

    /** What a JSON value of this Java type looks like, in the user's words (no Java type names). */
    private static String expected(Class<?> type) {
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "expected a list";
        }
        if (type == String.class || type.isEnum() || java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "expected a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "expected true or false";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "expected a number";
        }
        return "expected an object";
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            }
        }
        return sb.toString();
    }
}
