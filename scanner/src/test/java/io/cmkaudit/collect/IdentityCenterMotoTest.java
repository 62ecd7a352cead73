package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Analyzer;
import io.cmkaudit.analysis.PermissionSetLinks;
import io.cmkaudit.analysis.PermissionSetLinks.DriftKind;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.AccountAssignment;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.CustomerManagedPolicyReference;
import io.cmkaudit.snapshot.IdentityCenter;
import io.cmkaudit.snapshot.IdentityCenterInstance;
import io.cmkaudit.snapshot.PermissionSet;
import io.cmkaudit.snapshot.PermissionsBoundary;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.IdentityCenterSeeder;
import io.cmkaudit.testing.IdentityCenterSeeder.PermissionSetSeed;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * IAM Identity Center collection against moto_server: permission sets with inline, AWS managed and customer managed
 * policies and permissions boundaries, provisioned to several accounts, assigned to users and groups, with the
 * reserved roles created in IAM as Identity Center would; plus provisioning drift, denied calls and an organization
 * without Identity Center.
 *
 * <p>moto lacks {@code GetPermissionsBoundaryForPermissionSet}, and its {@code ListAccountsForProvisionedPermissionSet}
 * returns only the caller's account: the test proxy answers both from {@link IdentityCenterSeeder}'s record of the
 * account assignments (each assignment provisions its account) and provisioning calls.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityCenterMotoTest {

    static final String EU = "eu-west-1";
    static final String MGMT = OrgSeeder.MANAGEMENT_ACCOUNT_ID;
    static final String POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess";
    static final String EC2_FULL = "arn:aws:iam::aws:policy/AmazonEC2FullAccess";
    static final String READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    static final String INLINE = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"StartInstances\","
            + "\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\",\"ec2:StopInstances\"],\"Resource\":\"*\"}]}";
    static final String KMS_USE = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}";
    static final String BOUNDARY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":[\"ec2:Describe*\",\"kms:Describe*\"],\"Resource\":\"*\"}]}";

    MotoServer moto;
    OrgSeeder org;
    IdentityCenterSeeder idc;
    OrgSeeder.Account dev;
    OrgSeeder.Account test;
    OrgSeeder.Account prod;
    OrgSeeder.Account legacy;
    PermissionSetSeed powerUser;
    PermissionSetSeed auditor;
    PermissionSetSeed legacyAdmin;
    String developers;
    String alice;
    String bob;
    String strayRole;
    AwsProxy proxy;
    Snapshot snapshot;

    @BeforeAll
    void seedAndCollect(MotoServer moto) {
        this.moto = moto;
        org = new OrgSeeder(moto.endpoint()).organization();
        dev = org.account("dev", "Workloads");
        test = org.account("test", "Workloads");
        prod = org.account("prod", "Workloads");
        legacy = org.account("legacy", "Sandbox");
        for (OrgSeeder.Account a : List.of(dev, test, prod)) {
            a.iam().createPolicy(r -> r.policyName("KmsUse").path("/team/").policyDocument(KMS_USE));
            a.iam().createPolicy(r -> r.policyName("AuditBoundary").path("/boundaries/").policyDocument(BOUNDARY));
        }
        idc = new IdentityCenterSeeder(moto.endpoint(), EU);
        developers = idc.group("Developers");
        alice = idc.user("alice");
        bob = idc.user("bob");
        powerUser = idc.permissionSet("PowerUser").inline(INLINE).managed(POWER_USER).customer("KmsUse", "/team/")
                .boundaryManaged(EC2_FULL)
                .assign(dev, "GROUP", developers).assign(test, "GROUP", developers).assign(prod, "GROUP", developers)
                .assign(prod, "USER", alice);
        auditor = idc.permissionSet("Audit_Reader").managed(READ_ONLY).boundaryCustomer("AuditBoundary", "/boundaries/")
                .assign(dev, "USER", bob);
        auditor.managed(EC2_FULL); // changed after provisioning, not provisioned again: dev holds an older version
        legacyAdmin = idc.permissionSet("LegacyAdmin").managed(READ_ONLY).assignWithoutRole(legacy, "GROUP", developers);
        strayRole = test.role("AWSReservedSSO_Retired_0123456789abcdef", "/aws-reserved/sso.amazonaws.com/" + EU + "/",
                OrgSeeder.TRUST_EC2).arn();

        proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> false, idc::answer);
        snapshot = collect(proxy);
    }

    private static Snapshot collect(AwsProxy through) {
        ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", List.of(EU),
                List.of(), List.of(), 4, "HIGH", Path.of("out"), through.endpoint(), 30, false);
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

    private PermissionSet permissionSet(Snapshot s, String name) {
        return s.identityCenter().permissionSets().filter(p -> name.equals(p.name())).findFirst().orElseThrow();
    }

    @Test
    void instanceIsReadFromTheManagementAccountInItsHomeRegion() {
        IdentityCenter ic = snapshot.identityCenter();
        assertThat(ic.accountId()).isEqualTo(MGMT);
        assertThat(ic.homeRegion()).isEqualTo(EU);
        assertThat(ic.status()).isEqualTo(CoverageStatus.SCANNED);
        assertThat(ic.readErrors()).isEmpty();
        assertThat(ic.instances()).hasSize(1);
        IdentityCenterInstance ins = ic.instances().get(0);
        assertThat(ins.instanceArn()).isEqualTo(idc.instanceArn());
        assertThat(ins.identityStoreId()).isEqualTo(idc.identityStoreId());
        assertThat(ins.ownerAccountId()).isEqualTo(MGMT);
        assertThat(ins.permissionSets()).extracting(PermissionSet::name)
                .containsExactly("Audit_Reader", "LegacyAdmin", "PowerUser");
    }

    @Test
    void permissionSetWithInlineManagedCustomerPoliciesAndAManagedBoundaryIsExact() {
        List<String> accounts = new TreeSet<>(List.of(dev.id(), test.id(), prod.id())).stream().toList();
        List<AccountAssignment> assignments = new java.util.ArrayList<>(List.of(
                new AccountAssignment(dev.id(), "GROUP", developers, "Developers"),
                new AccountAssignment(test.id(), "GROUP", developers, "Developers"),
                new AccountAssignment(prod.id(), "GROUP", developers, "Developers"),
                new AccountAssignment(prod.id(), "USER", alice, "alice")));
        assignments.sort(java.util.Comparator.comparing(AccountAssignment::accountId)
                .thenComparing(AccountAssignment::principalType));
        assertThat(permissionSet(snapshot, "PowerUser")).isEqualTo(new PermissionSet(powerUser.arn(), "PowerUser",
                "PowerUser access", "PT8H", INLINE, List.of(POWER_USER),
                List.of(new CustomerManagedPolicyReference("KmsUse", "/team/")), new PermissionsBoundary(EC2_FULL, null),
                accounts, List.of(), assignments, List.of()));
    }

    @Test
    void customerManagedBoundaryAndOutdatedProvisioningAreRead() {
        PermissionSet a = permissionSet(snapshot, "Audit_Reader");
        assertThat(a.inlinePolicy()).isNull();
        assertThat(a.awsManagedPolicyArns()).containsExactly(EC2_FULL, READ_ONLY);
        assertThat(a.customerManagedPolicyReferences()).isEmpty();
        assertThat(a.permissionsBoundary()).isEqualTo(new PermissionsBoundary(null,
                new CustomerManagedPolicyReference("AuditBoundary", "/boundaries/")));
        assertThat(a.provisionedAccountIds()).containsExactly(dev.id());
        assertThat(a.outdatedAccountIds()).containsExactly(dev.id());
        assertThat(a.accountAssignments()).containsExactly(new AccountAssignment(dev.id(), "USER", bob, "bob"));
        assertThat(permissionSet(snapshot, "LegacyAdmin").permissionsBoundary()).isNull();
    }

    @Test
    void reservedRolesLinkToTheirPermissionSetsAndDriftIsReportedNotGuessed() {
        PermissionSetLinks links = PermissionSetLinks.of(snapshot);
        assertThat(links.identityCenterRead()).isTrue();
        for (OrgSeeder.Account a : List.of(dev, test, prod)) {
            String roleArn = "arn:aws:iam::" + a.id() + ":role/aws-reserved/sso.amazonaws.com/" + EU + "/"
                    + powerUser.roleName(a.id());
            assertThat(links.link(roleArn)).as(a.name()).hasValueSatisfying(l -> {
                assertThat(l.permissionSet().arn()).isEqualTo(powerUser.arn());
                assertThat(l.accountId()).isEqualTo(a.id());
                assertThat(l.role().attachedManagedPolicyArns()).contains(POWER_USER,
                        "arn:aws:iam::" + a.id() + ":policy/team/KmsUse");
                assertThat(l.role().permissionsBoundaryArn()).isEqualTo(EC2_FULL);
            });
        }
        assertThat(links.links()).hasSize(4);
        assertThat(links.link(strayRole)).isEmpty();
        assertThat(links.drift()).extracting(d -> d.kind() + " " + d.accountId() + " " + d.roleArn() + " "
                        + (d.permissionSet() == null ? null : d.permissionSet().name()))
                .containsExactly(
                        "OUTDATED " + dev.id() + " null Audit_Reader",
                        "ROLE_MISSING " + legacy.id() + " null LegacyAdmin",
                        "ROLE_WITHOUT_PERMISSION_SET " + test.id() + " " + strayRole + " null");
        assertThat(links.drift().get(2).message()).contains("matches no IAM Identity Center permission set named `Retired`");
        assertThat(links.drift()).extracting(PermissionSetLinks.Drift::kind).doesNotContain(DriftKind.ROLE_NOT_PROVISIONED);
    }

    @Test
    void coverageHasAnIdentityCenterRow() {
        AnalysisResult result = new Analyzer().analyze(snapshot);
        assertThat(result.coverage()).filteredOn(c -> c.region().equals(PermissionSetLinks.COVERAGE_REGION))
                .singleElement().satisfies(c -> {
                    assertThat(c.accountId()).isEqualTo(MGMT);
                    assertThat(c.status()).isEqualTo("SCANNED");
                    assertThat(c.principals()).isEqualTo(3);
                });
    }

    @Test
    void callCountsEqualTheDocumentedMinimum() {
        Map<String, Long> idcCalls = new TreeMap<>();
        snapshot.run().apiCalls().forEach((op, n) -> {
            if (op.startsWith("SSOAdmin.") || op.startsWith("IdentityStore.")) {
                idcCalls.put(op, n);
            }
        });
        // 1 region probed; 3 permission sets; provisioned pairs 3 + 1 + 1; users alice, bob; group Developers
        assertThat(idcCalls).isEqualTo(MinimumCalls.identityCenter(1, 3, 5, 2, 1));
    }

    @Test
    void scannerTaskRolePolicyGrantsExactlyTheIdentityCenterCallsMade() throws Exception {
        JsonNode policy = new ObjectMapper().readTree(Path.of("..", "config", "deploy", "scanner-task-role-policy.json")
                .toFile());
        Set<String> granted = new TreeSet<>();
        for (JsonNode st : policy.get("Statement")) {
            JsonNode a = st.get("Action");
            (a.isArray() ? a : new ObjectMapper().createArrayNode().add(a)).forEach(x -> granted.add(x.asText()));
        }
        Function<String, String> iam = op -> (op.startsWith("SSOAdmin.") ? "sso:" : "identitystore:")
                + op.substring(op.indexOf('.') + 1);
        Set<String> called = snapshot.run().apiCalls().keySet().stream()
                .filter(op -> op.startsWith("SSOAdmin.") || op.startsWith("IdentityStore.")).map(iam)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(called).hasSize(11);
        assertThat(granted.stream().filter(a -> a.startsWith("sso:") || a.startsWith("identitystore:")))
                .containsExactlyInAnyOrderElementsOf(called);
    }

    @Test
    void snapshotRoundTripsThroughJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotJson.write(snapshot, out);
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\"identityCenter\" : {");
        assertThat(SnapshotJson.read(new ByteArrayInputStream(out.toByteArray()))).isEqualTo(snapshot);
    }

    @Test
    void deniedCallsMakeItPartialAndTheRestIsRead() {
        String denied = "{\"__type\":\"AccessDeniedException\",\"message\":\"denied by the test proxy\"}";
        try (AwsProxy p = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> false, r -> {
            if ("AWSIdentityStore.DescribeUser".equals(r.target())
                    || "SWBExternalService.ListAccountAssignments".equals(r.target()) && r.body().contains(legacy.id())) {
                return new AwsProxy.Answer(400, "application/x-amz-json-1.1", denied);
            }
            return idc.answer(r);
        })) {
            Snapshot s = collect(p);
            IdentityCenter ic = s.identityCenter();
            assertThat(ic.status()).isEqualTo(CoverageStatus.PARTIAL);
            assertThat(ic.readErrors()).extracting(e -> e.operation() + " " + e.code()).containsExactlyInAnyOrder(
                    "IdentityStore.DescribeUser AccessDeniedException", "IdentityStore.DescribeUser AccessDeniedException",
                    "SSOAdmin.ListAccountAssignments AccessDeniedException");
            PermissionSet legacyPs = permissionSet(s, "LegacyAdmin");
            assertThat(legacyPs.accountAssignments()).isEmpty();
            assertThat(legacyPs.provisionedAccountIds()).containsExactly(legacy.id());
            assertThat(legacyPs.readErrors()).singleElement().satisfies(e -> assertThat(e.message())
                    .startsWith("SSOAdmin.ListAccountAssignments: denied by the test proxy (permission set "));
            assertThat(permissionSet(s, "PowerUser").accountAssignments()).extracting(AccountAssignment::principalName)
                    .containsOnly("Developers", null).containsNull();
            AnalysisResult.CoverageRow row = new Analyzer().analyze(s).coverage().stream()
                    .filter(c -> c.region().equals(PermissionSetLinks.COVERAGE_REGION)).findFirst().orElseThrow();
            assertThat(row.status()).isEqualTo("PARTIAL");
            assertThat(row.errorCode()).isEqualTo("AccessDeniedException");
            assertThat(row.errorMessage()).contains("(Identity Center home region " + EU + ")", "2 more failed call(s)");
        }
    }

    @Test
    void listInstancesDeniedEverywhereIsAnErrorRow() {
        String denied = "{\"__type\":\"AccessDeniedException\",\"message\":\"not the management account\"}";
        try (AwsProxy p = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> false, r ->
                "SWBExternalService.ListInstances".equals(r.target())
                        ? new AwsProxy.Answer(400, "application/x-amz-json-1.1", denied) : null)) {
            Snapshot s = collect(p);
            IdentityCenter ic = s.identityCenter();
            assertThat(ic.status()).isEqualTo(CoverageStatus.ERROR);
            assertThat(ic.homeRegion()).isNull();
            assertThat(ic.instances()).isEmpty();
            assertThat(ic.readErrors().get(0).message())
                    .isEqualTo("SSOAdmin.ListInstances: not the management account (region " + EU + ")");
            assertThat(PermissionSetLinks.of(s).identityCenterRead()).isFalse();
            assertThat(PermissionSetLinks.of(s).drift()).isEmpty();
            assertThat(new Analyzer().analyze(s).coverage()).filteredOn(c -> c.region().equals("identity-center"))
                    .singleElement().satisfies(c -> assertThat(c.status()).isEqualTo("ERROR"));
        }
    }

    @Test
    void noInstanceInAnyRegionIsSkipped() {
        try (AwsProxy p = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> false, r ->
                "SWBExternalService.ListInstances".equals(r.target())
                        ? new AwsProxy.Answer(200, "application/x-amz-json-1.1", "{\"Instances\":[]}") : null)) {
            Snapshot s = collect(p);
            assertThat(s.identityCenter().status()).isEqualTo(CoverageStatus.SKIPPED);
            assertThat(s.identityCenter().readErrors()).singleElement()
                    .satisfies(e -> assertThat(e.code()).isEqualTo("NoInstance"));
            // every region of the partition was asked once, the configured one first
            assertThat(s.run().apiCalls().get("SSOAdmin.ListInstances"))
                    .isEqualTo((long) new IdentityCenterReader(null, null, MGMT, "aws", List.of(EU)).probeOrder().size());
        }
    }
}
