package io.cmkaudit.report;

/**
 * A problem with one entry of a suppressions file. An entry with any problem suppresses nothing.
 *
 * @param index   1-based position of the entry in the file's list
 * @param line    1-based line where the entry starts, or 0 when unknown
 * @param field   the field at fault in the file's spelling (e.g. {@code expires}), or null for the entry as a whole
 * @param problem what is wrong, lowercase, user values in backticks, e.g. {@code missing (a date YYYY-MM-DD)}
 */
public record InvalidSuppression(int index, int line, String field, String problem) {

    /** @return one line, e.g. {@code entry 3 (line 14): field `expires`: missing (a date YYYY-MM-DD)} */
    public String message() {
        String where = "entry " + index + (line > 0 ? " (line " + line + ")" : "");
        return field == null ? where + ": " + problem : where + ": field `" + field + "`: " + problem;
    }
}
