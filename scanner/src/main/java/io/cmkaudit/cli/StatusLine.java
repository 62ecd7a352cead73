package io.cmkaudit.cli;

import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line cmk-audit tells its user on stderr outside the log (a command's result, a warning, an error): as plain
 * text {@code cmk-audit: TEXT} by default, and with {@code --log-format json} as a log event at the line's level
 * (one JSON object per line, like every other line, so a CloudWatch Logs metric filter on {@code level} sees every
 * warning and error). The text mode is set once per command by {@link LoggingSetup#configure}.
 */
final class StatusLine {

    /** How a line counts for {@code --log-format json}; the plain text is the same for every level. */
    enum Level { INFO, WARN, ERROR }

    private static final Logger LOG = LoggerFactory.getLogger("io.cmkaudit.cli");
    private static volatile boolean json;

    private StatusLine() {
    }

    /** @param on true when {@code --log-format json} is in effect */
    static void json(boolean on) {
        json = on;
    }

    /** @return true when status lines are written as JSON log events */
    static boolean json() {
        return json;
    }

    /**
     * Writes one status line.
     *
     * @param err   the command's stderr (used in text mode; flushed); never null
     * @param level its level as a log event
     * @param text  the line after {@code cmk-audit: }, e.g. {@code warning: ...}; one line, never null
     */
    static void print(PrintWriter err, Level level, String text) {
        if (json) {
            err.flush();
            switch (level) {
                case ERROR -> LOG.error("{}", text);
                case WARN -> LOG.warn("{}", text);
                default -> LOG.info("{}", text);
            }
        } else {
            err.println("cmk-audit: " + text);
            err.flush();
        }
    }

    /** {@link #print} at INFO. */
    static void info(PrintWriter err, String text) {
        print(err, Level.INFO, text);
    }

    /** {@link #print} at WARN. */
    static void warn(PrintWriter err, String text) {
        print(err, Level.WARN, text);
    }

    /** {@link #print} at ERROR. */
    static void error(PrintWriter err, String text) {
        print(err, Level.ERROR, text);
    }
}
