package io.cmkaudit.bench;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.BlockDeviceMapping;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.EbsVolume;
import io.cmkaudit.snapshot.Ec2Instance;
import io.cmkaudit.snapshot.IamGroup;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IamSnapshot;
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
import io.cmkaudit.snapshot.RunMetadata;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import io.cmkaudit.snapshot.VolumeAttachment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Generates a synthetic AWS Organization snapshot for the analysis benchmark: {@code N} accounts, each with 100
 * principals (30 users, 70 roles), 50 instances in two regions and 5 customer managed keys, with a realistic mix of
 * policies (AWS managed admin / power-user / EC2 / read-only policies, tag-scoped start policies with and without the
 * attach grant, app roles decrypting their data key, schedulers, permissions boundaries, service-linked roles), key
 * policies (IAM delegation, console style with key administrators and users, cross-account sharing), grants, SCPs and
 * RCPs (a key-deletion guard, a sandbox allow-list, an organization-only RCP), a central security account whose key
 * many accounts use, some keys disabled or pending deletion, some instances on {@code aws/ebs} or unencrypted.
 * Deterministic for a given account count.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.cmkaudit.bench.SyntheticOrganization ACCOUNTS FILE [--check]}: the
 * file is written one account at a time (a 10,000-account snapshot, 1.5 GB, in a small heap); {@code --check} also
 * generates the whole snapshot in memory and checks that {@code SnapshotJson.write} writes the same bytes.
 */
public final class SyntheticOrganization {

    static final String ORG_ID = "o-synthetic01";
    static final String ROOT = "r-syn0";
    static final List<String> REGIONS = List.of("eu-west-1", "us-east-1");
    static final List<String> TEAMS = List.of("ops", "data", "web", "ml");
    static final String[] OU_NAMES = {"Prod", "Staging", "Dev", "Data", "Shared", "Sandbox"};

    private final int accounts;
    private final Random random;

    /**
     * @param accounts number of accounts, at least 2 (the first is the management account, the second the central
     *                 security account)
     */
    public SyntheticOrganization(int accounts) {
        if (accounts < 2) {
            throw new IllegalArgumentException("at least 2 accounts");
        }
        this.accounts = accounts;
        this.random = new Random(20260301L + accounts);
    }

    static String id(int i) {
        return String.format("%012d", 100000000000L + i);
    }

    static String doc(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    static String keyArn(String account, String region, int k) {
        return "arn:aws:kms:" + region + ":" + account + ":key/" + String.format("%08d-0000-4000-8000-%012d", k,
                Long.parseLong(account));
    }

    static final String ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
    static final String POWER = "arn:aws:iam::aws:policy/PowerUserAccess";
    static final String EC2_FULL = "arn:aws:iam::aws:policy/AmazonEC2FullAccess";
    static final String READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    static final String S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    static final String SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
    static final String ASG_SLR = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy";
    static final String ELB_SLR = "arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy";

    /** @return the snapshot */
    public Snapshot generate() {
        List<AccountSnapshot> accs = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            accs.add(account(a));
        }
        return head().withAccounts(accs);
    }

