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

    private static final ObjectMapper MAPPER = JsonMapper.builder()
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
     * Writes a snapshot to a file atomically (a temporary file in the same folder, then a rename).
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
     * Reads a snapshot, naming {@code source} in error messages.
     *
     * @param in     UTF-8 JSON
     * @param source file name or description used in messages
     * @return the snapshot
     * @throws SnapshotFormatException see {@link #read(InputStream)}
     */
    public static Snapshot read(InputStream in, String source) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            throw new SnapshotFormatException(source + ": " + where(e) + "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": cannot read snapshot: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new SnapshotFormatException(source + ": not a snapshot: expected a JSON object", null);
        }
        JsonNode version = tree.get("schemaVersion");
        if (version == null || !version.isInt()) {
            throw new SnapshotFormatException(source + ": not a snapshot: missing integer field `schemaVersion`", null);
        }
        if (!Snapshot.READABLE_VERSIONS.contains(version.intValue())) {
            throw new SnapshotFormatException(source + ": unsupported snapshot schemaVersion " + version.intValue()
                    + " (this cmk-audit reads versions " + new java.util.TreeSet<>(Snapshot.READABLE_VERSIONS)
                    .stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" and "))
                    + "; re-collect the snapshot or use a matching cmk-audit release)", null);
        }
        if (version.intValue() < 2 && tree.has("identityCenter")) {
            throw new SnapshotFormatException(source + ": unknown field `identityCenter` (a schemaVersion 1 snapshot "
                    + "has no Identity Center section)", null);
        }
        String bad = structure(tree);
        if (bad != null) {
            throw new SnapshotFormatException(source + ": " + bad, null);
        }
        try {
            return MAPPER.treeToValue(tree, Snapshot.class);
        } catch (JsonProcessingException e) {
            throw new SnapshotFormatException(source + ": " + describe(e), e);
        }
    }

    /**
     * The checks the records' defaults would hide: a damaged snapshot must not read as an empty, fully covered one.
     *
     * @return what is wrong, with its JSON path, or null
     */
    private static String structure(JsonNode tree) {
        JsonNode accounts = tree.get("accounts");
        if (accounts == null || accounts.isNull()) {
            return "missing required field `accounts`";
        }
        if (!accounts.isArray()) {
            return "accounts: expected a list";
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < accounts.size(); i++) {
            JsonNode a = accounts.get(i);
            String at = "accounts[" + i + "]";
            if (!a.isObject()) {
                return at + ": expected an object";
            }
            JsonNode id = a.get("accountId");
            if (id == null || id.isNull()) {
                return at + ": missing required field `accountId`";
            }
            if (!id.isTextual() || !id.textValue().matches("\\d{12}")) {
                return at + ".accountId: expected a string of 12 digits, got " + id;
            }
            if (!seen.add(id.textValue())) {
                return at + ".accountId: account " + id.textValue() + " is listed twice";
            }
            for (String field : new String[] {"iam", "regions"}) {
                JsonNode f = a.get(field);
                if (f == null || f.isNull()) {
                    return at + ": missing required field `" + field + "`";
                }
            }
        }
        return null;
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
            return (parent.isEmpty() ? "" : parent + ": ") + "unknown field `" + u.getPropertyName() + "`";
        }
        String prefix = path.isEmpty() ? "" : path + ": ";
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
