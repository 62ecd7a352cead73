package io.cmkaudit.cli;

import io.cmkaudit.collect.S3Objects;
import io.cmkaudit.collect.S3Objects.S3Url;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Reads and writes the files of a sharded run (plan, partial and merged snapshots) at a local path or an
 * {@code s3://bucket/key} address. Local writes are atomic (a sibling temporary file, then a rename). Every failure is
 * a {@link UsageException} whose one-line message names the option and the file.
 */
final class Locations {

    private final S3Objects s3;

    /**
     * @param endpoint    endpoint override for S3 (moto), or null for real AWS
     * @param callTimeout timeout of one S3 call
     */
    Locations(URI endpoint, Duration callTimeout) {
        this.s3 = new S3Objects(endpoint, callTimeout);
    }

    /**
     * @param option the option or parameter naming it, for messages, e.g. {@code --plan}
     * @param where  a path or {@code s3://bucket/key}
     * @return the content
     * @throws UsageException when it can't be read
     */
    byte[] read(String option, String where) {
        try {
            if (S3Url.is(where)) {
                return s3.get(S3Url.parse(where));
            }
            return Files.readAllBytes(Path.of(where));
        } catch (NoSuchFileException e) {
            throw new UsageException(option + ": no such file: `" + where + "`", e);
        } catch (IOException e) {
            throw new UsageException(option + ": cannot read `" + where + "`: " + e.getMessage(), e);
        } catch (IllegalArgumentException | S3Objects.S3Exception e) {
            throw new UsageException(option + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a file or an S3 object for streaming, never holding it whole in memory: a local file as it is, an
     * {@code s3://bucket/key} through {@link S3Objects#open} (resumed with ranged reads when the connection drops).
     *
     * @param option the option or parameter naming it, for messages, e.g. {@code SNAPSHOT}
     * @param where  a path or {@code s3://bucket/key}
     * @return the content, buffered; the caller closes it
     * @throws UsageException when it can't be opened (no such file or object, no access, bad address)
     */
    java.io.InputStream open(String option, String where) {
        try {
            if (S3Url.is(where)) {
                return new java.io.BufferedInputStream(s3.open(S3Url.parse(where)), 1 << 16);
            }
            return new java.io.BufferedInputStream(Files.newInputStream(Path.of(where)), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new UsageException(option + ": no such file: `" + where + "`", e);
        } catch (IOException e) {
            throw new UsageException(option + ": cannot read `" + where + "`: " + e.getMessage(), e);
        } catch (IllegalArgumentException | S3Objects.S3Exception e) {
            throw new UsageException(option + ": " + e.getMessage(), e);
        }
    }

    /**
     * The parts a {@code PART} argument names: an {@code s3://bucket/prefix/} ending in {@code /} (every object under
     * it whose key ends in {@code .json}, sorted by key: where the children of a Step Functions run write theirs), a
     * local folder (its {@code *.json} files, sorted by name), or else the file or object itself.
     *
     * @param option the parameter, for messages, e.g. {@code PART}
     * @param where  a path, an {@code s3://bucket/key} or an {@code s3://bucket/prefix/}
     * @return one or more addresses; an empty prefix or folder is an error
     * @throws UsageException when the listing fails or finds nothing
     */
    java.util.List<String> expand(String option, String where) {
        java.util.List<String> out = new java.util.ArrayList<>();
        try {
            if (S3Url.is(where) && where.endsWith("/")) {
                String rest = where.substring(5);
                int slash = rest.indexOf('/');
                S3Url prefix = new S3Url(rest.substring(0, slash), rest.substring(slash + 1));
                for (S3Url u : s3.list(prefix)) {
                    if (u.key().endsWith(".json")) {
                        out.add("s3://" + u.bucket() + "/" + u.key());
                    }
                }
            } else if (!S3Url.is(where) && Files.isDirectory(Path.of(where))) {
                try (java.util.stream.Stream<Path> files = Files.list(Path.of(where))) {
                    files.filter(f -> f.getFileName().toString().endsWith(".json") && Files.isRegularFile(f))
                            .sorted().forEach(f -> out.add(f.toString()));
                }
            } else {
                return java.util.List.of(where);
            }
        } catch (IOException e) {
            throw new UsageException(option + ": cannot list `" + where + "`: " + e.getMessage(), e);
        } catch (IllegalArgumentException | S3Objects.S3Exception e) {
            throw new UsageException(option + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new UsageException(option + ": no .json file under `" + where + "`");
        }
        return out;
    }

    /**
     * Checks before any AWS call that a local output can be written (its folder exists and is writable, it is not a
     * folder) or that an S3 address is well formed.
     *
     * @param option e.g. {@code -o}
     * @param where  a path or {@code s3://bucket/key}
     * @throws UsageException when it can't be
     */
    static void checkWritable(String option, String where) {
        if (S3Url.is(where)) {
            try {
                S3Url.parse(where);
            } catch (IllegalArgumentException e) {
                throw new UsageException(option + ": " + e.getMessage(), e);
            }
            return;
        }
        Path file = Path.of(where);
        if (Files.isDirectory(file)) {
            throw new UsageException(option + ": `" + file + "` is a folder; name the file");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException(option + ": folder does not exist: `" + dir + "`");
        }
        if (!Files.isWritable(dir)) {
            throw new UsageException(option + ": folder not writable: `" + dir + "`");
        }
    }

    /**
     * As {@link #write(String, String, byte[], String)}, the content taken from a file: streamed to S3, or moved into
     * place locally (renamed; from another file system, copied beside the target and renamed, so the target is never
     * half written). The caller deletes {@code file} if it is still there.
     *
     * @param option      for messages
     * @param where       a path or {@code s3://bucket/key}; replaced when it exists
     * @param file        the content, a temporary file of the caller's
     * @param contentType S3 content type
     * @throws UsageException when it can't be written
     */
    void writeFile(String option, String where, Path file, String contentType) {
        if (S3Url.is(where)) {
            try {
                s3.put(S3Url.parse(where), file, contentType);
            } catch (IllegalArgumentException | S3Objects.S3Exception e) {
                throw new UsageException(option + ": " + e.getMessage(), e);
            }
            return;
        }
        Path target = Path.of(where);
        try {
            try {
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                // another file system (the temporary folder): copy beside the target, then rename
                Path tmp = target.toAbsolutePath().getParent().resolve("." + target.getFileName() + "."
                        + ProcessHandle.current().pid() + ".tmp");
                try {
                    Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
                    try {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException again) {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        } catch (IOException e) {
            throw new UsageException(option + ": cannot write `" + where + "`: " + e.getMessage(), e);
        }
    }

    /**
     * @param option      for messages
     * @param where       a path or {@code s3://bucket/key}; replaced when it exists
     * @param bytes       content
     * @param contentType S3 content type
     * @throws UsageException when it can't be written (a local temporary file is removed)
     */
    void write(String option, String where, byte[] bytes, String contentType) {
        if (S3Url.is(where)) {
            try {
                s3.put(S3Url.parse(where), bytes, contentType);
            } catch (IllegalArgumentException | S3Objects.S3Exception e) {
                throw new UsageException(option + ": " + e.getMessage(), e);
            }
            return;
        }
        Path file = Path.of(where);
        Path tmp = file.toAbsolutePath().getParent().resolve("." + file.getFileName() + "."
                + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException gone) {
                e.addSuppressed(gone);
            }
            throw new UsageException(option + ": cannot write `" + where + "`: " + e.getMessage(), e);
        }
    }
}
