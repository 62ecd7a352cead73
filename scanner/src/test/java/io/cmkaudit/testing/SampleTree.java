package io.cmkaudit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sample organization's snapshot ({@code samples/sample-org.snapshot.json}) as a mutable JSON tree, for tests
 * that damage it in one place and give it to the reader or the command line.
 */
public final class SampleTree {

    /** The sample snapshot file, relative to the scanner module (the tests' working directory). */
    public static final Path FILE = Path.of("..", "samples", "sample-org.snapshot.json");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SampleTree() {
    }

    /** @return a fresh copy of the sample snapshot's tree */
    public static ObjectNode load() {
        try {
            return (ObjectNode) MAPPER.readTree(FILE.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param tree a snapshot tree
     * @param file where to write it (UTF-8 JSON)
     * @return {@code file}
     */
    public static Path write(JsonNode tree, Path file) {
        try {
            Files.write(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the tree as compact JSON text */
    public static String text(JsonNode tree) {
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
