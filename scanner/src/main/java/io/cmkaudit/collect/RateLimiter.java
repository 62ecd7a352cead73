package io.cmkaudit.collect;

import io.cmkaudit.config.RateLimit;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * The run's client-side limits, shared by every SDK client of the run: one {@link TokenBucket} per quota row and
 * scope ({@link RateLimit}: Organizations per operation row and STS per caller; IAM reads per source account; EC2,
 * KMS, Auto Scaling and EKS per target account and region; IAM Identity Center and Identity Store per caller and
 * region), and a bound on the requests in flight. Every attempt
 * (retries included) first takes a token from its row's bucket, then one of the {@code maxRequests} permits, which
 * it holds until the response is in; waiting for a token holds no permit. Counts attempts and the time spent waiting
 * per row. Thread-safe.
 */
final class RateLimiter {

    /** Attempts and waits of one quota row. */
    record RowStats(long attempts, long waits, double waitedSeconds, double maxWaitSeconds) {
    }

    private static final ExecutionAttribute<Boolean> HOLDS_PERMIT = new ExecutionAttribute<>("cmk-audit.permit");

    private final Map<RateLimit, Double> rates;
    private final Semaphore inFlight;
    private final int maxRequests;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final Map<RateLimit, LongAdder> attempts = new ConcurrentHashMap<>();
    private final Map<RateLimit, LongAdder> waits = new ConcurrentHashMap<>();
    private final Map<RateLimit, LongAdder> waitedNanos = new ConcurrentHashMap<>();
    private final Map<RateLimit, Long> maxWait = new ConcurrentHashMap<>();

    /**
     * @param overrides   requests per second per row (from the configuration or the plan); rows left out use
     *                    {@link RateLimit#defaultRate()}
     * @param maxRequests requests in flight at most, at least 1
     */
    RateLimiter(Map<RateLimit, Double> overrides, int maxRequests) {
        Map<RateLimit, Double> r = new EnumMap<>(RateLimit.class);
        for (RateLimit row : RateLimit.values()) {
            r.put(row, overrides.getOrDefault(row, row.defaultRate()));
        }
        this.rates = r;
        this.maxRequests = maxRequests;
        this.inFlight = new Semaphore(maxRequests, true);
    }

    /** @return the requests-in-flight bound */
    int maxRequests() {
        return maxRequests;
    }

    /**
     * The row an operation draws from.
     *
     * @param service   the SDK's service name ({@code Organizations}, {@code Sts}, {@code Iam}, {@code Ec2},
     *                  {@code Kms}, {@code AutoScaling}, {@code Eks},
     *                  {@code SsoAdmin}, {@code Identitystore})
     * @param operation operation name, e.g. {@code ListAccountsForParent}
     * @return the row, or null when no quota row applies
     */
    static RateLimit row(String service, String operation) {
        return switch (service) {
            case "Organizations" -> switch (operation) {
                case "ListAccounts" -> RateLimit.ORGANIZATIONS_LIST_ACCOUNTS;
                case "ListChildren" -> RateLimit.ORGANIZATIONS_LIST_CHILDREN;
                case "ListParents", "ListAccountsForParent", "ListOrganizationalUnitsForParent" ->
                        RateLimit.ORGANIZATIONS_TREE;
                case "ListRoots" -> RateLimit.ORGANIZATIONS_LIST_ROOTS;
                case "ListPolicies", "ListPoliciesForTarget", "ListTargetsForPolicy" -> RateLimit.ORGANIZATIONS_POLICIES;
                case "DescribePolicy" -> RateLimit.ORGANIZATIONS_DESCRIBE_POLICY;
                case "DescribeAccount" -> RateLimit.ORGANIZATIONS_DESCRIBE_ACCOUNT;
                case "DescribeOrganizationalUnit" -> RateLimit.ORGANIZATIONS_DESCRIBE_OU;
                default -> null;
            };
            case "Sts" -> RateLimit.STS;
            case "Iam" -> RateLimit.IAM_READS;
            case "Ec2" -> RateLimit.EC2_READS;
            case "Kms" -> switch (operation) {
                case "DescribeKey" -> RateLimit.KMS_DESCRIBE_KEY;
                case "GetKeyPolicy" -> RateLimit.KMS_GET_KEY_POLICY;
                case "ListAliases" -> RateLimit.KMS_LIST_ALIASES;
                case "ListGrants" -> RateLimit.KMS_LIST_GRANTS;
                case "ListResourceTags" -> RateLimit.KMS_LIST_RESOURCE_TAGS;
                default -> null;
            };
            case "AutoScaling" -> RateLimit.AUTO_SCALING_READS;
            case "Eks" -> RateLimit.EKS_READS;
            case "SsoAdmin" -> RateLimit.IDENTITY_CENTER;
            case "Identitystore" -> RateLimit.IDENTITY_STORE;
            default -> null;
        };
    }

