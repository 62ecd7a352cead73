package io.cmkaudit.analysis;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.BlockDeviceMapping;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.EbsVolume;
import io.cmkaudit.snapshot.Ec2Instance;
import io.cmkaudit.snapshot.GrantConstraints;
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
import io.cmkaudit.snapshot.ReadError;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.RunMetadata;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.VolumeAttachment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small organization built in Java for analysis tests: a management account and two members in OU "Workloads",
 * SCP FullAWSAccess at the root, region eu-west-1. Mutable builder; {@link #build()} gives the snapshot.
 */
final class TestOrg {
    static final String MGMT = "111111111111";
    static final String A = "222222222222";
    static final String B = "333333333333";
    static final String REGION = "eu-west-1";
    static final String ROOT = "r-root";
    static final String OU = "ou-root-workload";
    static final String ORG_ID = "o-testorg123";

    static final String ALLOW_ALL = doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}");
    static final String ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";
    static final String EC2_FULL_ARN = "arn:aws:iam::aws:policy/AmazonEC2FullAccess";
    static final String POWER_USER_ARN = "arn:aws:iam::aws:policy/PowerUserAccess";
    static final String S3_READ_ARN = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

    /** AmazonEC2FullAccess as AWS publishes it (no KMS action). */
    static final String EC2_FULL = doc(
            "{\"Action\":\"ec2:*\",\"Effect\":\"Allow\",\"Resource\":\"*\"}",
            "{\"Effect\":\"Allow\",\"Action\":\"elasticloadbalancing:*\",\"Resource\":\"*\"}",
            "{\"Effect\":\"Allow\",\"Action\":\"cloudwatch:*\",\"Resource\":\"*\"}",
            "{\"Effect\":\"Allow\",\"Action\":\"autoscaling:*\",\"Resource\":\"*\"}",
            "{\"Effect\":\"Allow\",\"Action\":\"iam:CreateServiceLinkedRole\",\"Resource\":\"*\",\"Condition\":"
                    + "{\"StringEquals\":{\"iam:AWSServiceName\":[\"autoscaling.amazonaws.com\","
                    + "\"ec2scheduled.amazonaws.com\",\"elasticloadbalancing.amazonaws.com\",\"spot.amazonaws.com\","
                    + "\"spotfleet.amazonaws.com\",\"transitgateway.amazonaws.com\"]}}}");
    static final String POWER_USER = doc(
            "{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\",\"account:*\"],\"Resource\":\"*\"}",
            "{\"Effect\":\"Allow\",\"Action\":[\"iam:CreateServiceLinkedRole\",\"iam:DeleteServiceLinkedRole\","
                    + "\"iam:ListRoles\",\"organizations:DescribeOrganization\",\"account:ListRegions\"],"
                    + "\"Resource\":\"*\"}");
    static final String S3_READ = doc("{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:List*\"],\"Resource\":\"*\"}");

    private final Map<String, ManagedPolicy> awsManaged = new TreeMap<>();
    private final Map<String, Acc> accounts = new LinkedHashMap<>();
    private final List<OrgPolicy> scps = new ArrayList<>();
    private final List<OrgPolicy> rcps = new ArrayList<>();
    private boolean rcpEnabled;
    private boolean orgReadable = true;

    TestOrg() {
        for (String id : List.of(MGMT, A, B)) {
            accounts.put(id, new Acc(id));
        }
        // AWS attaches FullAWSAccess to the root, every OU and every account by default
        scps.add(new OrgPolicy("p-FullAWSAccess", null, "FullAWSAccess", ALLOW_ALL, true, List.of(ROOT, OU, MGMT, A, B)));
        awsManaged.put(ADMIN_ARN, new ManagedPolicy(ADMIN_ARN, "AdministratorAccess", "/", "v1", ALLOW_ALL));
        awsManaged.put(EC2_FULL_ARN, new ManagedPolicy(EC2_FULL_ARN, "AmazonEC2FullAccess", "/", "v8", EC2_FULL));
        awsManaged.put(POWER_USER_ARN, new ManagedPolicy(POWER_USER_ARN, "PowerUserAccess", "/", "v5", POWER_USER));
        awsManaged.put(S3_READ_ARN, new ManagedPolicy(S3_READ_ARN, "AmazonS3ReadOnlyAccess", "/", "v3", S3_READ));
    }

    /** @return a policy document with these statements */
    static String doc(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    /** @return the default key policy of API-created keys: the account's IAM policies decide */
    static String defaultKeyPolicy(String account) {
        return doc("{\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::" + account + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}");
    }

    static String keyArn(String account, String id) {
        return "arn:aws:kms:" + REGION + ":" + account + ":key/" + id;
    }

    static String userArn(String account, String name) {
        return "arn:aws:iam::" + account + ":user/" + name;
    }

    static String roleArn(String account, String name) {
        return "arn:aws:iam::" + account + ":role/" + name;
    }

    TestOrg scp(String id, String document, String... targets) {
        scps.add(new OrgPolicy(id, null, id, document, false, List.of(targets)));
        return this;
    }

    /** Detaches FullAWSAccess from the root (allow-list SCP strategy). */
    TestOrg withoutFullAwsAccess() {
        scps.removeIf(p -> p.id().equals("p-FullAWSAccess"));
        return this;
    }

    TestOrg rcp(String id, String document, String... targets) {
        if (!rcpEnabled) {
            rcpEnabled = true;
            rcps.add(new OrgPolicy("p-RCPFullAWSAccess", null, "RCPFullAWSAccess", doc("{\"Effect\":\"Allow\","
                    + "\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}"), true, List.of(ROOT, OU, MGMT, A, B)));
        }
        rcps.add(new OrgPolicy(id, null, id, document, false, List.of(targets)));
        return this;
    }

    TestOrg orgUnreadable() {
        orgReadable = false;
        return this;
    }

    TestOrg awsManagedPolicy(String arn, String document) {
        awsManaged.put(arn, new ManagedPolicy(arn, arn.substring(arn.lastIndexOf('/') + 1), "/", "v1", document));
        return this;
    }

    TestOrg customerPolicy(String account, String name, String document) {
        String arn = "arn:aws:iam::" + account + ":policy/" + name;
        accounts.get(account).policies.add(new ManagedPolicy(arn, name, "/", "v1", document));
        return this;
    }

    Principal user(String account, String name) {
        Principal p = new Principal(account, name, false, "/");
        accounts.get(account).principals.add(p);
        return p;
    }

    Principal role(String account, String name) {
        Principal p = new Principal(account, name, true, "/");
        accounts.get(account).principals.add(p);
        return p;
    }

    Principal serviceLinkedRole(String account, String name, String service) {
        Principal p = new Principal(account, name, true, "/aws-service-role/" + service + "/");
        accounts.get(account).principals.add(p);
        return p;
    }

    TestOrg group(String account, String name, List<String> managedArns, Map<String, String> inline) {
        List<InlinePolicy> in = new ArrayList<>();
        inline.forEach((k, v) -> in.add(new InlinePolicy(k, v)));
        accounts.get(account).groups.add(new IamGroup("arn:aws:iam::" + account + ":group/" + name, name,
                "AGPA" + name.toUpperCase(), "/", in, managedArns));
        return this;
    }

    Key key(String account, String id) {
        Key k = new Key(account, id);
        accounts.get(account).keys.add(k);
        return k;
    }

    /**
     * Sets EBS encryption by default of the account's region and what {@code GetEbsDefaultKmsKeyId} returned
     * (default: on, key id unreadable).
     *
     * @param on     encryption by default, or null when unreadable
     * @param rawId  the default key id as returned, or null
     * @param keyArn the key ARN it resolved to, or null
     */
    TestOrg ebsDefault(String account, Boolean on, String rawId, String keyArn) {
        Acc a = accounts.get(account);
        a.ebsByDefault = on;
        a.ebsDefaultId = rawId;
        a.ebsDefaultArn = keyArn;
        return this;
    }

    /** Sets the launch sources of the account's region. */
    TestOrg launch(String account, io.cmkaudit.snapshot.LaunchSources sources) {
        accounts.get(account).launch = sources;
        return this;
    }

    /** Adds an EBS snapshot owned by the account (an AMI's snapshot). */
    TestOrg ebsSnapshot(String account, String snapshotId, String keyArnOrNull) {
        accounts.get(account).snapshots.add(new io.cmkaudit.snapshot.EbsSnapshot(snapshotId, account, REGION,
                keyArnOrNull != null, keyArnOrNull, keyArnOrNull, null));
        return this;
    }

    Instance instance(String account, String id) {
        Instance i = new Instance(account, id);
        accounts.get(account).instances.add(i);
        return i;
    }

    Snapshot build() {
        RunMetadata run = new RunMetadata(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T10:01:00Z"),
                "0.1.0", MGMT, "arn:aws:iam::111111111111:role/auditor", "OrganizationAccountAccessRole", null,
                List.of(REGION), Map.of("EC2.DescribeInstances", 3L));
        Organization org;
        if (orgReadable) {
            List<String> types = new ArrayList<>(List.of(Organization.SCP));
            if (rcpEnabled) {
                types.add(0, Organization.RCP);
            }
            org = new Organization(ORG_ID, MGMT, ROOT, types,
                    List.of(new OrganizationalUnit(OU, "Workloads", ROOT, "Root/Workloads")),
                    List.of(new OrgAccount(MGMT, "management", null, "ACTIVE", ROOT, "Root"),
                            new OrgAccount(A, "app-a", null, "ACTIVE", OU, "Root/Workloads"),
                            new OrgAccount(B, "app-b", null, "ACTIVE", OU, "Root/Workloads")),
                    scps, rcps, null);
        } else {
            org = new Organization(null, null, null, List.of(), List.of(),
                    List.of(new OrgAccount(MGMT, null, null, "ACTIVE", null, null)), List.of(), List.of(),
                    new ReadError("Organizations.DescribeOrganization", "AccessDeniedException", "denied"));
        }
        List<AccountSnapshot> accs = new ArrayList<>();
        Map<String, ManagedPolicy> usedAws = new TreeMap<>(awsManaged);
        for (Acc a : accounts.values()) {
            accs.add(a.build());
        }
        return new Snapshot(run, org, accs, usedAws);
    }

    /** One account under construction. */
    private static final class Acc {
        final String id;
        final List<Principal> principals = new ArrayList<>();
        final List<IamGroup> groups = new ArrayList<>();
        final List<ManagedPolicy> policies = new ArrayList<>();
        final List<Key> keys = new ArrayList<>();
        final List<Instance> instances = new ArrayList<>();
        Boolean ebsByDefault = true;
        String ebsDefaultId;
        String ebsDefaultArn;
        io.cmkaudit.snapshot.LaunchSources launch = io.cmkaudit.snapshot.LaunchSources.EMPTY;
        final List<io.cmkaudit.snapshot.EbsSnapshot> snapshots = new ArrayList<>();

        Acc(String id) {
            this.id = id;
        }

        AccountSnapshot build() {
            List<IamUser> users = new ArrayList<>();
            List<IamRole> roles = new ArrayList<>();
            for (Principal p : principals) {
                if (p.role) {
                    roles.add(p.toRole());
                } else {
                    users.add(p.toUser());
                }
            }
            users.sort((x, y) -> x.name().compareTo(y.name()));
            roles.sort((x, y) -> x.name().compareTo(y.name()));
            List<EbsVolume> volumes = new ArrayList<>();
            List<Ec2Instance> ins = new ArrayList<>();
            for (Instance i : instances) {
                ins.add(i.toInstance());
                volumes.addAll(i.volumes);
            }
            volumes.sort((x, y) -> x.volumeId().compareTo(y.volumeId()));
            List<KmsKey> kms = keys.stream().map(Key::toKey).sorted((x, y) -> x.arn().compareTo(y.arn())).toList();
            return new AccountSnapshot(id, "acct-" + id, List.of(Coverage.scanned(Coverage.GLOBAL),
                    Coverage.scanned(REGION)), new IamSnapshot(users, groups, roles, policies),
                    List.of(new RegionSnapshot(REGION, ebsByDefault, ebsDefaultId, ebsDefaultArn, ins, volumes,
                            kms, snapshots, launch)));
        }
    }

    /** A user or role under construction. */
    static final class Principal {
        final String account;
        final String name;
        final boolean role;
        final String path;
        final List<InlinePolicy> inline = new ArrayList<>();
        final List<String> attached = new ArrayList<>();
        final List<String> groups = new ArrayList<>();
        final Map<String, String> tags = new TreeMap<>();
        String boundary;

        Principal(String account, String name, boolean role, String path) {
            this.account = account;
            this.name = name;
            this.role = role;
            this.path = path;
        }

        String arn() {
            return "arn:aws:iam::" + account + ":" + (role ? "role" : "user") + path + name;
        }

        Principal inline(String policyName, String document) {
            inline.add(new InlinePolicy(policyName, document));
            return this;
        }

        Principal attach(String arn) {
            attached.add(arn);
            return this;
        }

        Principal group(String g) {
            groups.add(g);
            return this;
        }

        Principal tag(String k, String v) {
            tags.put(k, v);
            return this;
        }

        Principal boundary(String arn) {
            boundary = arn;
            return this;
        }

        IamUser toUser() {
            return new IamUser(arn(), name, "AIDA" + name.toUpperCase(), path, groups, inline, attached, boundary, tags);
        }

        IamRole toRole() {
            return new IamRole(arn(), name, "AROA" + name.toUpperCase(), path, doc(), inline, attached, boundary, tags,
                    List.of(), path.startsWith("/aws-service-role/"));
        }
    }

    /** A KMS key under construction (Enabled, default key policy, customer managed). */
    static final class Key {
        final String account;
        final String id;
        String policy;
        String state = "Enabled";
        String manager = "CUSTOMER";
        final List<KmsGrant> grants = new ArrayList<>();
        final List<String> aliases = new ArrayList<>();
        final Map<String, String> tags = new TreeMap<>();
        ReadError readError;

        Key(String account, String id) {
            this.account = account;
            this.id = id;
            this.policy = defaultKeyPolicy(account);
        }

        String arn() {
            return keyArn(account, id);
        }

        Key policy(String p) {
            policy = p;
            return this;
        }

        Key state(String s) {
            state = s;
            return this;
        }

        Key awsManaged(String alias) {
            manager = "AWS";
            aliases.add(alias);
            return this;
        }

        Key tag(String k, String v) {
            tags.put(k, v);
            return this;
        }

        Key grant(String grantId, String grantee, String... operations) {
            grants.add(new KmsGrant(grantId, null, grantee, null, List.of(operations), null, null));
            return this;
        }

        Key grant(String grantId, String grantee, Map<String, String> subset, String... operations) {
            grants.add(new KmsGrant(grantId, null, grantee, null, List.of(operations),
                    new GrantConstraints(Map.of(), subset), null));
            return this;
        }

        Key unreadable(String op, String code) {
            readError = new ReadError(op, code, op + ": " + code);
            state = null;
            policy = null;
            manager = null;
            return this;
        }

        KmsKey toKey() {
            return new KmsKey(arn(), id, account, REGION, manager, state, manager == null ? null : "AWS_KMS",
                    manager == null ? null : false, policy, grants, aliases, tags, readError);
        }
    }

    /** An instance under construction (stopped, t3.micro). */
    static final class Instance {
        final String account;
        final String id;
        final Map<String, String> tags = new TreeMap<>();
        final List<EbsVolume> volumes = new ArrayList<>();
        String type = "t3.micro";
        String state = "stopped";
        String reasonCode;
        String reasonMessage;
        Instant launchTime;

        Instance(String account, String id) {
            this.account = account;
            this.id = id;
        }

        String arn() {
            return "arn:aws:ec2:" + REGION + ":" + account + ":instance/" + id;
        }

        Instance tag(String k, String v) {
            tags.put(k, v);
            return this;
        }

        Instance type(String t) {
            type = t;
            return this;
        }

        /** Sets the state and its reason (code and message may be null). */
        Instance state(String state, String code, String message, Instant launched) {
            this.state = state;
            this.reasonCode = code;
            this.reasonMessage = message;
            this.launchTime = launched;
            return this;
        }

        /** A volume on the key (a key ARN), on {@code aws/ebs} ("aws/ebs") or unencrypted (null). */
        Instance volume(String volumeId, String keyArnOrNull) {
            boolean enc = keyArnOrNull != null;
            String keyId = "aws/ebs".equals(keyArnOrNull) ? "arn:aws:kms:" + REGION + ":" + account + ":alias/aws/ebs"
                    : keyArnOrNull;
            String arn = "aws/ebs".equals(keyArnOrNull) ? keyArn(account, "aws-ebs-" + account) : keyArnOrNull;
            volumes.add(new EbsVolume(volumeId, enc, keyId, arn, "in-use", List.of(new VolumeAttachment(id,
                    "/dev/xvd" + (char) ('a' + volumes.size())))));
            return this;
        }

        Ec2Instance toInstance() {
            List<BlockDeviceMapping> bdm = new ArrayList<>();
            for (int i = 0; i < volumes.size(); i++) {
                bdm.add(new BlockDeviceMapping("/dev/xvd" + (char) ('a' + i), volumes.get(i).volumeId()));
            }
            return new Ec2Instance(id, arn(), state, reasonCode, reasonMessage, tags, type, REGION + "a", "default",
                    false, null, null, "ebs", "/dev/xvda", bdm, null, launchTime, null);
        }
    }
}
