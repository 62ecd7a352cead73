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

    static List<String> types(List<Finding> fs) {
        return fs.stream().map(f -> f.type() + " " + (f.instanceId() == null ? "-" : f.instanceId()) + " "
                + (f.principalArn() == null ? "-" : f.principalArn().substring(f.principalArn().lastIndexOf(':') + 1))
                + " " + (f.keyArn() == null ? "-" : f.keyArn().substring(f.keyArn().lastIndexOf('/') + 1))
                + " " + f.decidingLayers()).toList();
    }
}
