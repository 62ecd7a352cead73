package io.cmkaudit.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Value formatting shared by the writers, so CSV, JSON and HTML print the same text. */
final class Formats {

    /** The separator of multi-valued cells (findings.md). */
    static final String LIST_SEPARATOR = "; ";

    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Formats() {
    }

    /** @return ISO-8601 UTC to the second, e.g. {@code 2026-11-29T19:04:05Z}; null for null */
    static String iso(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** @return the run folder name for {@code t}, e.g. {@code 2026-11-29T19-04-05Z} */
    static String folderName(Instant t) {
        return FOLDER.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** @return the values joined with {@code "; "}; empty for an empty list */
    static String join(List<String> values) {
        return String.join(LIST_SEPARATOR, values);
    }
}
