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

    private final SdkHttpClient http;
    private final CallCounter counter;
    private final URI endpoint;
    private final Duration callTimeout;
    private final boolean retries;
    private final Region home;
    private final RateLimiter limiter;
    private volatile String partition;

    /**
     * @param endpoint    one endpoint for every client (moto), or null for AWS's endpoints
     * @param home        the home region: STS and the regions list are called there; its partition is the run's
     *                    until {@link #partition(String)} sets the caller identity's
     * @param callTimeout timeout of one call including retries
     * @param concurrency accounts read in parallel (sizes the connection pool)
     * @param retries     whether the SDK retries (adaptive mode)
     * @param counter     counts the calls
     */
    AwsClients(URI endpoint, Region home, Duration callTimeout, int concurrency, boolean retries, CallCounter counter) {
        this(endpoint, home, callTimeout, concurrency, retries, counter, null);
    }

    /**
     * @param endpoint    one endpoint for every client (moto), or null for AWS's endpoints
     * @param home        the home region
     * @param callTimeout timeout of one call including retries
     * @param concurrency requests wanted at once (sizes the connection pool)
     * @param retries     whether the SDK retries (adaptive mode)
     * @param counter     counts the calls
     * @param limiter     the run's client-side token buckets and requests-in-flight bound, or null for none
     */
    AwsClients(URI endpoint, Region home, Duration callTimeout, int concurrency, boolean retries, CallCounter counter,
               RateLimiter limiter) {
        this.limiter = limiter;
        this.endpoint = endpoint;
        this.home = home;
        this.partition = Partitions.ofRegion(home.id());
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

    /** @return the home region (STS, the regions list) */
    Region home() {
        return home;
    }

    /** @return the run's partition, e.g. {@code aws-us-gov} */
    String partition() {
        return partition;
    }

    /**
     * Sets the run's partition, read from the caller identity; IAM and Organizations clients built afterwards call
     * that partition's global endpoints.
     *
     * @param partitionId e.g. {@code aws-cn}
     */
    void partition(String partitionId) {
        this.partition = partitionId;
    }

    /** @return a client of STS's regional endpoint in the home region */
    StsClient sts(AwsCredentialsProvider credentials) {
        return build(StsClient.builder(), home, credentials, null);
    }

    /** @return an Organizations client in the partition's Organizations region ({@link Partitions}) */
    OrganizationsClient organizations(AwsCredentialsProvider credentials) {
        return build(OrganizationsClient.builder(), Partitions.organizationsRegion(partition, home), credentials, null);
    }

    /** @return an IAM client in the partition's IAM region ({@link Partitions}) */
    IamClient iam(AwsCredentialsProvider credentials, String account) {
        return build(IamClient.builder(), Partitions.iamRegion(partition, home), credentials, account);
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
