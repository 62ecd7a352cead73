package io.cmkaudit.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * The stdout / stderr writer of every command: everything printed through it passes {@link TerminalText#clean}, so
 * text from a snapshot or an AWS answer can't drive the terminal. The progress bar's own redraw sequences go
 * through {@link #control(PrintWriter, String)}, the one way around the filter.
 */
final class TerminalPrintWriter extends PrintWriter {

    private final Writer raw;

    /**
     * @param raw       the destination; owned by the caller
     * @param autoFlush flush on {@code println}
     */
    TerminalPrintWriter(Writer raw, boolean autoFlush) {
        super(new Cleaning(raw), autoFlush);
        this.raw = raw;
    }

    /**
     * Writes a terminal control sequence of ours (not data) unfiltered, after what was printed before it.
     *
     * @param w        a writer; when it is not a {@link TerminalPrintWriter} the sequence is printed as is
     * @param sequence e.g. {@code "\r\033[K"}
     */
    static void control(PrintWriter w, String sequence) {
        if (w instanceof TerminalPrintWriter t) {
            t.flush();
            synchronized (t.lock) {
                try {
                    t.raw.write(sequence);
                    t.raw.flush();
                } catch (IOException e) {
                    t.setError();
                }
            }
        } else {
            w.print(sequence);
        }
    }

    /** Replaces unsafe characters on the way through; a CR is held back one character to let CRLF pass as LF. */
    private static final class Cleaning extends FilterWriter {
        private boolean pendingCr;

        Cleaning(Writer out) {
            super(out);
        }

        @Override
        public void write(int c) throws IOException {
            write(new char[] {(char) c}, 0, 1);
        }

        @Override
        public void write(String s, int off, int len) throws IOException {
            write(s.toCharArray(), off, len);
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            StringBuilder sb = new StringBuilder(len + 8);
            for (int i = off; i < off + len; i++) {
                char c = cbuf[i];
                if (pendingCr) {
                    pendingCr = false;
                    if (c != '\n') {
                        sb.append("\\r");
                    }
                }
                if (c == '\r') {
                    pendingCr = true;
                } else {
                    TerminalText.appendVisible(sb, c);
                }
            }
            out.write(sb.toString());
        }

        @Override
        public void flush() throws IOException {
            if (pendingCr) {
                pendingCr = false;
                out.write("\\r");
            }
            super.flush();
        }
    }
}
