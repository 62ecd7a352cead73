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

    /** A previous run of schemaVersion 2 (its findings did not list every instance, key and principal). */
    static PreviousRun previousV2(ReportedFinding... findings) {
        return new PreviousRun("prev/findings.json", ReportFixtures.STARTED, "o-1", List.of(findings), "aws",
                FindingsJson.SCHEMA_VERSION_PER_KEY, null);
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

    @Test
    void findingsOfAnEarlierModelMapOntoTheFixThatListsThem() {
        // schemaVersion 2: carol's full access, one finding per key; now one finding (one statement to replace)
        // listing both keys: the first run after the upgrade says UNCHANGED, nothing RESOLVED
        String carol = "arn:aws:iam::111122223333:user/carol";
        String other = "arn:aws:kms:eu-west-1:111122223333:key/k-2";
        ReportedFinding k1 = ReportedFinding.open(ReportFixtures.f(FindingType.KMS_FULL_ACCESS)
                .account("111122223333", "data", "Root").region("eu-west-1").key(ReportFixtures.DATA_KEY, "Enabled")
                .principal(carol, "user").decided("identity").evidence("AdministratorAccess#0").build());
        ReportedFinding k2 = ReportedFinding.open(ReportFixtures.f(FindingType.KMS_FULL_ACCESS)
                .account("111122223333", "data", "Root").region("eu-west-1").key(other, "Enabled")
                .principal(carol, "user").decided("identity").evidence("AdministratorAccess#0").build());
        Finding a = k1.finding();
        ReportedFinding now = ReportedFinding.open(new Finding("0123456789abcdef", a.type(), a.severity(),
                a.account(), a.region(), List.of(Finding.Resource.key(a.key()), Finding.Resource.key(
                new Finding.Key(other, "111122223333", "Enabled"))), a.key(), a.principal(), a.details()));

        RunDiff.Result r = RunDiff.apply(List.of(now), previousV2(k1, k2));

        assertThat(r.findings()).extracting(ReportedFinding::change).containsExactly(ReportedFinding.Change.UNCHANGED);
        assertThat(r.resolved()).isEmpty();
    }

    @Test
    void perInstanceUnusableKeyOfAnotherAccountMapsOntoTheKeysFinding() {
        // schemaVersion 1: one START_BLOCKED_KEY_UNUSABLE per instance, in the instance's account; now one per key,
        // in the key's account
        String key = "arn:aws:kms:eu-west-1:222233334444:key/k-shared";
        List<ReportedFinding> v1 = List.of("i-1", "i-2").stream().map(i -> ReportedFinding.open(
                ReportFixtures.f(FindingType.START_BLOCKED_KEY_UNUSABLE).account("111122223333", "data", "Root")
                        .instance("eu-west-1", i, "web").key(key, "Disabled").decided("keyState")
                        .evidence(key + ": KeyState Disabled").build())).toList();
        PreviousRun grouped = new PreviousRun("prev/findings.json", ReportFixtures.STARTED, "o-1",
                PreviousRun.grouped(v1));
        Finding first = v1.get(0).finding();
        String id = Finding.groupId(FindingType.START_BLOCKED_KEY_UNUSABLE, "222233334444", null, key,
                List.of("keyState"));
        ReportedFinding now = ReportedFinding.open(new Finding(id, first.type(), first.severity(),
                new Finding.Account("222233334444", "shared", "Root"), "eu-west-1",
                List.of(Finding.Resource.instance("i-1", "web", "eu-west-1", List.of()),
                        Finding.Resource.instance("i-2", "web", "eu-west-1", List.of())),
                first.key(), null, first.details()));

        assertThat(grouped.findings()).extracting(ReportedFinding::findingId, ReportedFinding::accountId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(id, "222233334444"));
        RunDiff.Result r = RunDiff.apply(List.of(now), grouped);
        assertThat(r.findings()).extracting(ReportedFinding::change).containsExactly(ReportedFinding.Change.UNCHANGED);
        assertThat(r.resolved()).isEmpty();
    }

    @Test
    void findingsOfAPermissionSetMapAcrossAccountsBothWays() {
        // IAM Identity Center: the PowerUser role of account 1111 is blocked by a key policy. schemaVersion 2 merged it
        // into the permission set's finding (account 9999, where Identity Center is administered); now one
        // key-policy statement names it with alice: one finding of account 1111 listing both. And a role's finding of
        // one account may now be the permission set's finding across accounts. Both diff as UNCHANGED.
        String ps = "arn:aws:sso:::permissionSet/ssoins-1/ps-1";
        String role = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PowerUser_1";
        String role2 = "arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PowerUser_2";
        String alice = "arn:aws:iam::111122223333:user/alice";
        Finding.PermissionSetRef ref = new Finding.PermissionSetRef(ps, "PowerUser", "arn:aws:sso:::instance/ssoins-1",
                List.of(new Finding.Account("111122223333", "data", "Root")), List.of(role),
                List.of(ReportFixtures.DATA_KEY), List.of());
        Finding byPermissionSet = ReportFixtures.f(FindingType.START_BLOCKED_KMS_DENIED)
                .account("999988887777", "master", "Root").instance("eu-west-1", "i-1", "web")
                .key(ReportFixtures.DATA_KEY, "Enabled").principal(ps, Finding.PERMISSION_SET_PRINCIPAL)
                .decided("resource").evidence("key policy#0").build().withPermissionSet(ref);
        Finding keyPolicy = ReportFixtures.f(FindingType.START_BLOCKED_KMS_DENIED)
                .account("111122223333", "data", "Root").instance("eu-west-1", "i-1", "web")
                .key(ReportFixtures.DATA_KEY, "Enabled").principal(role, "role").decided("resource")
                .evidence("key policy#0").build();
        keyPolicy = new Finding("0123456789abcdef", keyPolicy.type(), keyPolicy.severity(), keyPolicy.account(),
                keyPolicy.region(), List.of(keyPolicy.resources().get(0), Finding.Resource.principal(
                new Finding.Principal(role, "role")), Finding.Resource.principal(new Finding.Principal(alice, "user"))),
                keyPolicy.key(), keyPolicy.principal(), keyPolicy.details());

        RunDiff.Result r = RunDiff.apply(List.of(ReportedFinding.open(keyPolicy)),
                previousV2(ReportedFinding.open(byPermissionSet)));
        assertThat(r.findings()).extracting(ReportedFinding::change).containsExactly(ReportedFinding.Change.UNCHANGED);
        assertThat(r.resolved()).isEmpty();
        // against a schemaVersion 3 file the same mapping is a fix that now also names alice: CHANGED
        assertThat(RunDiff.apply(List.of(ReportedFinding.open(keyPolicy)),
                previous(ReportedFinding.open(byPermissionSet))).findings())
                .extracting(ReportedFinding::change).containsExactly(ReportedFinding.Change.CHANGED);

        // the other way: a role's own finding before, the permission set's (both accounts' roles) now
        Finding roleOnly = ReportFixtures.f(FindingType.START_BLOCKED_KMS_DENIED)
                .account("111122223333", "data", "Root").instance("eu-west-1", "i-1", "web")
                .key(ReportFixtures.DATA_KEY, "Enabled").principal(role, "role").decided("identity")
                .evidence("key policy#0").build().withPermissionSet(ref);
        Finding.PermissionSetRef both = new Finding.PermissionSetRef(ps, "PowerUser", ref.instanceArn(),
                List.of(new Finding.Account("111122223333", "data", "Root"),
                        new Finding.Account("444455556666", "web", "Root")), List.of(role, role2),
                List.of(ReportFixtures.DATA_KEY), List.of());
        Finding nowPs = ReportFixtures.f(FindingType.START_BLOCKED_KMS_DENIED)
                .account("999988887777", "master", "Root").instance("eu-west-1", "i-1", "web")
                .key(ReportFixtures.DATA_KEY, "Enabled").principal(ps, Finding.PERMISSION_SET_PRINCIPAL)
                .decided("identity").evidence("key policy#0").build().withPermissionSet(both);
        RunDiff.Result r2 = RunDiff.apply(List.of(ReportedFinding.open(nowPs)), previousV2(ReportedFinding.open(roleOnly)));
        assertThat(r2.findings()).extracting(ReportedFinding::change).containsExactly(ReportedFinding.Change.UNCHANGED);
        assertThat(r2.resolved()).isEmpty();
    }

    /** The finding of the newcomer review (item 3): dave's fix grew by one instance and one key. */
    @Test
    void moreInstancesKeysPrincipalsOrAnotherSnippetIsChanged() {
        ReportedFinding f = finding("dave");
        Finding a = f.finding();
        String key2 = "arn:aws:kms:eu-west-1:111122223333:key/k-2";
        String snippet = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
                + "\"Action\": \"kms:CreateGrant\", \"Resource\": [\"" + a.keyArn() + "\"]}]}";
        ReportedFinding before = withResources(f, a.resources(), snippet);
        // same content, another layout of the same snippet: UNCHANGED
        assertThat(RunDiff.changed(before, withResources(f, a.resources(), snippet.replace(" ", "")))).isFalse();
        // one more instance
        List<Finding.Resource> moreInstances = new java.util.ArrayList<>(a.resources());
        moreInstances.add(Finding.Resource.instance("i-2", "batch", "eu-west-1", List.of()));
        assertThat(RunDiff.changed(before, withResources(f, moreInstances, snippet))).isTrue();
        // one more key (and the snippet lists it)
        List<Finding.Resource> moreKeys = new java.util.ArrayList<>(a.instances());
        moreKeys.add(Finding.Resource.key(a.key()));
        moreKeys.add(Finding.Resource.key(new Finding.Key(key2, "111122223333", "Enabled")));
        assertThat(RunDiff.changed(before, withResources(f, moreKeys, snippet))).isTrue();
        // one more principal
        List<Finding.Resource> morePrincipals = new java.util.ArrayList<>(a.resources());
        morePrincipals.add(Finding.Resource.principal(a.principal()));
        morePrincipals.add(Finding.Resource.principal(new Finding.Principal("arn:aws:iam::111122223333:user/x",
                "user")));
        assertThat(RunDiff.changed(before, withResources(f, morePrincipals, snippet))).isTrue();
        // another snippet only
        assertThat(RunDiff.changed(before, withResources(f, a.resources(), snippet.replace("]}]}",
                ", \"" + key2 + "\"]}]}")))).isTrue();
        // through apply: CHANGED against a schemaVersion 3 file, not against a schemaVersion 2 one
        ReportedFinding now = withResources(f, moreInstances, snippet);
        assertThat(RunDiff.apply(List.of(now), previous(before)).findings().get(0).change())
                .isEqualTo(ReportedFinding.Change.CHANGED);
        assertThat(RunDiff.apply(List.of(now), previousV2(before)).findings().get(0).change())
                .isEqualTo(ReportedFinding.Change.UNCHANGED);
    }

    private static ReportedFinding withResources(ReportedFinding f, List<Finding.Resource> resources,
                                                 String snippet) {
        Finding a = f.finding();
        Finding.Details d = a.details();
        return f.withFinding(new Finding(a.findingId(), a.type(), a.severity(), a.account(), a.region(), resources,
                a.key(), a.principal(), new Finding.Details(d.decidingLayers(), d.evidence(), d.explanation(),
                d.remediation(), snippet)));
    }

    /** Newcomer review item 2: a finding --severity left out of the previous run is not NEW when it shows again. */
    @Test
    void aFindingBelowThePreviousSeverityIsUnchangedNotNew() {
        ReportedFinding medium = copy(finding("m"), Severity.MEDIUM, finding("m").decidingLayers(),
                finding("m").evidence(), "Enabled", "x");
        PreviousRun withBelow = new PreviousRun("prev/findings.json", ReportFixtures.STARTED, "o-1",
                List.of(medium), "aws", FindingsJson.SCHEMA_VERSION, Severity.HIGH);
        assertThat(RunDiff.apply(List.of(medium), withBelow).findings().get(0).change())
                .isEqualTo(ReportedFinding.Change.UNCHANGED);
        // without it in the previous file (a file before belowSeverity was written): NEW, as before
        PreviousRun without = new PreviousRun("prev/findings.json", ReportFixtures.STARTED, "o-1", List.of());
        assertThat(RunDiff.apply(List.of(medium), without).findings().get(0).change())
                .isEqualTo(ReportedFinding.Change.NEW);
    }
}
