package io.cmkaudit.report;

import java.util.List;

/**
 * What the suppressions file did in one run; shown in the HTML report and written to {@code findings.json}.
 *
 * @param source   the file as given on the command line, or null when no file was given
 * @param entries  number of entries in the file's list
 * @param active   valid, unexpired entries, each with the number of current findings it matches (first match
 *                 decides which entry a finding shows; counts are per entry and may overlap)
 * @param expired  valid entries past their {@code expires} date, each with the number of findings it would match;
 *                 they suppress nothing
 * @param unused   active entries that matched no finding
 * @param invalid  problems of invalid entries (an entry may have several); invalid entries suppress nothing
 * @param warnings one line per entry that works but should be rewritten (e.g. a schemaVersion 1 per-instance
 *                 {@code finding_id}, applied as the grouped finding's id with {@code instance_id})
 */
public record SuppressionReport(String source, int entries, List<RuleUse> active, List<RuleUse> expired,
                                List<SuppressionRule> unused, List<InvalidSuppression> invalid,
                                List<String> warnings) {

    /** A report without warnings. */
    public SuppressionReport(String source, int entries, List<RuleUse> active, List<RuleUse> expired,
                             List<SuppressionRule> unused, List<InvalidSuppression> invalid) {
        this(source, entries, active, expired, unused, invalid, List.of());
    }

    public SuppressionReport {
        active = List.copyOf(active);
        expired = List.copyOf(expired);
        unused = List.copyOf(unused);
        invalid = List.copyOf(invalid);
        warnings = List.copyOf(warnings);
    }

    /** The report when no suppressions file was given. */
    public static final SuppressionReport NONE = new SuppressionReport(null, 0, List.of(), List.of(), List.of(),
            List.of());

    /**
     * An entry with the number of findings it matched.
     *
     * @param rule    the entry
     * @param matched findings it matches (for an expired entry: would match); 0 or more
     */
    public record RuleUse(SuppressionRule rule, int matched) {
    }

    /**
     * @return the number of invalid entries: an entry with problems in several fields counts once (the problems of
     *         {@link #invalid()} are per field)
     */
    public int invalidEntries() {
        return (int) invalid.stream().mapToInt(InvalidSuppression::index).distinct().count();
    }

    /** @return true when entries are expired, unused or invalid: the file needs attention */
    public boolean needsAttention() {
        return !expired.isEmpty() || !unused.isEmpty() || !invalid.isEmpty() || !warnings.isEmpty();
    }
}
