package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.config.RateLimit;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client-side token buckets: the arithmetic, which row each call draws from, and whose bucket it is. */
class RateLimiterTest {

    @Test
    void aBucketLetsTheBurstThroughThenOneRequestPerRefillInArrivalOrder() {
        TokenBucket b = new TokenBucket(5, 8);
        long t0 = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; i < 8; i++) {
            assertThat(b.reserve(t0)).isZero();
        }
        // the 9th and 10th requests at the same instant wait 1/5 s and 2/5 s
        assertThat(b.reserve(t0)).isEqualTo(200_000_000L);
        assertThat(b.reserve(t0)).isEqualTo(400_000_000L);
        // a second later 5 tokens came back, 2 of them already promised
        assertThat(b.waitAt(t0 + 1_000_000_000L)).isZero();
        assertThat(b.reserve(t0 + 1_000_000_000L)).isZero();
    }

    @Test
    void floorOfTheOrganizationsTreeRowIsDocumentedArithmetic() {
        // 152 calls at 5/s burst 8: the last one is due (152 - 8) / 5 = 28.8 s after the first
        TokenBucket b = new TokenBucket(5, 8);
        long t0 = System.nanoTime() + 1_000_000_000L;
        long last = 0;
        for (int i = 0; i < 152; i++) {
            last = b.reserve(t0);
        }
        assertThat(last / 1e9).isCloseTo(28.8, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void everyCallDrawsFromTheRowOfItsDocumentedQuota() {
        assertThat(RateLimiter.row("Organizations", "ListAccountsForParent")).isEqualTo(RateLimit.ORGANIZATIONS_TREE);
        assertThat(RateLimiter.row("Organizations", "ListOrganizationalUnitsForParent")).isEqualTo(RateLimit.ORGANIZATIONS_TREE);
        assertThat(RateLimiter.row("Organizations", "ListTargetsForPolicy")).isEqualTo(RateLimit.ORGANIZATIONS_POLICIES);
        assertThat(RateLimiter.row("Organizations", "ListPoliciesForTarget")).isEqualTo(RateLimit.ORGANIZATIONS_POLICIES);
        assertThat(RateLimiter.row("Organizations", "DescribePolicy")).isEqualTo(RateLimit.ORGANIZATIONS_DESCRIBE_POLICY);
        assertThat(RateLimiter.row("Organizations", "DescribeOrganization")).isNull();
        assertThat(RateLimiter.row("Sts", "AssumeRole")).isEqualTo(RateLimit.STS);
        assertThat(RateLimiter.row("Iam", "GetAccountAuthorizationDetails")).isEqualTo(RateLimit.IAM_READS);
        assertThat(RateLimiter.row("Kms", "ListGrants")).isEqualTo(RateLimit.KMS_LIST_GRANTS);
        assertThat(RateLimiter.row("Ec2", "DescribeVolumes")).isEqualTo(RateLimit.EC2_READS);
        assertThat(RateLimiter.row("AutoScaling", "DescribeAutoScalingGroups")).isEqualTo(RateLimit.AUTO_SCALING_READS);
        assertThat(RateLimiter.row("Eks", "ListNodegroups")).isEqualTo(RateLimit.EKS_READS);
        assertThat(RateLimiter.row("SsoAdmin", "ListPermissionSets")).isEqualTo(RateLimit.IDENTITY_CENTER);
        assertThat(RateLimiter.row("Identitystore", "DescribeUser")).isEqualTo(RateLimit.IDENTITY_STORE);
    }

    @Test
    void bucketsAreSharedPerCallerAndSeparatePerTargetAccountRegionAndApi() {
        assertThat(RateLimiter.bucketKey(RateLimit.IAM_READS, "111111111111", "us-east-1", "GetAccountAuthorizationDetails"))
                .isEqualTo(RateLimiter.bucketKey(RateLimit.IAM_READS, "222222222222", "us-east-1", "GetPolicy"));
        assertThat(RateLimiter.bucketKey(RateLimit.ORGANIZATIONS_TREE, null, "us-east-1", "ListAccountsForParent"))
                .isEqualTo(RateLimiter.bucketKey(RateLimit.ORGANIZATIONS_TREE, null, "us-east-1",
                        "ListOrganizationalUnitsForParent"));
        assertThat(RateLimiter.bucketKey(RateLimit.STS, null, "us-east-1", "AssumeRole"))
                .isNotEqualTo(RateLimiter.bucketKey(RateLimit.STS, null, "eu-west-1", "AssumeRole"));
        assertThat(RateLimiter.bucketKey(RateLimit.EC2_READS, "111111111111", "eu-west-1", "DescribeVolumes"))
                .isNotEqualTo(RateLimiter.bucketKey(RateLimit.EC2_READS, "222222222222", "eu-west-1", "DescribeVolumes"))
                .isNotEqualTo(RateLimiter.bucketKey(RateLimit.EC2_READS, "111111111111", "eu-west-1", "DescribeInstances"));
        assertThat(RateLimiter.bucketKey(RateLimit.AUTO_SCALING_READS, "111111111111", "eu-west-1", "A"))
                .isEqualTo(RateLimiter.bucketKey(RateLimit.AUTO_SCALING_READS, "111111111111", "eu-west-1", "B"));
        RateLimiter limiter = new RateLimiter(Map.of(RateLimit.IAM_READS, 2.0), 4);
        assertThat(limiter.maxRequests()).isEqualTo(4);
        assertThat(limiter.waitNanos(RateLimit.ORGANIZATIONS_TREE)).isZero();
    }

    @Test
    void shardsShareOnlyThePerCallerRows() {
        assertThat(RateLimit.IAM_READS.scope().sharedByShards()).isTrue();
        assertThat(RateLimit.ORGANIZATIONS_POLICIES.scope().sharedByShards()).isTrue();
        assertThat(RateLimit.STS.scope().sharedByShards()).isTrue();
        assertThat(RateLimit.EC2_READS.scope().sharedByShards()).isFalse();
        assertThat(RateLimit.KMS_LIST_GRANTS.scope().sharedByShards()).isFalse();
    }
}
