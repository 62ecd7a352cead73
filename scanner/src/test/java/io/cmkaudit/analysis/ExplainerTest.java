package io.cmkaudit.analysis;

import static io.cmkaudit.analysis.TestOrg.A;
import static io.cmkaudit.analysis.TestOrg.doc;
import static io.cmkaudit.analysis.TestOrg.userArn;
import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code explain} gives the report's fix (the finding that lists the principal, key and instance, word for word) and,
 * for a key that is not Enabled, also what the policies decide once it is Enabled (newcomer review items 4, 11, 18).
 */
class ExplainerTest {

    private static Snapshot sample;
    private static List<Finding> report;

    @BeforeAll
    static void analyzeTheSample() throws Exception {
        sample = SampleOrganizationAnalysisTest.sample();
        report = new Analyzer().analyze(sample).findings();
    }

    private static String arn(String name) {
        return sample.accounts().stream().flatMap(a -> java.util.stream.Stream.concat(
                        a.iam().users().stream().map(u -> u.arn()), a.iam().roles().stream().map(r -> r.arn())))
                .filter(x -> x.endsWith("/" + name)).findFirst().orElseThrow();
    }

    private static String instance(String name) {
        return sample.accounts().stream().flatMap(a -> a.regions().stream()).flatMap(r -> r.instances().stream())
                .filter(i -> name.equals(i.name())).findFirst().orElseThrow().instanceId();
    }

    private static Finding finding(FindingType type, java.util.function.Predicate<Finding> p) {
        List<Finding> fs = report.stream().filter(f -> f.type() == type).filter(p).toList();
        assertThat(fs).hasSize(1);
        return fs.get(0);
    }

    /** @return the snippet as explain indents it under the fix */
    private static String indented(String snippet) {
        StringBuilder sb = new StringBuilder();
        snippet.lines().forEach(l -> sb.append("   ").append(l).append('\n'));
        return sb.toString();
    }

    @Test
    void aReservedRoleGetsThePermissionSetFixOfTheReportCoveringEveryKeyOfItsAccounts() {
        String role = arn("AWSReservedSSO_PowerUser_a1b2c3d4e5f60001");
        Finding ps = finding(FindingType.START_BLOCKED_KMS_DENIED,
                f -> Finding.PERMISSION_SET_PRINCIPAL.equals(f.principalType()));

        String text = new Analyzer().explain(sample, role, instance("web-1"));

        assertThat(ps.keys()).hasSize(3);
        assertThat(text).contains("   fix (report finding " + ps.findingId() + ", START_BLOCKED_KMS_DENIED, HIGH; "
                + "one edit fixes all it covers):\n"
                + "     change: IAM Identity Center permission set `PowerUser` (" + ps.permissionSetArn()
                + ") of instance " + ps.permissionSet().instanceArn() + ", not its AWSReservedSSO_PowerUser_* roles "
                + "in IAM\n"
                + "     accounts (2): " + ps.permissionSet().accounts().get(0).id() + " (prod-app), "
                + ps.permissionSet().accounts().get(1).id() + " (dev-app)\n");
        assertThat(text).contains("     keys (3): " + String.join(", ", ps.permissionSet().keyArns()) + "\n");
        assertThat(text).contains("     " + ps.remediation() + "\n" + indented(ps.remediationPolicy()));
        // never the one-key snippet aimed at the role of this account
        assertThat(text).doesNotContain("cmk-audit-ec2-attach").contains("put-inline-policy-to-permission-set");
        assertThat(ps.remediationPolicy()).contains(ps.permissionSet().keyArns().toArray(String[]::new));
    }

    @Test
    void everyStartFindingOfTheSampleIsExplainedWithItsOwnFixWordForWord() {
        List<String> checked = new ArrayList<>();
        for (Finding f : report) {
            if (f.type() != FindingType.START_BLOCKED_KMS_DENIED) {
                continue;
            }
            List<String> principals = f.permissionSet() != null ? f.permissionSet().roleArns()
                    : f.principals().stream().map(Finding.Principal::arn).toList();
            for (String p : principals) {
                for (Finding.Resource i : f.instances()) {
                    String account = i.accountIdOr(f.accountId());
                    if (!io.cmkaudit.analysis.SnapshotIndex.accountOf(p).equals(account)) {
                        continue;
                    }
                    String text = new Analyzer().explain(sample, p, i.id());
                    assertThat(text).as("%s on %s", p, i.id())
                            .contains("   fix (report finding " + f.findingId() + ", ")
                            .contains("     " + f.remediation() + "\n" + indented(f.remediationPolicy()));
                    checked.add(p + " " + i.id());
                }
            }
        }
        // 14 (principal, instance) pairs of the per-account findings, 3 of the permission set's roles
        assertThat(checked).hasSize(17);
    }

