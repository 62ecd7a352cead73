package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The page writer passes every character through in order, whatever the mix of call sizes. */
class UnsyncBufferedWriterTest {

    @Test
    void charactersStringsAndArraysOfEverySizeArriveInOrder() throws IOException {
        StringWriter target = new StringWriter();
        StringBuilder expected = new StringBuilder();
        try (UnsyncBufferedWriter w = new UnsyncBufferedWriter(target, 8)) {
            w.write('a');
            expected.append('a');
            w.write("0123456789abcdefghij"); // longer than the buffer, split over three fills
            expected.append("0123456789abcdefghij");
            char[] big = "ABCDEFGHIJKLMNOP".toCharArray();
            w.write(big, 2, 10); // at least the buffer size: written through
            expected.append("CDEFGHIJKL");
            w.write(big, 0, 7); // does not fit behind the buffered rest: flush first
            expected.append("ABCDEFG");
            w.write("xyz", 1, 2);
            expected.append("yz");
            w.append("0123456789", 3, 5).append(new StringBuilder("sb-content"), 3, 10).append('-')
                    .append(null, 0, 2).append("tail");
            expected.append("34").append("content").append('-').append("nu").append("tail");
            w.flush();
            assertThat(target.toString()).isEqualTo(expected.toString());
            w.write('!');
            expected.append('!');
            assertThat(target.toString()).hasSize(expected.length() - 1); // still buffered
        }
        assertThat(target.toString()).isEqualTo("a0123456789abcdefghijCDEFGHIJKLABCDEFGyz34content-nutail!");
    }
}
