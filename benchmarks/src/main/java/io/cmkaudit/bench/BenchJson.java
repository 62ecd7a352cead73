package io.cmkaudit.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Snapshot JSON for the benchmarks that handle 10,000-account snapshots one account at a time: a mapper configured as
 * {@code io.cmkaudit.snapshot.SnapshotJson}'s (pretty-printed, map keys sorted, nulls left out, ISO-8601 times), so
 * that a snapshot written account by account is byte for byte what {@code SnapshotJson.write} writes for it
 * ({@code scripts/bench-merge} compares them).
 */
final class BenchJson {

    /** Reads and writes the snapshot's records as {@code SnapshotJson} does (without its checks). */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private BenchJson() {
    }

    /**
     * Writes a snapshot whose accounts come one at a time: only {@code head} (a snapshot without accounts) and the
     * account being written are in memory.
     *
     * @param head     the snapshot's other fields; its accounts are ignored
     * @param accounts the accounts, in order
     * @param file     the file to write (replaced)
     * @throws IOException when writing fails
     */
    static void write(Snapshot head, Iterator<AccountSnapshot> accounts, Path file) throws IOException {
        JsonNode fields = MAPPER.valueToTree(head.withAccounts(java.util.List.of()));
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             JsonGenerator g = MAPPER.createGenerator(o)) {
            g.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                g.writeFieldName(f.getKey());
                if (!"accounts".equals(f.getKey())) {
                    MAPPER.writeTree(g, f.getValue());
                    continue;
                }
                g.writeStartArray();
                while (accounts.hasNext()) {
                    MAPPER.writeValue(g, accounts.next());
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }
}