    /** @return the snapshot without its accounts (organization, run metadata, AWS managed policies) */
    Snapshot head() {
        Map<String, ManagedPolicy> aws = new TreeMap<>();
        aws.put(ADMIN, mp(ADMIN, doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}")));
        aws.put(POWER, mp(POWER, doc(
                "{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\",\"account:*\"],\"Resource\":\"*\"}",
                "{\"Effect\":\"Allow\",\"Action\":[\"iam:CreateServiceLinkedRole\",\"iam:DeleteServiceLinkedRole\","
                        + "\"iam:ListRoles\",\"organizations:DescribeOrganization\",\"account:ListRegions\"],"
                        + "\"Resource\":\"*\"}")));
        aws.put(EC2_FULL, mp(EC2_FULL, doc("{\"Action\":\"ec2:*\",\"Effect\":\"Allow\",\"Resource\":\"*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"elasticloadbalancing:*\",\"Resource\":\"*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"cloudwatch:*\",\"Resource\":\"*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"autoscaling:*\",\"Resource\":\"*\"}",
                "{\"Effect\":\"Allow\",\"Action\":\"iam:CreateServiceLinkedRole\",\"Resource\":\"*\",\"Condition\":"
                        + "{\"StringEquals\":{\"iam:AWSServiceName\":[\"autoscaling.amazonaws.com\","
                        + "\"ec2scheduled.amazonaws.com\",\"elasticloadbalancing.amazonaws.com\","
                        + "\"spot.amazonaws.com\",\"spotfleet.amazonaws.com\",\"transitgateway.amazonaws.com\"]}}}")));
        aws.put(READ_ONLY, mp(READ_ONLY, doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:Describe*\",\"ec2:Get*\","
                + "\"iam:Get*\",\"iam:List*\",\"kms:Describe*\",\"kms:Get*\",\"kms:List*\",\"s3:Get*\",\"s3:List*\","
                + "\"cloudwatch:Describe*\",\"cloudwatch:Get*\",\"cloudwatch:List*\",\"logs:Describe*\",\"logs:Get*\"],"
                + "\"Resource\":\"*\"}")));
        aws.put(S3_READ, mp(S3_READ, doc("{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:List*\","
                + "\"s3-object-lambda:Get*\",\"s3-object-lambda:List*\"],\"Resource\":\"*\"}")));
        aws.put(SSM_CORE, mp(SSM_CORE, doc("{\"Effect\":\"Allow\",\"Action\":[\"ssm:DescribeAssociation\","
                + "\"ssm:GetDocument\",\"ssm:UpdateInstanceInformation\",\"ssmmessages:CreateControlChannel\","
                + "\"ssmmessages:OpenDataChannel\",\"ec2messages:GetMessages\",\"ec2messages:AcknowledgeMessage\"],"
                + "\"Resource\":\"*\"}")));
        aws.put(ASG_SLR, mp(ASG_SLR, doc("{\"Sid\":\"EC2InstanceManagement\",\"Effect\":\"Allow\",\"Action\":["
                + "\"ec2:AttachClassicLinkVpc\",\"ec2:CancelSpotInstanceRequests\",\"ec2:CreateFleet\","
                + "\"ec2:CreateTags\",\"ec2:DeleteTags\",\"ec2:Describe*\",\"ec2:DetachClassicLinkVpc\","
                + "\"ec2:GetInstanceTypesFromInstanceRequirements\",\"ec2:ModifyInstanceAttribute\","
                + "\"ec2:RequestSpotInstances\",\"ec2:RunInstances\",\"ec2:StartInstances\",\"ec2:StopInstances\","
                + "\"ec2:TerminateInstances\"],\"Resource\":\"*\"}")));
        aws.put(ELB_SLR, mp(ELB_SLR, doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:DescribeAddresses\","
                + "\"ec2:DescribeInstances\",\"ec2:CreateNetworkInterface\",\"ec2:DeleteNetworkInterface\"],"
                + "\"Resource\":\"*\"}")));

