package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The diff phase: NEW, UNCHANGED, CHANGED, RESOLVED. */
class RunDiffTest {

    static Finding finding(String principal) {
        return ReportFixtures.f(FindingType.START_BLOCKED_KMS_DENIED).account("111122223333", "data", "Root")
                .instance("eu-west-1", "i-1", "web").key(ReportFixtures.DATA_KEY, "Enabled")
                .principal("arn:aws:iam::111122223333:role/" + principal, "role").decided("identity")
                .evidence("arn:aws:iam::111122223333:policy/p#0").build();
    }

    static PreviousRun previous(Finding... findings) {
        return new PreviousRun("prev/findings.json", ReportFixtures.STARTED, "o-1", List.of(findings));
    }

    static Finding copy(Finding f, Severity severity, List<String> layers, List<String> evidence, String keyState,
                        String explanation) {
        return new Finding(f.findingId(), f.type(), severity, f.status(), f.change(), f.accountId(), f.accountName(),
                f.ouPath(), f.region(), f.instanceId(), f.instanceName(), f.volumeIds(), f.keyArn(), f.keyAccountId(),
                keyState, f.principalArn(), f.principalType(), layers, evidence, explanation, f.remediation(),
                f.remediationPolicy(), f.suppression());
    }

    @Test
    void givesEachOfTheFourChangeValues() {
        Finding same = finding("same");
        Finding changed = finding("changed");
        Finding gone = finding("gone");
        Finding fresh = finding("fresh");
        RunDiff.Result r = RunDiff.apply(List.of(same, copy(changed, Severity.CRITICAL, changed.decidingLayers(),
                changed.evidence(), "Enabled", "x"), fresh), previous(same, changed, gone));
        assertThat(r.findings()).extracting(Finding::change)
                .containsExactly(Finding.Change.UNCHANGED, Finding.Change.CHANGED, Finding.Change.NEW);
        assertThat(r.resolved()).extracting(Finding::findingId).containsExactly(gone.findingId());
        assertThat(r.resolved()).extracting(Finding::change).containsExactly(Finding.Change.RESOLVED);
    }

    @Test
    void decidingLayerEvidenceOrKeyStateDifferenceIsChanged() {
        Finding f = finding("a");
        assertThat(RunDiff.changed(f, copy(f, f.severity(), List.of("scp"), f.evidence(), "Enabled", "x"))).isTrue();
        assertThat(RunDiff.changed(f, copy(f, f.severity(), f.decidingLayers(), List.of("other#1"), "Enabled", "x")))
                .isTrue();
        assertThat(RunDiff.changed(f, copy(f, f.severity(), f.decidingLayers(), f.evidence(), "Disabled", "x")))
                .isTrue();
    }

    @Test
    void rewordedTextOrNewSuppressionIsUnchanged() {
        Finding f = finding("a");
        Finding now = copy(f, f.severity(), f.decidingLayers(), f.evidence(), f.keyState(), "another wording")
                .withSuppression(new Finding.Suppression("r", "o", java.time.LocalDate.of(2027, 1, 1), null));
        assertThat(RunDiff.apply(List.of(now), previous(f)).findings().get(0).change())
                .isEqualTo(Finding.Change.UNCHANGED);
    }

    @Test
    void withoutPreviousRunNothingHasAChangeAndNothingIsResolved() {
        Finding f = finding("a");
        RunDiff.Result r = RunDiff.apply(List.of(f), null);
        assertThat(r.findings()).containsExactly(f);
        assertThat(r.findings().get(0).change()).isNull();
        assertThat(r.resolved()).isEmpty();
    }
}
