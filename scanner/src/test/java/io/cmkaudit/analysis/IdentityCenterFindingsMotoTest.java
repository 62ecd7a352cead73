package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.collect.Collector;
import io.cmkaudit.collect.CollectorOptions;
import io.cmkaudit.collect.ProgressListener;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.IdentityCenterSeeder;
import io.cmkaudit.testing.IdentityCenterSeeder.PermissionSetSeed;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scenario end to end against moto_server: permission set {@code PowerUser} provisioned to three accounts
 * whose users can start CMK-encrypted instances but lack {@code kms:CreateGrant} is ONE finding listing the three
 * accounts, their roles, keys and instances and who is assigned, fixed in the permission set (never by an IAM edit of
 * a role); the change applied to every provisioned account's role removes it, and after the fix is put into the
 * permission set and provisioned again, a new collection has no such finding. Also a permission set with a customer
 * managed permissions boundary in two accounts (fixed in the referenced policy of each account), and provisioning
 * drift (a provisioned account without the role, a role left behind by a deleted permission set).
 *
 * <p>Provisioned accounts: moto lacks {@code GetPermissionsBoundaryForPermissionSet} and answers
 * {@code ListAccountsForProvisionedPermissionSet} with the caller's account only: the test proxy answers both from
 * {@link IdentityCenterSeeder}'s record of the account assignments and provisioning calls. The reserved roles are
 * created in IAM by the seeder with AWS's names and path, as Identity Center would.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityCenterFindingsMotoTest {

    static final String EU = "eu-west-1";
    static final String START_ONLY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Operate\",\"Effect\":\"Allow\","
            + "\"Action\":[\"ec2:StartInstances\",\"ec2:StopInstances\",\"ec2:Describe*\"],\"Resource\":\"*\"}]}";
    static final String START_AND_GRANT = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":[\"ec2:StartInstances\",\"kms:CreateGrant\"],\"Resource\":\"*\"}]}";

    MotoServer moto;
    OrgSeeder org;
    IdentityCenterSeeder idc;
    List<OrgSeeder.Account> accounts;
    OrgSeeder.Account legacy;
    PermissionSetSeed powerUser;
    PermissionSetSeed bounded;
    AwsProxy proxy;
    Snapshot snapshot;
    Outcome outcome;

    @BeforeAll
    void seed(MotoServer moto) {
        this.moto = moto;
        org = new OrgSeeder(moto.endpoint()).organization();
        accounts = List.of(org.account("dev", "Workloads"), org.account("test", "Workloads"),
                org.account("prod", "Workloads"));
        legacy = org.account("legacy", "Sandbox");
        for (OrgSeeder.Account a : accounts) {
            OrgSeeder.Key key = a.key(EU, "app data");
            a.instance(EU).tag("Name", "app-" + a.name()).volume("/dev/xvda", key.arn()).stopped().launch();
        }
        for (OrgSeeder.Account a : accounts.subList(0, 2)) {
            a.iam().createPolicy(r -> r.policyName("StartOnly").path("/boundaries/").policyDocument(START_ONLY));
        }
        // a role left behind by a deleted permission set
        accounts.get(2).iam().createRole(r -> r.roleName("AWSReservedSSO_Retired_0f1e2d3c4b5a6978")
                .path("/aws-reserved/sso.amazonaws.com/" + EU + "/").assumeRolePolicyDocument(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                                + "{\"Federated\":\"arn:aws:iam::" + accounts.get(2).id() + ":saml-provider/"
                                + "AWSSSO_0123456789abcdef_DO_NOT_DELETE\"},\"Action\":\"sts:AssumeRoleWithSAML\"}]}"));
        idc = new IdentityCenterSeeder(moto.endpoint(), EU);
        String developers = idc.group("Developers");
        String ops = idc.group("Operators");
        powerUser = idc.permissionSet("PowerUser").inline(START_ONLY);
        for (OrgSeeder.Account a : accounts) {
            powerUser.assign(a, "GROUP", developers);
        }
        bounded = idc.permissionSet("BoundedOps").inline(START_AND_GRANT).boundaryCustomer("StartOnly", "/boundaries/")
                .assign(accounts.get(0), "GROUP", ops).assign(accounts.get(1), "GROUP", ops);
        idc.permissionSet("LegacyAdmin").assignWithoutRole(legacy, "GROUP", ops);
        proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> false, idc::answer);
        snapshot = collect();
        outcome = new Analyzer().run(snapshot);
    }

    private Snapshot collect() {
        ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", List.of(EU),
                List.of(), List.of(), 4, "HIGH", Path.of("out"), proxy.endpoint(), 30, false);
        return new Collector(config, new CollectorOptions("test", false, OrgSeeder.MANAGEMENT_CREDENTIALS))
                .collect(ProgressListener.NONE);
    }

    @AfterAll
    void close() {
        if (proxy != null) {
            proxy.close();
        }
        if (idc != null) {
            idc.close();
        }
        if (org != null) {
            org.close();
        }
    }

    private static boolean ofPermissionSet(Finding f, String name) {
        return f.permissionSet() != null && name.equals(f.permissionSetName());
    }

    private static List<Finding> blocked(AnalysisResult r, String permissionSet) {
        return r.findings().stream().filter(f -> f.type() == FindingType.START_BLOCKED_KMS_DENIED
                && ofPermissionSet(f, permissionSet)).toList();
    }

    private List<String> accountIds(List<OrgSeeder.Account> l) {
        return l.stream().map(OrgSeeder.Account::id).sorted().toList();
    }

    @Test
    void powerUserInThreeAccountsIsOneFindingFixedInThePermissionSetNeverInIam() {
        Finding f = blocked(outcome.result(), "PowerUser").stream().collect(
                java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), l -> {
                    assertThat(l).as("one finding for the permission set, whatever the accounts").hasSize(1);
                    return l.get(0);
                }));
        assertThat(f.findingId()).isEqualTo(Finding.permissionSetGroupId(FindingType.START_BLOCKED_KMS_DENIED,
                powerUser.arn(), List.of("identity")));
        assertThat(f.principalArn()).isEqualTo(powerUser.arn());
        assertThat(f.principalType()).isEqualTo("permission-set");
        // the account the fix is made in: where Identity Center is administered (the management account here)
        assertThat(f.accountId()).isEqualTo(OrgSeeder.MANAGEMENT_ACCOUNT_ID);
        Finding.PermissionSetRef ps = f.permissionSet();
        assertThat(ps.arn()).isEqualTo(powerUser.arn());
        assertThat(ps.instanceArn()).isEqualTo(idc.instanceArn());
        assertThat(ps.accountIds()).isEqualTo(accountIds(accounts));
        assertThat(ps.roleArns()).hasSize(3).allMatch(r -> r.contains(":role/aws-reserved/sso.amazonaws.com/"
                + EU + "/AWSReservedSSO_PowerUser_"));
        assertThat(ps.keyArns()).hasSize(3);
        assertThat(f.instances()).hasSize(3);
        assertThat(f.keys()).as("several keys: listed like any finding's, as in the permission set section")
                .extracting(Finding.Key::arn).containsExactlyElementsOf(ps.keyArns());
        assertThat(f.keyArn()).as("the first key").isEqualTo(ps.keyArns().get(0));
        assertThat(ps.assignments()).hasSize(3).allSatisfy(a -> {
            assertThat(a.principalType()).isEqualTo("GROUP");
            assertThat(a.principalName()).isEqualTo("Developers");
        });
        assertThat(f.explanation()).contains("permission set `PowerUser`", "3 account(s)");

        Remediation r = outcome.remediations().get(f.findingId());
        assertThat(r.changes()).singleElement().isInstanceOfSatisfying(Change.PermissionSetInlineStatements.class,
                c -> {
                    assertThat(c.permissionSetArn()).isEqualTo(powerUser.arn());
                    assertThat(c.provisionedAccounts()).containsExactlyInAnyOrderElementsOf(accountIds(accounts));
                    assertThat(c.currentInline()).isEqualTo(START_ONLY);
                });
        assertThat(f.remediation()).contains("permission set `PowerUser`",
                "aws sso-admin put-inline-policy-to-permission-set --instance-arn " + idc.instanceArn()
                        + " --permission-set-arn " + powerUser.arn(),
                "then `aws sso-admin provision-permission-set", "--target-type ALL_PROVISIONED_ACCOUNTS",
                "Don't edit the AWSReservedSSO_PowerUser_* roles in IAM");
        // the snippet is the permission set's whole new inline policy: the old statement kept, the grant added on
        // the keys of every provisioned account
        assertThat(f.remediationPolicy()).contains("Operate", "kms:CreateGrant", "kms:GrantIsForAWSResource");
        ps.keyArns().forEach(k -> assertThat(f.remediationPolicy()).contains(k));
    }

    @Test
    void everyRoleKeyAndInstanceIsListedByExactlyOneFinding() {
        // the merge per edit runs first (a permission set edit is one for every account), then per permission set
        SnippetProofTest.assertListedOnce(outcome);
    }

    @Test
    void noFindingOfAReservedRoleOffersAnIamEditOfTheRole() {
        for (Finding f : outcome.result().findings()) {
            if (f.permissionSet() == null && (f.principalArn() == null
                    || !f.principalArn().contains(":role/aws-reserved/sso.amazonaws.com/"))) {
                continue;
            }
            for (Change c : outcome.remediations().get(f.findingId()).changes()) {
                assertThat(c).as(f.type() + " " + f.principalArn()).isNotInstanceOf(Change.AddInlinePolicy.class);
                if (c instanceof Change.ReplaceStatement r) {
                    assertThat(r.target().origin()).isNotIn(PolicySource.Origin.ROLE_INLINE,
                            PolicySource.Origin.AWS_MANAGED);
                }
            }
        }
    }

    @Test
    void theChangeAppliedToEveryProvisionedAccountsRoleRemovesTheFinding() {
        Finding f = blocked(outcome.result(), "PowerUser").get(0);
        Snapshot fixed = SnapshotPatcher.apply(snapshot, outcome.remediations().get(f.findingId()).changes());
        AnalysisResult after = new Analyzer().analyze(fixed);
        assertThat(blocked(after, "PowerUser")).isEmpty();
        Set<String> before = new TreeSet<>();
        outcome.result().findings().forEach(x -> before.add(x.findingId()));
        assertThat(after.findings()).allMatch(x -> before.contains(x.findingId()), "no new finding");
    }

    @Test
    void permissionSetWithACustomerManagedBoundaryIsFixedInTheReferencedPolicyOfEachAccount() {
        List<Finding> found = blocked(outcome.result(), "BoundedOps");
        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.decidingLayers()).containsExactly("boundary");
            assertThat(f.permissionSet().accountIds()).isEqualTo(accountIds(accounts.subList(0, 2)));
            Remediation r = outcome.remediations().get(f.findingId());
            assertThat(r.changes()).singleElement().isInstanceOfSatisfying(Change.ReferencedPolicyStatements.class,
                    c -> {
                        assertThat(c.boundary()).isTrue();
                        assertThat(c.accounts()).isEqualTo(accountIds(accounts.subList(0, 2)));
                        assertThat(c.policyArn(accounts.get(1).id()))
                                .isEqualTo("arn:aws:iam::" + accounts.get(1).id() + ":policy/boundaries/StartOnly");
                    });
            assertThat(f.remediation()).contains("customer managed policy `/boundaries/StartOnly`",
                    "permissions boundary", "aws iam create-policy-version");
            Snapshot fixed = SnapshotPatcher.apply(snapshot, r.changes());
            assertThat(blocked(new Analyzer().analyze(fixed), "BoundedOps")).isEmpty();
        });
    }

    @Test
    void explainNamesThePermissionSetAndWhoIsAssigned() {
        Finding f = blocked(outcome.result(), "PowerUser").get(0);
        String account = accounts.get(0).id();
        String role = f.permissionSet().roleArns().stream().filter(r -> r.contains("::" + account + ":"))
                .findFirst().orElseThrow();
        String instance = snapshot.account(account).orElseThrow().regions().stream()
                .flatMap(r -> r.instances().stream()).findFirst().orElseThrow().instanceId();
        String text = new Analyzer().explain(snapshot, role, instance);
        assertThat(text).contains("identity center: permission set `PowerUser` (" + powerUser.arn()
                + "), provisioned to 3 account(s); assigned here to group Developers; fixes go to the permission set, "
                + "never to this role in IAM");
        // the fix is the report's permission-set finding, word for word, covering the keys of every account
        assertThat(text).contains("   fix (report finding " + f.findingId() + ", ",
                "     change: IAM Identity Center permission set `PowerUser` (" + powerUser.arn() + ")",
                "     " + f.remediation() + "\n");
        assertThat(text).contains(f.remediationPolicy().lines().map(l -> "   " + l)
                .collect(java.util.stream.Collectors.joining("\n")));
    }

    @Test
    void provisioningDriftIsAFinding() {
        List<Finding> drift = outcome.result().findings().stream()
                .filter(f -> f.type() == FindingType.IDENTITY_CENTER_PROVISIONING_DRIFT).toList();
        assertThat(drift).hasSize(2);
        assertThat(drift).filteredOn(f -> f.accountId().equals(legacy.id())).singleElement().satisfies(f -> {
            assertThat(f.explanation()).contains("permission set `LegacyAdmin`", "no role AWSReservedSSO_LegacyAdmin_*");
            assertThat(f.remediation()).contains("aws sso-admin provision-permission-set", "--target-id " + legacy.id());
            assertThat(f.permissionSetName()).isEqualTo("LegacyAdmin");
            assertThat(f.permissionSet().assignments()).singleElement()
                    .satisfies(a -> assertThat(a.label()).isEqualTo("group Operators"));
        });
        assertThat(drift).filteredOn(f -> f.accountId().equals(accounts.get(2).id())).singleElement().satisfies(f -> {
            assertThat(f.principalArn()).endsWith("/AWSReservedSSO_Retired_0f1e2d3c4b5a6978");
            assertThat(f.explanation()).contains("matches no IAM Identity Center permission set named `Retired`");
            assertThat(f.permissionSet()).isNull();
        });
    }

    @Test
    void afterTheFixIsPutAndProvisionedANewCollectionHasNoPowerUserFinding() {
        String snippet = blocked(outcome.result(), "PowerUser").get(0).remediationPolicy();
        powerUser.inline(snippet).provision();
        try {
            Snapshot again = collect();
            AnalysisResult r = new Analyzer().analyze(again);
            assertThat(blocked(r, "PowerUser")).isEmpty();
            assertThat(again.identityCenter().permissionSets().filter(p -> "PowerUser".equals(p.name())).findFirst()
                    .orElseThrow().outdatedAccountIds()).isEmpty();
        } finally {
            powerUser.inline(START_ONLY).provision();
        }
    }
}
