package io.cmkaudit.report;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates run folders atomically: the files are written into a hidden temporary folder inside the output root,
 * which is then renamed in one step to its final name, so a reader (or an upload) never sees a half-written run.
 *
 * <p>Names are unique even for runs of the same second, in one process or several: a name that exists already gets
 * a suffix {@code -2}, {@code -3}, ... ({@code --previous latest} orders by timestamp, then by suffix number). The
 * final name is claimed by the rename itself ({@code rename(2)} of a folder onto an existing non-empty folder fails),
 * and a run that loses the race takes the next suffix; nothing is ever overwritten.
 *
 * <p>Temporary folders are removed when writing fails, when the JVM exits (including on {@code SIGTERM} /
 * {@code SIGINT}, through a shutdown hook), and folders older than {@link #STALE_AFTER} left by a killed run
 * ({@code SIGKILL}, power loss) are swept, with one log line, when the next run starts writing into the same root.
 */
final class RunFolder {

    private static final Logger LOG = LoggerFactory.getLogger(RunFolder.class);

    /** Prefix of temporary folders. */
    static final String TEMP_PREFIX = ".cmk-audit-tmp-";

    /** Age after which a temporary folder is taken for a leftover of a dead run and swept. */
    static final Duration STALE_AFTER = Duration.ofDays(1);

    /** Temporary folders of this process not yet published or removed; the shutdown hook removes them. */
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    /** Orders publishing against the shutdown hook, so that a folder is never published while being removed. */
    private static final Object PUBLISH = new Object();

    /** Set by the shutdown hook: no folder is published any more. */
    private static boolean shuttingDown;

    static {
        Thread hook = new Thread(RunFolder::removeLive, "cmk-audit-temp-cleanup");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting: nothing will be written any more
        }
    }

    private RunFolder() {
    }

    /**
     * Creates a new empty temporary folder inside {@code root} (created with its parents when missing), after
     * sweeping stale temporary folders of dead runs. The folder is removed on JVM exit unless {@link #publish}ed.
     *
     * @param root the output root
     * @param name the run folder name the temporary folder is for (part of its name, for people looking)
     * @return the temporary folder
     * @throws IOException when the root or the folder can't be created
     */
    static Path createTemp(Path root, String name) throws IOException {
        Files.createDirectories(root);
        sweepStale(root, Instant.now());
        Path temp = root.resolve(TEMP_PREFIX + name + "-" + UUID.randomUUID());
        LIVE.add(temp);
        try {
            return Files.createDirectory(temp);
        } catch (IOException e) {
            LIVE.remove(temp);
            throw e;
        }
    }

    /**
     * Removes temporary folders of {@code root} last modified more than {@link #STALE_AFTER} before {@code now}
     * (leftovers of a killed run; a run in progress touches its folder with every file it writes). Logs one line
     * naming how many were removed. Never throws.
     *
     * @param root the output root
     * @param now  the current time
     * @return the folders removed
     */
    static List<Path> sweepStale(Path root, Instant now) {
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> list = Files.list(root)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (!p.getFileName().toString().startsWith(TEMP_PREFIX) || LIVE.contains(p)) {
                    continue;
                }
                try {
                    FileTime modified = Files.getLastModifiedTime(p);
                    if (modified.toInstant().isBefore(now.minus(STALE_AFTER))) {
                        deleteQuietly(p);
                        if (!Files.exists(p)) {
                            removed.add(p);
                        }
                    }
                } catch (IOException gone) {
                    // removed meanwhile by another run's sweep
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {} to sweep old temporary folders: {}", root, e.toString());
        }
        if (!removed.isEmpty()) {
            LOG.info("removed {} temporary folder(s) older than {} h left by interrupted runs in {}: {}",
                    removed.size(), STALE_AFTER.toHours(), root,
                    removed.stream().map(p -> p.getFileName().toString()).sorted().toList());
        }
        return removed;
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
     * Renames {@code temp} to {@code root/name}; when another run (of this or another process) took that name
     * meanwhile, to the next free one of {@code base}, {@code base-2}, {@code base-3}, ...
     *
     * @param temp a folder from {@link #createTemp}; not empty (an empty folder could replace an empty target)
     * @param root the output root
     * @param name the preferred name
     * @param base the name without suffix
     * @return the final folder
     * @throws IOException when the file system cannot rename atomically or the rename fails for another reason
     */
    static Path publish(Path temp, Path root, String name, String base) throws IOException {
        for (String candidate = name; ; candidate = freeName(root, base)) {
            Path target = root.resolve(candidate);
            if (Files.exists(target)) {
                continue;
            }
            try {
                synchronized (PUBLISH) {
                    if (shuttingDown) {
                        throw new IOException("not published: cmk-audit is shutting down (signal or exit)");
                    }
                    Path done = Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                    LIVE.remove(temp);
                    return done;
                }
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another run took the name between the check and the rename: try the next suffix
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(root + ": cannot rename the run folder atomically on this file system", e);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (FileSystemException e) {
                // Linux reports a rename onto a non-empty folder as ENOTEMPTY, which Java does not map to
                // DirectoryNotEmptyException ("Directory not empty"); some file systems say EEXIST instead.
                if (!Files.exists(target)) {
                    throw e;
                }
            }
        }
    }

    /** Deletes a temporary folder and its files; best effort (used when writing failed). */
    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        // a writer still running in another thread may add a file while we walk: a few passes
        for (int pass = 0; pass < 3 && Files.exists(dir); pass++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // best effort: the original failure is what the caller reports
                    }
                });
            } catch (IOException | java.io.UncheckedIOException ignored) {
                // best effort, as above
            }
        }
        LIVE.remove(dir);
    }

    /** Removes every temporary folder of this process that was neither published nor removed (shutdown hook). */
    static void removeLive() {
        synchronized (PUBLISH) {
            shuttingDown = true;
        }
        for (Path p : List.copyOf(LIVE)) {
            deleteQuietly(p);
        }
    }

    /** @return the temporary folders of this process not yet published or removed (for tests) */
    static Set<Path> live() {
        return Set.copyOf(LIVE);
    }
}
