package io.cmkaudit.report;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Creates run folders atomically: the files are written into a hidden temporary folder inside the output root,
 * which is then renamed in one step to its final name, so a reader (or an upload) never sees a half-written run.
 * A name that exists already gets a suffix {@code -2}, {@code -3}, ...; nothing is ever overwritten.
 */
final class RunFolder {

    /** Prefix of temporary folders; a crash may leave one behind, which later runs ignore. */
    static final String TEMP_PREFIX = ".cmk-audit-tmp-";

    private RunFolder() {
    }

    /** @return a new empty temporary folder inside {@code root} (created with its parents when missing) */
    static Path createTemp(Path root, String name) throws IOException {
        Files.createDirectories(root);
        return Files.createDirectory(root.resolve(TEMP_PREFIX + name + "-" + UUID.randomUUID()));
    }

    /**
     * @return {@code name}, or {@code name-2}, {@code name-3}, ...: the first that does not exist in {@code root}
     */
    static String freeName(Path root, String name) {
        for (int n = 1; ; n++) {
            String candidate = n == 1 ? name : name + "-" + n;
            if (!Files.exists(root.resolve(candidate))) {
                return candidate;
            }
        }
    }

    /**
     * Renames {@code temp} to {@code root/name}; when another run took that name meanwhile, to the next free one of
     * {@code base}, {@code base-2}, {@code base-3}, ...
     *
     * @return the final folder
     * @throws IOException when the file system cannot rename atomically or the rename fails
     */
    static Path publish(Path temp, Path root, String name, String base) throws IOException {
        for (String candidate = name; ; candidate = freeName(root, base)) {
            Path target = root.resolve(candidate);
            try {
                return Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another run took the name between the check and the rename: try the next suffix
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(root + ": cannot rename the run folder atomically on this file system", e);
            }
        }
    }

    /** Deletes a temporary folder and its files; best effort (used when writing failed). */
    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the original failure is what the caller reports
                }
            });
        } catch (IOException ignored) {
            // best effort, as above
        }
    }
}
