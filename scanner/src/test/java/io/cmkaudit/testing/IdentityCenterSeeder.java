package io.cmkaudit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.InstanceMetadata;
import software.amazon.awssdk.services.ssoadmin.model.PrincipalType;
import software.amazon.awssdk.services.ssoadmin.model.ProvisionTargetType;
import software.amazon.awssdk.services.ssoadmin.model.TargetType;

/**
 * Seeds IAM Identity Center into moto_server the way AWS keeps it: permission sets with inline policies, AWS managed
 * policies, customer managed policy references and permissions boundaries; users and groups in the identity store;
 * account assignments; and, in each account a permission set is provisioned to, the reserved IAM role
 * {@code AWSReservedSSO_<name>_<16 hex>} under {@code /aws-reserved/sso.amazonaws.com/<region>/} carrying the
 * permission set's policies, as Identity Center creates it
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html).
 *
 * <p>moto lacks three things, which this seeder keeps itself and {@link #answer(AwsProxy.Request)} serves through the
 * test proxy: {@code ListAccountsForProvisionedPermissionSet} (moto returns only the caller's account and ignores
 * provisioning targets; the seeder answers from the accounts provisioned by its account assignments and
 * {@link PermissionSetSeed#provision()} calls, and with {@code ProvisioningStatus=LATEST_PERMISSION_SET_NOT_PROVISIONED}
 * from the accounts whose role lags the permission set), and {@code GetPermissionsBoundaryForPermissionSet} (moto
 * does not implement permissions boundaries; {@code ResourceNotFoundException} when none).
 */
