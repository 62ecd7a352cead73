package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** An organization that could not be read is a coverage gap of its own, so a scheduled scan cannot pass silently. */
class OrganizationCoverageTest {

    @Test
    void unreadableOrganizationIsAnErrorCoverageRow() {
        TestOrg org = new TestOrg().orgUnreadable();
        org.user(TestOrg.MGMT, "alice").attach(TestOrg.EC2_FULL_ARN);

        List<AnalysisResult.CoverageRow> rows = new Analyzer().analyze(org.build()).coverage();

        assertThat(rows.get(0)).isEqualTo(new AnalysisResult.CoverageRow(TestOrg.MGMT, null,
                Analyzer.ORGANIZATION_REGION, "ERROR", "AccessDeniedException",
                "denied; only the scanner's own account was scanned and SCPs / RCPs are unknown", 0, 0, 0, 0));
        assertThat(rows.subList(1, rows.size())).extracting(AnalysisResult.CoverageRow::region)
                .doesNotContain(Analyzer.ORGANIZATION_REGION);
    }

    @Test
    void readableOrganizationHasNoOrganizationRow() {
        TestOrg org = new TestOrg();
        org.user(TestOrg.A, "alice").attach(TestOrg.EC2_FULL_ARN);

        List<AnalysisResult.CoverageRow> rows = new Analyzer().analyze(org.build()).coverage();

        assertThat(rows).isNotEmpty().extracting(AnalysisResult.CoverageRow::region)
                .doesNotContain(Analyzer.ORGANIZATION_REGION);
    }

    @Test
    void activeAccountMissingFromTheSnapshotIsAnErrorCoverageRow() {
        TestOrg org = new TestOrg();
        org.user(TestOrg.A, "alice").attach(TestOrg.EC2_FULL_ARN);
        io.cmkaudit.snapshot.Snapshot full = org.build();
        io.cmkaudit.snapshot.Snapshot damaged = new io.cmkaudit.snapshot.Snapshot(full.run(), full.organization(),
                full.accounts().stream().filter(a -> !a.accountId().equals(TestOrg.B)).toList(),
                full.awsManagedPolicies());

        List<AnalysisResult.CoverageRow> rows = new Analyzer().analyze(damaged).coverage();

        assertThat(rows).filteredOn(r -> r.status().equals("ERROR")).containsExactly(new AnalysisResult.CoverageRow(
                TestOrg.B, "app-b", "global", "ERROR", "NotInSnapshot", "account " + TestOrg.B + " is ACTIVE in the "
                + "organization but not in the snapshot, so nothing of it was analyzed", 0, 0, 0, 0));
    }
}
