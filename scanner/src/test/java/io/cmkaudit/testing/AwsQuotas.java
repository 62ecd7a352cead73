package io.cmkaudit.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quota-faithful half of the test server: plugged into {@link AwsProxy}, it keeps AWS's documented token buckets
 * per caller and answers a request that finds its bucket empty with that service's throttling error, in the service's
 * protocol shape, instead of forwarding it. The buckets and their scopes (sources in {@code docs/PERFORMANCE.md},
 * "Quotas"):
 * <ul>
 *   <li><b>Organizations</b>, per caller account and quota row (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html,
 *       "Throttling limits"): ListAccounts 8/s burst 12; ListChildren 6/10; ListParents, ListAccountsForParent and
 *       ListOrganizationalUnitsForParent one shared bucket 5/8; ListRoots 1/2; ListPolicies, ListPoliciesForTarget and
 *       ListTargetsForPolicy one shared bucket 5/8; DescribePolicy 2/2; DescribeAccount 20/30;
 *       DescribeOrganizationalUnit 2/2. Where the page does not say whether a row's APIs share one bucket, they do
 *       here (the stricter reading). Error: JSON 1.1, HTTP 400 {@code TooManyRequestsException}.</li>
 *   <li><b>STS</b> 600 req/s per calling account and region, shared by AssumeRole and GetCallerIdentity
 *       (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "STS request quotas").
 *       Error: Query XML, HTTP 400 {@code Throttling}.</li>
 *   <li><b>IAM reads</b>: AWS publishes no rate; one bucket per <em>source</em> account (the account that called
 *       AssumeRole: https://aws.amazon.com/blogs/security/how-to-monitor-and-query-iam-resources-at-scale-part-2/),
 *       at the rate given to the constructor. Error: Query XML, HTTP 400 {@code Throttling}.</li>
 *   <li><b>EC2</b> per target account, region and API: non-mutating 20/s burst 100, or 10/50 for DescribeInstances
 *       and DescribeVolumes sent without {@code MaxResults} or filters
 *       (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). Error: EC2 XML, HTTP 503
 *       {@code RequestLimitExceeded}.</li>
 *   <li><b>KMS</b> per target account, region and API (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html):
 *       DescribeKey 2,000/s, GetKeyPolicy 1,000, ListAliases 500, ListGrants 100, ListResourceTags 2,000, ListKeys
 *       500; burst = one second of the rate (none published). Error: JSON 1.1, HTTP 400 {@code ThrottlingException}.</li>
 *   <li><b>Auto Scaling</b>: one bucket per target account and region shared by every Auto Scaling API
 *       (https://repost.aws/knowledge-center/autoscaling-api-calls-throttled), 10/s burst 40 assumed (no rate
 *       published); <b>EKS</b> per target account, region and API, 10/s burst 50 assumed. Errors: Query XML
 *       {@code Throttling}; REST JSON HTTP 429 {@code ThrottlingException}.</li>
 * </ul>
 * Who is calling: the SigV4 access key. The base key maps to the caller account given to the constructor; the access
 * key of each {@code AssumeRole} answer is learned from the forwarded response and maps to the role's account, with
 * the account that called AssumeRole as its source. Thread-safe.
 */
public final class AwsQuotas implements Function<AwsProxy.Request, AwsProxy.Answer>, AwsProxy.ResponseObserver {

    /** A token bucket: {@code rate} tokens per second, at most {@code burst}; starts full. */
    static final class Bucket {
        private final double rate;
        private final double burst;
        private double tokens;
        private long last = System.nanoTime();

        Bucket(double rate, double burst) {
            this.rate = rate;
            this.burst = burst;
            this.tokens = burst;
        }

        synchronized boolean tryTake() {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /** Who a key belongs to: its account, and the account whose credentials assumed it (itself for base keys). */
    record Principal(String account, String source) {
    }

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/\\d{8}/([^/]+)/([^/]+)/");
    private static final Pattern ACCESS_KEY = Pattern.compile("<AccessKeyId>([^<]+)</AccessKeyId>");
    private static final Pattern ROLE_ACCOUNT = Pattern.compile("RoleArn=arn:[^:]+:iam::(\\d{12}):role/");

    private final String baseAccount;
    private final double refillScale;
    private final double iamRate;
    private final double iamBurst;
    private final Map<String, Principal> keys = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> allowed = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> throttled = new ConcurrentHashMap<>();

    /**
     * @param baseAccount account of every access key not learned from an AssumeRole answer (moto's default account)
     * @param iamRate     assumed IAM read rate per source account, requests per second
     * @param iamBurst    its burst
     */
    public AwsQuotas(String baseAccount, double iamRate, double iamBurst) {
        this(baseAccount, iamRate, iamBurst, 1.0);
    }

    /**
     * @param baseAccount account of every access key not learned from an AssumeRole answer
     * @param iamRate     assumed IAM read rate per source account, requests per second
     * @param iamBurst    its burst
     * @param refillScale factor on every refill rate: 1 is AWS; tests that count bursts use a tiny factor so that a
     *                    slow machine's pauses don't refill the buckets
     */
    public AwsQuotas(String baseAccount, double iamRate, double iamBurst, double refillScale) {
        this.refillScale = refillScale;
        this.baseAccount = baseAccount;
        this.iamRate = iamRate;
        this.iamBurst = iamBurst;
    }

    /** @return requests let through, per {@code service.Operation}, sorted */
    public Map<String, Long> allowed() {
        return sums(allowed);
    }

    /** @return requests answered with a throttling error, per {@code service.Operation}, sorted */
    public Map<String, Long> throttled() {
        return sums(throttled);
    }

    /** @return the keys of the buckets created so far (e.g. {@code kms/111111111111/eu-west-1/ListGrants}), sorted */
    public java.util.Set<String> bucketKeys() {
        return new java.util.TreeSet<>(buckets.keySet());
    }

    /** @return all throttling answers so far */
    public long throttledTotal() {
        return throttled.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private static Map<String, Long> sums(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    public AwsProxy.Answer apply(AwsProxy.Request r) {
        if (r.authorization() == null) {
            return null;
        }
        Matcher m = CREDENTIAL.matcher(r.authorization());
        if (!m.find()) {
            return null;
        }
        String key = m.group(1);
        String region = m.group(2);
        String service = m.group(3);
        String op = operation(r);
        Principal who = keys.getOrDefault(key, new Principal(baseAccount, baseAccount));
        String[] limit = limit(service, op, who, region, r);
        String name = service + "." + op;
        if (limit == null) {
            allowed.computeIfAbsent(name, k -> new LongAdder()).increment();
            return null;
        }
        Bucket b = buckets.computeIfAbsent(limit[0], k -> new Bucket(Double.parseDouble(limit[1]) * refillScale,
                Double.parseDouble(limit[2])));
        if (b.tryTake()) {
            allowed.computeIfAbsent(name, k -> new LongAdder()).increment();
            return null;
        }
        throttled.computeIfAbsent(name, k -> new LongAdder()).increment();
        return throttle(service, op);
    }

    @Override
    public void forwarded(AwsProxy.Request r, int status, byte[] body) {
        if (status != 200 || !r.isAction("AssumeRole") || r.authorization() == null) {
            return;
        }
        Matcher caller = CREDENTIAL.matcher(r.authorization());
        Matcher role = ROLE_ACCOUNT.matcher(URLDecoder.decode(r.body(), StandardCharsets.UTF_8));
        Matcher ak = ACCESS_KEY.matcher(new String(body, StandardCharsets.UTF_8));
        if (caller.find() && role.find() && ak.find()) {
            Principal from = keys.getOrDefault(caller.group(1), new Principal(baseAccount, baseAccount));
            keys.put(ak.group(1), new Principal(role.group(1), from.account()));
        }
    }

    /** The operation: {@code Action=} of a Query request, the part after the dot of {@code X-Amz-Target}, or the path. */
    static String operation(AwsProxy.Request r) {
        if (r.target() != null) {
            return r.target().substring(r.target().lastIndexOf('.') + 1);
        }
        Matcher a = Pattern.compile("(?:^|&)Action=([A-Za-z0-9]+)").matcher(r.body());
        if (a.find()) {
            return a.group(1);
        }
        return r.method() + " " + r.path().replaceAll("\\?.*", "");
    }

    /** {bucket key, rate, burst}, or null when no quota applies. */
    private String[] limit(String service, String op, Principal who, String region, AwsProxy.Request r) {
        switch (service) {
            case "organizations": {
                String[] row = switch (op) {
                    case "ListAccounts" -> new String[] {"ListAccounts", "8", "12"};
                    case "ListChildren" -> new String[] {"ListChildren", "6", "10"};
                    case "ListParents", "ListAccountsForParent", "ListOrganizationalUnitsForParent" ->
                            new String[] {"tree", "5", "8"};
                    case "ListRoots" -> new String[] {"ListRoots", "1", "2"};
                    case "ListPolicies", "ListPoliciesForTarget", "ListTargetsForPolicy" ->
                            new String[] {"policies", "5", "8"};
                    case "DescribePolicy" -> new String[] {"DescribePolicy", "2", "2"};
                    case "DescribeAccount" -> new String[] {"DescribeAccount", "20", "30"};
                    case "DescribeOrganizationalUnit" -> new String[] {"DescribeOrganizationalUnit", "2", "2"};
                    default -> null;
                };
                return row == null ? null : new String[] {"organizations/" + who.account() + "/" + row[0], row[1], row[2]};
            }
            case "sts":
                return new String[] {"sts/" + who.account() + "/" + region, "600", "600"};
            case "iam":
                return new String[] {"iam/" + who.source(), Double.toString(iamRate), Double.toString(iamBurst)};
            case "ec2": {
                boolean small = (op.equals("DescribeInstances") || op.equals("DescribeVolumes"))
                        && !r.body().contains("MaxResults=") && !r.body().contains("Filter.");
                return new String[] {"ec2/" + who.account() + "/" + region + "/" + op, small ? "10" : "20",
                        small ? "50" : "100"};
            }
            case "kms": {
                String rate = switch (op) {
                    case "DescribeKey", "ListResourceTags" -> "2000";
                    case "GetKeyPolicy" -> "1000";
                    case "ListAliases", "ListKeys" -> "500";
                    case "ListGrants" -> "100";
                    default -> null;
                };
                return rate == null ? null : new String[] {"kms/" + who.account() + "/" + region + "/" + op, rate, rate};
            }
            case "autoscaling":
                // "all Amazon EC2 Auto Scaling API calls have a single, shared API limit" per account and region
                // (https://repost.aws/knowledge-center/autoscaling-api-calls-throttled); the rate is not published
                return new String[] {"autoscaling/" + who.account() + "/" + region, "10", "40"};
            case "eks":
                return new String[] {"eks/" + who.account() + "/" + region + "/" + op, "10", "50"};
            default:
                return null;
        }
    }

    /** The service's own throttling answer. */
    static AwsProxy.Answer throttle(String service, String op) {
        return switch (service) {
            case "organizations" -> new AwsProxy.Answer(400, "application/x-amz-json-1.1",
                    "{\"__type\":\"TooManyRequestsException\",\"Type\":\"OrganizationsThrottling\",\"Message\":"
                    + "\"AWS Organizations can't complete your request because another request is already in progress "
                    + "or the request rate is exceeded (" + op + ", test proxy).\"}");
            case "kms" -> new AwsProxy.Answer(400, "application/x-amz-json-1.1",
                    "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded (" + op + ", test proxy)\"}");
            case "ec2" -> new AwsProxy.Answer(503, "text/xml;charset=UTF-8",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>RequestLimitExceeded"
                    + "</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>proxy-throttled"
                    + "</RequestID></Response>");
            case "eks" -> new AwsProxy.Answer(429, "application/json",
                    "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded (" + op + ", test proxy)\"}");
            default -> new AwsProxy.Answer(400, "text/xml",
                    "<ErrorResponse xmlns=\"https://" + service + ".amazonaws.com/doc/\"><Error><Type>Sender</Type>"
                    + "<Code>Throttling</Code><Message>Rate exceeded (" + op + ", test proxy)</Message></Error>"
                    + "<RequestId>proxy-throttled</RequestId></ErrorResponse>");
        };
    }
}
