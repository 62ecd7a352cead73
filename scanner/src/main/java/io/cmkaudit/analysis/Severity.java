package io.cmkaudit.analysis;

/** Severity of a finding, highest first (see {@code docs/design/findings.md}). */
public enum Severity {
    CRITICAL, HIGH, MEDIUM, LOW, INFO;

    /**
     * Whether this severity is at or above a threshold.
     *
     * @param threshold the {@code --fail-on} level; never null
     * @return true when this is as severe as {@code threshold} or more
     */
    public boolean atLeast(Severity threshold) {
        return ordinal() <= threshold.ordinal();
    }
}
