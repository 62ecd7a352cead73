package io.cmkaudit.analysis;

import java.util.List;

/**
 * A finding's remediation: the text and snippet the finding carries, and the structured changes behind them.
 *
 * @param text    short remediation text; never null
 * @param snippet pretty-printed IAM JSON of the first change, or null when the fix is not a policy change
 * @param changes the changes that together fix the finding (empty when the fix is not a policy change)
 */
record Remediation(String text, String snippet, List<Change> changes) {
    Remediation {
        changes = List.copyOf(changes);
    }

    static Remediation textOnly(String text) {
        return new Remediation(text, null, List.of());
    }
}
