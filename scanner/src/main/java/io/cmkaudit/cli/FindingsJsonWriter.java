package io.cmkaudit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cmkaudit.analysis.AnalysisResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@code findings.json}: the whole {@link AnalysisResult} (run metadata, summary, coverage, findings with every
 * field, nulls included so every finding has the same keys) under a {@code schemaVersion}. A stand-in until the
 * report package's writer takes over; {@code report} calls only {@link #write}.
 */
final class FindingsJsonWriter {

    /** Version of the findings.json layout. */
    static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private FindingsJsonWriter() {
    }

    /**
     * Writes the file atomically (a temporary file in the same folder, then a rename).
     *
     * @param result      the analysis
     * @param generatedAt when the report was made (UTC)
     * @param file        target file; its folder must exist
     * @throws UncheckedIOException when writing fails
     */
    static void write(AnalysisResult result, Instant generatedAt, Path file) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", SCHEMA_VERSION);
        doc.put("generatedAt", generatedAt);
        doc.put("run", result.run());
        doc.put("summary", result.summary());
        doc.put("coverage", result.coverage());
        doc.put("findings", result.findings());
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE), 1 << 16)) {
                MAPPER.writeValue(out, doc);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}