    @Test
    void theInlinePolicyToAttachHasTheNameTheReportGivesIt() {
        String alice = arn("alice");
        Finding hers = finding(FindingType.START_BLOCKED_KMS_DENIED, f -> alice.equals(f.principalArn())
                && f.decidingLayers().equals(List.of("identity")));

        String text = new Analyzer().explain(sample, alice, instance("web-1"));

        // her finding covers the keys of web-1 and reports-1: one policy for both, named as the report names it
        assertThat(hers.remediation()).contains("inline policy `cmk-audit-ec2-attach` to " + alice);
        assertThat(text).contains("     " + hers.remediation() + "\n")
                .doesNotContain("cmk-audit-ec2-attach-");
    }

    @Test
    void aDisabledKeyIsExplainedAndSoIsWhatDeniesOnceItIsEnabled() {
        String dave = arn("dave");
        Finding state = finding(FindingType.START_BLOCKED_KEY_UNUSABLE, f -> "dev-batch".equals(f.instanceName()));
        Finding his = finding(FindingType.START_BLOCKED_KMS_DENIED, f -> dave.equals(f.principalArn()));

        String text = new Analyzer().explain(sample, dave, instance("dev-batch"));

        assertThat(text).contains("   key state: Disabled\n   a key in state Disabled accepts no kms:CreateGrant (only "
                + "Enabled keys do): every start of the instance fails, whoever starts it\n"
                + "   fix (report finding " + state.findingId() + ", START_BLOCKED_KEY_UNUSABLE, HIGH; one edit fixes "
                + "all it covers):\n");
        assertThat(text).contains("     Enable the key: aws kms enable-key --key-id " + state.keyArn() + ".\n"
                + "   once the key is Enabled, the policies decide:\n"
                + "   kms:CreateGrant made by EC2 with the caller's credentials (forward access session):\n"
                + "   decision: IMPLICIT_DENY (decided by identity)\n");
        // the fix once Enabled is his report fix with this key added: the same inline policy, both keys
        assertThat(text).contains("   fix once Enabled: Add the key to the fix of report finding " + his.findingId()
                + " (the same edit; the report has no start finding on a key that is not Enabled): attach the "
                + "snippet as inline policy `" + Remediator.attachPolicyName(keyRef(his.keyArn())) + "` to " + dave
                + ".\n");
        String snippet = text.substring(text.indexOf("fix once Enabled"));
        assertThat(snippet).contains("\"" + state.keyArn() + "\"", "\"" + his.keyArn() + "\"");
        assertThat(text).contains("result:\n  - key " + state.keyArn() + " is Disabled: every start fails; once it is "
                + "Enabled, also START_BLOCKED_KMS_DENIED - " + dave + " can start the instance, but EC2's "
                + "kms:CreateGrant on " + state.keyArn());
    }

    @Test
    void aKeyPendingDeletionOfAReservedRoleAddsTheKeyToThePermissionSetFix() {
        String role = arn("AWSReservedSSO_PowerUser_a1b2c3d4e5f60002");
        Finding ps = finding(FindingType.START_BLOCKED_KMS_DENIED,
                f -> Finding.PERMISSION_SET_PRINCIPAL.equals(f.principalType()));
        Finding state = finding(FindingType.START_BLOCKED_KEY_UNUSABLE, f -> "dev-old".equals(f.instanceName()));

        String text = new Analyzer().explain(sample, role, instance("dev-old"));

        assertThat(text).contains("CRITICAL", "aws kms cancel-key-deletion --key-id " + state.keyArn());
        String once = text.substring(text.indexOf("   fix once Enabled: "));
        assertThat(once).startsWith("   fix once Enabled: Add the key to the fix of report finding "
                + ps.findingId() + " (the same edit; the report has no start finding on a key that is not Enabled): "
                + "add the snippet's statement to the inline policy of IAM Identity Center permission set "
                + "`PowerUser`");
        // the three keys of the report's fix and this one
        assertThat(once.substring(0, once.indexOf("result:")))
                .contains(ps.permissionSet().keyArns().stream().map(k -> "\"" + k + "\"").toArray(String[]::new))
                .contains("\"" + state.keyArn() + "\"");
    }

    private static SnapshotIndex.KeyRef keyRef(String arn) {
        return new SnapshotIndex.KeyRef(arn, SnapshotIndex.accountOf(arn), null, null, false,
                SnapshotIndex.KeyStatus.USABLE);
    }

