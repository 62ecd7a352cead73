package io.cmkaudit.collect;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.securityhub.SecurityHubClient;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;
import software.amazon.awssdk.services.securityhub.model.BatchImportFindingsResponse;
import software.amazon.awssdk.services.securityhub.model.ImportFindingsError;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Imports ASFF findings into the Security Hub of the scanner's own account and home region with
 * {@code BatchImportFindings} (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html),
 * following AWS's guidelines for finding providers
 * (https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html): at most
 * {@value #MAX_PER_CALL} findings and {@value #MAX_BATCH_BYTES} bytes per call, the SDK's retries (with backoff)
 * for throttled or failed calls, then up to {@value #MAX_ROUNDS} rounds for the findings the service reports as
 * failed with a transient error code. Findings a call could not import are reported, never dropped silently.
 *
 * <p>The findings arrive as trees of maps, lists, strings and numbers (the JSON of {@code findings.asff.json}); each
 * is turned into the SDK's {@link AwsSecurityFinding} through the model's own field descriptions, so every ASFF
 * field the SDK knows is carried over and nothing is mapped twice.
 */
public final class SecurityHubImporter {

    /** Most findings of one BatchImportFindings call. */
    public static final int MAX_PER_CALL = 100;
    /** Most bytes of one call's findings (6 MB). */
    public static final int MAX_BATCH_BYTES = 6 * 1024 * 1024;
    /** Rounds for findings that failed with a transient error. */
    public static final int MAX_ROUNDS = 3;

    /**
     * One finding to import.
     *
     * @param finding   the ASFF finding ({@code Id} required); never null
     * @param jsonBytes the size of its JSON in bytes
     */
    public record Item(Map<String, Object> finding, int jsonBytes) {
        public Item {
            Objects.requireNonNull(finding, "finding");
        }

        String id() {
            return String.valueOf(finding.get("Id"));
        }
    }

    /**
     * A finding Security Hub did not take.
     *
     * @param id      its ASFF {@code Id}
     * @param code    the error code, e.g. {@code InvalidInput}
     * @param message the service's message
     */
    public record Failure(String id, String code, String message) {
    }

    /**
     * What an import did.
     *
     * @param imported findings accepted
     * @param calls    BatchImportFindings calls made
     * @param failed   findings not imported, with why; empty when all were
     */
    public record Result(int imported, int calls, List<Failure> failed) {
        public Result {
            failed = List.copyOf(failed);
        }
    }

    /** A call that failed as a whole (credentials, Security Hub not enabled, network beyond the retries). */
    public static final class ImportException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ImportException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final URI endpoint;
    private final Duration callTimeout;
    private final String profile;
    private final String region;

    /**
     * @param endpoint    endpoint override (moto, LocalStack), or null for the real service
     * @param callTimeout timeout of one call including its retries
     * @param profile     the scanner's profile, or null for the default credential chain
     * @param region      the home region: whose Security Hub receives the findings; never null
     */
    public SecurityHubImporter(URI endpoint, Duration callTimeout, String profile, String region) {
        this.endpoint = endpoint;
        this.callTimeout = callTimeout;
        this.profile = profile;
        this.region = Objects.requireNonNull(region, "region");
    }

    /**
     * Imports the findings in batches.
     *
     * @param items the findings, each at most 240 KB (see {@code io.cmkaudit.report.Asff})
     * @return counts and the findings that failed
     * @throws ImportException when a call fails as a whole after the SDK's retries; the message says which batch
     *                         and how many findings were imported before it
     * @throws IllegalArgumentException when a finding cannot be expressed in the SDK's model
     */
    public Result importFindings(List<Item> items) {
        try (SdkHttpClient http = ApacheHttpClient.builder().build();
             SecurityHubClient hub = client(http)) {
            return importWith(hub, items);
        }
    }

    /**
     * As {@link #importFindings}, with a given client.
     *
     * @param hub   the client
     * @param items the findings
     * @return counts and failures
     */
    static Result importWith(SecurityHubClient hub, List<Item> items) {
        int imported = 0;
        int calls = 0;
        List<Item> pending = items;
        Map<String, Failure> failed = new LinkedHashMap<>();
        for (int round = 1; round <= MAX_ROUNDS && !pending.isEmpty(); round++) {
            Map<String, Item> retry = new LinkedHashMap<>();
            for (List<Item> batch : batches(pending)) {
                BatchImportFindingsResponse r;
                try {
                    r = hub.batchImportFindings(b -> b.findings(batch.stream()
                            .map(i -> toFinding(i.finding())).toList()));
                } catch (SdkException e) {
                    throw new ImportException("Security Hub BatchImportFindings failed after " + imported
                            + " findings were imported (" + calls + " calls): " + oneLine(e.getMessage()), e);
                }
                calls++;
                imported += r.successCount() == null ? 0 : r.successCount();
                Map<String, Item> byId = new LinkedHashMap<>();
                batch.forEach(i -> byId.put(i.id(), i));
                for (ImportFindingsError err : r.failedFindings()) {
                    failed.put(err.id(), new Failure(err.id(), err.errorCode(), err.errorMessage()));
                    if (transientError(err.errorCode()) && byId.containsKey(err.id())) {
                        retry.put(err.id(), byId.get(err.id()));
                    }
                }
            }
            if (!retry.isEmpty() && round < MAX_ROUNDS) {
                retry.keySet().forEach(failed::remove);
                sleep(200L << round);
            }
            pending = round < MAX_ROUNDS ? new ArrayList<>(retry.values()) : List.of();
        }
        return new Result(imported, calls, new ArrayList<>(failed.values()));
    }

    /**
     * Splits the findings into calls of at most {@value #MAX_PER_CALL} findings and {@value #MAX_BATCH_BYTES} bytes.
     *
     * @param items the findings
     * @return the batches, in order
     */
    public static List<List<Item>> batches(List<Item> items) {
        List<List<Item>> out = new ArrayList<>();
        List<Item> current = new ArrayList<>();
        long bytes = 0;
        for (Item i : items) {
            if (!current.isEmpty() && (current.size() == MAX_PER_CALL || bytes + i.jsonBytes() > MAX_BATCH_BYTES)) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(i);
            bytes += i.jsonBytes();
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private static boolean transientError(String code) {
        String c = code == null ? "" : code.toLowerCase(Locale.ROOT);
        return c.contains("throttl") || c.contains("internal") || c.contains("unavailable")
                || c.contains("limitexceeded") || c.contains("toomanyrequests");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /**
     * An ASFF finding as the SDK's model object, field by field through the model's own field descriptions
     * ({@link SdkField#locationName()} is the ASFF field name).
     *
     * @param finding the ASFF finding as maps, lists, strings and numbers
     * @return the SDK object
     * @throws IllegalArgumentException when a field has a value of the wrong shape, or the SDK does not know it
     */
    public static AwsSecurityFinding toFinding(Map<String, Object> finding) {
        AwsSecurityFinding.Builder b = AwsSecurityFinding.builder();
        fill(b, finding, "");
        return b.build();
    }

    private static void fill(SdkPojo builder, Map<?, ?> values, String path) {
        Map<String, SdkField<?>> fields = new LinkedHashMap<>();
        builder.sdkFields().forEach(f -> fields.put(f.locationName(), f));
        for (Map.Entry<?, ?> e : values.entrySet()) {
            String name = String.valueOf(e.getKey());
            SdkField<?> f = fields.get(name);
            if (f == null) {
                throw new IllegalArgumentException("ASFF field `" + path + name + "` is not in the Security Hub "
                        + "model");
            }
            if (e.getValue() != null) {
                f.set(builder, value(f, e.getValue(), path + name));
            }
        }
    }

    private static Object value(SdkField<?> f, Object v, String path) {
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.STRING) {
            return v.toString();
        }
        if (t == MarshallingType.INTEGER) {
            return ((Number) v).intValue();
        }
        if (t == MarshallingType.LONG) {
            return ((Number) v).longValue();
        }
        if (t == MarshallingType.DOUBLE) {
            return ((Number) v).doubleValue();
        }
        if (t == MarshallingType.BOOLEAN) {
            return v instanceof Boolean bool ? bool : Boolean.parseBoolean(v.toString());
        }
        if (t == MarshallingType.SDK_POJO) {
            if (!(v instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("ASFF field `" + path + "` must be an object");
            }
            SdkPojo nested = f.constructor().get();
            fill(nested, m, path + ".");
            return ((SdkBuilder<?, ?>) nested).build();
        }
        if (t == MarshallingType.LIST) {
            if (!(v instanceof List<?> l)) {
                throw new IllegalArgumentException("ASFF field `" + path + "` must be a list");
            }
            SdkField<?> member = f.getTrait(ListTrait.class).memberFieldInfo();
            List<Object> out = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                out.add(value(member, l.get(i), path + "[" + i + "]"));
            }
            return out;
        }
        if (t == MarshallingType.MAP) {
            if (!(v instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("ASFF field `" + path + "` must be an object");
            }
            SdkField<?> member = f.getTrait(MapTrait.class).valueFieldInfo();
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), value(member, val, path + "." + k)));
            return out;
        }
        throw new IllegalArgumentException("ASFF field `" + path + "` has a type this importer does not carry: " + t);
    }

    private SecurityHubClient client(SdkHttpClient http) {
        var b = SecurityHubClient.builder().httpClient(http)
                .overrideConfiguration(o -> o.apiCallTimeout(callTimeout).retryStrategy(RetryMode.STANDARD))
                .region(Region.of(region));
        if (profile != null) {
            b.credentialsProvider(Credentials.provider(profile));
        }
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }
}
