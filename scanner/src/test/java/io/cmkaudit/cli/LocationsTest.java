package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local files of {@link Locations}: a snapshot written from a temporary file, streamed reads. */
class LocationsTest {

    final Locations files = new Locations(null, Duration.ofSeconds(5));

    @Test
    void aFileIsMovedIntoPlaceReplacingTheTarget(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("snapshot.json");
        Files.writeString(target, "old");
        Path tmp = Files.writeString(dir.resolve("tmp.json"), "{\"new\":true}");
        files.writeFile("-o", target.toString(), tmp, "application/json");
        assertThat(target).hasContent("{\"new\":true}");
        assertThat(tmp).doesNotExist();
        assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
    }

    @Test
    void aFileOfAnotherFileSystemIsCopiedBesideTheTargetThenRenamed(@TempDir Path dir) throws Exception {
        Path shm = Path.of("/dev/shm");
        // /dev/shm is a tmpfs on Linux: another file system than the temporary folder, so no atomic rename across
        assertThat(shm).as("a tmpfs to write from").isDirectory();
        assertThat(Files.getFileStore(shm)).isNotEqualTo(Files.getFileStore(dir));
        Path tmp = Files.createTempFile(shm, "locations-test", ".json");
        try {
            Files.writeString(tmp, "{\"across\":1}");
            Path target = dir.resolve("snapshot.json");
            Files.writeString(target, "old");
            files.writeFile("-o", target.toString(), tmp, "application/json");
            assertThat(target).hasContent("{\"across\":1}");
            assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Test
    void openReadsALocalFileAndNamesAMissingOne(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("a.json"), "[1,2]");
        try (var in = files.open("SNAPSHOT", f.toString())) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("[1,2]");
        }
        assertThatThrownBy(() -> files.open("SNAPSHOT", dir.resolve("none.json").toString()))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("SNAPSHOT: no such file: ");
        assertThatThrownBy(() -> files.open("SNAPSHOT", "s3://Bad_Bucket/x.json"))
                .isInstanceOf(UsageException.class).hasMessageContaining("not a valid S3 bucket name");
    }
}
