package io.cmkaudit.analysis;

import static io.cmkaudit.analysis.TestOrg.A;
import static io.cmkaudit.analysis.TestOrg.B;
import static io.cmkaudit.analysis.TestOrg.MGMT;
import static io.cmkaudit.analysis.TestOrg.doc;

import io.cmkaudit.snapshot.Snapshot;
import java.util.List;
import java.util.Map;

/** Shared scenarios: one organization with every finding type and every deciding layer. */
final class Scenarios {
    private Scenarios() {
    }

    static final String START_ONLY = doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":\"*\"}");

    /** Every finding type and layer in one organization. */
    static Snapshot everything() {
        TestOrg org = new TestOrg();
        // keys of account A
        TestOrg.Key def = org.key(A, "k-default");
        TestOrg.Key noDelegation = org.key(A, "k-nodeleg").policy(doc(
                "{\"Sid\":\"Admins\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:role/keyadmin\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        TestOrg.Key ipOnly = org.key(A, "k-ip").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"DenyOutsideCorp\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:CreateGrant\","
                        + "\"Resource\":\"*\",\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}"));
        TestOrg.Key pending = org.key(A, "k-pending").state("PendingDeletion");
        TestOrg.Key disabled = org.key(A, "k-disabled").state("Disabled");
        TestOrg.Key publicKey = org.key(A, "k-public").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"Everyone\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"kms:Decrypt\","
                        + "\"kms:DescribeKey\"],\"Resource\":\"*\"}"))
                .grant("g-app", TestOrg.roleArn(A, "app"), "Decrypt", "Encrypt")
                .grant("g-ec2", "arn:aws:sts::222222222222:assumed-role/aws:ec2-infrastructure/i-0a04",
                        Map.of("aws:ebs:id", "vol-a04"), "Decrypt");
        TestOrg.Key vpcDeny = org.key(A, "k-vpc").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"OnlyFromVpc\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\","
                        + "\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:SourceVpc\":\"vpc-1\"}}}"));
        // a key of account B shared with nobody
        TestOrg.Key foreign = org.key(B, "k-b-private");
        // a key of account B shared with account A
        TestOrg.Key shared = org.key(B, "k-b-shared").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::333333333333:root\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"ShareWithA\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                        + "\"Action\":[\"kms:CreateGrant\",\"kms:Decrypt\",\"kms:DescribeKey\"],\"Resource\":\"*\","
                        + "\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        org.awsManagedPolicy("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy",
                doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\",\"ec2:RunInstances\"],\"Resource\":\"*\"}"));

        // principals of A
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);                      // seed: identity
        org.user(A, "bob").attach(TestOrg.S3_READ_ARN);                         // can't start
        org.user(A, "carol").attach(TestOrg.ADMIN_ARN);                         // full access etc.
        org.role(A, "ops").inline("ops", START_ONLY)                             // deny in its own policy
                .inline("deny-kms", doc("{\"Sid\":\"NoKms\",\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        org.customerPolicy(A, "Boundary", START_ONLY);
        org.role(A, "bounded").attach(TestOrg.ADMIN_ARN)                        // boundary without kms
                .boundary("arn:aws:iam::222222222222:policy/Boundary");
        org.role(A, "keyadmin").inline("start", START_ONLY);
        org.role(A, "app").inline("broken", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"ec2:StartInstances\",\"Resource\":\"*\",\"Condition\":{\"StringEqulas\":{\"a\":\"b\"}}}]}")
                .inline("decrypt-all", doc("{\"Sid\":\"DecryptAll\",\"Effect\":\"Allow\",\"Action\":[\"kms:Decrypt\","
                        + "\"s3:GetObject\"],\"Resource\":\"*\"}"));
        org.user(A, "dave").inline("start", START_ONLY)
                .inline("grants", doc("{\"Sid\":\"Grants\",\"Effect\":\"Allow\",\"Action\":[\"kms:CreateGrant\","
                        + "\"kms:ListGrants\"],\"Resource\":\"*\"}"));
        org.serviceLinkedRole(A, "AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com")
                .attach("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy");

        // instances of A
        org.instance(A, "i-0a01").tag("Name", "seed").volume("vol-a01", def.arn());
        org.instance(A, "i-0a02").tag("Name", "nodeleg").volume("vol-a02", noDelegation.arn());
        org.instance(A, "i-0a03").tag("Name", "ip").volume("vol-a03", ipOnly.arn());
        org.instance(A, "i-0a04").tag("Name", "public").volume("vol-a04", publicKey.arn());
        org.instance(A, "i-0a05").tag("Name", "pending").volume("vol-a05", pending.arn());
        org.instance(A, "i-0a06").tag("Name", "disabled").volume("vol-a06", disabled.arn());
        org.instance(A, "i-0a07").tag("Name", "foreign").volume("vol-a07", foreign.arn());
        org.instance(A, "i-0a08").tag("Name", "shared").volume("vol-a08", shared.arn());
        org.instance(A, "i-0a09").tag("Name", "vpc").volume("vol-a09", vpcDeny.arn());
        org.instance(A, "i-0a10").tag("Name", "ebs-default").volume("vol-a10", "aws/ebs");
        org.instance(A, "i-0a11").tag("Name", "plain").volume("vol-a11", null);

        // account B: an SCP allow-list without kms, an RCP denying CreateGrant from outside the org paths
        org.scp("p-denyrestricted", doc("{\"Sid\":\"NoCreateGrantWithoutTag\",\"Effect\":\"Deny\",\"Action\":\"kms:CreateGrant\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalTag/kms\":\"yes\"}}}"), B);
        TestOrg.Key bKey = org.key(B, "k-b-local");
        org.user(B, "erin").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc(
                "{\"Sid\":\"Attach\",\"Effect\":\"Allow\",\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\","
                        + "\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        org.instance(B, "i-0b01").tag("Name", "b-local").volume("vol-b01", bKey.arn());

        // management account: same deny SCP attached, but SCPs don't apply to it
        org.scp("p-denyall-kms", doc("{\"Sid\":\"DenyKms\",\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"), MGMT);
        TestOrg.Key mKey = org.key(MGMT, "k-m");
        org.user(MGMT, "root-ops").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc(
                "{\"Sid\":\"Attach\",\"Effect\":\"Allow\",\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\","
                        + "\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        org.instance(MGMT, "i-0m01").tag("Name", "m").volume("vol-m01", mKey.arn());
        return org.build();
    }

    /** The Auto Scaling service-linked role of account A. */
    static final String ASG_SLR = "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/"
            + "AWSServiceRoleForAutoScaling";
    /** A custom-suffix Auto Scaling service-linked role of account A. */
    static final String ASG_SLR_APP = ASG_SLR + "_app";

    private static io.cmkaudit.snapshot.LaunchBlockDevice ebs(String device, Boolean encrypted, String keyArn,
                                                              String snapshotId) {
        return new io.cmkaudit.snapshot.LaunchBlockDevice(device, true, false, encrypted, keyArn, keyArn, snapshotId);
    }

    private static io.cmkaudit.snapshot.LaunchTemplateVersion template(String id, String image,
                                                                       io.cmkaudit.snapshot.LaunchBlockDevice... d) {
        return new io.cmkaudit.snapshot.LaunchTemplateVersion(id, id + "-name", 1, true, true, image, null,
                List.of(d));
    }

    private static io.cmkaudit.snapshot.AutoScalingGroup group(String name, String slr, String template,
                                                               String... instances) {
        return new io.cmkaudit.snapshot.AutoScalingGroup(name, null, slr, null,
                new io.cmkaudit.snapshot.LaunchTemplateRef(template, null, null), null, List.of(), null, false,
                List.of(instances), null);
    }

    /**
     * Launch paths (issue 10): Auto Scaling groups whose service-linked role the key policy does or does not name, a
     * group naming a custom-suffix role, a key of another account, a shared AMI whose snapshot key is in another
     * account, a role allowed ec2:CreateFleet without KMS rights, and a disabled EBS default key.
     */
    static Snapshot launch() {
        TestOrg org = new TestOrg();
        TestOrg.Key plain = org.key(A, "k-launch");                       // root delegation only
        TestOrg.Key named = org.key(A, "k-named").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"SlrUse\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ASG_SLR + "\"},"
                        + "\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\","
                        + "\"kms:DescribeKey\"],\"Resource\":\"*\"}",
                "{\"Sid\":\"SlrGrant\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ASG_SLR + "\"},"
                        + "\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":{\"Bool\":"
                        + "{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        TestOrg.Key shared = org.key(B, "k-b-shared").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::333333333333:root\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"ShareWithA\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                        + "\"Action\":[\"kms:CreateGrant\",\"kms:Decrypt\",\"kms:DescribeKey\","
                        + "\"kms:GenerateDataKeyWithoutPlaintext\",\"kms:ReEncrypt*\"],\"Resource\":\"*\"}"));
        TestOrg.Key amiKey = org.key(B, "k-b-ami");                      // B's own, shared with nobody
        TestOrg.Key defaultKey = org.key(A, "k-default-ebs").state("Disabled");
        org.ebsDefault(A, true, defaultKey.arn(), defaultKey.arn());
        org.awsManagedPolicy("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy",
                doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\",\"ec2:RunInstances\"],\"Resource\":\"*\"}"));
        org.serviceLinkedRole(A, "AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com")
                .attach("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy");
        org.serviceLinkedRole(A, "AWSServiceRoleForAutoScaling_app", "autoscaling.amazonaws.com")
                .attach("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy");
        org.role(A, "karpenter").inline("fleet", doc("{\"Sid\":\"Fleet\",\"Effect\":\"Allow\",\"Action\":"
                + "[\"ec2:CreateFleet\",\"ec2:RunInstances\"],\"Resource\":\"*\"}"));
        org.ebsSnapshot(B, "snap-b-ami", amiKey.arn());
        var sources = new io.cmkaudit.snapshot.LaunchSources(
                List.of(group("web", null, "lt-web", "i-0a61"),
                        group("named", null, "lt-named"),
                        group("app", ASG_SLR_APP, "lt-named", "i-0a62"),
                        group("cross", null, "lt-cross"),
                        group("shared-ami", null, "lt-ami"),
                        group("by-default", null, "lt-default")),
                List.of(new io.cmkaudit.snapshot.ScalingActivity("act-named", "named", "Failed",
                        "Instance became unhealthy while waiting for instance to be in InService state. Termination "
                                + "Reason: Client.InternalError: Client error on launch", null, null,
                        java.time.Instant.parse("2026-02-27T08:00:00Z"), null)),
                List.of(),
                List.of(template("lt-web", null, ebs("/dev/xvda", true, plain.arn(), null)),
                        template("lt-named", null, ebs("/dev/xvda", true, named.arn(), null)),
                        template("lt-cross", null, ebs("/dev/xvda", true, shared.arn(), null)),
                        template("lt-ami", "ami-b", ebs("/dev/xvdb", false, null, null)),
                        template("lt-default", null, ebs("/dev/xvda", true, null, null)),
                        template("lt-karpenter", null, ebs("/dev/xvda", true, plain.arn(), null))),
                List.of(new io.cmkaudit.snapshot.MachineImage("ami-b", B, "shared", "available", "/dev/xvda",
                        List.of(new io.cmkaudit.snapshot.LaunchBlockDevice("/dev/xvda", true, false, true, null, null,
                                "snap-b-ami")))),
                List.of(), List.of(), List.of());
        org.launch(A, sources);
        org.instance(A, "i-0a61").tag("aws:autoscaling:groupName", "web").volume("vol-a61", plain.arn());
        org.instance(A, "i-0a62").tag("aws:autoscaling:groupName", "app").volume("vol-a62", named.arn());
        // a launch of group "web" AWS already saw fail (the instance is terminated: not joined, but evidence)
        org.instance(A, "i-0a63").tag("aws:autoscaling:groupName", "web").state("terminated",
                "Client.InvalidKMSKey.InvalidState", "Client.InvalidKMSKey.InvalidState: The KMS key provided is in "
                        + "an incorrect state", java.time.Instant.parse("2026-03-01T09:30:00Z"))
                .volume("vol-a63", plain.arn());
        return org.build();
    }

    static List<String> types(List<Finding> fs) {
        return fs.stream().map(f -> f.type() + " " + (f.instanceId() == null ? "-" : f.instanceId()) + " "
                + (f.principalArn() == null ? "-" : f.principalArn().substring(f.principalArn().lastIndexOf(':') + 1))
                + " " + (f.keyArn() == null ? "-" : f.keyArn().substring(f.keyArn().lastIndexOf('/') + 1))
                + " " + f.decidingLayers()).toList();
    }
}
