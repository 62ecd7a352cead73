package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.testing.SampleTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An OutOfMemoryError ends with one line naming CMK_AUDIT_JAVA_OPTS and exit code 70, not a stack trace. */
class OutOfMemoryTest {

    @Test
    void aTooSmallHeapEndsWithOneLineNamingTheSetting(@TempDir Path dir) throws Exception {
        // the sample with one policy document of 40 MB: more than a 32 MB heap holds
        ObjectNode tree = SampleTree.load();
        ((ObjectNode) tree.path("awsManagedPolicies").elements().next())
                .put("document", "{\"Statement\":[" + "{\"Effect\":\"Allow\"},".repeat(2_000_000) + "{}]}");
        Path snap = SampleTree.write(tree, dir.resolve("big.json"));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "report", snap.toString(), "--out", dir.resolve("out").toString());
        Path errFile = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<String> err = Files.readAllLines(errFile, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).toList();
        assertThat(p.exitValue()).as("stderr: %s", err).isEqualTo(ExitCodes.INTERNAL);
        assertThat(err).as("stderr").singleElement().satisfies(l -> assertThat(l)
                .startsWith("cmk-audit: out of memory").contains("CMK_AUDIT_JAVA_OPTS").contains("-Xmx"));
    }

    @Test
    void theLauncherPassesCmkAuditJavaOptsToJava() throws Exception {
        String launcher = Files.readString(Path.of("..", "bin", "cmk-audit"));
        assertThat(launcher).containsPattern("exec java \\$\\{CMK_AUDIT_JAVA_OPTS:-\\} -jar");
    }
}
