package io.cmkaudit.cli;

import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.OrgAccount;
import io.cmkaudit.snapshot.Organization;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@code --accounts} / {@code --exclude-accounts} left out that the user may not have meant (a typo in an
 * account id, or a selection that leaves nothing to scan). {@code scan}, {@code collect} and {@code plan} print these
 * as warning lines and set exit bit 2 (coverage incomplete): an id that is not in the organization was asked for and
 * not scanned.
 */
final class AccountSelection {

    private AccountSelection() {
    }

    /**
     * The gaps of the selection, each one line without the {@code warning: } prefix.
     *
     * @param config the effective configuration ({@code includeAccounts}, {@code excludeAccounts})
     * @param org    the organization as read; when it could not be read nothing is known about its accounts and
     *               the result is empty
     * @return e.g. {@code --accounts: 999999999999 is not in organization o-abc (not scanned)}; empty when the
     *         selection is what was asked for
     */
    static List<String> gaps(ScannerConfig config, Organization org) {
        List<String> out = new ArrayList<>();
        if (org == null || !org.readable()) {
            return out;
        }
        Set<String> members = org.accounts().stream().map(OrgAccount::id).collect(Collectors.toSet());
        List<String> outside = config.includeAccounts().stream().filter(id -> !members.contains(id)).distinct()
                .sorted().toList();
        if (!outside.isEmpty()) {
            out.add("--accounts: " + (outside.size() == 1 ? outside.get(0) + " is" : String.join(", ", outside)
                    + " are") + " not in organization " + org.id() + " (not scanned; check the id"
                    + (outside.size() == 1 ? "" : "s") + ")");
        }
        boolean any = org.accounts().stream()
                .anyMatch(a -> "ACTIVE".equals(a.status()) && config.accountSelected(a.id()));
        if (!any) {
            out.add("no account to scan: " + (config.includeAccounts().isEmpty() && config.excludeAccounts().isEmpty()
                    ? "organization " + org.id() + " has no ACTIVE account"
                    : "--accounts / --exclude-accounts leave no ACTIVE account of organization " + org.id()));
        }
        return out;
    }

    /**
     * Prints each gap as one warning line on {@code err}.
     *
     * @return {@link ExitCodes#COVERAGE_INCOMPLETE} when there is a gap, else 0
     */
    static int warn(List<String> gaps, PrintWriter err) {
        for (String g : gaps) {
            StatusLine.warn(err, "warning: " + g);
        }
        err.flush();
        return gaps.isEmpty() ? 0 : ExitCodes.COVERAGE_INCOMPLETE;
    }
}
