package io.cmkaudit.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Ec2Instance;
import io.cmkaudit.snapshot.EbsVolume;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IamUser;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.OrgAccount;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What {@code samples/README.md} promises about the sample snapshot, checked on a snapshot. */
final class SampleChecks {
    private SampleChecks() {
    }

    static void check(Snapshot s) {
        Map<String, OrgAccount> byName = s.organization().accounts().stream()
                .collect(Collectors.toMap(OrgAccount::name, Function.identity()));
        assertThat(byName.keySet()).containsExactlyInAnyOrder("master", "security", "prod-app", "dev-app", "sandbox");
        assertThat(byName.get("prod-app").ouPath()).isEqualTo("Root/Workloads/Prod");
        assertThat(byName.get("dev-app").ouPath()).isEqualTo("Root/Workloads/Dev");
        assertThat(byName.get("security").ouPath()).isEqualTo("Root/Security");
        assertThat(byName.get("sandbox").ouPath()).isEqualTo("Root/Sandbox");
        assertThat(s.run().regions()).containsExactly("eu-west-1", "us-east-1");
        assertThat(s.accounts()).hasSize(5).allMatch(AccountSnapshot::fullyScanned);
        assertThat(s.organization().serviceControlPolicies()).extracting(p -> p.name())
                .containsExactlyInAnyOrder("FullAWSAccess", "DenyKmsKeyDeletion");
        assertThat(s.organization().resourceControlPolicies()).extracting(p -> p.name())
                .containsExactlyInAnyOrder("RCPFullAWSAccess", "KmsOnlyFromOrganization");

        AccountSnapshot prod = s.account(byName.get("prod-app").id()).orElseThrow();
        AccountSnapshot dev = s.account(byName.get("dev-app").id()).orElseThrow();
        AccountSnapshot security = s.account(byName.get("security").id()).orElseThrow();
        AccountSnapshot sandbox = s.account(byName.get("sandbox").id()).orElseThrow();

        IamUser alice = user(prod, "alice");
        assertThat(alice.attachedManagedPolicyArns()).containsExactly("arn:aws:iam::aws:policy/AmazonEC2FullAccess");
        assertThat(alice.inlinePolicies()).isEmpty();
        assertThat(alice.groups()).isEmpty();
        assertThat(user(prod, "bob").inlinePolicies().get(0).document()).contains("\"kms:GrantIsForAWSResource\":\"true\"");
        assertThat(user(prod, "carol").groups()).containsExactly("operators");
        assertThat(role(prod, "deploy").attachedManagedPolicyArns()).containsExactly("arn:aws:iam::aws:policy/PowerUserAccess");
        assertThat(role(prod, "kms-admin").inlinePolicies().get(0).document()).contains("\"Action\":\"kms:*\",\"Resource\":\"*\"");
        assertThat(role(prod, "app-server").permissionsBoundaryArn()).endsWith(":policy/AppServerBoundary");
        assertThat(s.awsManagedPolicies().keySet()).contains("arn:aws:iam::aws:policy/AmazonEC2FullAccess",
                "arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/AdministratorAccess");

        RegionSnapshot prodEu = prod.region("eu-west-1").orElseThrow();
        KmsKey app = keyOf(prodEu, instance(prodEu, "web-1"));
        assertThat(app.keyManager()).isEqualTo("CUSTOMER");
        assertThat(app.keyState()).isEqualTo("Enabled");
        assertThat(app.grants()).singleElement().satisfies(g -> assertThat(g.granteePrincipal()).endsWith(":user/bob"));
        KmsKey noDelegation = keyOf(prodEu, instance(prodEu, "db-1"));
        assertThat(noDelegation.keyPolicy()).doesNotContain(":root\"");
        EbsVolume reportsVol = volume(prodEu, instance(prodEu, "reports-1"));
        KmsKey central = s.kmsKey(reportsVol.kmsKeyArn()).orElseThrow();
        assertThat(central.accountId()).isEqualTo(security.accountId());
        assertThat(security.region("eu-west-1").orElseThrow().kmsKeys()).contains(central);
        assertThat(volume(prod.region("us-east-1").orElseThrow(), instance(prod.region("us-east-1").orElseThrow(), "legacy-1"))
                .encrypted()).isFalse();

        // the launch scenario: a group on a template whose volume uses alias/prod-app, with its recorded failure
        var launch = prodEu.launch();
        assertThat(launch.autoScalingGroups()).singleElement().satisfies(g -> {
            assertThat(g.name()).isEqualTo(SampleOrganization.LAUNCH_GROUP);
            assertThat(g.serviceLinkedRoleArn()).endsWith(
                    ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
        });
        assertThat(launch.launchTemplateVersions()).singleElement().satisfies(v -> assertThat(
                v.blockDeviceMappings()).singleElement().satisfies(b -> assertThat(b.kmsKeyArn())
                .isEqualTo(app.arn())));
        assertThat(launch.scalingActivities()).singleElement().satisfies(a -> {
            assertThat(a.autoScalingGroupName()).isEqualTo(SampleOrganization.LAUNCH_GROUP);
            assertThat(a.statusCode()).isEqualTo("Failed");
            assertThat(a.statusMessage()).isEqualTo(SampleOrganization.LAUNCH_FAILURE);
        });
        assertThat(role(prod, "AWSServiceRoleForAutoScaling").serviceLinked()).isTrue();

        RegionSnapshot devEu = dev.region("eu-west-1").orElseThrow();
        assertThat(keyOf(devEu, instance(devEu, "dev-batch")).keyState()).isEqualTo("Disabled");
        assertThat(keyOf(devEu, instance(devEu, "dev-old")).keyState()).isEqualTo("PendingDeletion");
        RegionSnapshot devUs = dev.region("us-east-1").orElseThrow();
        assertThat(keyOf(devUs, instance(devUs, "dev-web")).keyPolicy()).contains("\"Principal\":\"*\"");

        assertThat(keyOf(devEu, instance(devEu, "dev-app-1")).keyManager()).isEqualTo("CUSTOMER");

        // IAM Identity Center: read from the management account in its home region
        var idc = s.identityCenter();
        assertThat(idc).isNotNull();
        assertThat(idc.accountId()).isEqualTo(byName.get("master").id());
        assertThat(idc.homeRegion()).isEqualTo("eu-west-1");
        var powerUser = idc.permissionSets().filter(p -> "PowerUser".equals(p.name())).findFirst().orElseThrow();
        assertThat(powerUser.inlinePolicy()).contains("ec2:StartInstances").doesNotContain("kms:");
        assertThat(powerUser.provisionedAccountIds()).containsExactlyInAnyOrder(prod.accountId(), dev.accountId());
        assertThat(powerUser.accountAssignments()).hasSize(2)
                .allSatisfy(a -> assertThat(a.principalName()).isEqualTo("Developers"));
        for (AccountSnapshot a : List.of(prod, dev)) {
            assertThat(a.iam().roles()).filteredOn(r -> r.name().startsWith("AWSReservedSSO_PowerUser_"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.path()).isEqualTo("/aws-reserved/sso.amazonaws.com/eu-west-1/");
                        assertThat(r.inlinePolicies()).singleElement()
                                .satisfies(p -> assertThat(p.name()).isEqualTo("AwsSSOInlinePolicy"));
                    });
        }
        var readOnly = idc.permissionSets().filter(p -> "ReadOnly".equals(p.name())).findFirst().orElseThrow();
        assertThat(readOnly.provisionedAccountIds()).containsExactly(sandbox.accountId());
        assertThat(sandbox.iam().roles()).noneMatch(r -> r.name().startsWith("AWSReservedSSO_"));

        RegionSnapshot sandboxEu = sandbox.region("eu-west-1").orElseThrow();
        KmsKey awsEbs = keyOf(sandboxEu, instance(sandboxEu, "sandbox-1"));
        assertThat(awsEbs.keyManager()).isEqualTo("AWS");
        assertThat(awsEbs.aliases()).containsExactly("alias/aws/ebs");
    }

    static IamUser user(AccountSnapshot a, String name) {
        return a.iam().users().stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow();
    }

    static IamRole role(AccountSnapshot a, String name) {
        return a.iam().roles().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    static Ec2Instance instance(RegionSnapshot r, String name) {
        return r.instances().stream().filter(i -> name.equals(i.name())).findFirst().orElseThrow();
    }

    static EbsVolume volume(RegionSnapshot r, Ec2Instance i) {
        return r.volume(i.blockDeviceMappings().get(0).volumeId()).orElseThrow();
    }

    static KmsKey keyOf(RegionSnapshot r, Ec2Instance i) {
        String arn = volume(r, i).kmsKeyArn();
        List<KmsKey> keys = r.kmsKeys().stream().filter(k -> k.arn().equals(arn)).toList();
        assertThat(keys).as("key %s of %s", arn, i.name()).hasSize(1);
        return keys.get(0);
    }
}
