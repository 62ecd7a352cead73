package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.testing.SampleTree;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14 item 11: text from a snapshot never reaches the terminal with control characters. */
class TerminalOutputTest {

    static final String RETITLE_AND_CLEAR = "\u001b]0;owned\u0007\u001b[2J\u009b31m";

    static void assertTerminalSafe(String text) {
        assertThat(text.chars().filter(c -> TerminalText.unsafe((char) c)).toArray())
                .as("control characters in %s", text).isEmpty();
    }

    @Test
    void organizationIdAndCoverageMessagesAreShownWithVisibleEscapes(@TempDir Path dir) {
        ObjectNode tree = SampleTree.load();
        ((ObjectNode) tree.path("organization")).put("id", "o-abc" + RETITLE_AND_CLEAR);
        ObjectNode cov = (ObjectNode) tree.path("accounts").get(1).path("coverage").get(1);
        cov.put("status", "PARTIAL").put("errorCode", "AccessDenied")
                .put("errorMessage", "KMS.GetKeyPolicy denied\rFAKE: coverage complete" + RETITLE_AND_CLEAR);
        Path snap = SampleTree.write(tree, dir.resolve("snap.json"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"report", snap.toString(), "--out", dir.resolve("out").toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertThat(code).isEqualTo(3);
        assertTerminalSafe(out.toString());
        assertTerminalSafe(err.toString());
        assertThat(out.toString()).contains("o-abc\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m")
                .contains("KMS.GetKeyPolicy denied\\rFAKE: coverage complete");
    }

    @Test
    void cleaningKeepsLineEndsAndTabsAndJsonValues() {
        assertThat(TerminalText.clean("a\tb\nc\r\nd\u202ee")).isEqualTo("a\tb\nc\nd\\u202ee");
        StringWriter raw = new StringWriter();
        PrintWriter w = new TerminalPrintWriter(raw, false);
        w.print("x\r");
        w.print("\ny\r");
        w.print("z\u007f");
        TerminalPrintWriter.control(w, "\r\u001b[K");
        w.flush();
        assertThat(raw.toString()).isEqualTo("x\ny\\rz\\u007f\r\u001b[K");
    }
}
