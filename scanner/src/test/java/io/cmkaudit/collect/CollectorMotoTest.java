package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.BlockDeviceMapping;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.EbsVolume;
import io.cmkaudit.snapshot.Ec2Instance;
import io.cmkaudit.snapshot.IamGroup;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IamUser;
import io.cmkaudit.snapshot.InlinePolicy;
import io.cmkaudit.snapshot.KmsGrant;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.ManagedPolicy;
import io.cmkaudit.snapshot.OrgAccount;
import io.cmkaudit.snapshot.OrgPolicy;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.OrganizationalUnit;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import io.cmkaudit.snapshot.VolumeAttachment;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The collector against moto_server: a seeded organization of four accounts (one whose audit role can't be assumed,
 * denied by a loopback proxy), two regions, CMKs with key policies, grants and aliases, a cross-account key, a
 * disabled key, and an instance using only {@code aws/ebs}. Asserts the snapshot contents exactly and the API call
 * counts against the documented minimum.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CollectorMotoTest {

    static final String EU = "eu-west-1";
    static final String US = "us-east-1";
    static final String MGMT = OrgSeeder.MANAGEMENT_ACCOUNT_ID;
    static final String EC2_FULL = "arn:aws:iam::aws:policy/AmazonEC2FullAccess";
    static final String ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

    static final String INLINE_ALICE = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"ec2:StartInstances\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
            + "{\"aws:ResourceTag/team\":\"ops & dev+qa\"}}}]}";
    static final String START_TAGGED = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"StartTagged\","
            + "\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":\"arn:aws:ec2:*:*:instance/*\"}]}";
    static final String BOUNDARY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":[\"ec2:*\",\"kms:Decrypt\"],\"Resource\":\"*\"}]}";
    static final String ROLE_INLINE = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
    static final String SCP_DENY_LEAVE = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
            + "\"Action\":\"organizations:LeaveOrganization\",\"Resource\":\"*\"}]}";
    static final String GROUP_INLINE = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}]}";

    static String keyPolicyNoIamDelegation(String account) {
        return "{\"Version\":\"2012-10-17\",\"Id\":\"app\",\"Statement\":[{\"Sid\":\"Admins\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole\"},"
                + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
    }

    static String keyPolicyForAccount(String owner, String user) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Root\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + owner + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},"
                + "{\"Sid\":\"ProdUse\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + user + ":root\"},"
                + "\"Action\":[\"kms:CreateGrant\",\"kms:Decrypt\"],\"Resource\":\"*\"}]}";
    }

    OrgSeeder org;
    AwsProxy proxy;
    OrgSeeder.Account prod;
    OrgSeeder.Account shared;
    OrgSeeder.Account sandbox;
    String workloadsOu;
    String prodOu;
    String sandboxOu;
    String scpId;
    OrgSeeder.Key appKey;
    OrgSeeder.Key disabledKey;
    OrgSeeder.Key sharedKey;
    String grantId;
    String aliceArn;
    String startTaggedArn;
    String boundaryArn;
    String profileArn;
    String web1;
    String batch1;
    String usPlain;
    String mgmtAwsEbs;
    String awsEbsKeyArn;
    Snapshot snapshot;
    List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    void seedAndCollect(MotoServer moto) {
        org = new OrgSeeder(moto.endpoint()).organization();
        workloadsOu = org.ou("Workloads");
        prodOu = org.ou("Workloads/Prod");
        sandboxOu = org.ou("Sandbox");
        prod = org.account("prod-app", "Workloads/Prod");
        shared = org.account("shared-keys", "Workloads");
        sandbox = org.account("sandbox", "Sandbox");
        scpId = org.scp("DenyLeaveOrganization", SCP_DENY_LEAVE, workloadsOu);

        startTaggedArn = prod.managedPolicy("StartTagged", START_TAGGED);
        boundaryArn = prod.managedPolicy("AppBoundary", BOUNDARY);
        prod.group("operators").inline("describe", GROUP_INLINE).attach(startTaggedArn);
        aliceArn = prod.user("alice").attach(EC2_FULL).inline("start-team", INLINE_ALICE).inGroup("operators")
                .tag("team", "ops").arn();
        OrgSeeder.Role app = prod.role("app-role", OrgSeeder.TRUST_EC2).inline("kms-all", ROLE_INLINE)
                .boundary(boundaryArn).tag("env", "prod");
        profileArn = app.instanceProfile();

        appKey = prod.key(EU, "app data").policy(keyPolicyNoIamDelegation(prod.id())).alias("alias/app-data")
                .tag("owner", "team-app");
        grantId = appKey.grant("to-alice", aliceArn, "Decrypt", "CreateGrant");
        disabledKey = prod.key(EU, "old batch").disable();
        sharedKey = shared.key(EU, "shared").policy(keyPolicyForAccount(shared.id(), prod.id())).alias("alias/shared");

        web1 = prod.instance(EU).tag("Name", "web-1").tag("team", "ops").profile(profileArn)
                .volume("/dev/xvda", appKey.arn()).volume("/dev/sdf", sharedKey.arn()).launch();
        batch1 = prod.instance(EU).tag("Name", "batch-1").volume("/dev/xvda", disabledKey.keyId()).stopped().launch();
        usPlain = prod.instance(US).tag("Name", "plain").volume("/dev/xvda", null).launch();
        awsEbsKeyArn = org.management().awsEbsKey(US);
        mgmtAwsEbs = org.management().instance(US).tag("Name", "mgmt-ebs").volume("/dev/xvda", "alias/aws/ebs").launch();

        proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> r.assumesRoleIn(Set.of(sandbox.id())));
        ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", List.of(EU, US),
                List.of(), List.of(), 4, "HIGH", Path.of("out"), proxy.endpoint(), 30, false);
        snapshot = new Collector(config, new CollectorOptions("9.9.9", false, OrgSeeder.MANAGEMENT_CREDENTIALS))
                .collect(new ProgressListener() {
                    @Override
                    public void accountFinished(String accountId, String name, List<Coverage> coverage, int done, int total) {
                        progress.add(accountId + ":" + coverage.get(0).status());
                    }
                });
    }

    @AfterAll
    void close() {
        if (proxy != null) {
            proxy.close();
        }
        if (org != null) {
            org.close();
        }
    }

    private AccountSnapshot account(String id) {
        return snapshot.account(id).orElseThrow();
    }

    private RegionSnapshot region(String id, String region) {
        return account(id).region(region).orElseThrow();
    }

    @Test
    void runMetadataNamesCallerRegionsAndEndpoint() {
        assertThat(snapshot.schemaVersion()).isEqualTo(Snapshot.SCHEMA_VERSION);
        assertThat(snapshot.run().scannerVersion()).isEqualTo("9.9.9");
        assertThat(snapshot.run().callerAccountId()).isEqualTo(MGMT);
        assertThat(snapshot.run().callerArn()).isEqualTo("arn:aws:sts::" + MGMT + ":user/moto");
        assertThat(snapshot.run().roleName()).isEqualTo("OrganizationAccountAccessRole");
        assertThat(snapshot.run().endpointUrl()).isEqualTo(proxy.endpoint().toString());
        assertThat(snapshot.run().regions()).containsExactly(EU, US);
        assertThat(snapshot.run().finishedAt()).isAfterOrEqualTo(snapshot.run().startedAt());
    }

    @Test
    void organizationTreeAccountsAndPolicies() {
        Organization o = snapshot.organization();
        assertThat(o.readError()).isNull();
        assertThat(o.managementAccountId()).isEqualTo(MGMT);
        assertThat(o.rootId()).isEqualTo(org.rootId());
        assertThat(o.id()).isEqualTo(org.organizations().describeOrganization().organization().id());
        assertThat(o.enabledPolicyTypes()).containsExactly(Organization.RCP, Organization.SCP);
        assertThat(o.organizationalUnits()).containsExactly(
                new OrganizationalUnit(sandboxOu, "Sandbox", org.rootId(), "Root/Sandbox"),
                new OrganizationalUnit(workloadsOu, "Workloads", org.rootId(), "Root/Workloads"),
                new OrganizationalUnit(prodOu, "Prod", workloadsOu, "Root/Workloads/Prod"));
        assertThat(o.accounts()).containsExactlyInAnyOrder(
                new OrgAccount(MGMT, "master", o.account(MGMT).orElseThrow().email(), "ACTIVE", org.rootId(), "Root"),
                new OrgAccount(prod.id(), "prod-app", "prod-app@example.com", "ACTIVE", prodOu, "Root/Workloads/Prod"),
                new OrgAccount(shared.id(), "shared-keys", "shared-keys@example.com", "ACTIVE", workloadsOu, "Root/Workloads"),
                new OrgAccount(sandbox.id(), "sandbox", "sandbox@example.com", "ACTIVE", sandboxOu, "Root/Sandbox"));
        assertThat(o.accounts()).extracting(OrgAccount::id).isSorted();
        assertThat(o.serviceControlPolicies()).extracting(OrgPolicy::name).containsExactlyInAnyOrder("FullAWSAccess", "DenyLeaveOrganization");
        OrgPolicy scp = o.serviceControlPolicies().stream().filter(p -> p.id().equals(scpId)).findFirst().orElseThrow();
        assertThat(scp.document()).isEqualTo(SCP_DENY_LEAVE);
        assertThat(scp.awsManaged()).isFalse();
        assertThat(scp.targetIds()).containsExactly(workloadsOu);
        OrgPolicy full = o.serviceControlPolicies().stream().filter(p -> p.name().equals("FullAWSAccess")).findFirst().orElseThrow();
        assertThat(full.id()).isEqualTo("p-FullAWSAccess");
        assertThat(full.awsManaged()).isTrue();
        assertThat(full.targetIds()).contains(org.rootId());
        assertThat(o.resourceControlPolicies()).extracting(OrgPolicy::name).containsExactly("RCPFullAWSAccess");
        assertThat(o.targetChain(prod.id())).containsExactly(org.rootId(), workloadsOu, prodOu, prod.id());
    }

    @Test
    void deniedAccountIsRecordedAndEveryOtherAccountIsComplete() {
        String denied = "STS.AssumeRole arn:aws:iam::" + sandbox.id() + ":role/OrganizationAccountAccessRole: "
                + "User is not authorized to perform: sts:AssumeRole (denied by the test proxy)";
        assertThat(account(sandbox.id()).coverage()).containsExactly(
                new Coverage(Coverage.GLOBAL, CoverageStatus.ASSUME_ROLE_DENIED, "AccessDenied", denied),
                new Coverage(EU, CoverageStatus.ASSUME_ROLE_DENIED, "AccessDenied", denied),
                new Coverage(US, CoverageStatus.ASSUME_ROLE_DENIED, "AccessDenied", denied));
        assertThat(account(sandbox.id()).iam().users()).isEmpty();
        assertThat(account(sandbox.id()).regions()).isEmpty();
        for (String id : List.of(MGMT, prod.id(), shared.id())) {
            assertThat(account(id).coverage()).as(id).containsExactly(
                    Coverage.scanned(Coverage.GLOBAL), Coverage.scanned(EU), Coverage.scanned(US));
        }
        assertThat(snapshot.accounts()).extracting(AccountSnapshot::accountId)
                .containsExactlyElementsOf(List.of(MGMT, prod.id(), shared.id(), sandbox.id()).stream().sorted().toList());
        assertThat(proxy.denied()).isEqualTo(1);
        assertThat(progress).containsExactlyInAnyOrder(MGMT + ":SCANNED", prod.id() + ":SCANNED",
                shared.id() + ":SCANNED", sandbox.id() + ":ASSUME_ROLE_DENIED");
    }

    @Test
    void iamUsersGroupsRolesAndPoliciesAreExact() {
        var iam = account(prod.id()).iam();
        IamUser alice = iam.users().get(0);
        assertThat(iam.users()).hasSize(1);
        assertThat(alice).isEqualTo(new IamUser(aliceArn, "alice", alice.id(), "/", List.of("operators"),
                List.of(new InlinePolicy("start-team", INLINE_ALICE)), List.of(EC2_FULL), null, Map.of("team", "ops")));
        assertThat(alice.id()).isEqualTo(prod.iam().getUser(r -> r.userName("alice")).user().userId());
        IamGroup group = iam.groups().get(0);
        assertThat(iam.groups()).containsExactly(new IamGroup("arn:aws:iam::" + prod.id() + ":group/operators", "operators",
                group.id(), "/", List.of(new InlinePolicy("describe", GROUP_INLINE)), List.of(startTaggedArn)));
        assertThat(iam.roles()).extracting(IamRole::name).containsExactly("OrganizationAccountAccessRole", "app-role");
        IamRole role = iam.roles().get(1);
        assertThat(role).isEqualTo(new IamRole("arn:aws:iam::" + prod.id() + ":role/app-role", "app-role", role.id(), "/",
                OrgSeeder.TRUST_EC2, List.of(new InlinePolicy("kms-all", ROLE_INLINE)), List.of(), boundaryArn,
                Map.of("env", "prod"), List.of(profileArn), false));
        IamRole oaar = iam.roles().get(0);
        assertThat(oaar.attachedManagedPolicyArns()).containsExactly(ADMIN);
        assertThat(oaar.trustPolicy()).contains("\"arn:aws:iam::" + MGMT + ":root\"");
        assertThat(iam.customerManagedPolicies()).containsExactly(
                new ManagedPolicy(boundaryArn, "AppBoundary", "/", "v1", BOUNDARY),
                new ManagedPolicy(startTaggedArn, "StartTagged", "/", "v1", START_TAGGED));
    }

    @Test
    void awsManagedPoliciesAreStoredOnceWithTheirDefaultDocument() {
        assertThat(snapshot.awsManagedPolicies().keySet()).containsExactly(ADMIN, EC2_FULL);
        for (String arn : List.of(ADMIN, EC2_FULL)) {
            var p = prod.iam().getPolicy(r -> r.policyArn(arn)).policy();
            String doc = URLDecoder.decode(prod.iam().getPolicyVersion(r -> r.policyArn(arn).versionId(p.defaultVersionId()))
                    .policyVersion().document(), StandardCharsets.UTF_8);
            assertThat(snapshot.awsManagedPolicies().get(arn))
                    .isEqualTo(new ManagedPolicy(arn, p.policyName(), p.path(), p.defaultVersionId(), doc));
        }
    }

    @Test
    void instancesAndVolumesAreExactWithResolvedKeyArns() {
        RegionSnapshot eu = region(prod.id(), EU);
        Ec2Instance web = eu.instances().stream().filter(i -> i.instanceId().equals(web1)).findFirst().orElseThrow();
        List<String> vols = web.blockDeviceMappings().stream().map(BlockDeviceMapping::volumeId).toList();
        assertThat(web).isEqualTo(new Ec2Instance(web1, "arn:aws:ec2:eu-west-1:" + prod.id() + ":instance/" + web1,
                "running", null, null, Map.of("Name", "web-1", "team", "ops"), "t3.micro", "eu-west-1a", "default",
                false, null, profileArn, "ebs", web.rootDeviceName(),
                List.of(new BlockDeviceMapping("/dev/xvda", vols.get(0)), new BlockDeviceMapping("/dev/sdf", vols.get(1)))));
        assertThat(eu.volume(vols.get(0)).orElseThrow()).isEqualTo(new EbsVolume(vols.get(0), true, appKey.arn(),
                appKey.arn(), "in-use", List.of(new VolumeAttachment(web1, "/dev/xvda"))));
        assertThat(eu.volume(vols.get(1)).orElseThrow()).isEqualTo(new EbsVolume(vols.get(1), true, sharedKey.arn(),
                sharedKey.arn(), "in-use", List.of(new VolumeAttachment(web1, "/dev/sdf"))));
        Ec2Instance batch = eu.instances().stream().filter(i -> i.instanceId().equals(batch1)).findFirst().orElseThrow();
        assertThat(batch.state()).isEqualTo("stopped");
        assertThat(batch.stateReasonCode()).isEqualTo("Client.UserInitiatedShutdown");
        String batchVol = batch.blockDeviceMappings().get(0).volumeId();
        assertThat(eu.volume(batchVol).orElseThrow().kmsKeyId()).isEqualTo(disabledKey.keyId());
        assertThat(eu.volume(batchVol).orElseThrow().kmsKeyArn()).isEqualTo(disabledKey.arn());
        assertThat(eu.ebsEncryptionByDefault()).isFalse();
        assertThat(eu.ebsDefaultKmsKeyId()).isNull();

        RegionSnapshot us = region(prod.id(), US);
        assertThat(us.instances()).extracting(Ec2Instance::instanceId).containsExactly(usPlain);
        assertThat(us.volumes()).singleElement().satisfies(v -> {
            assertThat(v.encrypted()).isFalse();
            assertThat(v.kmsKeyId()).isNull();
            assertThat(v.kmsKeyArn()).isNull();
        });
        assertThat(us.kmsKeys()).isEmpty();
    }

    @Test
    void referencedKeysAreReadExactlyInTheirOwnersSection() {
        KmsKey app = region(prod.id(), EU).kmsKeys().stream().filter(k -> k.arn().equals(appKey.arn())).findFirst().orElseThrow();
        assertThat(app).isEqualTo(new KmsKey(appKey.arn(), appKey.keyId(), prod.id(), EU, "CUSTOMER", "Enabled", "AWS_KMS",
                false, keyPolicyNoIamDelegation(prod.id()),
                List.of(new KmsGrant(grantId, "to-alice", aliceArn, null, List.of("Decrypt", "CreateGrant"), null, null)),
                List.of("alias/app-data"), Map.of("owner", "team-app"), null));
        KmsKey disabled = snapshot.kmsKey(disabledKey.arn()).orElseThrow();
        assertThat(disabled.keyState()).isEqualTo("Disabled");
        assertThat(disabled.accountId()).isEqualTo(prod.id());
        assertThat(region(prod.id(), EU).kmsKeys()).extracting(KmsKey::arn)
                .containsExactlyElementsOf(List.of(appKey.arn(), disabledKey.arn()).stream().sorted().toList());

        // The cross-account key is attributed to its owner, read through the owner's session.
        KmsKey sharedRead = region(shared.id(), EU).kmsKeys().get(0);
        assertThat(region(shared.id(), EU).kmsKeys()).hasSize(1);
        assertThat(sharedRead).isEqualTo(new KmsKey(sharedKey.arn(), sharedKey.keyId(), shared.id(), EU, "CUSTOMER",
                "Enabled", "AWS_KMS", false, keyPolicyForAccount(shared.id(), prod.id()), List.of(), List.of("alias/shared"),
                Map.of(), null));

        // aws/ebs is recognised as AWS managed by its reserved alias.
        KmsKey awsEbs = region(MGMT, US).kmsKeys().get(0);
        assertThat(awsEbs.arn()).isEqualTo(awsEbsKeyArn);
        assertThat(awsEbs.keyManager()).isEqualTo("AWS");
        assertThat(awsEbs.aliases()).containsExactly("alias/aws/ebs");
        EbsVolume mgmtVol = region(MGMT, US).volumes().get(0);
        assertThat(mgmtVol.kmsKeyId()).isEqualTo("alias/aws/ebs");
        assertThat(mgmtVol.kmsKeyArn()).isEqualTo(awsEbsKeyArn);
        assertThat(snapshot.allKmsKeys().count()).isEqualTo(4);
    }

    @Test
    void callCountsEqualTheDocumentedMinimum() {
        // Formula of docs/snapshot-format.md, "API calls": containers = root + 3 OUs; policies = 2 SCPs + 1 RCP;
        // 4 active accounts of which 3 through an assumed role (one denied) and 3 read; 2 regions each;
        // 3 owner regions with keys (prod eu, shared eu, management us), 4 keys; 2 AWS managed policies.
        Map<String, Long> expected = new java.util.TreeMap<>(
                MinimumCalls.of(new MinimumCalls.Counts(4, 2, 3, 3, 3, 6, 0, 0, 3, 4, 2)));
        // policy targets: only the custom SCP is paged; RCPFullAWSAccess is on every entity (no call); FullAWSAccess
        // is the only AWS managed SCP, so only the one entity with the custom SCP is asked (ListPoliciesForTarget)
        expected.put("Organizations.ListTargetsForPolicy", 1L);
        expected.put("Organizations.ListPoliciesForTarget", 1L);
        // IAM Identity Center: moto has an (empty) instance in the first configured region.
        expected.putAll(MinimumCalls.identityCenter(1, 0, 0, 0, 0));
        assertThat(snapshot.run().apiCalls()).isEqualTo(expected);
    }

    @Test
    void snapshotRoundTripsThroughJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotJson.write(snapshot, out);
        assertThat(SnapshotJson.read(new ByteArrayInputStream(out.toByteArray()))).isEqualTo(snapshot);
    }

    @Test
    void progressWasReportedOncePerAccount() {
        assertThat(new ArrayList<>(progress)).hasSize(4);
    }
}