    /**
     * The interceptor of one client.
     *
     * @param targetAccount account the client's credentials belong to, or null for the scanner's own clients
     * @param region        the client's region
     * @return an interceptor to install on that client
     */
    ExecutionInterceptor forClient(String targetAccount, String region) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                release(attributes); // an earlier attempt that failed before its response
                String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
                String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                RateLimit row = row(service, operation);
                try {
                    if (row != null) {
                        take(row, bucketKey(row, targetAccount, region, operation));
                    }
                    inFlight.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw SdkClientException.create("interrupted while waiting for the rate limit of " + service + "."
                            + operation, e);
                }
                attributes.putAttribute(HOLDS_PERMIT, Boolean.TRUE);
            }

            @Override
            public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
                release(attributes);
            }

            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                release(attributes);
            }

            @Override
            public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
                release(attributes);
            }
        };
    }

    private void release(ExecutionAttributes attributes) {
        if (Boolean.TRUE.equals(attributes.getAttribute(HOLDS_PERMIT))) {
            attributes.putAttribute(HOLDS_PERMIT, Boolean.FALSE);
            inFlight.release();
        }
    }

    static String bucketKey(RateLimit row, String targetAccount, String region, String operation) {
        return switch (row.scope()) {
            case CALLER, SOURCE -> row.key();
            case CALLER_REGION -> row.key() + "/" + region;
            case TARGET_REGION -> row.key() + "/" + targetAccount + "/" + region;
            case TARGET_REGION_API -> row.key() + "/" + targetAccount + "/" + region + "/" + operation;
        };
    }

    private void take(RateLimit row, String key) throws InterruptedException {
        double rate = rates.get(row);
        TokenBucket b = buckets.computeIfAbsent(key, k -> new TokenBucket(rate, row.burstAt(rate)));
        long waited = b.acquire();
        attempts.computeIfAbsent(row, k -> new LongAdder()).increment();
        if (waited > 0) {
            waits.computeIfAbsent(row, k -> new LongAdder()).increment();
            waitedNanos.computeIfAbsent(row, k -> new LongAdder()).add(waited);
            maxWait.merge(row, waited, Math::max);
        }
    }

    /**
     * Nanoseconds a request of a row would wait now (for choosing between two rows that can answer the same
     * question).
     *
     * @param row the row (caller-scoped)
     * @return the wait, 0 when a token is there
     */
    long waitNanos(RateLimit row) {
        double rate = rates.get(row);
        return buckets.computeIfAbsent(bucketKey(row, null, null, null),
                k -> new TokenBucket(rate, row.burstAt(rate))).waitAt(System.nanoTime());
    }

    /** @return attempts and waits per row key ({@link RateLimit#key()}), sorted, rows never used left out */
    Map<String, RowStats> stats() {
        Map<String, RowStats> out = new TreeMap<>();
        attempts.forEach((row, n) -> out.put(row.key(), new RowStats(n.sum(),
                waits.getOrDefault(row, new LongAdder()).sum(),
                waitedNanos.getOrDefault(row, new LongAdder()).sum() / 1e9, maxWait.getOrDefault(row, 0L) / 1e9)));
        return out;
    }
}
