package io.cmkaudit.collect;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Reads and writes single S3 objects for sharded runs (plans, partial snapshots, merged snapshots) with the
 * scanner's own credentials: {@code GetObject} and {@code PutObject} with server-side encryption (SSE-S3) and the
 * {@code bucket-owner-full-control} canned ACL, like {@link ReportUploader}
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
 */
public final class S3Objects {

    /**
     * An object address {@code s3://bucket/key}.
     *
     * @param bucket bucket name
     * @param key    object key, not empty
     */
    public record S3Url(String bucket, String key) {
        /**
         * @param value e.g. {@code s3://audit-bucket/runs/plan.json}
         * @return the address
         * @throws IllegalArgumentException when it is not {@code s3://bucket/key} with a valid bucket name
         */
        public static S3Url parse(String value) {
            if (value == null || !value.toLowerCase(Locale.ROOT).startsWith("s3://")) {
                throw new IllegalArgumentException("expected s3://bucket/key, got `" + value + "`");
            }
            String rest = value.substring(5);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String key = slash < 0 ? "" : rest.substring(slash + 1);
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new IllegalArgumentException("not a valid S3 bucket name: `" + bucket + "`");
            }
            if (key.isEmpty() || key.endsWith("/")) {
                throw new IllegalArgumentException("expected s3://bucket/key naming an object, got `" + value + "`");
            }
            return new S3Url(bucket, key);
        }

        /**
         * @param value an option value
         * @return whether it is an {@code s3://} address rather than a file path
         */
        public static boolean is(String value) {
            return value != null && value.toLowerCase(Locale.ROOT).startsWith("s3://");
        }

        @Override
        public String toString() {
            return "s3://" + bucket + "/" + key;
        }
    }

    /** A read or write that failed; the message is one line naming the object. */
    public static final class S3Exception extends RuntimeException {
        private static final long serialVersionUID = 1L;

        S3Exception(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final URI endpoint;
    private final Duration callTimeout;
    private final String profile;
    private final String region;

    /**
     * @param endpoint    endpoint override (moto, LocalStack), or null for real S3
     * @param callTimeout timeout of one call including retries
     */
    public S3Objects(URI endpoint, Duration callTimeout) {
        this(endpoint, callTimeout, null, null);
    }

    /**
     * With the scanner's profile and home region, as {@link ReportUploader} (for {@code scan --previous s3://…}).
     *
     * @param endpoint    endpoint override (moto, LocalStack), or null for real S3
     * @param callTimeout timeout of one call including retries
     * @param profile     {@code --profile}, or null for the default credential chain
     * @param region      the home region ({@code --region}), or null for the SDK's region chain
     */
    public S3Objects(URI endpoint, Duration callTimeout, String profile, String region) {
        this.endpoint = endpoint;
        this.callTimeout = callTimeout;
        this.profile = profile;
        this.region = region;
    }

    /**
     * @param url the object
     * @return its bytes
     * @throws S3Exception when it does not exist or can't be read
     */
    public byte[] get(S3Url url) {
        try (SdkHttpClient http = ApacheHttpClient.builder().build(); S3Client s3 = client(http)) {
            return s3.getObjectAsBytes(r -> r.bucket(url.bucket()).key(url.key())).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new S3Exception(url + ": no such object", e);
        } catch (SdkException e) {
            throw new S3Exception(url + ": cannot read: " + AwsFailure.oneLine(e.getMessage()), e);
        }
    }

    /**
     * @param url         the object (replaced when it exists)
     * @param bytes       its content
     * @param contentType e.g. {@code application/json}
     * @throws S3Exception when the write fails
     */
    public void put(S3Url url, byte[] bytes, String contentType) {
        try (SdkHttpClient http = ApacheHttpClient.builder().build(); S3Client s3 = client(http)) {
            s3.putObject(r -> r.bucket(url.bucket()).key(url.key()).contentType(contentType)
                    .acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL)
                    .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw new S3Exception(url + ": cannot write: " + AwsFailure.oneLine(e.getMessage()), e);
        }
    }

    /**
     * The objects under a prefix ({@code ListObjectsV2}, every page:
     * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
     *
     * @param prefix bucket and key prefix, e.g. {@code s3://bucket/runs/1/parts/}
     * @return the objects' URLs, sorted by key; empty when none
     * @throws S3Exception when the listing fails
     */
    public java.util.List<S3Url> list(S3Url prefix) {
        try (SdkHttpClient http = ApacheHttpClient.builder().build(); S3Client s3 = client(http)) {
            java.util.List<S3Url> out = new java.util.ArrayList<>();
            s3.listObjectsV2Paginator(r -> r.bucket(prefix.bucket()).prefix(prefix.key())).contents()
                    .forEach(o -> out.add(new S3Url(prefix.bucket(), o.key())));
            out.sort(java.util.Comparator.comparing(S3Url::key));
            return out;
        } catch (SdkException e) {
            throw new S3Exception(prefix + ": cannot list: " + AwsFailure.oneLine(e.getMessage()), e);
        }
    }

    private S3Client client(SdkHttpClient http) {
        var b = S3Client.builder().httpClient(http)
                .overrideConfiguration(o -> o.apiCallTimeout(callTimeout))
                .crossRegionAccessEnabled(true);
        if (profile != null) {
            b.credentialsProvider(Credentials.provider(profile));
        }
        if (endpoint != null) {
            b.endpointOverride(endpoint).forcePathStyle(true).region(region == null ? Region.US_EAST_1
                    : Region.of(region));
        } else if (profile != null || region != null) {
            b.region(Credentials.homeRegion(io.cmkaudit.config.ScannerConfig.DEFAULTS.withProfileAndRegion(profile,
                    region)));
        } else {
            Region home;
            try {
                home = new DefaultAwsRegionProviderChain().getRegion();
            } catch (SdkException e) {
                home = Region.US_EAST_1;
            }
            b.region(home);
        }
        return b.build();
    }
}