        List<OrganizationalUnit> ous = new ArrayList<>();
        for (int i = 0; i < OU_NAMES.length; i++) {
            ous.add(new OrganizationalUnit(ouId(i), OU_NAMES[i], ROOT, "Root/" + OU_NAMES[i]));
        }
        List<OrgAccount> orgAccounts = new ArrayList<>();
        List<String> allTargets = new ArrayList<>(List.of(ROOT));
        ous.forEach(o -> allTargets.add(o.id()));
        for (int a = 0; a < accounts; a++) {
            String parent = a == 0 ? ROOT : a == 1 ? ouId(4) : ouId(a % OU_NAMES.length);
            OrganizationalUnit ou = ous.stream().filter(o -> o.id().equals(parent)).findFirst().orElse(null);
            orgAccounts.add(new OrgAccount(id(a), a == 0 ? "management" : a == 1 ? "security" : "acct-" + a,
                    "aws+" + a + "@example.com", "ACTIVE", parent, ou == null ? "Root" : ou.path()));
            allTargets.add(id(a));
        }
        List<String> fullTargets = new ArrayList<>(allTargets);
        fullTargets.remove(ouId(5));
        List<OrgPolicy> scps = List.of(
                new OrgPolicy("p-FullAWSAccess", "arn:aws:organizations::aws:policy/service_control_policy/"
                        + "p-FullAWSAccess", "FullAWSAccess", doc("{\"Effect\":\"Allow\",\"Action\":\"*\","
                        + "\"Resource\":\"*\"}"), true, fullTargets),
                new OrgPolicy("p-kmsguard01", null, "DenyKmsKeyDeletion", doc("{\"Sid\":\"DenyKeyDeletion\","
                        + "\"Effect\":\"Deny\",\"Action\":[\"kms:ScheduleKeyDeletion\",\"kms:DisableKey\","
                        + "\"kms:PutKeyPolicy\"],\"Resource\":\"*\",\"Condition\":{\"ArnNotLike\":"
                        + "{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/kms-admin\"}}}"), false,
                        List.of(ouId(0), ouId(1), ouId(3))),
                new OrgPolicy("p-sandbox01", null, "SandboxAllowList", doc("{\"Effect\":\"Allow\",\"Action\":["
                        + "\"ec2:*\",\"s3:*\",\"cloudwatch:*\",\"logs:*\",\"iam:*\",\"sts:*\",\"kms:Describe*\","
                        + "\"kms:List*\",\"kms:Decrypt\",\"kms:GenerateDataKey*\",\"kms:CreateGrant\"],"
                        + "\"Resource\":\"*\"}"), false, List.of(ouId(5))),
                new OrgPolicy("p-regions01", null, "DenyOtherRegions", doc("{\"Sid\":\"DenyOtherRegions\","
                        + "\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\",\"organizations:*\",\"sts:*\",\"support:*\"],"
                        + "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":"
                        + "[\"eu-west-1\",\"us-east-1\"]}}}"), false, List.of(ROOT)));
        List<OrgPolicy> rcps = List.of(
                new OrgPolicy("p-RCPFullAWSAccess", null, "RCPFullAWSAccess", doc("{\"Effect\":\"Allow\","
                        + "\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"), true, allTargets),
                new OrgPolicy("p-rcporg01", null, "KmsOnlyFromOrganization", doc("{\"Sid\":\"OrgOnly\","
                        + "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
                        + "\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:PrincipalOrgID\":\"" + ORG_ID + "\"},"
                        + "\"BoolIfExists\":{\"aws:PrincipalIsAWSService\":\"false\"}}}"), false,
                        List.of(ouId(0), ouId(3), ouId(4))));
        Organization org = new Organization(ORG_ID, id(0), ROOT, List.of(Organization.RCP, Organization.SCP),
                ous, orgAccounts, scps, rcps, null);

