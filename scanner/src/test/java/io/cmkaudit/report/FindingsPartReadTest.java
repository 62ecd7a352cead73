package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A damaged findings part is one line naming the file, and the line and column as for snapshots. */
class FindingsPartReadTest {

    @Test
    void aTruncatedPartNamesLineAndColumn() {
        byte[] truncated = "{\n  \"kind\": \"x\",\n  \"partVer".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> FindingsPart.read(truncated, "fpt.json"))
                .isInstanceOf(ReportInputException.class)
                .hasMessageMatching("fpt\\.json: line 3, column \\d+: not valid JSON: Unexpected end-of-input[^\\n]*")
                .hasMessageNotContaining("[Source:");
    }

    @Test
    void aSyntaxErrorNamesLineAndColumnWithoutJacksonsSourceText() {
        byte[] bad = "{\n  \"kind\": x\n}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> FindingsPart.read(bad, "fp.json"))
                .isInstanceOf(ReportInputException.class)
                .hasMessageStartingWith("fp.json: line 2, column 11: not valid JSON: Unrecognized token 'x'")
                .hasMessageNotContaining("[Source:");
    }
}