public final class IdentityCenterSeeder implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String region;
    private final SdkHttpClient http = ApacheHttpClient.builder().build();
    private final SsoAdminClient sso;
    private final IdentitystoreClient ids;
    private final InstanceMetadata instance;
    private final Map<String, PermissionSetSeed> byArn = new ConcurrentHashMap<>();
    private int suffix;

    /**
     * @param endpoint moto_server URL
     * @param region   the Identity Center home region
     */
    public IdentityCenterSeeder(URI endpoint, String region) {
        this.region = region;
        this.sso = SsoAdminClient.builder().httpClient(http).endpointOverride(endpoint).region(Region.of(region))
                .credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        this.ids = IdentitystoreClient.builder().httpClient(http).endpointOverride(endpoint).region(Region.of(region))
                .credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        this.instance = sso.listInstances(r -> { }).instances().get(0);
    }

    /** @return the instance ARN */
    public String instanceArn() {
        return instance.instanceArn();
    }

    /** @return the identity store id */
    public String identityStoreId() {
        return instance.identityStoreId();
    }

    /** @return the SSO admin client of the management account in the home region */
    public SsoAdminClient ssoAdmin() {
        return sso;
    }

    /**
     * @param userName user name
     * @return the new user's id
     */
    public String user(String userName) {
        return ids.createUser(r -> r.identityStoreId(identityStoreId()).userName(userName).displayName(userName)
                .name(n -> n.givenName(userName).familyName("Example"))).userId();
    }

    /**
     * @param displayName group name
     * @return the new group's id
     */
    public String group(String displayName) {
        return ids.createGroup(r -> r.identityStoreId(identityStoreId()).displayName(displayName)).groupId();
    }

    /**
     * @param name permission set name
     * @return a new permission set with session duration PT8H
     */
    public PermissionSetSeed permissionSet(String name) {
        String arn = sso.createPermissionSet(r -> r.instanceArn(instanceArn()).name(name).sessionDuration("PT8H")
                .description(name + " access")).permissionSet().permissionSetArn();
        PermissionSetSeed ps = new PermissionSetSeed(name, arn);
        byArn.put(arn, ps);
        return ps;
    }

    /**
     * The proxy's answer for the calls moto lacks (see the class comment), or null to forward the request.
     *
     * @param r a request
     * @return the answer, or null
     */
    public AwsProxy.Answer answer(AwsProxy.Request r) {
        if (r.target() == null) {
            return null;
        }
        try {
            if (r.target().equals("SWBExternalService.ListAccountsForProvisionedPermissionSet")) {
                JsonNode body = JSON.readTree(r.body());
                PermissionSetSeed ps = byArn.get(body.path("PermissionSetArn").asText());
                Set<String> accounts = ps == null ? Set.of()
                        : "LATEST_PERMISSION_SET_NOT_PROVISIONED".equals(body.path("ProvisioningStatus").asText())
                        ? ps.outdated : ps.provisioned;
                return new AwsProxy.Answer(200, "application/x-amz-json-1.1",
                        JSON.writeValueAsString(Map.of("AccountIds", new ArrayList<>(new TreeSet<>(accounts)))));
            }
            if (r.target().equals("SWBExternalService.GetPermissionsBoundaryForPermissionSet")) {
                JsonNode body = JSON.readTree(r.body());
                PermissionSetSeed ps = byArn.get(body.path("PermissionSetArn").asText());
                if (ps == null || ps.boundary == null) {
                    return new AwsProxy.Answer(400, "application/x-amz-json-1.1",
                            "{\"__type\":\"ResourceNotFoundException\",\"message\":\"no permissions boundary\"}");
                }
                return new AwsProxy.Answer(200, "application/x-amz-json-1.1",
                        JSON.writeValueAsString(Map.of("PermissionsBoundary", ps.boundary)));
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    @Override
    public void close() {
        sso.close();
        ids.close();
        http.close();
    }

    /** One permission set; each method calls moto at once (and keeps what moto lacks). */
    public final class PermissionSetSeed {
        private final String name;
        private final String arn;
        private String inline;
        private final List<String> managed = new ArrayList<>();
        private final List<String[]> customer = new ArrayList<>();
        private Map<String, Object> boundary;
        private final Set<String> provisioned = ConcurrentHashMap.newKeySet();
        private final Set<String> outdated = ConcurrentHashMap.newKeySet();
        /** account id → the reserved role's name there */
        private final Map<String, String> roles = new LinkedHashMap<>();
        /** account id → its IAM client, for re-provisioning */
        private final Map<String, IamClient> iams = new LinkedHashMap<>();

        PermissionSetSeed(String name, String arn) {
            this.name = name;
            this.arn = arn;
        }

        /** @return the ARN */
        public String arn() {
            return arn;
        }

        /** @return the name */
        public String name() {
            return name;
        }

        /**
         * Puts the inline policy (replacing any). Accounts already provisioned keep the old one until
         * {@link #provision()}.
         *
         * @param document policy JSON
         * @return this
         */
        public PermissionSetSeed inline(String document) {
            sso.putInlinePolicyToPermissionSet(r -> r.instanceArn(instanceArn()).permissionSetArn(arn)
                    .inlinePolicy(document));
            inline = document;
            outdated.addAll(provisioned);
            return this;
        }

        /** @param policyArn AWS managed policy @return this */
        public PermissionSetSeed managed(String policyArn) {
            sso.attachManagedPolicyToPermissionSet(r -> r.instanceArn(instanceArn()).permissionSetArn(arn)
                    .managedPolicyArn(policyArn));
            managed.add(policyArn);
            outdated.addAll(provisioned);
            return this;
        }

        /**
         * @param policyName customer managed policy name (each account needs it)
         * @param path       its path
         * @return this
         */
        public PermissionSetSeed customer(String policyName, String path) {
            sso.attachCustomerManagedPolicyReferenceToPermissionSet(r -> r.instanceArn(instanceArn())
                    .permissionSetArn(arn).customerManagedPolicyReference(c -> c.name(policyName).path(path)));
            customer.add(new String[] {policyName, path});
            outdated.addAll(provisioned);
            return this;
        }

        /** @param policyArn AWS managed policy used as the permissions boundary @return this */
        public PermissionSetSeed boundaryManaged(String policyArn) {
            boundary = Map.of("ManagedPolicyArn", policyArn);
            outdated.addAll(provisioned);
            return this;
        }

        /** @param policyName customer managed policy name @param path its path @return this */
        public PermissionSetSeed boundaryCustomer(String policyName, String path) {
            boundary = Map.of("CustomerManagedPolicyReference", Map.of("Name", policyName, "Path", path));
            outdated.addAll(provisioned);
            return this;
        }

        /**
         * Assigns a user or group in an account (CreateAccountAssignment), which provisions the permission set there:
         * the reserved role is created in the account with the permission set's current policies.
         *
         * @param account       the account
         * @param principalType USER or GROUP
         * @param principalId   identity store id
         * @return this
         */
        public PermissionSetSeed assign(OrgSeeder.Account account, String principalType, String principalId) {
            assignOnly(account.id(), principalType, principalId);
            provisioned.add(account.id());
            iams.put(account.id(), account.iam());
            if (!roles.containsKey(account.id())) {
                String roleName = "AWSReservedSSO_" + name + "_" + String.format("%016x", 0xa1b2c3d4e5f60000L + ++suffix);
                roles.put(account.id(), roleName);
                account.iam().createRole(r -> r.roleName(roleName).path("/aws-reserved/sso.amazonaws.com/" + region + "/")
                        .assumeRolePolicyDocument(trust(account.id())));
                applyTo(account.id());
            }
            return this;
        }

        /**
         * An assignment Identity Center lists as provisioned whose role is missing in the account (provisioning
         * failed, or the role was deleted in IAM): drift.
         *
         * @param account       the account
         * @param principalType USER or GROUP
         * @param principalId   identity store id
         * @return this
         */
        public PermissionSetSeed assignWithoutRole(OrgSeeder.Account account, String principalType, String principalId) {
            assignOnly(account.id(), principalType, principalId);
            provisioned.add(account.id());
            return this;
        }

        private void assignOnly(String accountId, String principalType, String principalId) {
            sso.createAccountAssignment(r -> r.instanceArn(instanceArn()).permissionSetArn(arn)
                    .targetType(TargetType.AWS_ACCOUNT).targetId(accountId)
                    .principalType(PrincipalType.fromValue(principalType)).principalId(principalId));
        }

        /** @param accountId an account @return the reserved role's name there, or null */
        public String roleName(String accountId) {
            return roles.get(accountId);
        }

        /**
         * ProvisionPermissionSet to all provisioned accounts: every reserved role gets the current policies.
         *
         * @return this
         */
        public PermissionSetSeed provision() {
            sso.provisionPermissionSet(r -> r.instanceArn(instanceArn()).permissionSetArn(arn)
                    .targetType(ProvisionTargetType.ALL_PROVISIONED_ACCOUNTS));
            roles.keySet().forEach(this::applyTo);
            outdated.clear();
            return this;
        }

        private void applyTo(String accountId) {
            IamClient iam = iams.get(accountId);
            String roleName = roles.get(accountId);
            if (inline != null) {
                iam.putRolePolicy(r -> r.roleName(roleName).policyName("AwsSSOInlinePolicy").policyDocument(inline));
            }
            for (String m : managed) {
                iam.attachRolePolicy(r -> r.roleName(roleName).policyArn(m));
            }
            for (String[] c : customer) {
                iam.attachRolePolicy(r -> r.roleName(roleName).policyArn("arn:aws:iam::" + accountId + ":policy"
                        + c[1] + c[0]));
            }
            if (boundary != null) {
                Object m = boundary.get("ManagedPolicyArn");
                String b;
                if (m != null) {
                    b = (String) m;
                } else {
                    @SuppressWarnings("unchecked")
                    Map<String, String> ref = (Map<String, String>) boundary.get("CustomerManagedPolicyReference");
                    b = "arn:aws:iam::" + accountId + ":policy" + ref.get("Path") + ref.get("Name");
                }
                iam.putRolePermissionsBoundary(r -> r.roleName(roleName).permissionsBoundary(b));
            }
        }

        private String trust(String accountId) {
            return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":"
                    + "\"arn:aws:iam::" + accountId + ":saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE\"},"
                    + "\"Action\":[\"sts:AssumeRoleWithSAML\",\"sts:TagSession\"],\"Condition\":{\"StringEquals\":"
                    + "{\"SAML:aud\":\"https://signin.aws.amazon.com/saml\"}}}]}";
        }
    }
}
