package io.cmkaudit.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code manifest.json}: the audit evidence of a run folder — the tool and its version, the effective configuration,
 * the scanner's caller identity, the snapshot analyzed with its SHA-256, and the name, size and SHA-256 of every
 * other file in the folder — so an auditor can show what was checked and that the reports are the ones written.
 * Written last (a {@link OutputSelection.Finisher}); format in {@code docs/manifest.md}.
 *
 * @param toolVersion    the scanner's version, e.g. {@code 0.1.0}
 * @param command        the command that wrote the run, {@code scan} or {@code report}
 * @param configuration  the effective configuration (secrets such as the external id shown as {@code (set)});
 *                       serialized as given
 * @param callerIdentity {@code accountId}, {@code arn}, {@code partition} of {@code sts:GetCallerIdentity}, or
 *                       null when the run did not call AWS (a {@code report} of a saved snapshot: the snapshot's
 *                       collector identity is given instead when known)
 * @param snapshot       the snapshot analyzed: {@code source} (a path, {@code snapshot.json} in this folder, or the
 *                       embedded sample) and {@code sha256}; never null
 */
public record Manifest(String toolVersion, String command, Map<String, Object> configuration,
                       Map<String, Object> callerIdentity, Map<String, Object> snapshot)
        implements OutputSelection.Finisher {

    /** The file name in a run folder. */
    public static final String FILE = "manifest.json";

    /** The layout version of {@code manifest.json}. */
    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void finish(Path runFolder, OutputSelection.Content content) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(runFolder)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(FILE)).sorted()
                    .toList();
        }
        Map<String, Object> snap = new LinkedHashMap<>(snapshot);
        try (JsonGenerator g = JSON.getFactory().createGenerator(runFolder.resolve(FILE).toFile(), JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("manifestVersion", VERSION);
            g.writeObjectFieldStart("tool");
            g.writeStringField("name", "cmk-audit");
            g.writeStringField("version", toolVersion);
            g.writeStringField("command", command);
            g.writeEndObject();
            g.writeStringField("writtenAt", Formats.iso(content.writtenAt()));
            g.writeStringField("collectionStartedAt", content.result().run().startedAt() == null ? null
                    : Formats.iso(content.result().run().startedAt()));
            g.writeFieldName("configuration");
            JSON.writeValue(g, configuration);
            g.writeFieldName("callerIdentity");
            JSON.writeValue(g, callerIdentity);
            if ("snapshot.json".equals(snap.get("source")) && Files.isRegularFile(runFolder.resolve("snapshot.json"))) {
                snap.put("sha256", sha256(runFolder.resolve("snapshot.json")));
            }
            g.writeFieldName("snapshot");
            JSON.writeValue(g, snap);
            g.writeObjectFieldStart("findings");
            g.writeNumberField("written", content.findings().size());
            g.writeNumberField("resolvedWritten", content.resolved().size());
            g.writeNumberField("open", content.counts().open());
            g.writeNumberField("openBelowSeverityNotWritten", content.belowSeverity());
            g.writeEndObject();
            g.writeArrayFieldStart("files");
            for (Path f : files) {
                g.writeStartObject();
                g.writeStringField("name", f.getFileName().toString());
                g.writeNumberField("bytes", Files.size(f));
                g.writeStringField("sha256", sha256(f));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    /**
     * @param file a file
     * @return the SHA-256 of its bytes, lower-case hex
     * @throws UncheckedIOException when it cannot be read
     */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param in a stream, read to its end (not closed)
     * @return the SHA-256 of its bytes, lower-case hex
     * @throws IOException when it cannot be read
     */
    public static String sha256(InputStream in) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
