package io.cmkaudit.testing;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.CreateAccountStatus;
import software.amazon.awssdk.services.organizations.model.CreateAccountState;
import software.amazon.awssdk.services.organizations.model.OrganizationFeatureSet;
import software.amazon.awssdk.services.organizations.model.PolicyType;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Seeds an AWS Organization into moto_server through the AWS SDK, fluently:
 *
 * <pre>{@code
 * try (OrgSeeder org = new OrgSeeder(moto.endpoint()).organization()) {
 *     OrgSeeder.Account prod = org.account("prod-app", "Workloads/Prod");
 *     OrgSeeder.Key key = prod.key("eu-west-1").policy(doc).alias("alias/app");
 *     prod.user("alice").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess");
 *     prod.instance("eu-west-1").tag("Name", "web").volume("/dev/xvda", key.arn()).launch();
 *     org.scp("DenyKmsDelete", scpDoc, org.ou("Workloads"));
 * }
 * }</pre>
 *
 * The management account is moto's default account {@value #MANAGEMENT_ACCOUNT_ID} (credentials
 * {@code testing/testing}); member accounts are created with {@code CreateAccount} and used through their
 * {@code OrganizationAccountAccessRole}. SDK retries are off so emulator errors fail fast.
 */
public final class OrgSeeder implements AutoCloseable {

    /** moto's default account, the organization's management account. */
    public static final String MANAGEMENT_ACCOUNT_ID = "123456789012";
    /** Credentials that moto maps to {@link #MANAGEMENT_ACCOUNT_ID}. */
    public static final AwsCredentialsProvider MANAGEMENT_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    /** A trust policy letting the management account assume a role. */
    public static final String TRUST_MANAGEMENT = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + MANAGEMENT_ACCOUNT_ID + ":root\"},\"Action\":\"sts:AssumeRole\"}]}";
    /** A trust policy for EC2 instance roles. */
    public static final String TRUST_EC2 = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    private final URI endpoint;
    private final Region home;
    private final String partition;
    private final SdkHttpClient http = ApacheHttpClient.builder().build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final OrganizationsClient orgs;
    private final StsClient sts;
    private final Map<String, String> ouIds = new LinkedHashMap<>();
    private final Map<String, Account> accounts = new LinkedHashMap<>();
    private String rootId;
    private Account management;

    /**
     * @param endpoint moto_server URL
     */
    public OrgSeeder(URI endpoint) {
        this(endpoint, Region.US_EAST_1);
    }

    /**
     * An organization in the partition of a home region: STS is called in the home region, IAM and Organizations in
     * the partition's regions (us-east-1; us-gov-west-1; cn-north-1 and cn-northwest-1), so moto files every entity
     * under that partition.
     *
     * @param endpoint moto_server (or proxy) URL
     * @param home     home region, e.g. {@code us-gov-west-1}
     */
    public OrgSeeder(URI endpoint, Region home) {
        this.endpoint = endpoint;
        this.home = home;
        this.partition = home.id().startsWith("cn-") ? "aws-cn" : home.id().startsWith("us-gov-") ? "aws-us-gov" : "aws";
        this.orgs = client(OrganizationsClient.builder(), "aws-cn".equals(partition) ? Region.CN_NORTHWEST_1
                : "aws-us-gov".equals(partition) ? Region.US_GOV_WEST_1 : Region.US_EAST_1, MANAGEMENT_CREDENTIALS);
        this.sts = client(StsClient.builder(), home, MANAGEMENT_CREDENTIALS);
    }

    /** @return the partition of the home region: {@code aws}, {@code aws-us-gov} or {@code aws-cn} */
    public String partition() {
        return partition;
    }

    /** @return a trust policy letting the management account assume a role, in this partition */
    public String trustManagement() {
        return TRUST_MANAGEMENT.replace("arn:aws:", "arn:" + partition + ":");
    }

