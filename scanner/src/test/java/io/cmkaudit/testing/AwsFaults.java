package io.cmkaudit.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded random faults for {@link AwsProxy}, between the SDK and moto_server: a given share of requests is answered
 * with a fault instead of moto's answer, each fault one of
 * <ul>
 *   <li><b>throttling</b> in the service's own protocol shape ({@link AwsQuotas#throttle}: query/XML {@code Throttling}
 *       for IAM, STS and Auto Scaling, EC2's {@code RequestLimitExceeded} (HTTP 503), JSON 1.1
 *       {@code ThrottlingException} for KMS and {@code TooManyRequestsException} for Organizations, REST-JSON HTTP 429
 *       for EKS);</li>
 *   <li><b>HTTP 500</b> and <b>HTTP 503</b> server errors, again in the protocol's shape ({@code InternalFailure} /
 *       {@code ServiceUnavailable}; Organizations {@code ServiceException});</li>
 *   <li>a <b>connection reset</b> ({@link AwsProxy#RESET}: the connection is closed without an answer);</li>
 *   <li>a <b>delay</b> of 2 to 5 s, after which the request is forwarded (slow, not failed).</li>
 * </ul>
 * Whether an attempt is faulted, and how, is a function of the seed, the request (method, path, target, body, signing
 * region and service; not the access key, which moto draws at random) and how many times that request was seen
 * before: a rerun of the same scan with the same seed faults the same attempts, whatever the thread interleaving.
 *
 * <p>It also records what failed for good: a request whose <em>last</em> attempt was faulted outlasted every retry
 * of the SDK and of the scanner. {@link #failedScopes()} names each by what it reads (learned like {@link AwsQuotas}:
 * the access key of each AssumeRole answer belongs to the role's account): {@code ACCOUNT/REGION} for regional
 * reads, {@code ACCOUNT/global} for IAM (with {@link #AWS_MANAGED} for an AWS managed policy), {@code ACCOUNT/*} for an AssumeRole into ACCOUNT, {@code organization},
 * {@code caller} (GetCallerIdentity), {@code identity-center}. Thread-safe.
 */
public final class AwsFaults implements Function<AwsProxy.Request, AwsProxy.Answer>, AwsProxy.ResponseObserver {

    /** The kinds of fault, drawn with equal chance. */
    public enum Kind { THROTTLE, HTTP_500, HTTP_503, RESET, DELAY }

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/\\d{8}/([^/]+)/([^/]+)/");
    private static final Pattern ACCESS_KEY = Pattern.compile("<AccessKeyId>([^<]+)</AccessKeyId>");
    private static final Pattern ROLE_ACCOUNT = Pattern.compile("RoleArn=arn:[^:]+:iam::(\\d{12}):role/");

    /**
     * Suffix of the scope of a failed read of an AWS managed policy ({@code ACCOUNT/global+aws-managed}): every
     * account attaching that policy misses it, not only the account that read it.
     */
    public static final String AWS_MANAGED = "+aws-managed";

    private final long seed;
    private final double rate;
    private final String baseAccount;
    private final Map<String, LongAdder> seen = new ConcurrentHashMap<>();
    /** request identity → the scope it reads, while its last attempt was faulted. */
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private final Map<String, String> keys = new ConcurrentHashMap<>();
    private final Map<Kind, LongAdder> injected = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();

    /**
     * @param seed        the random seed
     * @param rate        share of attempts faulted, 0 to 1
     * @param baseAccount account of every access key not learned from an AssumeRole answer (the scanner's own)
     */
    public AwsFaults(long seed, double rate, String baseAccount) {
        this.seed = seed;
        this.rate = rate;
        this.baseAccount = baseAccount;
    }

    @Override
    public AwsProxy.Answer apply(AwsProxy.Request r) {
        requests.increment();
        String service = r.service() == null ? "" : r.service();
        String region = r.region() == null ? "" : r.region();
        String account = account(r);
        // the account, not the access key: the same call for two accounts is two requests, and a retry keeps it
        String identity = account + " " + r.method() + " " + r.path() + " " + r.target() + " " + region + " "
                + service + " " + r.body();
        LongAdder n = seen.computeIfAbsent(identity, k -> new LongAdder());
        long attempt;
        synchronized (n) {
            n.increment();
            attempt = n.sum();
        }
        long h = mix(seed ^ mix(identity.hashCode()) ^ mix(attempt * 0x9E3779B97F4A7C15L));
        double u = (h >>> 11) * 0x1.0p-53;
        if (u >= rate) {
            failing.remove(identity);
            return null;
        }
        long h2 = mix(h);
        Kind kind = Kind.values()[(int) Math.floorMod(h2, (long) Kind.values().length)];
        injected.computeIfAbsent(kind, k -> new LongAdder()).increment();
        String op = AwsQuotas.operation(r);
        switch (kind) {
            case DELAY -> {
                try {
                    Thread.sleep(2000 + Math.floorMod(mix(h2), 3001L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                failing.remove(identity);
                return null;
            }
            case RESET -> {
                failing.put(identity, scope(r, account, service, region));
                return AwsProxy.RESET;
            }
            case THROTTLE -> {
                failing.put(identity, scope(r, account, service, region));
                return AwsQuotas.throttle(service, op);
            }
            default -> {
                failing.put(identity, scope(r, account, service, region));
                return serverError(service, kind == Kind.HTTP_500 ? 500 : 503);
            }
        }
    }

    @Override
    public void forwarded(AwsProxy.Request r, int status, byte[] body) {
        if (status != 200 || !r.isAction("AssumeRole") || r.authorization() == null) {
            return;
        }
        Matcher role = ROLE_ACCOUNT.matcher(URLDecoder.decode(r.body(), StandardCharsets.UTF_8));
        Matcher ak = ACCESS_KEY.matcher(new String(body, StandardCharsets.UTF_8));
        if (role.find() && ak.find()) {
            keys.put(ak.group(1), role.group(1));
        }
    }

    /** The account whose credentials signed the request. */
    private String account(AwsProxy.Request r) {
        if (r.authorization() != null) {
            Matcher m = CREDENTIAL.matcher(r.authorization());
            if (m.find()) {
                return keys.getOrDefault(m.group(1), baseAccount);
            }
        }
        return baseAccount;
    }

    /** What a request reads, as named in {@link #failedScopes()}. */
    private String scope(AwsProxy.Request r, String account, String service, String region) {
        switch (service) {
            case "sts": {
                if (r.isAction("AssumeRole")) {
                    Matcher role = ROLE_ACCOUNT.matcher(URLDecoder.decode(r.body(), StandardCharsets.UTF_8));
                    return role.find() ? role.group(1) + "/*" : "caller";
                }
                return "caller";
            }
            case "organizations":
                return "organization";
            case "sso", "identitystore":
                return "identity-center";
            case "iam":
                // AWS managed policies are fetched once per run, by whichever account needs one first, and every
                // account attaching one lacks it when that fetch fails
                return account + "/global" + (URLDecoder.decode(r.body(), StandardCharsets.UTF_8)
                        .contains(":iam::aws:policy/") ? AWS_MANAGED : "");
            default:
                return account + "/" + region;
        }
    }

    /** An HTTP 5xx answer in the service's protocol shape. */
    static AwsProxy.Answer serverError(String service, int status) {
        String code = status == 500 ? "InternalFailure" : "ServiceUnavailable";
        String message = status == 500 ? "An internal error occurred (test proxy)" : "Service unavailable (test proxy)";
        return switch (service) {
            case "organizations" -> new AwsProxy.Answer(status, "application/x-amz-json-1.1",
                    "{\"__type\":\"ServiceException\",\"Message\":\"AWS Organizations can't complete your request "
                    + "(test proxy)\"}");
            case "kms", "sso" -> new AwsProxy.Answer(status, "application/x-amz-json-1.1",
                    "{\"__type\":\"" + (status == 500 ? "KMSInternalException" : code) + "\",\"message\":\""
                    + message + "\"}");
            case "eks" -> new AwsProxy.Answer(status, "application/json",
                    "{\"__type\":\"" + (status == 500 ? "ServerException" : code) + "\",\"message\":\"" + message
                    + "\"}");
            case "ec2" -> new AwsProxy.Answer(status, "text/xml;charset=UTF-8",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>"
                    + (status == 500 ? "InternalError" : "Unavailable") + "</Code><Message>" + message
                    + "</Message></Error></Errors><RequestID>proxy-fault</RequestID></Response>");
            default -> new AwsProxy.Answer(status, "text/xml",
                    "<ErrorResponse xmlns=\"https://" + service + ".amazonaws.com/doc/\"><Error><Type>Receiver</Type>"
                    + "<Code>" + code + "</Code><Message>" + message + "</Message></Error>"
                    + "<RequestId>proxy-fault</RequestId></ErrorResponse>");
        };
    }

    /** @return the scopes whose reads failed for good (last attempt faulted), sorted */
    public Set<String> failedScopes() {
        return new TreeSet<>(failing.values());
    }

    /** @return faults injected so far, per kind */
    public Map<Kind, Long> injected() {
        Map<Kind, Long> out = new TreeMap<>();
        injected.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** @return requests seen so far (every attempt) */
    public long requests() {
        return requests.sum();
    }

    /** @return requests that failed for good (last attempt faulted) */
    public long failedRequests() {
        return failing.size();
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
