package io.cmkaudit.collect;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds every SDK client of one run over one shared Apache HTTP client, with the call counter, a timeout per call
 * and per attempt, and the SDK's adaptive retry mode (client-side rate limiting on throttling; each client has its
 * own token bucket, and EC2/KMS clients are per account and region, which is also the scope of those services'
 * throttling). Closing it closes the HTTP client.
 */
final class AwsClients implements AutoCloseable {

    /** Region used for the global services (IAM, Organizations) and STS of the {@code aws} partition. */
    static final Region GLOBAL_REGION = Region.US_EAST_1;

    private final SdkHttpClient http;
    private final CallCounter counter;
    private final URI endpoint;
    private final Duration callTimeout;
    private final boolean retries;
    private final RateLimiter limiter;

    AwsClients(URI endpoint, Duration callTimeout, int concurrency, boolean retries, CallCounter counter) {
        this(endpoint, callTimeout, concurrency, retries, counter, null);
    }

    /**
     * @param endpoint    endpoint override, or null for real AWS
     * @param callTimeout timeout of one call including retries
     * @param concurrency connections wanted at once (the pool gets at least 50)
     * @param retries     whether the SDK retries (adaptive mode)
     * @param counter     the run's call counter
     * @param limiter     the run's client-side token buckets and requests-in-flight bound, or null for none
     */
    AwsClients(URI endpoint, Duration callTimeout, int concurrency, boolean retries, CallCounter counter,
               RateLimiter limiter) {
        this.limiter = limiter;
        this.endpoint = endpoint;
        this.callTimeout = callTimeout;
        this.retries = retries;
        this.counter = counter;
        this.http = ApacheHttpClient.builder()
                .maxConnections(Math.max(50, concurrency * 4))
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(Math.max(30, callTimeout.toSeconds())))
                .build();
    }

    private ClientOverrideConfiguration override(String targetAccount, Region region) {
        Duration attempt = callTimeout.dividedBy(3).compareTo(Duration.ofSeconds(5)) < 0
                ? callTimeout : callTimeout.dividedBy(3);
        ClientOverrideConfiguration.Builder b = ClientOverrideConfiguration.builder()
                .addExecutionInterceptor(counter)
                .apiCallTimeout(callTimeout)
                .apiCallAttemptTimeout(attempt);
        if (limiter != null) {
            b.addExecutionInterceptor(limiter.forClient(targetAccount, region.id()));
        }
        if (retries) {
            b.retryStrategy(RetryMode.ADAPTIVE_V2);
        } else {
            b.retryStrategy(AwsRetryStrategy.doNotRetry());
        }
        return b.build();
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(
            B builder, Region region, AwsCredentialsProvider credentials, String targetAccount) {
        builder.httpClient(http).region(region).credentialsProvider(credentials)
                .overrideConfiguration(override(targetAccount, region));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    StsClient sts(AwsCredentialsProvider credentials) {
        return build(StsClient.builder(), GLOBAL_REGION, credentials, null);
    }

    OrganizationsClient organizations(AwsCredentialsProvider credentials) {
        return build(OrganizationsClient.builder(), GLOBAL_REGION, credentials, null);
    }

    IamClient iam(AwsCredentialsProvider credentials, String account) {
        return build(IamClient.builder(), GLOBAL_REGION, credentials, account);
    }

    Ec2Client ec2(AwsCredentialsProvider credentials, String account, String region) {
        return build(Ec2Client.builder(), Region.of(region), credentials, account);
    }

    KmsClient kms(AwsCredentialsProvider credentials, String account, String region) {
        return build(KmsClient.builder(), Region.of(region), credentials, account);
    }

    SsoAdminClient ssoAdmin(AwsCredentialsProvider credentials, String region) {
        return build(SsoAdminClient.builder(), Region.of(region), credentials, null);
    }

    IdentitystoreClient identityStore(AwsCredentialsProvider credentials, String region) {
        return build(IdentitystoreClient.builder(), Region.of(region), credentials, null);
    }

    @Override
    public void close() {
        http.close();
    }
}
