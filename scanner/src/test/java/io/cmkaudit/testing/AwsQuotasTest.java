package io.cmkaudit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.TooManyRequestsException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The quota-faithful proxy against moto_server: each service's bucket runs dry at its documented burst and the
 * answer is that service's throttling error, which the AWS SDK recognizes as throttling; IAM reads through a role
 * assumed in a member account draw from the bucket of the account that assumed it.
 */
@ExtendWith(MotoServerExtension.class)
class AwsQuotasTest {

    @Test
    void bucketsRunDryAtTheDocumentedBurstWithEachServicesThrottlingError(MotoServer moto) {
        AwsQuotas quotas = new AwsQuotas(OrgSeeder.MANAGEMENT_ACCOUNT_ID, 1, 3, 1e-6);
        try (OrgSeeder org = new OrgSeeder(moto.endpoint()).organization();
             AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> false, quotas, quotas)) {
            OrgSeeder.Account member = org.account("member", null);
            OrgSeeder.Key key = member.key("eu-west-1");
            // the member's role assumed through the proxy, so that it learns whose the session's access key is
            StsClient sts = StsClient.builder().endpointOverride(proxy.endpoint()).region(Region.US_EAST_1)
                    .credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS).build();
            StsAssumeRoleCredentialsProvider session = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
                    .refreshRequest(r -> r.roleArn("arn:aws:iam::" + member.id() + ":role/OrganizationAccountAccessRole")
                            .roleSessionName("quota-test")).build();
            session.resolveCredentials();
            try (OrganizationsClient orgs = OrganizationsClient.builder().endpointOverride(proxy.endpoint())
                    .region(Region.US_EAST_1).credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS)
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
                // ListRoots: 1 per second, burst 2
                orgs.listRoots(r -> { });
                orgs.listRoots(r -> { });
                assertThatThrownBy(() -> orgs.listRoots(r -> { })).isInstanceOfSatisfying(TooManyRequestsException.class,
                        e -> assertThat(e.isThrottlingException()).isTrue());
                // DescribePolicy has its own bucket; ListAccounts (8/s, burst 12) is another row
                for (int i = 0; i < 12; i++) {
                    orgs.listAccounts(r -> { });
                }
                assertThatThrownBy(() -> orgs.listAccounts(r -> { })).isInstanceOf(TooManyRequestsException.class);
            }
            try (KmsClient kms = KmsClient.builder().endpointOverride(proxy.endpoint()).region(Region.EU_WEST_1)
                    .credentialsProvider(session)
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
                for (int i = 0; i < 100; i++) {
                    kms.listGrants(r -> r.keyId(key.arn()));
                }
                assertThatThrownBy(() -> kms.listGrants(r -> r.keyId(key.arn())))
                        .isInstanceOfSatisfying(AwsServiceException.class, e -> {
                            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                            assertThat(e.isThrottlingException()).isTrue();
                        });
                kms.describeKey(r -> r.keyId(key.arn())); // other API, other bucket
            }
            try (Ec2Client ec2 = Ec2Client.builder().endpointOverride(proxy.endpoint()).region(Region.EU_WEST_1)
                    .credentialsProvider(session)
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
                // unpaginated DescribeVolumes: the smaller bucket (burst 50)
                for (int i = 0; i < 50; i++) {
                    ec2.describeVolumes(r -> { });
                }
                assertThatThrownBy(() -> ec2.describeVolumes(r -> { }))
                        .isInstanceOfSatisfying(AwsServiceException.class, e -> {
                            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestLimitExceeded");
                            assertThat(e.statusCode()).isEqualTo(503);
                            assertThat(e.isThrottlingException()).isTrue();
                        });
            }
            // IAM: the member's role session draws from the management account's bucket (burst 3 here); the seeder's
            // own calls through moto directly did not pass the proxy
            try (IamClient iam = IamClient.builder().endpointOverride(proxy.endpoint()).region(Region.AWS_GLOBAL)
                    .credentialsProvider(session)
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
                 IamClient own = IamClient.builder().endpointOverride(proxy.endpoint()).region(Region.AWS_GLOBAL)
                    .credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS)
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
                iam.listRoles();
                iam.listRoles();
                own.listRoles();
                assertThatThrownBy(iam::listRoles).isInstanceOfSatisfying(AwsServiceException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("Throttling");
                    assertThat(e.isThrottlingException()).isTrue();
                });
            }
            assertThat(quotas.throttled()).containsEntry("organizations.ListRoots", 1L)
                    .containsEntry("kms.ListGrants", 1L).containsEntry("ec2.DescribeVolumes", 1L)
                    .containsEntry("iam.ListRoles", 1L);
            // KMS and EC2 buckets are the member's (learned from the AssumeRole answer), STS the management's
            assertThat(quotas.bucketKeys()).contains("kms/" + member.id() + "/eu-west-1/ListGrants",
                    "ec2/" + member.id() + "/eu-west-1/DescribeVolumes", "iam/" + OrgSeeder.MANAGEMENT_ACCOUNT_ID,
                    "sts/" + OrgSeeder.MANAGEMENT_ACCOUNT_ID + "/us-east-1")
                    .noneMatch(k -> k.startsWith("kms/" + OrgSeeder.MANAGEMENT_ACCOUNT_ID));
            session.close();
            sts.close();
            assertThat(quotas.allowed()).containsEntry("kms.ListGrants", 100L).containsEntry("iam.ListRoles", 3L);
        }
    }
}
