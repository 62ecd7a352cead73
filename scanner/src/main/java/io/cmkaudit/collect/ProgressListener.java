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
     * The organization was read (or could not be read).
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
     * @param total     accounts to scan
     */
    default void accountFinished(String accountId, String name, List<Coverage> coverage, int done, int total) {
    }

    /**
     * The referenced KMS keys are being read (after every account's EC2 data is in).
     *
     * @param keys number of distinct key references
     */
    default void readingKeys(int keys) {
    }
}
