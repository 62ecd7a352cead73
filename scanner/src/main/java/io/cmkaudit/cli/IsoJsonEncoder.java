package io.cmkaudit.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Log events as JSON lines with an ISO-8601 UTC timestamp to the millisecond (e.g.
 * {@code "timestamp":"2026-12-04T19:04:05.123Z"}), which CloudWatch Logs Insights and most log tools parse as a
 * time. Fields: {@code timestamp}, {@code level}, {@code loggerName}, {@code threadName}, {@code formattedMessage}
 * and, for an error with an exception, {@code throwable} (class, message and stack trace as one string). The field
 * names are those of Logback's own {@code JsonEncoder}, whose timestamp is epoch milliseconds.
 */
final class IsoJsonEncoder extends EncoderBase<ILoggingEvent> {

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", DateTimeFormatter.ISO_INSTANT.format(
                    Instant.ofEpochMilli(event.getTimeStamp())));
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("loggerName", event.getLoggerName());
            g.writeStringField("threadName", event.getThreadName());
            g.writeStringField("formattedMessage", event.getFormattedMessage());
            IThrowableProxy t = event.getThrowableProxy();
            if (t != null) {
                g.writeStringField("throwable", ThrowableProxyUtil.asString(t));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }
}
