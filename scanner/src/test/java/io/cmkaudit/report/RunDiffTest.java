package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The diff phase: NEW, UNCHANGED, CHANGED, RESOLVED. */
class RunDiffTest {

    static ReportedFinding finding(String principal) {
        return ReportedFinding.open(ReportFixtures.f(FindingType.START_BLOCKED_KMS_DENIED).account("111122223333", "data", "Root")
                .instance("eu-west-1", "i-1", "web").key(ReportFixtures.DATA_KEY, "Enabled")
                .principal("arn:aws:iam::111122223333:role/" + principal, "role").decided("identity")
                .evidence("arn:aws:iam::111122223333:policy/p#0").build());
    }

    static PreviousRun previous(ReportedFinding... findings) {
        return new PreviousRun("prev/findings.json", ReportFixtures.STARTED, "o-1", List.of(findings));
    }

    static ReportedFinding copy(ReportedFinding f, Severity severity, List<String> layers, List<String> evidence, String keyState,
                        String explanation) {
        Finding a = f.finding();
        return f.withFinding(new Finding(a.findingId(), a.type(), severity, a.account(), a.region(), a.resources(),
                new Finding.Key(a.keyArn(), a.keyAccountId(), keyState), a.principal(),
                new Finding.Details(layers, evidence, explanation, a.remediation(), a.remediationPolicy())));
    }

    @Test
    void givesEachOfTheFourChangeValues() {
        ReportedFinding same = finding("same");
        ReportedFinding changed = finding("changed");
        ReportedFinding gone = finding("gone");
        ReportedFinding fresh = finding("fresh");
        RunDiff.Result r = RunDiff.apply(List.of(same, copy(changed, Severity.CRITICAL, changed.decidingLayers(),
                changed.evidence(), "Enabled", "x"), fresh), previous(same, changed, gone));
        assertThat(r.findings()).extracting(ReportedFinding::change)
                .containsExactly(ReportedFinding.Change.UNCHANGED, ReportedFinding.Change.CHANGED, ReportedFinding.Change.NEW);
        assertThat(r.resolved()).extracting(ReportedFinding::findingId).containsExactly(gone.findingId());
        assertThat(r.resolved()).extracting(ReportedFinding::change).containsExactly(ReportedFinding.Change.RESOLVED);
    }

    @Test
    void decidingLayerEvidenceOrKeyStateDifferenceIsChanged() {
        ReportedFinding f = finding("a");
        assertThat(RunDiff.changed(f, copy(f, f.severity(), List.of("scp"), f.evidence(), "Enabled", "x"))).isTrue();
        assertThat(RunDiff.changed(f, copy(f, f.severity(), f.decidingLayers(), List.of("other#1"), "Enabled", "x")))
                .isTrue();
        assertThat(RunDiff.changed(f, copy(f, f.severity(), f.decidingLayers(), f.evidence(), "Disabled", "x")))
                .isTrue();
    }

    @Test
    void rewordedTextOrNewSuppressionIsUnchanged() {
        ReportedFinding f = finding("a");
        ReportedFinding now = copy(f, f.severity(), f.decidingLayers(), f.evidence(), f.keyState(), "another wording")
                .withSuppression(new ReportedFinding.Suppression("r", "o", java.time.LocalDate.of(2027, 1, 1), null));
        assertThat(RunDiff.apply(List.of(now), previous(f)).findings().get(0).change())
                .isEqualTo(ReportedFinding.Change.UNCHANGED);
    }

    @Test
    void withoutPreviousRunNothingHasAChangeAndNothingIsResolved() {
        ReportedFinding f = finding("a");
        RunDiff.Result r = RunDiff.apply(List.of(f), null);
        assertThat(r.findings()).containsExactly(f);
        assertThat(r.findings().get(0).change()).isNull();
        assertThat(r.resolved()).isEmpty();
    }
}
