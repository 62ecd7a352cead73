package io.cmkaudit.collect;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Copies one finished run folder to S3, for ECS tasks whose disk is temporary. Every object is written with
 * server-side encryption (SSE-KMS with the given key; without one, the bucket's default encryption, which is SSE-S3
 * unless the bucket sets SSE-KMS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html)
 * and the {@code bucket-owner-full-control} canned ACL, so a central bucket in another account owns the reports.
 *
 * <p>Implements: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
 */
public final class ReportUploader {

    /**
     * Where to upload: {@code s3://bucket/prefix}.
     *
     * @param bucket bucket name; never blank
     * @param prefix key prefix without leading or trailing slash; may be empty
     */
    public record S3Location(String bucket, String prefix) {

        /**
         * Parses {@code s3://bucket[/prefix]}.
         *
         * @param value the option value
         * @return the location
         * @throws IllegalArgumentException when it is not an {@code s3://} URL with a valid bucket name
         */
        public static S3Location parse(String value) {
            if (value == null || !value.toLowerCase(Locale.ROOT).startsWith("s3://")) {
                throw new IllegalArgumentException("expected s3://bucket/prefix, got `" + value + "`");
            }
            String rest = value.substring(5);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new IllegalArgumentException("not a valid S3 bucket name: `" + bucket + "`");
            }
            return new S3Location(bucket, prefix);
        }

        String key(String runFolder, String file) {
            return (prefix.isEmpty() ? "" : prefix + "/") + runFolder + "/" + file;
        }
    }

    private final URI endpoint;
    private final Duration callTimeout;
    private final String profile;
    private final String region;

    /**
     * With the default credential chain and the SDK's region chain.
     *
     * @param endpoint    endpoint override (moto, LocalStack), or null for real S3
     * @param callTimeout timeout of one PutObject including retries
     */
    public ReportUploader(URI endpoint, Duration callTimeout) {
        this(endpoint, callTimeout, null, null);
    }

    /**
     * @param endpoint    endpoint override (moto, LocalStack), or null for real S3
     * @param callTimeout timeout of one PutObject including retries
     * @param profile     the scanner's profile ({@code --profile}), or null for the default credential chain
     * @param region      the home region ({@code --region}; its partition's S3 is called, and requests for a bucket
     *                    in another region of that partition are redirected), or null for the SDK's region chain
     */
    public ReportUploader(URI endpoint, Duration callTimeout, String profile, String region) {
        this.endpoint = endpoint;
        this.callTimeout = callTimeout;
        this.profile = profile;
        this.region = region;
    }

    /**
     * Uploads every regular file of {@code runDir} to {@code location.prefix/<runDir name>/<file>}.
     *
     * @param runDir   the finished run folder
     * @param location destination
     * @param kmsKeyId KMS key id or ARN for SSE-KMS, or null for the bucket's default encryption
     * @return the object keys written, in upload order
     * @throws UploadException when a file can't be read or a PutObject fails; the message names the object
     */
    public List<String> upload(Path runDir, S3Location location, String kmsKeyId) {
        List<String> keys = new ArrayList<>();
        try (SdkHttpClient http = ApacheHttpClient.builder().build();
             S3Client s3 = client(http);
             Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String key = location.key(runDir.getFileName().toString(), f.getFileName().toString());
                PutObjectRequest.Builder req = PutObjectRequest.builder()
                        .bucket(location.bucket())
                        .key(key)
                        .acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL)
                        .contentType(contentType(f));
                if (kmsKeyId != null) {
                    req.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(kmsKeyId);
                }
                // else no header: the bucket's default encryption applies (SSE-S3 unless it says SSE-KMS)
                try {
                    s3.putObject(req.build(), RequestBody.fromFile(f));
                } catch (SdkException e) {
                    throw new UploadException("upload of s3://" + location.bucket() + "/" + key + " failed: "
                            + e.getMessage(), e);
                }
                keys.add(key);
            }
        } catch (IOException e) {
            throw new UploadException("cannot read run folder " + runDir + ": " + e.getMessage(), e);
        }
        return keys;
    }

    private S3Client client(SdkHttpClient http) {
        var b = S3Client.builder().httpClient(http)
                .overrideConfiguration(o -> o.apiCallTimeout(callTimeout))
                .crossRegionAccessEnabled(true);
        if (profile != null) {
            b.credentialsProvider(Credentials.provider(profile));
        }
        if (endpoint != null) {
            b.endpointOverride(endpoint).forcePathStyle(true).region(region == null ? Region.US_EAST_1 : Region.of(region));
        } else {
            b.region(Credentials.homeRegion(io.cmkaudit.config.ScannerConfig.DEFAULTS.withProfileAndRegion(profile,
                    region)));
        }
        return b.build();
    }

    private static String contentType(Path f) {
        String n = f.getFileName().toString();
        if (n.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (n.endsWith(".csv")) {
            return "text/csv; charset=utf-8";
        }
        if (n.endsWith(".json")) {
            return "application/json";
        }
        return "application/octet-stream";
    }

    /** An upload that did not complete; the run folder on disk is intact. */
    public static final class UploadException extends RuntimeException {
        UploadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

}