    @Test
    void aDisabledKeyWhosePolicyNamesNobodyGetsTheKeyPolicyFixForOnceItIsEnabled() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1").state("Disabled").policy(doc("{\"Sid\":\"OnlyAdmin\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + A + ":role/admin\"},\"Action\":\"kms:*\","
                + "\"Resource\":\"*\"}"));
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        String text = new Analyzer().explain(org.build(), userArn(A, "alice"), "i-0001");

        assertThat(text).contains("     Enable the key: aws kms enable-key --key-id " + k.arn() + ".\n"
                + "   once the key is Enabled, the policies decide:\n");
        assertThat(text).contains("   decision: IMPLICIT_DENY (decided by resource)\n");
        // no report finding of alice edits the key policy: the fix of this key alone
        assertThat(text).contains("   fix once Enabled: Let EC2 create its attach grant on " + k.arn());
        assertThat(text).contains("add the snippet's statement to the key policy of " + k.arn());
        assertThat(text).endsWith("result:\n  - key " + k.arn() + " is Disabled: every start fails; once it is "
                + "Enabled, also START_BLOCKED_KMS_DENIED - " + userArn(A, "alice") + " can start the instance, but "
                + "EC2's kms:CreateGrant on " + k.arn() + " with its credentials is denied (the key policy neither names "
                + "the principal nor delegates to the account): the instance will go pending -> stopped with "
                + "Client.InternalError.\n");
    }

    @Test
    void aDisabledKeyTheCallerMayUseSaysTheStartWorksOnceItIsEnabled() {
        TestOrg org = new TestOrg();
        org.user(A, "bob").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc(AnalyzerTest.ATTACH));
        TestOrg.Key k = org.key(A, "k1").state("Disabled");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        String text = new Analyzer().explain(org.build(), userArn(A, "bob"), "i-0001");

        assertThat(text).contains("   decision: ALLOWED").doesNotContain("fix once Enabled");
        assertThat(text).endsWith("result:\n  - key " + k.arn() + " is Disabled: every start fails; once it is "
                + "Enabled, the CreateGrant is allowed\n");
    }

    @Test
    void aDisabledKeyWhosePolicyWasNotReadSaysWhatDeniesOnceEnabledIsUnknown() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1").state("Disabled").policy(null);
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        String text = new Analyzer().explain(org.build(), userArn(A, "alice"), "i-0001");

        assertThat(text).contains("   once the key is Enabled: unknown, the key policy was not read\n")
                .doesNotContain("forward access session");
        assertThat(text).endsWith("result:\n  - key " + k.arn() + " is Disabled: every start fails; once it is "
                + "Enabled: unknown (the key policy was not read)\n");
    }

    @Test
    void aKeyThatNoLongerExistsHasNothingToEvaluateOnceEnabled() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1").unreadable("DescribeKey", "NotFoundException");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        String text = new Analyzer().explain(org.build(), userArn(A, "alice"), "i-0001");

        assertThat(text).contains("   key state: NotFound\n   the key no longer exists: every start of the instance "
                + "fails, whoever starts it\n").doesNotContain("once the key is Enabled");
        assertThat(text).endsWith("result:\n  - key " + k.arn() + " is NotFound: every start fails\n");
    }

    @Test
    void aPairNoFindingListsGetsTheFixOfItsKeyAndSaysSo() {
        TestOrg org = new TestOrg();
        // Auto Scaling's role starts only instances of the groups naming it: the report joins it to no other
        TestOrg.Principal slr = org.serviceLinkedRole(A, "AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com")
                .inline("start", doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":\"*\"}"));
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());
        Snapshot s = org.build();
        assertThat(new Analyzer().analyze(s).findings()).noneMatch(f -> slr.arn().equals(f.principalArn()));

        String text = new Analyzer().explain(s, slr.arn(), "i-0001");

        assertThat(text).contains("   no finding of the report lists this principal, key and instance; the fix of "
                + "this key alone:\n     Let EC2 create its attach grant on " + k.arn());
        assertThat(text).contains("START_BLOCKED_KMS_DENIED - " + slr.arn()).doesNotContain("(report finding");
    }

    @Test
    void anInlinePolicyStatementIsNamedAsTheReportNamesIt() {
        TestOrg org = new TestOrg();
        org.user(A, "carol").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc(AnalyzerTest.ATTACH))
                .inline("no-grants", doc("{\"Sid\":\"NoGrants\",\"Effect\":\"Deny\",\"Action\":\"kms:CreateGrant\","
                        + "\"Resource\":\"*\"}"));
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());
        Snapshot s = org.build();
        String deny = userArn(A, "carol") + ":inline/no-grants#NoGrants";
        String allow = userArn(A, "carol") + ":inline/attach#Attach";
        Finding f = new Analyzer().analyze(s).findings().stream()
                .filter(x -> x.type() == FindingType.START_BLOCKED_KMS_DENIED).findFirst().orElseThrow();
        assertThat(f.evidence()).contains(deny);
        assertThat(f.explanation()).contains("explicit Deny in identity " + deny);

        String text = new Analyzer().explain(s, userArn(A, "carol"), "i-0001");

        assertThat(text).contains("         Deny " + deny + "\n", "         Allow " + allow + "\n")
                .doesNotContain(" / NoGrants").doesNotContain(" / Attach");
    }

    @Test
    void longListsNameTheFirstTenAndCountTheRest() {
        List<String> twelve = IntStream.rangeClosed(1, 12).mapToObj(i -> "k" + i).toList();

        assertThat(Explainer.listed("keys", twelve))
                .isEqualTo("keys (12): k1, k2, k3, k4, k5, k6, k7, k8, k9, k10 and 2 more");
        assertThat(Explainer.listed("key", List.of("k1"))).isEqualTo("key: k1");
    }

    @Test
    void anAssumedRoleSessionArnIsExplainedAsItsRoleEvenWithAPath() {
        String role = arn("AWSReservedSSO_PowerUser_a1b2c3d4e5f60001");
        assertThat(role).contains(":role/aws-reserved/sso.amazonaws.com/");
        String account = role.split(":")[4];
        String session = "arn:aws:sts::" + account + ":assumed-role/AWSReservedSSO_PowerUser_a1b2c3d4e5f60001/alice";
        String byRole = new Analyzer().explain(sample, role, instance("web-1"));

        String bySession = new Analyzer().explain(sample, session, instance("web-1"));

        String note = "given as:  " + session + " (a session of this role)\n";
        assertThat(bySession).contains("principal: " + role + " (role, account " + account + ")\n" + note);
        assertThat(bySession.replace(note, "")).isEqualTo(byRole);
    }

    @Test
    void aRoleArnWithoutItsPathFindsTheRoleWithThePath() {
        String role = arn("AWSReservedSSO_PowerUser_a1b2c3d4e5f60001");
        String account = role.split(":")[4];
        String noPath = "arn:aws:iam::" + account + ":role/AWSReservedSSO_PowerUser_a1b2c3d4e5f60001";

        String text = new Analyzer().explain(sample, noPath, instance("web-1"));

        assertThat(text).contains("principal: " + role + " (role, account " + account + ")\n"
                + "given as:  " + noPath + " (this role without its path)\n");
    }

    @Test
    void aSessionOfAnUnknownRoleSaysWhatWasLookedFor() {
        String account = arn("alice").split(":")[4];
        String session = "arn:aws:sts::" + account + ":assumed-role/NoSuchRole/s";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Analyzer().explain(sample, session,
                        instance("web-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("principal `" + session + "` is an assumed-role session of role `NoSuchRole` in account "
                        + account + ", and account " + account + " of the snapshot has no role named `NoSuchRole`");
    }

    @Test
    void severalRolesOfTheSameNameAreAmbiguous() {
        String role = arn("AWSReservedSSO_PowerUser_a1b2c3d4e5f60001");
        String account = role.split(":")[4];
        // IAM never holds two roles of one name in an account; a hand-edited snapshot can
        Snapshot twice = withCopyOfRole(sample, role, "arn:aws:iam::" + account
                + ":role/other/AWSReservedSSO_PowerUser_a1b2c3d4e5f60001");
        String session = "arn:aws:sts::" + account + ":assumed-role/AWSReservedSSO_PowerUser_a1b2c3d4e5f60001/x";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Analyzer().explain(twice, session,
                        instance("web-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("several roles of the snapshot match it: ")
                .hasMessageEndingWith("; give the role's ARN");
    }

    /** The snapshot with a copy of role {@code arn} under another ARN (same name) in the same account. */
    private static Snapshot withCopyOfRole(Snapshot s, String arn, String copyArn) {
        List<io.cmkaudit.snapshot.AccountSnapshot> accounts = s.accounts().stream().map(a -> {
            var r = a.iam().roles().stream().filter(x -> x.arn().equals(arn)).findFirst();
            if (r.isEmpty()) {
                return a;
            }
            var o = r.get();
            List<io.cmkaudit.snapshot.IamRole> roles = new ArrayList<>(a.iam().roles());
            roles.add(new io.cmkaudit.snapshot.IamRole(copyArn, o.name(), o.id() + "X", "/other/", o.trustPolicy(),
                    o.inlinePolicies(), o.attachedManagedPolicyArns(), o.permissionsBoundaryArn(), o.tags(),
                    List.of(), o.serviceLinked()));
            return new io.cmkaudit.snapshot.AccountSnapshot(a.accountId(), a.name(), a.coverage(),
                    new io.cmkaudit.snapshot.IamSnapshot(a.iam().users(), a.iam().groups(), roles,
                            a.iam().customerManagedPolicies()), a.regions());
        }).toList();
        return new Snapshot(s.schemaVersion(), s.run(), s.organization(), accounts, s.awsManagedPolicies(),
                s.identityCenter());
    }
}
