package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The join of the findings of a sharded report's parts ({@link FindingJoin}): union, severity, counts, texts. */
class FindingJoinTest {

    static final Finding.Account APPS = new Finding.Account("111111111111", "apps", "Root/Prod");
    static final Finding.Account DEV = new Finding.Account("222222222222", "dev", "Root/Dev");
    static final Finding.Account SEC = new Finding.Account("333333333333", "security", "Root/Security");
    static final Finding.Key KEY = new Finding.Key("arn:aws:kms:eu-west-1:333333333333:key/k1", "333333333333",
            "Disabled");

    static Finding.Resource instance(String id, String... volumes) {
        return Finding.Resource.instance(id, id + "-name", "eu-west-1", List.of(volumes));
    }

    static Finding unusable(Severity s, String explanation, Finding.Resource... resources) {
        return new Finding("00000000000000aa", FindingType.START_BLOCKED_KEY_UNUSABLE, s, SEC, "eu-west-1",
                List.of(resources), KEY, null, new Finding.Details(List.of("keyState"), List.of(KEY.arn()
                + ": KeyState Disabled"), explanation, "Enable the key.", null));
    }

    static FindingJoin.Result join(List<Finding>... parts) {
        List<List<Finding>> p = List.of(parts);
        return FindingJoin.join(p, p.stream().map(x -> Map.<String, Map<FindingType, List<String>>>of()).toList());
    }