    private Region iamRegion() {
        return "aws-cn".equals(partition) ? Region.CN_NORTH_1 : "aws-us-gov".equals(partition) ? Region.US_GOV_WEST_1
                : Region.US_EAST_1;
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C extends AutoCloseable> C client(
            B builder, Region region, AwsCredentialsProvider credentials) {
        C c = builder.httpClient(http).endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        synchronized (closeables) {
            closeables.add(c);
        }
        return c;
    }

    /**
     * Creates the organization (all features) with the management account, and enables SCPs and RCPs on the root.
     *
     * @return this
     */
    public OrgSeeder organization() {
        orgs.createOrganization(r -> r.featureSet(OrganizationFeatureSet.ALL));
        rootId = orgs.listRoots(r -> { }).roots().get(0).id();
        orgs.enablePolicyType(r -> r.rootId(rootId).policyType(PolicyType.SERVICE_CONTROL_POLICY));
        orgs.enablePolicyType(r -> r.rootId(rootId).policyType(PolicyType.RESOURCE_CONTROL_POLICY));
        management = new Account(MANAGEMENT_ACCOUNT_ID, "master", MANAGEMENT_CREDENTIALS);
        return this;
    }

    /** @return the root id, {@code r-...} */
    public String rootId() {
        return rootId;
    }

    /** @return the Organizations client of the management account */
    public OrganizationsClient organizations() {
        return orgs;
    }

    /**
     * Creates (once) the OUs along a path below the root.
     *
     * @param path e.g. {@code Workloads/Prod}
     * @return the id of the last OU
     */
    public String ou(String path) {
        String parent = rootId;
        StringBuilder sofar = new StringBuilder();
        for (String name : path.split("/")) {
            sofar.append(sofar.isEmpty() ? "" : "/").append(name);
            String key = sofar.toString();
            String p = parent;
            parent = ouIds.computeIfAbsent(key, k -> orgs.createOrganizationalUnit(r -> r.parentId(p).name(name))
                    .organizationalUnit().id());
        }
        return parent;
    }

    /**
     * Creates a member account and moves it under an OU.
     *
     * @param name   account name (e-mail {@code <name>@example.com})
     * @param ouPath OU path, or null/empty for the root
     * @return the account, used through its OrganizationAccountAccessRole
     */
    public Account account(String name, String ouPath) {
        CreateAccountStatus st = orgs.createAccount(r -> r.accountName(name).email(name + "@example.com"))
                .createAccountStatus();
        if (st.state() != CreateAccountState.SUCCEEDED) {
            st = orgs.describeCreateAccountStatus(r -> r.createAccountRequestId(
                    orgs.listCreateAccountStatus(q -> { }).createAccountStatuses().get(0).id())).createAccountStatus();
        }
        String id = st.accountId();
        if (ouPath != null && !ouPath.isEmpty()) {
            String target = ou(ouPath);
            orgs.moveAccount(r -> r.accountId(id).sourceParentId(rootId).destinationParentId(target));
        }
        StsAssumeRoleCredentialsProvider creds = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
                .refreshRequest(r -> r.roleArn("arn:" + partition + ":iam::" + id + ":role/OrganizationAccountAccessRole")
                        .roleSessionName("seeder"))
                .build();
        synchronized (closeables) {
            closeables.add(creds);
        }
        Account a = new Account(id, name, creds);
        // On AWS, CreateAccount's role has AdministratorAccess attached; moto creates it bare, and only in the aws
        // partition: elsewhere the seeder creates it as CreateAccount does on AWS
        if (!"aws".equals(partition)) {
            try {
                a.iam().getRole(r -> r.roleName("OrganizationAccountAccessRole"));
            } catch (software.amazon.awssdk.services.iam.model.NoSuchEntityException e) {
                a.iam().createRole(r -> r.roleName("OrganizationAccountAccessRole")
                        .assumeRolePolicyDocument(trustManagement()));
            }
        }
        a.iam().attachRolePolicy(r -> r.roleName("OrganizationAccountAccessRole")
                .policyArn("arn:" + partition + ":iam::aws:policy/AdministratorAccess"));
        accounts.put(name, a);
        return a;
    }

    /**
     * Creates a member account under an OU as moto creates it (its OrganizationAccountAccessRole without
     * AdministratorAccess): for large benchmark organizations on a moto_server started without AWS managed policies.
     * Its content is added through the returned {@link Account} (the member's assumed role).
     *
     * @param name   account name
     * @param ouId   id of the parent OU or root
     * @return the account
     */
    public Account bareAccount(String name, String ouId) {
        CreateAccountStatus st = orgs.createAccount(r -> r.accountName(name).email(name + "@example.com"))
                .createAccountStatus();
        String id = st.accountId();
        if (!ouId.equals(rootId)) {
            orgs.moveAccount(r -> r.accountId(id).sourceParentId(rootId).destinationParentId(ouId));
        }
        StsAssumeRoleCredentialsProvider creds = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
                .refreshRequest(r -> r.roleArn("arn:aws:iam::" + id + ":role/OrganizationAccountAccessRole")
                        .roleSessionName("seeder"))
                .build();
        synchronized (closeables) {
            closeables.add(creds);
        }
        Account a = new Account(id, name, creds);
        synchronized (accounts) {
            accounts.put(name, a);
        }
        return a;
    }

    /**
     * Creates an OU directly under a parent.
     *
     * @param parentId root or OU id
     * @param name     OU name
     * @return the new OU's id
     */
    public String ouUnder(String parentId, String name) {
        return orgs.createOrganizationalUnit(r -> r.parentId(parentId).name(name)).organizationalUnit().id();
    }

    /** @return the management account */
    public Account management() {
        return management;
    }

    /**
     * Creates an SCP and attaches it.
     *
     * @param name     policy name
     * @param document policy JSON
     * @param targets  root, OU or account ids
     * @return the policy id
     */
    public String scp(String name, String document, String... targets) {
        return policy(PolicyType.SERVICE_CONTROL_POLICY, name, document, targets);
    }

    /**
     * Creates an RCP and attaches it.
     *
     * @param name     policy name
     * @param document policy JSON
     * @param targets  root, OU or account ids
     * @return the policy id
     */
    public String rcp(String name, String document, String... targets) {
        return policy(PolicyType.RESOURCE_CONTROL_POLICY, name, document, targets);
    }

    private String policy(PolicyType type, String name, String document, String... targets) {
        String id = orgs.createPolicy(r -> r.type(type).name(name).description(name).content(document)).policy()
                .policySummary().id();
        for (String t : targets) {
            orgs.attachPolicy(r -> r.policyId(id).targetId(t));
        }
        return id;
    }

    @Override
    public void close() {
        synchronized (closeables) {
            for (AutoCloseable c : closeables) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing test clients: nothing to do
                }
            }
            closeables.clear();
        }
        http.close();
    }

    /** One account, used through its credentials (the management's own, or the member's assumed role). */
    public final class Account {
        private final String id;
        private final String name;
        private final AwsCredentialsProvider credentials;
        private final Map<String, Object> clients = new ConcurrentHashMap<>();

        Account(String id, String name, AwsCredentialsProvider credentials) {
            this.id = id;
            this.name = name;
            this.credentials = credentials;
        }

        /** @return the 12-digit id */
        public String id() {
            return id;
        }

        /** @return the account name */
        public String name() {
            return name;
        }

        /** @return this account's credentials */
        public AwsCredentialsProvider credentials() {
            return credentials;
        }

        /** @return an IAM client with this account's credentials */
        public IamClient iam() {
            return (IamClient) clients.computeIfAbsent("iam", k -> client(IamClient.builder(), iamRegion(), credentials));
        }

        /** @param region region @return an EC2 client of this account in that region */
        public Ec2Client ec2(String region) {
            return (Ec2Client) clients.computeIfAbsent("ec2:" + region,
                    k -> client(Ec2Client.builder(), Region.of(region), credentials));
        }

        /** @param region region @return a KMS client of this account in that region */
        public KmsClient kms(String region) {
            return (KmsClient) clients.computeIfAbsent("kms:" + region,
                    k -> client(KmsClient.builder(), Region.of(region), credentials));
        }

        /**
         * Creates a customer managed policy.
         *
         * @param policyName name
         * @param document   JSON
         * @return its ARN
         */
        public String managedPolicy(String policyName, String document) {
            return iam().createPolicy(r -> r.policyName(policyName).policyDocument(document)).policy().arn();
        }

        /** @param userName name @return a new user */
        public User user(String userName) {
            return new User(this, iam().createUser(r -> r.userName(userName)).user().arn(), userName);
        }

        /** @param groupName name @return a new group */
        public Group group(String groupName) {
            return new Group(this, iam().createGroup(r -> r.groupName(groupName)).group().arn(), groupName);
        }

        /**
         * @param roleName    name
         * @param trustPolicy trust policy JSON
         * @return a new role
         */
        public Role role(String roleName, String trustPolicy) {
            return role(roleName, "/", trustPolicy);
        }

        /**
         * @param roleName    name
         * @param path        path, e.g. {@code /aws-service-role/autoscaling.amazonaws.com/}
         * @param trustPolicy trust policy JSON
         * @return a new role
         */
        public Role role(String roleName, String path, String trustPolicy) {
            return new Role(this, iam().createRole(r -> r.roleName(roleName).path(path).assumeRolePolicyDocument(trustPolicy))
                    .role().arn(), roleName);
        }

        /** @param region region @return a new symmetric CMK there */
        public Key key(String region) {
            return key(region, "seeded key");
        }

        /**
         * @param region      region
         * @param description key description
         * @return a new symmetric CMK there
         */
        public Key key(String region, String description) {
            var md = kms(region).createKey(r -> r.description(description)).keyMetadata();
            return new Key(this, region, md.keyId(), md.arn());
        }

        /**
         * Makes the AWS managed key {@code aws/ebs} exist, as EC2 does on first use on AWS.
         *
         * @param region region
         * @return its ARN
         */
        public String awsEbsKey(String region) {
            return kms(region).describeKey(r -> r.keyId("alias/aws/ebs")).keyMetadata().arn();
        }

        /**
         * @param region  region
         * @param enabled EBS encryption by default
         * @return this
         */
        public Account ebsEncryptionByDefault(String region, boolean enabled) {
            if (enabled) {
                ec2(region).enableEbsEncryptionByDefault(r -> { });
            } else {
                ec2(region).disableEbsEncryptionByDefault(r -> { });
            }
            return this;
        }

        /** @param region region @return a builder for an instance there */
        public InstanceBuilder instance(String region) {
            return new InstanceBuilder(this, region);
        }
    }

    /** An IAM user; each method calls IAM at once. */
    public static final class User {
        private final Account account;
        private final String arn;
        private final String name;

        User(Account account, String arn, String name) {
            this.account = account;
            this.arn = arn;
            this.name = name;
        }

        /** @return the ARN */
        public String arn() {
            return arn;
        }

        /** @param policyName name @param document JSON @return this */
        public User inline(String policyName, String document) {
            account.iam().putUserPolicy(r -> r.userName(name).policyName(policyName).policyDocument(document));
            return this;
        }

        /** @param policyArn managed policy @return this */
        public User attach(String policyArn) {
            account.iam().attachUserPolicy(r -> r.userName(name).policyArn(policyArn));
            return this;
        }

        /** @param groupName existing group @return this */
        public User inGroup(String groupName) {
            account.iam().addUserToGroup(r -> r.userName(name).groupName(groupName));
            return this;
        }

        /** @param key tag key @param value tag value @return this */
        public User tag(String key, String value) {
            account.iam().tagUser(r -> r.userName(name).tags(t -> t.key(key).value(value)));
            return this;
        }
    }

    /** An IAM group. */
    public static final class Group {
        private final Account account;
        private final String arn;
        private final String name;

        Group(Account account, String arn, String name) {
            this.account = account;
            this.arn = arn;
            this.name = name;
        }

        /** @return the ARN */
        public String arn() {
            return arn;
        }

        /** @param policyName name @param document JSON @return this */
        public Group inline(String policyName, String document) {
            account.iam().putGroupPolicy(r -> r.groupName(name).policyName(policyName).policyDocument(document));
            return this;
        }

        /** @param policyArn managed policy @return this */
        public Group attach(String policyArn) {
            account.iam().attachGroupPolicy(r -> r.groupName(name).policyArn(policyArn));
            return this;
        }
    }

    /** An IAM role. */
    public static final class Role {
        private final Account account;
        private final String arn;
        private final String name;

        Role(Account account, String arn, String name) {
            this.account = account;
            this.arn = arn;
            this.name = name;
        }

        /** @return the ARN */
        public String arn() {
            return arn;
        }

        /** @param policyName name @param document JSON @return this */
        public Role inline(String policyName, String document) {
            account.iam().putRolePolicy(r -> r.roleName(name).policyName(policyName).policyDocument(document));
            return this;
        }

        /** @param policyArn managed policy @return this */
        public Role attach(String policyArn) {
            account.iam().attachRolePolicy(r -> r.roleName(name).policyArn(policyArn));
            return this;
        }

        /** @param policyArn managed policy used as permissions boundary @return this */
        public Role boundary(String policyArn) {
            account.iam().putRolePermissionsBoundary(r -> r.roleName(name).permissionsBoundary(policyArn));
            return this;
        }

        /** @param key tag key @param value tag value @return this */
        public Role tag(String key, String value) {
            account.iam().tagRole(r -> r.roleName(name).tags(t -> t.key(key).value(value)));
            return this;
        }

        /**
         * Creates an instance profile of the same name holding this role.
         *
         * @return the instance profile ARN
         */
        public String instanceProfile() {
            String arn = account.iam().createInstanceProfile(r -> r.instanceProfileName(name)).instanceProfile().arn();
            account.iam().addRoleToInstanceProfile(r -> r.instanceProfileName(name).roleName(name));
            return arn;
        }
    }

    /** A KMS key. */
    public static final class Key {
        private final Account account;
        private final String region;
        private final String keyId;
        private final String arn;

        Key(Account account, String region, String keyId, String arn) {
            this.account = account;
            this.region = region;
            this.keyId = keyId;
            this.arn = arn;
        }

        /** @return the key ARN */
        public String arn() {
            return arn;
        }

        /** @return the key id */
        public String keyId() {
            return keyId;
        }

        /** @param document key policy JSON (policy name {@code default}) @return this */
        public Key policy(String document) {
            account.kms(region).putKeyPolicy(r -> r.keyId(keyId).policyName("default").policy(document));
            return this;
        }

        /** @param aliasName {@code alias/...} @return this */
        public Key alias(String aliasName) {
            account.kms(region).createAlias(r -> r.aliasName(aliasName).targetKeyId(keyId));
            return this;
        }

        /** @param key tag key @param value tag value @return this */
        public Key tag(String key, String value) {
            account.kms(region).tagResource(r -> r.keyId(keyId).tags(t -> t.tagKey(key).tagValue(value)));
            return this;
        }

        /**
         * Creates a grant.
         *
         * @param name       grant name
         * @param grantee    grantee principal ARN
         * @param operations e.g. {@code Decrypt}, {@code CreateGrant}
         * @return the grant id
         */
        public String grant(String name, String grantee, String... operations) {
            List<GrantOperation> ops = java.util.Arrays.stream(operations).map(GrantOperation::fromValue).toList();
            return account.kms(region).createGrant(r -> r.keyId(keyId).name(name).granteePrincipal(grantee).operations(ops))
                    .grantId();
        }

        /** Disables the key (moto needs the raw key id). @return this */
        public Key disable() {
            account.kms(region).disableKey(r -> r.keyId(keyId));
            return this;
        }

        /** @param days pending window, 7..30 @return this */
        public Key scheduleDeletion(int days) {
            account.kms(region).scheduleKeyDeletion(r -> r.keyId(keyId).pendingWindowInDays(days));
            return this;
        }
    }

    /** Builds and launches one instance with EBS volumes. */
    public static final class InstanceBuilder {
        private final Account account;
        private final String region;
        private final Map<String, String> tags = new LinkedHashMap<>();
        private final List<BlockDeviceMapping> volumes = new ArrayList<>();
        private String type = "t3.micro";
        private String profileArn;
        private boolean stopped;

        InstanceBuilder(Account account, String region) {
            this.account = account;
            this.region = region;
        }

        /** @param instanceType e.g. {@code t3.micro} @return this */
        public InstanceBuilder type(String instanceType) {
            this.type = instanceType;
            return this;
        }

        /** @param key tag key @param value tag value @return this */
        public InstanceBuilder tag(String key, String value) {
            tags.put(key, value);
            return this;
        }

        /** @param instanceProfileArn instance profile ARN @return this */
        public InstanceBuilder profile(String instanceProfileArn) {
            this.profileArn = instanceProfileArn;
            return this;
        }

        /**
         * Adds an EBS volume encrypted with a key.
         *
         * @param device device name, e.g. {@code /dev/xvda} (the first one is the root)
         * @param kmsKey key ARN, key id or alias; null for an unencrypted volume
         * @return this
         */
        public InstanceBuilder volume(String device, String kmsKey) {
            volumes.add(BlockDeviceMapping.builder().deviceName(device).ebs(e -> {
                e.volumeSize(8).deleteOnTermination(true);
                if (kmsKey != null) {
                    e.encrypted(true).kmsKeyId(kmsKey);
                }
            }).build());
            return this;
        }

        /** Stops the instance after launching it. @return this */
        public InstanceBuilder stopped() {
            this.stopped = true;
            return this;
        }

        /**
         * Runs the instance.
         *
         * @return its id
         */
        public String launch() {
            Ec2Client ec2 = account.ec2(region);
            RunInstancesResponse r = ec2.runInstances(b -> {
                b.imageId("ami-12c6146b").minCount(1).maxCount(1).instanceType(InstanceType.fromValue(type))
                        .blockDeviceMappings(volumes);
                if (profileArn != null) {
                    b.iamInstanceProfile(p -> p.arn(profileArn));
                }
                if (!tags.isEmpty()) {
                    b.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                            .tags(tags.entrySet().stream().map(e -> software.amazon.awssdk.services.ec2.model.Tag.builder()
                                    .key(e.getKey()).value(e.getValue()).build()).toList()).build());
                }
            });
            String id = r.instances().get(0).instanceId();
            if (stopped) {
                ec2.stopInstances(s -> s.instanceIds(id));
            }
            return id;
        }
    }
}
