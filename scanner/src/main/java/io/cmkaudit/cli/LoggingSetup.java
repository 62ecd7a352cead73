package io.cmkaudit.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback at start-up: all logging goes to stderr (stdout is reserved for machine output), as
 * plain text or as JSON lines (one object per line, for ECS / CloudWatch Logs). Every line, at every level and from
 * every library, passes {@link SafeLogEncoder}: credentials and signatures are redacted and terminal control
 * characters made visible.
 */
final class LoggingSetup {

    /** Log line format chosen with {@code --log-format}. */
    enum Format { text, json }

    private LoggingSetup() {
    }

    /**
     * Replaces the root logger's appenders.
     *
     * @param verbosity {@code -1} for {@code -q} (warnings and errors only), {@code 0} default (info),
     *                  {@code 1} for {@code -v} (debug for this tool), {@code 2+} debug for everything
     * @param format text or JSON lines
     */
    static void configure(int verbosity, Format format) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        StatusLine.json(format == Format.json);
        Encoder<ILoggingEvent> encoder;
        if (format == Format.json) {
            // JSON lines with ISO-8601 UTC timestamps (Logback's JsonEncoder writes epoch milliseconds)
            encoder = new IsoJsonEncoder();
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(verbosity >= 1
                ? "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n"
                : "%-5level %msg%n");
            encoder = text;
        }
        encoder.setContext(ctx);
        encoder.start();
        SafeLogEncoder safe = new SafeLogEncoder(encoder);
        safe.setContext(ctx);
        safe.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(ctx);
        appender.setTarget("System.err");
        appender.setName("stderr");
        appender.setEncoder(safe);
        appender.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(verbosity >= 2 ? Level.DEBUG : verbosity < 0 ? Level.WARN : Level.INFO);
        ctx.getLogger("io.cmkaudit").setLevel(verbosity >= 1 ? Level.DEBUG : verbosity < 0 ? Level.WARN : Level.INFO);
        // The AWS SDK and Apache HTTP client are chatty at debug; only -vv shows them.
        if (verbosity < 2) {
            ctx.getLogger("software.amazon.awssdk").setLevel(Level.WARN);
            ctx.getLogger("org.apache.http").setLevel(Level.WARN);
            ctx.getLogger("org.thymeleaf").setLevel(Level.OFF);
        }
    }
}
