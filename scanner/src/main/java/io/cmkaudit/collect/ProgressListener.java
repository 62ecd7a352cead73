package io.cmkaudit.collect;

import io.cmkaudit.snapshot.Coverage;
import java.util.List;

/**
 * Receives progress of a collection run. Methods are called from worker threads, possibly concurrently; an
 * implementation must be thread-safe and fast. Every method has an empty default.
 */
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = new ProgressListener() {
    };

    /**
     * The organization was read (or could not be read). Accounts are scanned while the organization is walked, so
     * {@link #accountStarted} and {@link #accountFinished} may come before this.
     *
     * @param organizationId    the organization id, or null when unreadable
     * @param accountsToScan    number of accounts that will be scanned
     * @param problem           why the organization could not be read (one line), or null
     */
    default void organizationRead(String organizationId, int accountsToScan, String problem) {
    }

    /**
     * An account scan begins.
     *
     * @param accountId 12-digit id
     * @param name      account name, or null
     */
    default void accountStarted(String accountId, String name) {
    }

    /**
     * An account scan ended (successfully or not).
     *
     * @param accountId 12-digit id
     * @param name      account name, or null
     * @param coverage  its coverage entries
     * @param done      accounts finished so far, including this one
     * @param total     accounts to scan known so far (grows while the organization is still being listed)
     */
    default void accountFinished(String accountId, String name, List<Coverage> coverage, int done, int total) {
    }

    /**
     * KMS keys referenced in accounts the organization walk had not listed yet when they were found are being read
     * (after every account is scanned; every other key is read right after the account that references it).
     *
     * @param keys number of such key references
     */
    default void readingKeys(int keys) {
    }
}
