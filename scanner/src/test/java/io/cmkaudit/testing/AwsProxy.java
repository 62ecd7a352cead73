package io.cmkaudit.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A reverse proxy on a free loopback port between the AWS SDK and moto_server: it forwards every request unchanged,
 * optionally after a fixed delay (to model the latency of real AWS endpoints), and answers the requests a rule
 * selects with an AWS {@code AccessDenied} error instead (to model an account whose audit role can't be assumed),
 * and can answer selected requests itself (to stand in for calls moto does not implement). Point the code under test
 * at {@link #endpoint()}.
 */
public final class AwsProxy implements AutoCloseable {

    /**
     * A request as the proxy saw it.
     *
     * @param method HTTP method
     * @param path   path and query
     * @param target {@code X-Amz-Target} header, or null
     * @param body   the body as UTF-8 text
     * @param authorization {@code Authorization} header (SigV4: names the access key, region and service), or null
     */
    public record Request(String method, String path, String target, String body, String authorization) {
        /**
         * @param action a Query API action, e.g. {@code GetEbsDefaultKmsKeyId}
         * @return whether the form body calls that action
         */
        public boolean isAction(String action) {
            return body.contains("Action=" + action + "&") || body.endsWith("Action=" + action);
        }

        /** @return the service of the SigV4 credential scope (e.g. {@code iam}), or null when not signed */
        public String service() {
            if (authorization == null) {
                return null;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Credential=[^/]+/\\d{8}/[^/]+/([^/]+)/")
                    .matcher(authorization);
            return m.find() ? m.group(1) : null;
        }

        /** @return the region of the SigV4 credential scope, or null when the request is not signed */
        public String region() {
            if (authorization == null) {
                return null;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Credential=[^/]+/\\d{8}/([^/]+)/")
                    .matcher(authorization);
            return m.find() ? m.group(1) : null;
        }

        /**
         * @param accountIds 12-digit ids
         * @return whether this is an {@code sts:AssumeRole} into a role of one of these accounts
         */
        public boolean assumesRoleIn(Set<String> accountIds) {
            if (!body.contains("Action=AssumeRole&") && !body.endsWith("Action=AssumeRole")) {
                return false;
            }
            String decoded = URLDecoder.decode(body, StandardCharsets.UTF_8);
            return accountIds.stream().anyMatch(id -> decoded.contains("RoleArn=arn:aws:iam::" + id + ":role/"));
        }
    }

    private static final Set<String> SKIPPED_HEADERS = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "transfer-encoding", "keep-alive", "proxy-connection", "te", "trailer");

    private final HttpServer server;
    private final ExecutorService workers;
    private final HttpClient client;
    private final URI target;
    private final Duration latency;
    private final Predicate<Request> deny;
    private final Function<Request, Answer> answer;
    private final java.util.function.BiFunction<Request, String, String> rewrite;
    private final AtomicLong rewritten = new AtomicLong();
    private final ResponseObserver observer;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();

    /**
     * A response the proxy gives itself.
     *
     * @param status      HTTP status
     * @param contentType Content-Type header
     * @param body        body text (UTF-8)
     */
    public record Answer(int status, String contentType, String body) {
    }

    /**
     * An answer function's way to drop the connection: the proxy closes the TCP connection without answering (the
     * SDK sees the connection reset / no response, as when a load balancer or NAT drops it). Compared by identity.
     */
    public static final Answer RESET = new Answer(0, "", "(connection reset by the test proxy)");

    private AwsProxy(URI target, Duration latency, Predicate<Request> deny, Function<Request, Answer> answer,
                     ResponseObserver observer, java.util.function.BiFunction<Request, String, String> rewrite)
            throws IOException {
        this.observer = observer;
        this.target = target;
        this.rewrite = rewrite;
        this.latency = latency;
        this.deny = deny;
        this.answer = answer;
        // One thread per request being handled (they sleep for the latency and block on the upstream), and the
        // HTTP client's own threads apart: when the client shared the handlers' fixed pool, 64 requests in flight
        // blocked every thread in send() and no thread was left to complete a response (a deadlock at high
        // concurrency).
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "aws-proxy");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "aws-proxy-client");
                    t.setDaemon(true);
                    return t;
                }))
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(workers);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts a proxy.
     *
     * @param target  moto_server URL
     * @param latency delay added before forwarding each request ({@link Duration#ZERO} for none)
     * @param deny    requests to answer with {@code AccessDenied} (HTTP 403) instead of forwarding
     * @return the running proxy
     */
    public static AwsProxy start(URI target, Duration latency, Predicate<Request> deny) {
        return start(target, latency, deny, r -> null);
    }

    /**
     * Starts a proxy that also answers some requests itself.
     *
     * @param target  moto_server URL
     * @param latency delay added before forwarding each request ({@link Duration#ZERO} for none)
     * @param deny    requests to answer with {@code AccessDenied} (HTTP 403) instead of forwarding
     * @param answer  the proxy's own response to a request, or null to forward it (asked after {@code deny})
     * @return the running proxy
     */
    public static AwsProxy start(URI target, Duration latency, Predicate<Request> deny,
                                 Function<Request, Answer> answer) {
        return start(target, latency, deny, answer, (r, status, body) -> { });
    }

    /** Sees every forwarded request with the upstream's answer (e.g. to learn which account a new access key is). */
    @FunctionalInterface
    public interface ResponseObserver {
        /**
         * @param request the request as forwarded
         * @param status  the upstream's HTTP status
         * @param body    the upstream's response body
         */
        void forwarded(Request request, int status, byte[] body);
    }

    /**
     * Starts a proxy that answers some requests itself and reports forwarded ones ({@link AwsQuotas} uses both).
     *
     * @param target   moto_server URL
     * @param latency  delay added before forwarding each request
     * @param deny     requests to answer with {@code AccessDenied}
     * @param answer   the proxy's own response to a request, or null to forward it
     * @param observer called with every forwarded request and its response
     * @return the running proxy
     */
    public static AwsProxy start(URI target, Duration latency, Predicate<Request> deny,
                                 Function<Request, Answer> answer, ResponseObserver observer) {
        return start(target, latency, deny, answer, observer, (r, body) -> body);
    }

    /**
     * Starts a proxy that also answers some requests itself and can change what moto answers (to add a field moto
     * leaves out, e.g. a custom {@code ServiceLinkedRoleARN}).
     *
     * @param target  moto_server URL
     * @param latency delay added before forwarding each request ({@link Duration#ZERO} for none)
     * @param deny    requests to answer with {@code AccessDenied} (HTTP 403) instead of forwarding
     * @param answer  the proxy's own response to a request, or null to forward it (asked after {@code deny})
     * @param rewrite moto's response body (UTF-8) → the body to return, for forwarded requests
     * @return the running proxy
     */
    public static AwsProxy amending(URI target, Duration latency, Predicate<Request> deny,
                                    Function<Request, Answer> answer,
                                    java.util.function.BiFunction<Request, String, String> rewrite) {
        return start(target, latency, deny, answer, (r, status, body) -> { }, rewrite);
    }

    private static AwsProxy start(URI target, Duration latency, Predicate<Request> deny,
                                  Function<Request, Answer> answer, ResponseObserver observer,
                                  java.util.function.BiFunction<Request, String, String> rewrite) {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK and
        // every response waits ~40 ms; the property is read once, when the first HttpServer is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            return new AwsProxy(target, latency, deny, answer, observer, rewrite);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the proxy: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a proxy that rewrites IAM's answers into another partition, as AWS answers there: every
     * {@code arn:aws:} in the body of a forwarded IAM response (SigV4 service {@code iam}) becomes
     * {@code arn:PARTITION:}. moto answers IAM in the partition of the region the request is signed for in recent
     * versions, and {@code arn:aws:} whatever the region in older ones; with this proxy the code under test sees
     * what AWS GovCloud (US) or China return either way ({@link #rewritten()} counts the responses changed).
     *
     * @param target    moto_server URL
     * @param partition e.g. {@code aws-us-gov}
     * @return the running proxy
     */
    public static AwsProxy partition(URI target, String partition) {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            return new AwsProxy(target, Duration.ZERO, r -> false, r -> null, (q, status, body) -> { },
                    (r, body) -> r.service() != null && r.service().equals("iam")
                            ? body.replace("arn:aws:", "arn:" + partition + ":") : body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the proxy: " + e.getMessage(), e);
        }
    }

    /** @return forwarded responses whose body the rewrite changed */
    public long rewritten() {
        return rewritten.get();
    }

    /** @return the proxy's URL, e.g. {@code http://127.0.0.1:40123} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** @return requests forwarded so far */
    public long forwarded() {
        return forwarded.get();
    }

    /** @return requests denied so far */
    public long denied() {
        return denied.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            Request req = new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("X-Amz-Target"),
                    new String(body, StandardCharsets.UTF_8), ex.getRequestHeaders().getFirst("Authorization"));
            if (!latency.isZero()) {
                Thread.sleep(latency.toMillis());
            }
            if (deny.test(req)) {
                denied.incrementAndGet();
                byte[] err = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                        + "<Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole (denied by "
                        + "the test proxy)</Message></Error><RequestId>proxy-denied</RequestId></ErrorResponse>")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/xml");
                ex.sendResponseHeaders(403, err.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(err);
                }
                return;
            }
            Answer own = answer.apply(req);
            if (own == RESET) {
                // no response headers sent: closing the exchange closes the connection itself
                return;
            }
            if (own != null) {
                byte[] out = own.body().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", own.contentType());
                ex.sendResponseHeaders(own.status(), out.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
                return;
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(path)).timeout(Duration.ofSeconds(60))
                    .method(req.method(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                if (!SKIPPED_HEADERS.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    for (String v : h.getValue()) {
                        b.header(h.getKey(), v);
                    }
                }
            }
            HttpResponse<byte[]> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            forwarded.incrementAndGet();
            resp.headers().map().forEach((k, vs) -> {
                if (!SKIPPED_HEADERS.contains(k.toLowerCase(java.util.Locale.ROOT)) && !k.startsWith(":")) {
                    vs.forEach(v -> ex.getResponseHeaders().add(k, v));
                }
            });
            byte[] out = resp.body();
            if (out.length > 0) {
                String text = new String(out, StandardCharsets.UTF_8);
                String changed = rewrite.apply(req, text);
                if (!changed.equals(text)) {
                    rewritten.incrementAndGet();
                    out = changed.getBytes(StandardCharsets.UTF_8);
                    // the checksum moto computed no longer matches the amended body
                    ex.getResponseHeaders().keySet().removeIf(h -> h.equalsIgnoreCase("x-amz-crc32"));
                }
            }
            observer.forwarded(req, resp.statusCode(), out);
            ex.sendResponseHeaders(resp.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
