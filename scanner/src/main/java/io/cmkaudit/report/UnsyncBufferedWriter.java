package io.cmkaudit.report;

import java.io.IOException;
import java.io.Writer;

/**
 * A buffered writer without {@link java.io.BufferedWriter}'s lock, for the report files: Thymeleaf's escaping writes
 * report.html one character at a time, and the uncontended lock per call was 15 % of the rendering time of a large
 * page; Commons CSV writes findings.csv in small pieces too. Not thread-safe; each file is written by one thread.
 */
final class UnsyncBufferedWriter extends Writer {

    private final Writer out;
    private final char[] buf;
    private int len;

    /**
     * @param out  the writer receiving full buffers; closed with this one
     * @param size the buffer size in characters, at least 1
     */
    UnsyncBufferedWriter(Writer out, int size) {
        this.out = out;
        this.buf = new char[size];
    }

    @Override
    public void write(int c) throws IOException {
        if (len == buf.length) {
            flushBuffer();
        }
        buf[len++] = (char) c;
    }

    @Override
    public void write(char[] cbuf, int off, int n) throws IOException {
        if (n >= buf.length) {
            flushBuffer();
            out.write(cbuf, off, n);
            return;
        }
        if (n > buf.length - len) {
            flushBuffer();
        }
        System.arraycopy(cbuf, off, buf, len, n);
        len += n;
    }

    @Override
    public void write(String str, int off, int n) throws IOException {
        while (n > 0) {
            if (len == buf.length) {
                flushBuffer();
            }
            int k = Math.min(n, buf.length - len);
            str.getChars(off, off + k, buf, len);
            len += k;
            off += k;
            n -= k;
        }
    }

    /** Copies the characters without the substring {@link Writer#append(CharSequence, int, int)} makes. */
    @Override
    public Writer append(CharSequence csq, int start, int end) throws IOException {
        if (csq instanceof String str) {
            write(str, start, end - start);
            return this;
        }
        CharSequence cs = csq == null ? "null" : csq;
        for (int i = start; i < end; i++) {
            write(cs.charAt(i));
        }
        return this;
    }

    @Override
    public Writer append(CharSequence csq) throws IOException {
        CharSequence cs = csq == null ? "null" : csq;
        return append(cs, 0, cs.length());
    }

    @Override
    public Writer append(char c) throws IOException {
        write(c);
        return this;
    }

    private void flushBuffer() throws IOException {
        if (len > 0) {
            out.write(buf, 0, len);
            len = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            flushBuffer();
        } finally {
            out.close();
        }
    }
}
