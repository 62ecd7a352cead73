package io.cmkaudit.analysis;

import io.cmkaudit.analysis.RuleContext.AccountScope;
import io.cmkaudit.analysis.RuleContext.PrincipalSide;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyUse;
import java.util.List;
import java.util.Set;

/**
 * One finding family. A rule is created per analysis with the prepared {@link RuleContext} and answers for the
 * subjects it cares about; {@link Analyzer} calls each hook once per subject, accounts in parallel, each call
 * contained (an unexpected exception costs that subject's findings and becomes a coverage row, not the run).
 * Hooks of one account run on one thread; a rule's caches shared across accounts must be thread-safe.
 *
 * <p>A rule builds its findings with the factories of {@link Finding} and registers their structured
 * remediation with {@link RuleContext#keep}. Rules are listed in {@link Rules#ALL}.
 */
interface Rule {

    /** @return the finding types this rule may produce (every type is produced by at least one rule) */
    Set<FindingType> types();

    /**
     * Findings about one principal of an account (its starts, its rights).
     *
     * @param account the principal's account with its instances
     * @param ps      the principal's side of every evaluation
     * @return findings; never null
     */
    default List<Finding> principal(AccountScope account, PrincipalSide ps) {
        return List.of();
    }

    /**
     * Findings about one customer managed key of one in-scope instance, whoever starts it.
     *
     * @param instance the instance
     * @param use      the key and the instance's volumes on it
     * @return findings; never null
     */
    default List<Finding> instanceKey(InstanceRef instance, KeyUse use) {
        return List.of();
    }

    /**
     * Findings about one collected in-scope key (its policy, its grants).
     *
     * @param key a key referenced by an in-scope volume, with its collected data
     * @return findings; never null
     */
    default List<Finding> key(KeyRef key) {
        return List.of();
    }

    /**
     * Findings about an account's settings (per region).
     *
     * @param accountId the account
     * @return findings; never null
     */
    default List<Finding> account(String accountId) {
        return List.of();
    }

    /**
     * Findings about the organization as a whole (e.g. every policy document), called once.
     *
     * @return findings; never null
     */
    default List<Finding> organization() {
        return List.of();
    }

    /**
     * A last pass over every finding of the run, after the per-fix grouping: may annotate findings (e.g. with a
     * failure AWS recorded) and add its own. Called once, on one thread.
     *
     * @param findings every finding of the run so far
     * @return the findings to keep; the default returns them unchanged
     */
    default List<Finding> review(List<Finding> findings) {
        return findings;
    }
}
