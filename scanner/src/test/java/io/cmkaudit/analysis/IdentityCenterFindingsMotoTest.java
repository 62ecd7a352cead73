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
 * whose users can start CMK-encrypted instances but lack {@code kms:CreateGrant}. Every finding of its reserved roles
 * is fixed in the permission set (never by an IAM edit of the role), one change fixes all three accounts, and after
 * the fix is put into the permission set and provisioned again, a new collection has no such finding. Also a
 * permission set with a customer managed permissions boundary, and provisioning drift.
 *
 * <p>moto lacks {@code GetPermissionsBoundaryForPermissionSet} and answers
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
        accounts.get(0).iam().createPolicy(r -> r.policyName("StartOnly").path("/boundaries/")
                .policyDocument(START_ONLY));
        idc = new IdentityCenterSeeder(moto.endpoint(), EU);
        String developers = idc.group("Developers");
        String ops = idc.group("Operators");
        powerUser = idc.permissionSet("PowerUser").inline(START_ONLY);
        for (OrgSeeder.Account a : accounts) {
            powerUser.assign(a, "GROUP", developers);
        }
        bounded = idc.permissionSet("BoundedOps").inline(START_AND_GRANT).boundaryCustomer("StartOnly", "/boundaries/")
                .assign(accounts.get(0), "GROUP", ops);
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
        return f.principalArn() != null && f.principalArn().contains(":role/aws-reserved/sso.amazonaws.com/")
                && f.principalArn().contains("/AWSReservedSSO_" + name + "_");
    }

    private static List<Finding> blocked(AnalysisResult r, String permissionSet) {
        return r.findings().stream().filter(f -> f.type() == FindingType.START_BLOCKED_KMS_DENIED
                && ofPermissionSet(f, permissionSet)).toList();
    }

    @Test
    void powerUserInThreeAccountsIsFixedInThePermissionSetNeverInIam() {
        List<Finding> found = blocked(outcome.result(), "PowerUser");
        Set<String> accountIds = new TreeSet<>();
        found.forEach(f -> accountIds.add(f.accountId()));
        assertThat(accountIds).containsExactlyInAnyOrderElementsOf(accounts.stream().map(OrgSeeder.Account::id).toList());
        for (Finding f : found) {
            Remediation r = outcome.remediations().get(f.findingId());
            assertThat(r.changes()).singleElement().isInstanceOfSatisfying(Change.PermissionSetInlineStatements.class,
                    c -> {
                        assertThat(c.permissionSetArn()).isEqualTo(powerUser.arn());
                        assertThat(c.provisionedAccounts()).containsExactlyInAnyOrderElementsOf(accountIds);
                        assertThat(c.currentInline()).isEqualTo(START_ONLY);
                    });
            assertThat(f.remediation()).contains("aws sso-admin put-inline-policy-to-permission-set --instance-arn "
                    + idc.instanceArn() + " --permission-set-arn " + powerUser.arn(),
                    "then `aws sso-admin provision-permission-set", "--target-type ALL_PROVISIONED_ACCOUNTS",
                    "Don't edit the AWSReservedSSO_PowerUser_* roles in IAM");
            // the snippet is the permission set's whole new inline policy: the old statement kept, the grant added
            assertThat(f.remediationPolicy()).contains("Operate", "kms:CreateGrant", "kms:GrantIsForAWSResource");
            // one statement for the keys of every provisioned account: each finding gives the same change
            for (Finding other : found) {
                assertThat(f.remediationPolicy()).contains(other.keyArn());
            }
            assertThat(outcome.remediations().get(f.findingId()).changes())
                    .isEqualTo(outcome.remediations().get(found.get(0).findingId()).changes());
        }
    }

    @Test
    void noFindingOfAReservedRoleOffersAnIamEditOfTheRole() {
        for (Finding f : outcome.result().findings()) {
            if (f.principalArn() == null || !f.principalArn().contains(":role/aws-reserved/sso.amazonaws.com/")) {
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
    void oneChangeToThePermissionSetProvisionedToEveryAccountRemovesAllThreeFindings() {
        Finding first = blocked(outcome.result(), "PowerUser").get(0);
        Snapshot fixed = SnapshotPatcher.apply(snapshot, outcome.remediations().get(first.findingId()).changes());
        AnalysisResult after = new Analyzer().analyze(fixed);
        assertThat(blocked(after, "PowerUser")).isEmpty();
        Set<String> before = new TreeSet<>();
        outcome.result().findings().forEach(f -> before.add(f.findingId()));
        assertThat(after.findings()).allMatch(f -> before.contains(f.findingId()), "no new finding");
    }

    @Test
    void permissionSetWithACustomerManagedBoundaryIsFixedInTheBoundaryPolicy() {
        List<Finding> found = blocked(outcome.result(), "BoundedOps");
        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.decidingLayers()).contains("boundary");
            assertThat(outcome.remediations().get(f.findingId()).changes()).singleElement()
                    .isInstanceOfSatisfying(Change.AddStatements.class, c -> assertThat(c.target().name())
                            .isEqualTo("arn:aws:iam::" + accounts.get(0).id() + ":policy/boundaries/StartOnly"));
        });
    }

    @Test
    void explainNamesThePermissionSetAndWhoIsAssigned() {
        Finding f = blocked(outcome.result(), "PowerUser").get(0);
        String text = new Analyzer().explain(snapshot, f.principalArn(), f.instanceId());
        assertThat(text).contains("identity center: permission set `PowerUser` (" + powerUser.arn()
                + "), provisioned to 3 account(s); assigned here to group Developers; fixes go to the permission set, "
                + "never to this role in IAM");
    }

    @Test
    void provisioningDriftIsAFinding() {
        assertThat(outcome.result().findings()).filteredOn(f -> f.type() == FindingType.IDENTITY_CENTER_PROVISIONING_DRIFT)
                .singleElement().satisfies(f -> {
                    assertThat(f.accountId()).isEqualTo(legacy.id());
                    assertThat(f.explanation()).contains("permission set `LegacyAdmin`", "no role AWSReservedSSO_LegacyAdmin_*");
                    assertThat(f.remediation()).contains("aws sso-admin provision-permission-set", "--target-id " + legacy.id());
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
