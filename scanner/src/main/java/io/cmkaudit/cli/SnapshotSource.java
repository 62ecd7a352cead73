package io.cmkaudit.cli;

import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotFormatException;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the snapshot a command analyzes: a file, or the sample organization embedded in the jar. */
final class SnapshotSource {

    /** Classpath location of the sample organization's snapshot. */
    static final String SAMPLE = "/samples/sample-org.snapshot.json";

    private SnapshotSource() {
    }

    /**
     * @param file the snapshot file, or null for the embedded sample
     * @return the snapshot
     * @throws UsageException for a missing or unreadable file, a malformed snapshot, or a jar without the sample
     */
    static Snapshot load(Path file) {
        if (file == null) {
            try (InputStream in = SnapshotSource.class.getResourceAsStream(SAMPLE)) {
                if (in == null) {
                    throw new UsageException("the sample organization " + SAMPLE + " is not in this build; give a "
                            + "SNAPSHOT file");
                }
                return SnapshotJson.read(in, "sample " + SAMPLE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (Files.isDirectory(file)) {
            // a scan run folder keeps its snapshot beside the reports
            Path inFolder = file.resolve(ScanCommand.SNAPSHOT_JSON);
            if (!Files.isRegularFile(inFolder)) {
                throw new UsageException("SNAPSHOT: `" + file + "` is a folder without " + ScanCommand.SNAPSHOT_JSON
                        + " (a scan run folder keeps one unless run with --no-snapshot)");
            }
            file = inFolder;
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("SNAPSHOT: no such file: `" + file + "`");
        }
        try {
            return SnapshotJson.read(file);
        } catch (SnapshotFormatException e) {
            throw new UsageException(e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
