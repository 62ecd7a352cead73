package io.cmkaudit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the test extension finds moto_server, and the message when it can't. */
class MotoServerLocateTest {

    @Test
    void findsMotoServerOnThePathBeforeThePyenvShims(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path shims = Files.createDirectories(dir.resolve("home/.pyenv/shims"));
        for (Path d : new Path[] {bin, shims}) {
            Files.writeString(d.resolve("moto_server"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(d.resolve("moto_server"), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertThat(MotoServer.locate("/nonexistent:" + bin, dir.resolve("home").toString()))
                .contains(bin.resolve("moto_server"));
        assertThat(MotoServer.locate("/nonexistent", dir.resolve("home").toString()))
                .contains(shims.resolve("moto_server"));
    }

    @Test
    void missingMotoServerFailsWithTheInstallHint(@TempDir Path dir) {
        assertThat(MotoServer.locate(dir.toString(), dir.toString())).isEmpty();
        assertThatThrownBy(() -> MotoServer.start(Optional.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("moto_server not found on the PATH nor in $HOME/.pyenv/shims: install it with "
                        + "pip install 'moto[server]' (Python 3), then re-run the tests");
    }
}
