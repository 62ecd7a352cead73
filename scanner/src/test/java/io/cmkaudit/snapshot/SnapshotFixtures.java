package io.cmkaudit.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A small snapshot that uses every field of the model, for format tests. */
public final class SnapshotFixtures {
    private SnapshotFixtures() {
    }

    /** Management account of the fixture. */
    public static final String MGMT = "111111111111";
    /** Member account of the fixture. */
    public static final String MEMBER = "222222222222";
    /** A key ARN of the fixture (owned by {@link #MGMT}, used by a volume of {@link #MEMBER}). */
    public static final String SHARED_KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /**
     * @return a snapshot touching every record type and every optional field
     */
    public static Snapshot full() {
        RunMetadata run = new RunMetadata(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T10:00:42.5Z"),
                "0.1.0", MGMT, "arn:aws:iam::111111111111:user/auditor", "OrganizationAccountAccessRole",
                "http://127.0.0.1:5000", List.of("eu-west-1", "us-east-1"),
                Map.of("KMS.DescribeKey", 2L, "IAM.GetAccountAuthorizationDetails", 2L, "EC2.DescribeInstances", 4L));
        Organization org = new Organization("o-a1b2c3d4e5", MGMT, "r-ab12", List.of(Organization.RCP, Organization.SCP),
                List.of(new OrganizationalUnit("ou-ab12-11111111", "Workloads", "r-ab12", "Root/Workloads"),
                        new OrganizationalUnit("ou-ab12-22222222", "Prod", "ou-ab12-11111111", "Root/Workloads/Prod")),
                List.of(new OrgAccount(MGMT, "management", "root@example.com", "ACTIVE", "r-ab12", "Root"),
                        new OrgAccount(MEMBER, "prod-app", "prod@example.com", "ACTIVE", "ou-ab12-22222222",
                                "Root/Workloads/Prod"),
                        new OrgAccount("333333333333", "old", "old@example.com", "SUSPENDED", "r-ab12", "Root")),
                List.of(new OrgPolicy("p-FullAWSAccess", "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
                                "FullAWSAccess", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
                                true, List.of("r-ab12")),
                        new OrgPolicy("p-deny1234", null, "DenyKmsDelete", "{not json", false, List.of("ou-ab12-22222222"))),
                List.of(new OrgPolicy("p-RCPFullAWSAccess", null, "RCPFullAWSAccess",
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
                        true, List.of("r-ab12"))),
                null);
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}]}";
        IamSnapshot iam = new IamSnapshot(
                List.of(new IamUser("arn:aws:iam::222222222222:user/ops/alice", "alice", "AIDAEXAMPLE1", "/ops/",
                        List.of("admins"), List.of(new InlinePolicy("inline-ec2", doc)),
                        List.of("arn:aws:iam::aws:policy/AmazonEC2FullAccess"), null, Map.of("team", "ops"))),
                List.of(new IamGroup("arn:aws:iam::222222222222:group/admins", "admins", "AGPAEXAMPLE1", "/",
                        List.of(), List.of("arn:aws:iam::222222222222:policy/StartTagged"))),
                List.of(new IamRole("arn:aws:iam::222222222222:role/app", "app", "AROAEXAMPLE1", "/",
                                "{\"Version\":\"2012-10-17\",\"Statement\":[]}", List.of(new InlinePolicy("broken", "{\"Statement\": [")),
                                List.of(), "arn:aws:iam::222222222222:policy/StartTagged", Map.of("env", "prod"),
                                List.of("arn:aws:iam::222222222222:instance-profile/app"), false),
                        new IamRole("arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                                "AWSServiceRoleForAutoScaling", "AROAEXAMPLE2", "/aws-service-role/autoscaling.amazonaws.com/",
                                "{}", List.of(), List.of(), null, Map.of(), List.of(), true)),
                List.of(new ManagedPolicy("arn:aws:iam::222222222222:policy/StartTagged", "StartTagged", "/", "v2", doc)));
        KmsKey shared = new KmsKey(SHARED_KEY, "1234abcd-12ab-34cd-56ef-1234567890ab", MGMT, "eu-west-1", "CUSTOMER",
                "Enabled", "AWS_KMS", false, "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                List.of(new KmsGrant("g-1", "app-grant", "arn:aws:iam::222222222222:role/app", null,
                        List.of("Decrypt", "CreateGrant"), new GrantConstraints(Map.of("Department", "IT"), Map.of()),
                        "arn:aws:iam::111111111111:root"),
                        new KmsGrant("g-2", null, "arn:aws:iam::222222222222:user/ops/alice", "arn:aws:iam::222222222222:user/ops/alice",
                                List.of("Encrypt"), null, null)),
                List.of("alias/shared"), Map.of("owner", "security"), null);
        KmsKey foreign = new KmsKey("arn:aws:kms:eu-west-1:999999999999:key/mrk-1", "mrk-1", "999999999999", "eu-west-1",
                null, null, null, null, null, List.of(), List.of(), Map.of(),
                new ReadError("none", "OutsideOrganization", "account 999999999999 is not in the organization"));
        RegionSnapshot memberEu = new RegionSnapshot("eu-west-1", true,
                "arn:aws:kms:eu-west-1:222222222222:alias/aws/ebs", null,
                List.of(new Ec2Instance("i-0aaa", "arn:aws:ec2:eu-west-1:222222222222:instance/i-0aaa", "stopped",
                        "Client.InternalError", "Client.InternalError: Client error on launch", Map.of("Name", "web-1", "env", "prod"),
                        "t3.micro", "eu-west-1a", "default", false, null,
                        "arn:aws:iam::222222222222:instance-profile/app", "ebs", "/dev/xvda",
                        List.of(new BlockDeviceMapping("/dev/xvda", "vol-0aaa"), new BlockDeviceMapping("/dev/sdf", "vol-0bbb")))),
                List.of(new EbsVolume("vol-0aaa", true, SHARED_KEY, SHARED_KEY, "in-use", List.of(new VolumeAttachment("i-0aaa", "/dev/xvda"))),
                        new EbsVolume("vol-0bbb", false, null, null, "in-use", List.of(new VolumeAttachment("i-0aaa", "/dev/sdf")))),
                List.of());
        AccountSnapshot mgmt = new AccountSnapshot(MGMT, "management",
                List.of(Coverage.scanned(Coverage.GLOBAL), Coverage.scanned("eu-west-1"),
                        new Coverage("us-east-1", CoverageStatus.PARTIAL, "UnauthorizedOperation", "EC2.GetEbsDefaultKmsKeyId: not authorized")),
                IamSnapshot.EMPTY,
                List.of(new RegionSnapshot("eu-west-1", false, null, null, List.of(), List.of(), List.of(shared)),
                        new RegionSnapshot("us-east-1", null, null, null, List.of(), List.of(), List.of())));
        AccountSnapshot member = new AccountSnapshot(MEMBER, "prod-app",
                List.of(Coverage.scanned(Coverage.GLOBAL), Coverage.scanned("eu-west-1")), iam, List.of(memberEu));
        AccountSnapshot suspended = new AccountSnapshot("333333333333", "old",
                List.of(new Coverage(Coverage.GLOBAL, CoverageStatus.SUSPENDED, null, "account is SUSPENDED")), null, List.of());
        AccountSnapshot outside = new AccountSnapshot("999999999999", null,
                List.of(new Coverage(Coverage.GLOBAL, CoverageStatus.SKIPPED, "OutsideOrganization", "not in the organization")),
                null, List.of(new RegionSnapshot("eu-west-1", null, null, null, List.of(), List.of(), List.of(foreign))));
        return new Snapshot(run, org, List.of(mgmt, member, suspended, outside),
                Map.of("arn:aws:iam::aws:policy/AmazonEC2FullAccess", new ManagedPolicy(
                        "arn:aws:iam::aws:policy/AmazonEC2FullAccess", "AmazonEC2FullAccess", "/", "v8", doc)));
    }
}
