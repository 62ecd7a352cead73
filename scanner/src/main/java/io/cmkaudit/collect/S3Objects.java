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
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * Reads and writes single S3 objects for sharded runs (plans, partial snapshots, merged snapshots) with the
 * scanner's own credentials: {@code GetObject} and {@code PutObject} with the bucket's default encryption and the
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
     * Opens an object for streaming: {@code GetObject} whose body is read as the caller reads, never held in memory
     * whole (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html). When the connection fails in the
     * middle (a reset, a read timeout), the stream goes on where it stopped with a ranged {@code GetObject}
     * ({@code Range: bytes=N-}, {@code If-Match} the first response's ETag, so a replaced object is an error rather
     * than a mix of two versions), at most {@value #RESUMES} times in all. The connection stays open while the caller
     * reads (no API call timeout on the body; the HTTP client's socket read timeout still applies).
     *
     * @param url the object
     * @return its content; the caller must close it (which also closes the S3 client it uses)
     * @throws S3Exception when it does not exist or can't be opened; reads throw {@link java.io.IOException} once the
     *                     resumes are used up, or when the object changed since it was opened
     */
    public java.io.InputStream open(S3Url url) {
        SdkHttpClient http = ApacheHttpClient.builder().build();
        S3Client s3 = client(http, null);
        String[] etag = new String[1];
        try {
            software.amazon.awssdk.core.ResponseInputStream<GetObjectResponse> first =
                    s3.getObject(r -> r.bucket(url.bucket()).key(url.key()));
            etag[0] = first.response().eTag();
            long length = first.response().contentLength() == null ? -1 : first.response().contentLength();
            return new ResumingInputStream(first, length, offset -> {
                try {
                    return s3.getObject(r -> r.bucket(url.bucket()).key(url.key()).range("bytes=" + offset + "-")
                            .ifMatch(etag[0]));
                } catch (SdkException e) {
                    throw new java.io.IOException(url + ": cannot read on from byte " + offset + ": "
                            + AwsFailure.oneLine(e.getMessage()), e);
                }
            }, RESUMES, () -> {
                s3.close();
                http.close();
            });
        } catch (NoSuchKeyException e) {
            s3.close();
            http.close();
            throw new S3Exception(url + ": no such object", e);
        } catch (SdkException e) {
            s3.close();
            http.close();
            throw new S3Exception(url + ": cannot read: " + AwsFailure.oneLine(e.getMessage()), e);
        }
    }

    /** How many times {@link #open} resumes a body whose connection failed. */
    public static final int RESUMES = 5;

    /**
     * A stream that goes on from where it stopped when a read fails: {@code reopen} is given the offset of the next
     * byte and returns the rest of the content from there. Package-visible for tests.
     */
    static final class ResumingInputStream extends java.io.InputStream {

        /** Opens the content from an offset. */
        interface Reopen {
            /**
             * @param offset the first byte wanted, from 0
             * @return the content from there
             * @throws java.io.IOException when it can't be opened
             */
            java.io.InputStream from(long offset) throws java.io.IOException;
        }

        private java.io.InputStream in;
        private final long length;
        private final Reopen reopen;
        private int resumesLeft;
        private final Runnable onClose;
        private long position;
        private boolean closed;

        /**
         * @param first   the content from offset 0
         * @param length  its length in bytes, or -1 when unknown (then a failure at a read is only resumed when no
         *                end was seen)
         * @param reopen  opens the content from an offset
         * @param resumes how many failures to resume, in all
         * @param onClose run once at {@link #close()}
         */
        ResumingInputStream(java.io.InputStream first, long length, Reopen reopen, int resumes, Runnable onClose) {
            this.in = first;
            this.length = length;
            this.reopen = reopen;
            this.resumesLeft = resumes;
            this.onClose = onClose;
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (length >= 0 && position >= length) {
                    return -1;
                }
                try {
                    int n = in.read(b, off, len);
                    if (n < 0) {
                        if (length >= 0 && position < length) {
                            throw new java.io.EOFException("the body ended at byte " + position + " of " + length);
                        }
                        return -1;
                    }
                    position += n;
                    return n;
                } catch (java.io.IOException | RuntimeException e) {
                    if (resumesLeft <= 0) {
                        throw e instanceof java.io.IOException io ? io : new java.io.IOException(e.getMessage(), e);
                    }
                    resumesLeft--;
                    abortQuietly(in);
                    in = reopen.from(position);
                }
            }
        }

        /** @return bytes read so far */
        long position() {
            return position;
        }

        private static void abortQuietly(java.io.InputStream s) {
            if (s instanceof software.amazon.awssdk.core.ResponseInputStream<?> r) {
                r.abort();
            }
            try {
                s.close();
            } catch (java.io.IOException | RuntimeException ignored) {
                // the connection is gone already
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            // abort instead of draining the rest of a body not read to its end
            if (length < 0 || position < length) {
                abortQuietly(in);
            } else {
                try {
                    in.close();
                } catch (java.io.IOException | RuntimeException ignored) {
                    // read to its end already
                }
            }
            onClose.run();
        }
    }

    /**
     * Writes an object with the {@code bucket-owner-full-control} canned ACL and no encryption header, so the
     * bucket's default encryption applies (SSE-KMS with the bucket's key where the bucket says so; S3 encrypts
     * every new object with SSE-S3 otherwise:
     * https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html). An explicit SSE-S3 header
     * would override a bucket's SSE-KMS default and be denied where a policy requires {@code aws:kms}.
     *
     * @param url         the object (replaced when it exists)
     * @param bytes       its content
     * @param contentType e.g. {@code application/json}
     * @throws S3Exception when the write fails
     */
    public void put(S3Url url, byte[] bytes, String contentType) {
        try (SdkHttpClient http = ApacheHttpClient.builder().build(); S3Client s3 = client(http)) {
            s3.putObject(r -> r.bucket(url.bucket()).key(url.key()).contentType(contentType)
                    .acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw new S3Exception(url + ": cannot write: " + AwsFailure.oneLine(e.getMessage()), e);
        }
    }

    /**
     * As {@link #put}, the content read from a file as it is sent (a single {@code PutObject}, up to 5 GB:
     * https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html), never held in memory whole.
     *
     * @param url         the object (replaced when it exists)
     * @param file        its content
     * @param contentType e.g. {@code application/json}
     * @throws S3Exception when the write fails
     */
    public void put(S3Url url, java.nio.file.Path file, String contentType) {
        try (SdkHttpClient http = ApacheHttpClient.builder().build(); S3Client s3 = client(http, null)) {
            s3.putObject(r -> r.bucket(url.bucket()).key(url.key()).contentType(contentType)
                    .acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL), RequestBody.fromFile(file));
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
        return client(http, callTimeout);
    }

    /** @param timeout API call timeout, or null for none (a streamed body read as long as the caller reads) */
    private S3Client client(SdkHttpClient http, Duration timeout) {
        var b = S3Client.builder().httpClient(http)
                .overrideConfiguration(o -> {
                    if (timeout != null) {
                        o.apiCallTimeout(timeout);
                    }
                })
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
