package io.cmkaudit.config;

import java.util.Locale;
import java.util.Optional;

/**
 * One client-side token bucket row: an AWS request quota the collector keeps below, with AWS's published rate and
 * burst as the default. Each row names its scope: whose quota it is, so the collector keeps one bucket per caller
 * account, per source account, or per target account and region. Rates are overridable per row in the configuration
 * ({@code rateLimits:} in {@code config/scanner.example.yaml}); an overridden rate scales the burst with it.
 * Where AWS publishes no rate the default is an assumption and says so ({@link #assumed()}).
 */
public enum RateLimit {

    /** Organizations ListAccounts: 8/s, burst 12, per caller account. */
    ORGANIZATIONS_LIST_ACCOUNTS("organizationsListAccounts", 8, 12, Scope.CALLER, false, Sources.ORGANIZATIONS),
    /** Organizations ListChildren: 6/s, burst 10. */
    ORGANIZATIONS_LIST_CHILDREN("organizationsListChildren", 6, 10, Scope.CALLER, false, Sources.ORGANIZATIONS),
    /** Organizations ListParents, ListAccountsForParent, ListOrganizationalUnitsForParent (one row): 5/s, burst 8. */
    ORGANIZATIONS_TREE("organizationsTree", 5, 8, Scope.CALLER, false, Sources.ORGANIZATIONS),
    /** Organizations ListRoots: 1/s, burst 2. */
    ORGANIZATIONS_LIST_ROOTS("organizationsListRoots", 1, 2, Scope.CALLER, false, Sources.ORGANIZATIONS),
    /** Organizations ListPolicies, ListPoliciesForTarget, ListTargetsForPolicy (one row): 5/s, burst 8. */
    ORGANIZATIONS_POLICIES("organizationsPolicies", 5, 8, Scope.CALLER, false, Sources.ORGANIZATIONS),
    /** Organizations DescribePolicy: 2/s, burst 2. */
    ORGANIZATIONS_DESCRIBE_POLICY("organizationsDescribePolicy", 2, 2, Scope.CALLER, false, Sources.ORGANIZATIONS),
    /** Organizations DescribeAccount: 20/s, burst 30. */
    ORGANIZATIONS_DESCRIBE_ACCOUNT("organizationsDescribeAccount", 20, 30, Scope.CALLER, false, Sources.ORGANIZATIONS),
    /** Organizations DescribeOrganizationalUnit: 2/s, burst 2. */
    ORGANIZATIONS_DESCRIBE_OU("organizationsDescribeOrganizationalUnit", 2, 2, Scope.CALLER, false,
            Sources.ORGANIZATIONS),
    /** STS AssumeRole, GetCallerIdentity, ... (shared): 600/s per calling account and region. */
    STS("sts", 600, 600, Scope.CALLER_REGION, false,
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"),
    /** IAM reads (GetAccountAuthorizationDetails, GetPolicy, GetPolicyVersion): unpublished; 20/s assumed, per
     *  source account (the account that assumed the roles). */
    IAM_READS("iamReads", 20, 20, Scope.SOURCE, true,
            "https://aws.amazon.com/blogs/security/how-to-monitor-and-query-iam-resources-at-scale-part-2/"),
    /** EC2 non-mutating calls with MaxResults: 20/s, burst 100, per target account, region and API. */
    EC2_READS("ec2Reads", 20, 100, Scope.TARGET_REGION_API, false,
            "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html"),
    /** KMS DescribeKey: 2,000/s per target account and region. */
    KMS_DESCRIBE_KEY("kmsDescribeKey", 2000, 2000, Scope.TARGET_REGION_API, false, Sources.KMS),
    /** KMS GetKeyPolicy: 1,000/s. */
    KMS_GET_KEY_POLICY("kmsGetKeyPolicy", 1000, 1000, Scope.TARGET_REGION_API, false, Sources.KMS),
    /** KMS ListAliases: 500/s. */
    KMS_LIST_ALIASES("kmsListAliases", 500, 500, Scope.TARGET_REGION_API, false, Sources.KMS),
    /** KMS ListGrants: 100/s. */
    KMS_LIST_GRANTS("kmsListGrants", 100, 100, Scope.TARGET_REGION_API, false, Sources.KMS),
    /** KMS ListResourceTags: 2,000/s. */
    KMS_LIST_RESOURCE_TAGS("kmsListResourceTags", 2000, 2000, Scope.TARGET_REGION_API, false, Sources.KMS),
    /** EC2 Auto Scaling: one bucket shared by every Auto Scaling API per account and region; rate unpublished,
     *  10/s burst 40 assumed. */
    AUTO_SCALING_READS("autoScalingReads", 10, 40, Scope.TARGET_REGION, true,
            "https://repost.aws/knowledge-center/autoscaling-api-calls-throttled"),
    /** EKS reads per account, region and API; rate unpublished, 10/s burst 50 assumed. */
    EKS_READS("eksReads", 10, 50, Scope.TARGET_REGION_API, true,
            "https://docs.aws.amazon.com/eks/latest/best-practices/known_limits_and_service_quotas.html"),
    /** IAM Identity Center (SSO Admin) APIs: a collective throttle of 20 transactions per second, per calling account
     *  and region (the instance's); the burst is not published and is taken equal to the rate. */
    IDENTITY_CENTER("identityCenter", 20, 20, Scope.CALLER_REGION, false,
            "https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html"),
    /** Identity Store reads (DescribeUser, DescribeGroup): rate unpublished, 20/s burst 20 assumed (as Identity
     *  Center's), per calling account and region. */
    IDENTITY_STORE("identityStore", 20, 20, Scope.CALLER_REGION, true,
            "https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html");

    /** Whose quota a row is. */
    public enum Scope {
        /** the account whose credentials call (the scanner's) */
        CALLER,
        /** the calling account, per region (regional STS endpoints each have their own) */
        CALLER_REGION,
        /** the account that assumed the role the call is made with (IAM reads) */
        SOURCE,
        /** the target account and region */
        TARGET_REGION,
        /** the target account, region and API */
        TARGET_REGION_API;

        /** @return whether parallel shards (same caller) share this row, so each gets a share of it */
        public boolean sharedByShards() {
            return this == CALLER || this == CALLER_REGION || this == SOURCE;
        }
    }

    private static final class Sources {
        static final String ORGANIZATIONS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html";
        static final String KMS = "https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html";
    }

    private final String key;
    private final double rate;
    private final double burst;
    private final Scope scope;
    private final boolean assumed;
    private final String source;

    RateLimit(String key, double rate, double burst, Scope scope, boolean assumed, String source) {
        this.key = key;
        this.rate = rate;
        this.burst = burst;
        this.scope = scope;
        this.assumed = assumed;
        this.source = source;
    }

    /** @return the configuration key, e.g. {@code iamReads} */
    public String key() {
        return key;
    }

    /** @return AWS's rate (or the assumption), requests per second */
    public double defaultRate() {
        return rate;
    }

    /** @return AWS's burst (bucket size) at the default rate */
    public double defaultBurst() {
        return burst;
    }

    /**
     * @param rate the rate in use, requests per second
     * @return the burst at that rate: the default burst scaled by {@code rate / defaultRate}, at least 1
     */
    public double burstAt(double rate) {
        return Math.max(1, burst * rate / this.rate);
    }

    /** @return whose quota it is */
    public Scope scope() {
        return scope;
    }

    /** @return whether AWS publishes no rate and the default is an assumption */
    public boolean assumed() {
        return assumed;
    }

    /** @return the AWS page the default comes from */
    public String source() {
        return source;
    }

    /**
     * @param key a configuration key, e.g. {@code iamReads}
     * @return the row, if any
     */
    public static Optional<RateLimit> byKey(String key) {
        for (RateLimit r : values()) {
            if (r.key.equals(key) || r.name().equals(key.toUpperCase(Locale.ROOT))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
