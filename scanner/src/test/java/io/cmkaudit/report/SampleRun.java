package io.cmkaudit.report;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample organization's report as a quarterly review sees it: compared with a previous run (one finding new,
 * one changed, one resolved) and with a suppressions file (one active entry, one expiring, one expired, one unused,
 * one invalid).
 */
final class SampleRun {

    static final String SUPPRESSIONS = """
            suppressions:
              - type: KMS_DECRYPT_ALL_KEYS
                principal_arn: "arn:aws:iam::333344445555:role/backup-*"
                reason: AWS Backup restores into any vault key of the account; reviewed by security
                owner: platform-team@example.com
                expires: 2027-03-31
                ticket: SEC-1423
              - finding_id: %s
                reason: Legacy grant, retirement planned with the batch migration
                owner: batch-owners@example.com
                expires: 2026-12-15
                ticket: SEC-1502
              - type: KMS_FULL_ACCESS
                account_id: "555566667777"
                reason: Break-glass role
                owner: secops@example.com
                expires: 2027-06-30
              - type: START_BLOCKED_KMS_DENIED
                account_id: "012345678901"
                reason: Accepted until the key migration
                owner: payments-sre@example.com
                expires: 2026-10-31
              - type: KMS_FULL_ACESS
                reason: typo in the type
                owner: someone@example.com
                expires: next quarter
            """;

    private SampleRun() {
    }

    /** @return the findings of the previous quarter: one less (new now), one with another severity, one extra */
    static List<Finding> previousFindings() {
        List<Finding> prev = new ArrayList<>();
        for (Finding f : ReportFixtures.sampleFindings()) {
            if (f.type() == FindingType.START_ACCESS_CONDITIONAL) {
                continue;
            }
            if (f.type() == FindingType.KMS_CREATEGRANT_UNCONSTRAINED) {
                f = new Finding(f.findingId(), f.type(), Severity.MEDIUM, f.account(), f.region(), f.resources(),
                        new Finding.Key(f.keyArn(), f.keyAccountId(), "Enabled"), f.principal(), f.details());
            }
            prev.add(f);
        }
        prev.add(ReportFixtures.f(FindingType.START_BLOCKED_KMS_DENIED)
                .account(ReportFixtures.LOGS, "log-archive", "Root/Security")
                .instance("eu-west-1", "i-09a8b7c6d5e4f3a21", "log-forwarder", "vol-0ff66aa77bb88cc99")
                .key("arn:aws:kms:eu-west-1:555566667777:key/1a2b3c4d-0000-4000-8000-00000000abcd", "Enabled")
                .principal("arn:aws:iam::555566667777:role/log-ops", "role").decided("identity")
                .evidence("no identity policy allows kms:CreateGrant")
                .text("log-ops could not start log-forwarder.", "Allow kms:CreateGrant.", null).build());
        return prev;
    }

    /**
     * Writes the previous run and then the current run into {@code out}.
     *
     * @return the current run
     */
    static RunOutput write(Path out) throws IOException {
        AnalysisResult sample = ReportFixtures.result(previousFindings(), ReportFixtures.sampleCoverage());
        AnalysisResult prevResult = new AnalysisResult(new AnalysisResult.RunInfo("0.1.0",
                Instant.parse("2026-08-30T19:01:52Z"), Instant.parse("2026-08-30T19:03:31Z"), "o-7h3x9k2m4q",
                "999988887777", sample.run().regions(), sample.run().apiCalls()), sample.findings(),
                sample.coverage(), sample.summary());
        Clock quarterAgo = Clock.fixed(Instant.parse("2026-08-30T19:03:40Z"), ZoneOffset.UTC);
        RunOutput previous = new ReportWriter().write(prevResult,
                new ReportOptions(out.resolve("previous"), null, null, null, quarterAgo));
        String legacyGrant = ReportFixtures.sampleFindings().stream()
                .filter(f -> f.type() == FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL).findFirst().orElseThrow()
                .findingId();
        Suppressions suppressions = Suppressions.parse(SUPPRESSIONS.formatted(legacyGrant),
                "config/suppressions.yaml");
        PreviousRun read = PreviousRun.read(previous.findingsJson());
        // the page shows the path as given on the command line; show the usual relative one, not the temp folder
        PreviousRun asGiven = new PreviousRun("reports/" + previous.runDir().getFileName() + "/findings.json",
                read.startedAt(), read.organizationId(), read.findings());
        return new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out.resolve("runs"), suppressions,
                asGiven, null, ReportFixtures.CLOCK));
    }
}
