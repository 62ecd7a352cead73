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

    static final String PS = "arn:aws:sso:::instance/ssoins-1/ps-1";

    static Finding member(String account, String fix) {
        Finding.Principal role = new Finding.Principal("arn:aws:iam::" + account
                + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_1", "role");
        return new Finding(Finding.hash("m" + account), FindingType.START_BLOCKED_KMS_DENIED, Severity.HIGH,
                new Finding.Account(account, null, null), "eu-west-1", List.of(instance("i-" + account, "vol-" + account)),
                KEY, role, new Finding.Details(List.of("identity"), List.of(), "blocked in " + account, fix, "{}"));
    }

    static Finding.PermissionSetRef ref(String... accounts) {
        return new Finding.PermissionSetRef(PS, "Dev", "arn:aws:sso:::instance/ssoins-1",
                java.util.Arrays.stream(accounts).map(a -> new Finding.Account(a, null, null)).toList(),
                java.util.Arrays.stream(accounts).map(a -> "arn:aws:iam::" + a
                        + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_1").toList(), List.of(KEY.arn()),
                java.util.Arrays.stream(accounts).map(a -> new Finding.Assignment(a, "GROUP", "g-1", "Developers"))
                        .toList());
    }

    @Test
    void membersOfAPermissionSetAreOneFindingOnlyWhenTheMembersOfEveryPartShareOneFix() {
        String group = Finding.permissionSetGroupId(FindingType.START_BLOCKED_KMS_DENIED, PS, List.of("identity"));
        Finding m1 = member("444444444444", "fix 1");
        Finding m2 = member("555555555555", "fix 2");
        Finding m3 = member("666666666666", "fix 2");
        // part A: its two members need different fixes, so it lists them one by one; part B merged its one member
        FindingJoin.PartFindings a = new FindingJoin.PartFindings(List.of(m1.withPermissionSet(ref("444444444444")),
                m2.withPermissionSet(ref("555555555555"))), Map.of(), Map.of(), Map.of(), java.util.Set.of());
        Finding grouped = new Finding(group, FindingType.START_BLOCKED_KMS_DENIED, Severity.HIGH, SEC, "eu-west-1",
                m3.resources(), KEY, new Finding.Principal(PS, Finding.PERMISSION_SET_PRINCIPAL), m3.details(),
                ref("666666666666"));
        FindingJoin.PartFindings b = new FindingJoin.PartFindings(List.of(grouped), Map.of(), Map.of(),
                Map.of(group, List.of(m3)), java.util.Set.of());
        FindingJoin.Result r = FindingJoin.joinParts(List.of(a, b));
        assertThat(r.findings()).extracting(Finding::findingId)
                .containsExactlyInAnyOrder(m1.findingId(), m2.findingId(), m3.findingId());
        Finding j3 = r.findings().stream().filter(f -> f.findingId().equals(m3.findingId())).findFirst().orElseThrow();
        assertThat(j3.permissionSet().accountIds()).containsExactly("666666666666");
        assertThat(j3.permissionSet().assignments()).extracting(Finding.Assignment::accountId)
                .containsExactly("666666666666");
        assertThat(j3.principalArn()).startsWith("arn:aws:iam::666666666666:role/");

        // the same members, all with one fix: one finding of the permission set listing the three accounts
        Finding n1 = member("444444444444", "fix 2");
        Finding n2 = member("555555555555", "fix 2");
        Finding g1 = new Finding(group, FindingType.START_BLOCKED_KMS_DENIED, Severity.HIGH, SEC, "eu-west-1",
                List.of(), KEY, new Finding.Principal(PS, Finding.PERMISSION_SET_PRINCIPAL), n1.details(),
                ref("444444444444", "555555555555"));
        FindingJoin.Result one = FindingJoin.joinParts(List.of(
                new FindingJoin.PartFindings(List.of(g1), Map.of(), Map.of(), Map.of(group, List.of(n1, n2)),
                        java.util.Set.of()), b));
        assertThat(one.findings()).singleElement().satisfies(f -> {
            assertThat(f.findingId()).isEqualTo(group);
            assertThat(f.permissionSet().accountIds()).containsExactly("444444444444", "555555555555",
                    "666666666666");
            assertThat(f.instances()).hasSize(3);
            assertThat(f.explanation()).startsWith("IAM Identity Center permission set `Dev`, provisioned as role "
                    + "AWSReservedSSO_Dev_* to 3 account(s) (444444444444, 555555555555, 666666666666), has the same "
                    + "problem on 1 key(s) and 3 instance(s); in account 444444444444: blocked in 444444444444");
        });
    }

    @Test
    void oneExposureMapPerPart() {
        assertThatThrownBy(() -> FindingJoin.join(List.of(List.of()), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one exposure map per part");
    }
}
