package io.cmkaudit.cli;

import io.cmkaudit.report.RunOutput;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/**
 * {@code --security-hub} of {@code scan} and {@code merge-findings}: the run's findings imported into AWS Security Hub
 * of the scanner's own account (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html),
 * the ones RESOLVED against {@code --previous} archived (RecordState ARCHIVED). The mapping is docs/security-hub.md.
 */
final class SecurityHubExport {

    private SecurityHubExport() {
    }

    /**
     * {@code --security-hub}: imports the written findings (ACTIVE) and the resolved ones (ARCHIVED) with
     * {@link io.cmkaudit.collect.SecurityHubImporter}, one status line for the outcome.
     *
     * @param endpoint an endpoint override (moto), or null for AWS's
     * @param timeout  the timeout of one API call
     * @param profile  the shared-config profile, or null for the default credential chain
     * @param target   the account and region findings are filed under, or null when the caller is not known
     *                 (then nothing is imported and the run fails)
     * @param content  what the report wrote (the findings and the resolved ones), or null when nothing was written
     * @param run      the run folder, named in error lines
     * @param err      where the status lines go
     * @param quiet    no success line (-q)
     * @return 0 when every finding was imported, else {@link ExitCodes#INTERNAL} (the reports stay intact)
     */
    static int importFindings(java.net.URI endpoint, Duration timeout, String profile,
                              io.cmkaudit.report.Asff.Target target,
                              io.cmkaudit.report.OutputSelection.Content content, RunOutput run, PrintWriter err,
                              boolean quiet) {
        if (target == null || content == null) {
            StatusLine.error(err, "--security-hub: the scanner's account is not known; nothing imported (the "
                    + "reports are intact in " + run.runDir() + ")");
            return ExitCodes.INTERNAL;
        }
        List<io.cmkaudit.collect.SecurityHubImporter.Item> items = io.cmkaudit.report.Asff.all(content, target)
                .stream().map(f -> new io.cmkaudit.collect.SecurityHubImporter.Item(f,
                        io.cmkaudit.report.Asff.size(f))).toList();
        long archived = items.stream().filter(i -> "ARCHIVED".equals(i.finding().get("RecordState"))).count();
        io.cmkaudit.collect.SecurityHubImporter.Result r;
        try {
            r = new io.cmkaudit.collect.SecurityHubImporter(endpoint, timeout, profile,
                    target.region())
                    .importFindings(items);
        } catch (io.cmkaudit.collect.SecurityHubImporter.ImportException e) {
            StatusLine.error(err, "--security-hub: " + e.getMessage() + " (the reports are intact in "
                    + run.runDir() + ")");
            return ExitCodes.INTERNAL;
        }
        if (!r.failed().isEmpty()) {
            StatusLine.error(err, "--security-hub: " + r.failed().size() + " of " + items.size()
                    + " findings not imported into Security Hub (" + target.region() + ", account "
                    + target.accountId() + "); the reports are intact in " + run.runDir());
            r.failed().stream().limit(10).forEach(f -> StatusLine.error(err, "  " + f.id() + ": " + f.code() + ": "
                    + f.message()));
            if (r.failed().size() > 10) {
                StatusLine.error(err, "  and " + (r.failed().size() - 10) + " more");
            }
            return ExitCodes.INTERNAL;
        }
        if (!quiet) {
            StatusLine.info(err, "imported " + ScanCommand.plural(items.size() - archived, "finding") + " into Security Hub ("
                    + target.region() + ", account " + target.accountId() + ") and archived " + archived
                    + " resolved " + (archived == 1 ? "one" : "ones") + " in " + ScanCommand.plural(r.calls(),
                    "BatchImportFindings call"));
        }
        return 0;
    }

}