    @Test
    void equalFindingsOfSeveralPartsAreOne() {
        Finding f = unusable(Severity.HIGH, "Key is Disabled.", instance("i-1", "vol-1"));
        FindingJoin.Result r = join(List.of(f), List.of(f), List.of(f));
        assertThat(r.findings()).containsExactly(f);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void findingsOfOneIdAreTheUnionOfTheirInstancesWithTheMostSevereSeverity() {
        Finding a = unusable(Severity.HIGH, "Key is Disabled.", instance("i-2", "vol-2"), instance("i-1", "vol-1"));
        Finding b = unusable(Severity.CRITICAL, "Key is Disabled.", instance("i-3", "vol-3"), instance("i-1", "vol-9"));
        Finding c = unusable(Severity.HIGH, "Key is Disabled.", instance("i-2", "vol-2"));
        FindingJoin.Result r = join(List.of(a), List.of(b), List.of(c));
        assertThat(r.findings()).hasSize(1);
        Finding j = r.findings().get(0);
        assertThat(j.severity()).isEqualTo(Severity.CRITICAL);
        // union, not sum: i-1 and i-2 are in two parts each, counted once
        assertThat(j.instances()).extracting(Finding.Resource::id).containsExactly("i-1", "i-2", "i-3");
        assertThat(j.instances().get(0).volumeIds()).containsExactly("vol-1", "vol-9");
        assertThat(j.volumeIds()).containsExactly("vol-1", "vol-9", "vol-2", "vol-3");
        assertThat(j.explanation()).isEqualTo("Key is Disabled.");
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void aKeyStateFindingSaysLaunchesFailWhenTheUnionHasInstancesAndLaunchSources() {
        Finding instances = unusable(Severity.HIGH, "Key is Disabled: every start fails.", instance("i-1", "vol-1"));
        Finding launch = unusable(Severity.HIGH, "Key is Disabled: every launch fails.",
                Finding.Resource.launchSource(Finding.ResourceKind.AUTO_SCALING_GROUP, "web", null, "eu-west-1"));
        Finding j = join(List.of(launch), List.of(instances)).findings().get(0);
        assertThat(j.explanation()).isEqualTo("Key is Disabled: every start fails." + FindingJoin.LAUNCH_SUFFIX);
        assertThat(j.instances()).hasSize(1);
        assertThat(j.launchSources()).hasSize(1);
        // already joined once (the suffix written by a part): not added twice
        Finding both = unusable(Severity.HIGH, "Key is Disabled: every start fails." + FindingJoin.LAUNCH_SUFFIX,
                instance("i-1", "vol-1"), Finding.Resource.launchSource(Finding.ResourceKind.AUTO_SCALING_GROUP, "web",
                        null, "eu-west-1"));
        Finding k = join(List.of(both), List.of(unusable(Severity.HIGH, "Key is Disabled: every start fails.",
                instance("i-2", "vol-2")))).findings().get(0);
        assertThat(k.explanation()).isEqualTo("Key is Disabled: every start fails." + FindingJoin.LAUNCH_SUFFIX);
    }

    @Test
    void principalsAndKeysAreListedOnceEachAndTheFirstBecomesTheFindingsOwn() {
        Finding.Principal p1 = new Finding.Principal("arn:aws:iam::111111111111:role/b", "role");
        Finding.Principal p2 = new Finding.Principal("arn:aws:iam::222222222222:role/a", "role");
        Finding a = new Finding("00000000000000bb", FindingType.KMS_FULL_ACCESS, Severity.MEDIUM, APPS, null,
                List.of(), KEY, p1, new Finding.Details(List.of("identity"), List.of("e1"), "x", "fix", "{}"));
        Finding b = new Finding("00000000000000bb", FindingType.KMS_FULL_ACCESS, Severity.MEDIUM, APPS, null,
                List.of(), KEY, p2, new Finding.Details(List.of("identity"), List.of("e2", "e1"), "x", "fix", "{}"));
        Finding j = join(List.of(a), List.of(b)).findings().get(0);
        assertThat(j.principals()).extracting(Finding.Principal::arn).containsExactly(p1.arn(), p2.arn());
        assertThat(j.principalArn()).isEqualTo(p1.arn());
        assertThat(j.keys()).containsExactly(KEY);
        assertThat(j.evidence()).containsExactly("e1", "e2");
    }

    @Test
    void partsThatDisagreeOnTheFixWarnAndKeepTheFirstPartsRemediation() {
        Finding.Principal p1 = new Finding.Principal("arn:aws:iam::111111111111:role/b", "role");
        Finding.Principal p2 = new Finding.Principal("arn:aws:iam::222222222222:role/a", "role");
        Finding a = new Finding("00000000000000cc", FindingType.KMS_FULL_ACCESS, Severity.MEDIUM, APPS, null,
                List.of(), KEY, p1, new Finding.Details(List.of("identity"), List.of(), "x", "fix A", "{}"));
        Finding b = new Finding("00000000000000cc", FindingType.KMS_FULL_ACCESS, Severity.MEDIUM, APPS, null,
                List.of(), KEY, p2, new Finding.Details(List.of("identity"), List.of(), "x", "fix B", "{}"));
        FindingJoin.Result r = join(List.of(a), List.of(b));
        assertThat(r.findings().get(0).remediation()).isEqualTo("fix A");
        assertThat(r.warnings()).singleElement().asString().contains("00000000000000cc", "different remediations");
    }

    @Test
    void aPublicKeyPolicyCountsThePrincipalsOfEveryPart() {
        String base = "The key policy of " + KEY.arn() + " lets principals outside the organization call kms:*.";
        Map<FindingType, List<String>> own = Map.of(FindingType.KMS_FULL_ACCESS,
                List.of("arn:aws:iam::333333333333:role/a"));
        Finding written = new Finding("00000000000000dd", FindingType.KEY_POLICY_PUBLIC, Severity.CRITICAL, SEC,
                "eu-west-1", List.of(), KEY, null, new Finding.Details(List.of("resource"), List.of(), base
                + PublicKeyPolicyRule.exposureText(own), "fix", null));
        Map<FindingType, List<String>> other = Map.of(FindingType.KMS_FULL_ACCESS,
                List.of("arn:aws:iam::333333333333:role/b", "arn:aws:iam::333333333333:role/a"),
                FindingType.KMS_CREATEGRANT_UNCONSTRAINED, List.of("arn:aws:iam::333333333333:role/c"));
        FindingJoin.Result r = FindingJoin.join(List.of(List.of(written), List.of()),
                List.of(Map.of(KEY.arn(), own), Map.of(KEY.arn(), other)));
        assertThat(r.findings().get(0).explanation()).isEqualTo(base + " Through it alone, 2 principals of the "
                + "scanned accounts have every KMS action, and 1 principal of the scanned accounts has kms:CreateGrant "
                + "without kms:GrantIsForAWSResource on the key: they are counted here rather than reported one "
                + "finding each, as the statement is the one thing to change.");
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void theJoinedFindingsAreInTheAnalysissOrder() {
        Finding low = new Finding("00000000000000ee", FindingType.KMS_FULL_ACCESS, Severity.LOW, DEV, null, List.of(),
                KEY, null, new Finding.Details(List.of(), List.of(), "x", "y", null));
        Finding high = unusable(Severity.HIGH, "Key is Disabled.", instance("i-1", "vol-1"));
        assertThat(join(List.of(low), List.of(high)).findings()).containsExactly(high, low);
    }

    @Test
    void oneExposureMapPerPart() {
        assertThatThrownBy(() -> FindingJoin.join(List.of(List.of()), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one exposure map per part");
    }
}