        Map<String, Long> calls = new LinkedHashMap<>();
        calls.put("IAM.GetAccountAuthorizationDetails", (long) accounts);
        RunMetadata run = new RunMetadata(Instant.parse("2026-03-01T10:00:00Z"),
                Instant.parse("2026-03-01T10:30:00Z"), "0.1.0", id(0), "arn:aws:iam::" + id(0) + ":role/auditor",
                "CmkAuditRole", null, REGIONS, calls);
        return new Snapshot(run, org, List.of(), aws);
    }

    static String ouId(int i) {
        return "ou-syn0-" + String.format("%08d", i + 1);
    }

    static ManagedPolicy mp(String arn, String document) {
        return new ManagedPolicy(arn, arn.substring(arn.lastIndexOf('/') + 1),
                arn.contains("aws-service-role") ? "/aws-service-role/" : "/", "v1", document);
    }

    // ------------------------------------------------------------------ one account

    private AccountSnapshot account(int a) {
        String acc = id(a);
        String security = id(1);
        String iamArn = "arn:aws:iam::" + acc + ":";
        // keys: 5 per account, 3 in eu-west-1 and 2 in us-east-1
        List<List<KmsKey>> keysByRegion = List.of(new ArrayList<>(), new ArrayList<>());
        List<String> keyArns = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            int r = k < 3 ? 0 : 1;
            String region = REGIONS.get(r);
            String arn = keyArn(acc, region, k);
            keyArns.add(arn);
            String state = "Enabled";
            if (a % 37 == 5 && k == 4) {
                state = "PendingDeletion";
            } else if (a % 23 == 7 && k == 3) {
                state = "Disabled";
            }
            String policy = switch (k) {
                case 0 -> delegation(acc);
                case 1 -> consoleStyle(acc, a % 2 == 0);
                case 2 -> a == 1 ? sharedWithOrganization(acc) : delegation(acc);
                case 3 -> noDelegation(acc);
                default -> delegation(acc);
            };
            List<KmsGrant> grants = new ArrayList<>();
            if (k == 1) {
                grants.add(new KmsGrant("g" + a + "a", "app-data", iamArn + "role/app-0", null,
                        List.of("Decrypt", "Encrypt", "GenerateDataKey"), null, "arn:aws:iam::" + acc + ":root"));
                grants.add(new KmsGrant("g" + a + "b", null, "arn:aws:sts::" + acc
                        + ":assumed-role/aws:ec2-infrastructure/i-" + acc + "00", null, List.of("Decrypt"), null,
                        "arn:aws:iam::" + acc + ":root"));
            }
            keysByRegion.get(r).add(new KmsKey(arn, arn.substring(arn.lastIndexOf('/') + 1), acc, region,
                    "CUSTOMER", state, "AWS_KMS", false, policy, grants, List.of("alias/key-" + k),
                    Map.of("owner", k == 1 ? "platform" : "app"), null));
        }
        String awsEbs = "arn:aws:kms:eu-west-1:" + acc + ":key/aws-ebs-" + acc;
        keysByRegion.get(0).add(new KmsKey(awsEbs, "aws-ebs-" + acc, acc, "eu-west-1", "AWS", "Enabled",
                "AWS_KMS", false, doc("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":\"" + acc
                + "\",\"kms:ViaService\":\"ec2.eu-west-1.amazonaws.com\"}}}"), List.of(), List.of("alias/aws/ebs"),
                Map.of(), null));
        String central = keyArn(security, "eu-west-1", 2);

        // instances: 50, 30 in eu-west-1, 20 in us-east-1
        List<List<Ec2Instance>> instances = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<EbsVolume>> volumes = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < 50; i++) {
            int r = i < 30 ? 0 : 1;
            String region = REGIONS.get(r);
            String iid = "i-" + acc + String.format("%02d", i);
            Map<String, String> tags = new TreeMap<>();
            tags.put("Name", "host-" + a + "-" + i);
            tags.put("team", TEAMS.get(i % TEAMS.size()));
            tags.put("env", i % 3 == 0 ? "prod" : "dev");
            if (i % 10 == 9) {
                tags.put("aws:autoscaling:groupName", "asg-" + (i % 4));
            }
            int nVol = 1 + (i % 2);
            List<BlockDeviceMapping> bdm = new ArrayList<>();
            for (int v = 0; v < nVol; v++) {
                String vid = "vol-" + acc + String.format("%02d%d", i, v);
                String device = "/dev/xvd" + (char) ('a' + v);
                bdm.add(new BlockDeviceMapping(device, vid));
                String key;
                int roll = (i * 7 + v * 3 + a) % 20;
                if (roll == 0) {
                    key = null;
                } else if (roll <= 2) {
                    key = r == 0 ? awsEbs : null;
                } else if (roll == 3 && r == 0 && a > 1) {
                    key = central;
                } else if (r == 0) {
                    key = keyArns.get((i + v) % 3);
                } else {
                    // the key whose policy does not delegate to IAM is rare: one instance in ten of us-east-1
                    key = i % 10 == 5 ? keyArns.get(3) : keyArns.get(4);
                }
                volumes.get(r).add(new EbsVolume(vid, key != null, key, key, "in-use",
                        List.of(new VolumeAttachment(iid, device))));
            }
            instances.get(r).add(new Ec2Instance(iid, "arn:aws:ec2:" + region + ":" + acc + ":instance/" + iid,
                    i % 4 == 0 ? "running" : "stopped", null, null, tags, i % 5 == 0 ? "m5.large" : "t3.micro",
                    region + "a", "default", true, null, iamArn + "instance-profile/app-" + (i % 40), "ebs",
                    "/dev/xvda", bdm));
        }

        // IAM: customer managed policies, groups, 30 users, 70 roles
        String attachAll = doc("{\"Sid\":\"AttachCmkVolumes\",\"Effect\":\"Allow\",\"Action\":\"kms:CreateGrant\","
                + "\"Resource\":" + jsonArray(keyArns) + ",\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":"
                + "\"true\"}}}");
        List<ManagedPolicy> customer = new ArrayList<>();
        customer.add(new ManagedPolicy(iamArn + "policy/Ec2AttachCmk", "Ec2AttachCmk", "/", "v2", attachAll));
        customer.add(new ManagedPolicy(iamArn + "policy/StartTeamInstances", "StartTeamInstances", "/", "v1",
                doc("{\"Sid\":\"StartOwnTeam\",\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\","
                        + "\"ec2:StopInstances\",\"ec2:RebootInstances\"],\"Resource\":\"arn:aws:ec2:*:" + acc
                        + ":instance/*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":"
                        + "\"${aws:PrincipalTag/team}\"}}}",
                        "{\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}")));
        customer.add(new ManagedPolicy(iamArn + "policy/Boundary", "Boundary", "/", "v1",
                doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:*\",\"s3:*\",\"logs:*\",\"cloudwatch:*\"],"
                        + "\"Resource\":\"*\"}", "{\"Sid\":\"EbsAttach\",\"Effect\":\"Allow\",\"Action\":"
                        + "\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":{\"Bool\":"
                        + "{\"kms:GrantIsForAWSResource\":\"true\"}}}")));
        customer.add(new ManagedPolicy(iamArn + "policy/StrictBoundary", "StrictBoundary", "/", "v1",
                doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:*\",\"s3:*\",\"logs:*\",\"cloudwatch:*\"],"
                        + "\"Resource\":\"*\"}")));
        customer.add(new ManagedPolicy(iamArn + "policy/SchedulerStartStop", "SchedulerStartStop", "/", "v1",
                doc("{\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\",\"ec2:StopInstances\","
                        + "\"ec2:DescribeInstances\"],\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                        + "{\"aws:ResourceTag/env\":\"dev\"}}}")));
        customer.add(new ManagedPolicy(iamArn + "policy/KmsOperators", "KmsOperators", "/", "v1",
                doc("{\"Sid\":\"KeyOps\",\"Effect\":\"Allow\",\"Action\":[\"kms:CreateGrant\",\"kms:ListGrants\","
                        + "\"kms:RevokeGrant\",\"kms:DescribeKey\"],\"Resource\":\"*\"}")));
        List<IamGroup> groups = List.of(
                new IamGroup(iamArn + "group/admins", "admins", "AGPA" + acc + "A", "/", List.of(), List.of(ADMIN)),
                new IamGroup(iamArn + "group/operators", "operators", "AGPA" + acc + "O", "/", List.of(),
                        List.of(iamArn + "policy/StartTeamInstances", iamArn + "policy/Ec2AttachCmk")),
                new IamGroup(iamArn + "group/developers", "developers", "AGPA" + acc + "D", "/",
                        List.of(new InlinePolicy("dev-access", doc("{\"Effect\":\"Allow\",\"Action\":[\"s3:*\","
                                + "\"logs:*\"],\"Resource\":\"*\"}"))),
                        List.of(iamArn + "policy/StartTeamInstances", READ_ONLY)));
        List<IamUser> users = new ArrayList<>();
        for (int u = 0; u < 30; u++) {
            String name = "user-" + u;
            List<String> g = new ArrayList<>();
            List<String> attached = new ArrayList<>();
            List<InlinePolicy> inline = new ArrayList<>();
            Map<String, String> tags = new TreeMap<>();
            tags.put("team", TEAMS.get(u % TEAMS.size()));
            if (u < 3) {
                g.add("admins");
            } else if (u < 15) {
                g.add("operators");
            } else if (u < 25) {
                g.add("developers");
                if (u % 4 != 0) {
                    attached.add(iamArn + "policy/Ec2AttachCmk");
                }
            } else if (u < 28) {
                attached.add(READ_ONLY);
            } else if (u == 28 && a % 5 == 0) {
                attached.add(EC2_FULL);
            } else {
                attached.add(S3_READ);
                inline.add(new InlinePolicy("personal", doc("{\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\","
                        + "\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::bucket-" + a + "-" + u + "/*\"}")));
            }
            if (a % 97 == 3 && u == 29) {
                inline.add(new InlinePolicy("typo", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                        + "\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":\"*\",\"Condition\":{"
                        + "\"StringEqulas\":{\"aws:ResourceTag/team\":\"ops\"}}}]}"));
            }
            users.add(new IamUser(iamArn + "user/" + name, name, "AIDA" + acc + String.format("%04d", u), "/", g,
                    inline, attached, null, tags));
        }
        List<IamRole> roles = new ArrayList<>();
        String trust = doc("{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
                + "\"Action\":\"sts:AssumeRole\"}");
        for (int r = 0; r < 70; r++) {
            String name;
            String path = "/";
            List<String> attached = new ArrayList<>();
            List<InlinePolicy> inline = new ArrayList<>();
            String boundary = null;
            List<String> profiles = List.of();
            boolean slr = false;
            if (r < 40) {
                name = "app-" + r;
                profiles = List.of(iamArn + "instance-profile/app-" + r);
                attached.add(SSM_CORE);
                String dataKey = keyArns.get(r % 5);
                String kmsStatement = r % 8 == 0
                        ? "{\"Sid\":\"DecryptData\",\"Effect\":\"Allow\",\"Action\":[\"kms:Decrypt\","
                        + "\"kms:GenerateDataKey\"],\"Resource\":\"*\"}"
                        : r % 8 == 1
                        ? "{\"Sid\":\"DecryptViaS3\",\"Effect\":\"Allow\",\"Action\":[\"kms:Decrypt\","
                        + "\"kms:GenerateDataKey\"],\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                        + "{\"kms:ViaService\":\"s3.eu-west-1.amazonaws.com\"}}}"
                        : "{\"Sid\":\"DecryptData\",\"Effect\":\"Allow\",\"Action\":[\"kms:Decrypt\","
                        + "\"kms:GenerateDataKey\"],\"Resource\":\"" + dataKey + "\"}";
                inline.add(new InlinePolicy("app-data", doc("{\"Sid\":\"Data\",\"Effect\":\"Allow\",\"Action\":["
                        + "\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::data-" + a + "-" + r + "/*\"}",
                        kmsStatement)));
            } else if (r < 50) {
                name = "deploy-" + (r - 40);
                attached.add(POWER);
            } else if (r < 55) {
                name = "scheduler-" + (r - 50);
                attached.add(iamArn + "policy/SchedulerStartStop");
                if (r != 54 || a % 3 != 0) {
                    attached.add(iamArn + "policy/Ec2AttachCmk");
                }
            } else if (r < 60) {
                name = r == 55 ? "OrganizationAccountAccessRole" : r == 56 ? "kms-admin" : "admin-" + (r - 57);
                attached.add(ADMIN);
                if (r == 56) {
                    attached.add(iamArn + "policy/KmsOperators");
                }
            } else if (r < 65) {
                name = "bounded-" + (r - 60);
                attached.add(POWER);
                boundary = iamArn + (r == 64 ? "policy/StrictBoundary" : "policy/Boundary");
            } else {
                slr = true;
                if (r == 65) {
                    name = "AWSServiceRoleForAutoScaling";
                    path = "/aws-service-role/autoscaling.amazonaws.com/";
                    attached.add(ASG_SLR);
                } else if (r == 66) {
                    name = "AWSServiceRoleForElasticLoadBalancing";
                    path = "/aws-service-role/elasticloadbalancing.amazonaws.com/";
                    attached.add(ELB_SLR);
                } else {
                    name = "AWSServiceRoleForSynthetic" + r;
                    path = "/aws-service-role/synthetic" + r + ".amazonaws.com/";
                }
            }
            roles.add(new IamRole(iamArn + "role" + path + name, name, "AROA" + acc + String.format("%04d", r), path,
                    trust, inline, attached, boundary, Map.of("team", TEAMS.get(r % TEAMS.size())), profiles, slr));
        }
        users.sort((x, y) -> x.name().compareTo(y.name()));
        roles.sort((x, y) -> x.name().compareTo(y.name()));
        customer.sort((x, y) -> x.arn().compareTo(y.arn()));

        List<RegionSnapshot> regions = new ArrayList<>();
        List<Coverage> coverage = new ArrayList<>(List.of(Coverage.scanned(Coverage.GLOBAL)));
        for (int r = 0; r < 2; r++) {
            List<KmsKey> ks = new ArrayList<>(keysByRegion.get(r));
            ks.sort((x, y) -> x.arn().compareTo(y.arn()));
            List<EbsVolume> vs = new ArrayList<>(volumes.get(r));
            vs.sort((x, y) -> x.volumeId().compareTo(y.volumeId()));
            regions.add(new RegionSnapshot(REGIONS.get(r), true, null, null, instances.get(r), vs, ks));
            coverage.add(Coverage.scanned(REGIONS.get(r)));
        }
        regions.sort((x, y) -> x.region().compareTo(y.region()));
        coverage.sort((x, y) -> x.region().equals("global") ? -1 : y.region().equals("global") ? 1
                : x.region().compareTo(y.region()));
        return new AccountSnapshot(acc, a == 0 ? "management" : a == 1 ? "security" : "acct-" + a, coverage,
                new IamSnapshot(users, groups, roles, customer), regions);
    }

    private static String jsonArray(List<String> values) {
        return "[" + String.join(",", values.stream().map(v -> "\"" + v + "\"").toList()) + "]";
    }

    static String delegation(String acc) {
        return doc("{\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::" + acc + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}");
    }

    /** The console's default key policy shape: root, key administrators, key users, persistent-resource grants. */
    static String consoleStyle(String acc, boolean asgStatement) {
        String iam = "arn:aws:iam::" + acc + ":";
        List<String> st = new ArrayList<>(List.of(
                "{\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + iam
                        + "root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"Allow access for Key Administrators\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + iam
                        + "role/kms-admin\"},\"Action\":[\"kms:Create*\",\"kms:Describe*\",\"kms:Enable*\","
                        + "\"kms:List*\",\"kms:Put*\",\"kms:Update*\",\"kms:Revoke*\",\"kms:Disable*\",\"kms:Get*\","
                        + "\"kms:Delete*\",\"kms:TagResource\",\"kms:UntagResource\",\"kms:ScheduleKeyDeletion\","
                        + "\"kms:CancelKeyDeletion\",\"kms:RotateKeyOnDemand\"],\"Resource\":\"*\"}",
                "{\"Sid\":\"Allow use of the key\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"" + iam
                        + "role/app-1\",\"" + iam + "role/app-6\"]},\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\","
                        + "\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\",\"kms:DescribeKey\"],\"Resource\":\"*\"}",
                "{\"Sid\":\"Allow attachment of persistent resources\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\""
                        + iam + "role/app-1\",\"" + iam + "role/app-6\"]},\"Action\":[\"kms:CreateGrant\","
                        + "\"kms:ListGrants\",\"kms:RevokeGrant\"],\"Resource\":\"*\",\"Condition\":{\"Bool\":"
                        + "{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        if (asgStatement) {
            st.add("{\"Sid\":\"Allow service-linked role use of the key\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                    + iam + "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling\"},"
                    + "\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\","
                    + "\"kms:DescribeKey\"],\"Resource\":\"*\"}");
            st.add("{\"Sid\":\"Allow attachment of persistent resources for the SLR\",\"Effect\":\"Allow\","
                    + "\"Principal\":{\"AWS\":\"" + iam + "role/aws-service-role/autoscaling.amazonaws.com/"
                    + "AWSServiceRoleForAutoScaling\"},\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\","
                    + "\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}");
        }
        return doc(st.toArray(new String[0]));
    }

    static String noDelegation(String acc) {
        String iam = "arn:aws:iam::" + acc + ":";
        return doc("{\"Sid\":\"KeyAdmins\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + iam + "role/kms-admin\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"Operators\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"" + iam + "role/deploy-0\",\""
                        + iam + "role/scheduler-0\"]},\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\","
                        + "\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}");
    }

    /** The security account's central key: its account, plus EC2 attach for every account of the organization. */
    static String sharedWithOrganization(String acc) {
        return doc("{\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                        + "\"arn:aws:iam::" + acc + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"OrganizationAttach\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":"
                        + "[\"kms:CreateGrant\",\"kms:DescribeKey\",\"kms:Decrypt\"],\"Resource\":\"*\",\"Condition\":"
                        + "{\"StringEquals\":{\"aws:PrincipalOrgID\":\"" + ORG_ID + "\"},\"Bool\":"
                        + "{\"kms:GrantIsForAWSResource\":\"true\"}}}");
    }

    /**
     * Writes a synthetic snapshot.
     *
     * @param args {@code ACCOUNTS FILE}
     * @throws Exception on I/O errors
     */
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path file = Path.of(args[1]);
        long t0 = System.nanoTime();
        SyntheticOrganization g = new SyntheticOrganization(n);
        long[] counts = new long[3];
        // one account at a time: a 10,000-account snapshot (1.5 GB of JSON) is written in a small heap
        BenchJson.write(g.head(), java.util.stream.IntStream.range(0, n).mapToObj(a -> {
            AccountSnapshot x = g.account(a);
            counts[0] += x.iam().users().size() + x.iam().roles().size();
            x.regions().forEach(r -> {
                counts[1] += r.instances().size();
                counts[2] += r.kmsKeys().size();
            });
            return x;
        }).iterator(), file);
        if (args.length > 2 && "--check".equals(args[2])) {
            Path whole = Path.of(args[1] + ".whole");
            SnapshotJson.write(g.generate(), whole);
            long differ = Files.mismatch(file, whole);
            Files.delete(whole);
            if (differ >= 0) {
                System.err.println(file + ": differs from SnapshotJson.write of the whole snapshot at byte " + differ);
                System.exit(1);
            }
            System.out.println("same bytes as SnapshotJson.write of the whole snapshot");
        }
        System.out.printf("generated %d accounts, %d principals, %d instances, %d keys (incl. aws/ebs) into %s "
                        + "(%.1f MB) in %.1f s%n", n, counts[0], counts[1], counts[2], file, Files.size(file) / 1e6,
                (System.nanoTime() - t0) / 1e9);
    }
}
