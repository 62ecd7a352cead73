package io.cmkaudit.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * The encoder of every log line on stderr, at every level and for every logger (ours, the AWS SDK's, the Apache HTTP
 * client's wire log): it wraps the text or JSON encoder and passes its output through {@link Redaction#redact}
 * (credentials, session tokens, signatures) and {@link TerminalText#clean} (terminal control characters; line feeds
 * of stack traces and tabs are kept). Because it works on the finished line, a secret is removed wherever it
 * appears: message, arguments, exception message or stack trace.
 */
final class SafeLogEncoder extends EncoderBase<ILoggingEvent> {

    private final Encoder<ILoggingEvent> delegate;

    /**
     * @param delegate the started text or JSON encoder
     */
    SafeLogEncoder(Encoder<ILoggingEvent> delegate) {
        this.delegate = delegate;
    }

    @Override
    public byte[] headerBytes() {
        return clean(delegate.headerBytes());
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return clean(delegate.encode(event));
    }

    @Override
    public byte[] footerBytes() {
        return clean(delegate.footerBytes());
    }

    /**
     * @param line encoded UTF-8 log output; null gives null
     * @return the same output without secrets or terminal control characters
     */
    static byte[] clean(byte[] line) {
        if (line == null || line.length == 0) {
            return line;
        }
        String text = new String(line, StandardCharsets.UTF_8);
        String safe = TerminalText.clean(Redaction.redact(text));
        return safe.equals(text) ? line : safe.getBytes(StandardCharsets.UTF_8);
    }
}
