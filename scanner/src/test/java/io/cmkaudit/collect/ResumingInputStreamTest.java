package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link S3Objects.ResumingInputStream}: a body whose connection drops in the middle goes on from the byte where it
 * stopped (as {@link S3Objects#open} does with a ranged GetObject), within the number of resumes allowed.
 */
class ResumingInputStreamTest {

    static byte[] content(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** The content from {@code offset}, failing with a reset after {@code failAfter} bytes (or never when -1). */
    static InputStream flaky(byte[] all, long offset, int failAfter) {
        return new InputStream() {
            int pos = (int) offset;
            int given;

            @Override
            public int read() throws IOException {
                if (failAfter >= 0 && given >= failAfter) {
                    throw new java.net.SocketException("Connection reset");
                }
                if (pos >= all.length) {
                    return -1;
                }
                given++;
                return all[pos++] & 0xff;
            }
        };
    }

    @Test
    void aDroppedConnectionGoesOnFromTheByteWhereItStopped() throws IOException {
        byte[] all = content(10_000);
        List<Long> offsets = new ArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        try (S3Objects.ResumingInputStream in = new S3Objects.ResumingInputStream(flaky(all, 0, 3_000), all.length,
                offset -> {
                    offsets.add(offset);
                    return flaky(all, offset, offsets.size() < 3 ? 2_500 : -1);
                }, 5, closed::incrementAndGet)) {
            assertThat(in.readAllBytes()).isEqualTo(all);
            assertThat(in.position()).isEqualTo(all.length);
        }
        assertThat(offsets).containsExactly(3_000L, 5_500L, 8_000L);
        assertThat(closed).hasValue(1);
    }

    @Test
    void failuresBeyondTheResumesAllowedAreThrown() {
        byte[] all = content(1_000);
        AtomicInteger reopened = new AtomicInteger();
        S3Objects.ResumingInputStream in = new S3Objects.ResumingInputStream(flaky(all, 0, 100), all.length,
                offset -> {
                    reopened.incrementAndGet();
                    return flaky(all, offset, 100);
                }, 2, () -> { });
        assertThatThrownBy(in::readAllBytes).isInstanceOf(java.net.SocketException.class);
        assertThat(reopened).hasValue(2);
        in.close();
    }

    @Test
    void aBodyShorterThanItsLengthIsNotTakenForTheEnd() throws IOException {
        byte[] all = content(1_000);
        byte[] cut = java.util.Arrays.copyOf(all, 600);
        List<Long> offsets = new ArrayList<>();
        try (S3Objects.ResumingInputStream in = new S3Objects.ResumingInputStream(new ByteArrayInputStream(cut),
                all.length, offset -> {
                    offsets.add(offset);
                    return flaky(all, offset, -1);
                }, 1, () -> { })) {
            assertThat(in.readAllBytes()).isEqualTo(all);
        }
        assertThat(offsets).containsExactly(600L);
    }
}
