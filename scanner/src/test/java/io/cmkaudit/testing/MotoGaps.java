package io.cmkaudit.testing;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@link AwsProxy} answer function standing in for EC2 calls moto 5.2.1 does not implement
 * ({@code NotImplementedError}, HTTP 500; launch-paths.md §5): {@code GetEbsDefaultKmsKeyId} and
 * {@code ResetEbsDefaultKmsKeyId}. It keeps, per account and region, the key id the last
 * {@code ModifyEbsDefaultKmsKeyId} set (those requests still go to moto, which implements them) and answers
 * {@code GetEbsDefaultKmsKeyId} with it, or with {@code alias/aws/ebs} (what AWS answers when the default was never
 * changed, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsDefaultKmsKeyId.html). The account of a
 * request is the one moto maps its access key to, asked once per key with {@code sts:GetCallerIdentity} under the same
 * {@code Authorization} header (moto does not check signatures). Every other request returns null (forwarded).
 */
public final class MotoGaps implements Function<AwsProxy.Request, AwsProxy.Answer> {

    private static final Pattern ACCESS_KEY = Pattern.compile("Credential=([^/]+)/");
    private static final Pattern ACCOUNT = Pattern.compile("<Account>(\\d{12})</Account>");

    private final URI moto;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> accountOfKey = new ConcurrentHashMap<>();
    private final Map<String, String> defaultKey = new ConcurrentHashMap<>();

    /**
     * @param moto moto_server URL (not a proxy in front of it)
     */
    public MotoGaps(URI moto) {
        this.moto = moto;
    }

    /** Forgets every recorded default key (call with moto's reset). */
    public void reset() {
        defaultKey.clear();
    }

    @Override
    public AwsProxy.Answer apply(AwsProxy.Request r) {
        if (r.isAction("ModifyEbsDefaultKmsKeyId")) {
            String key = param(r.body(), "KmsKeyId");
            String account = account(r);
            if (key != null && account != null) {
                defaultKey.put(account + "|" + r.region(), key);
            }
            return null;
        }
        if (r.isAction("ResetEbsDefaultKmsKeyId")) {
            String account = account(r);
            if (account != null) {
                defaultKey.remove(account + "|" + r.region());
            }
            return answer("ResetEbsDefaultKmsKeyIdResponse", "alias/aws/ebs");
        }
        if (r.isAction("GetEbsDefaultKmsKeyId")) {
            String account = account(r);
            return answer("GetEbsDefaultKmsKeyIdResponse",
                    account == null ? "alias/aws/ebs" : defaultKey.getOrDefault(account + "|" + r.region(), "alias/aws/ebs"));
        }
        return null;
    }

    /**
     * @param element response element name
     * @param keyId   the key id to return
     * @return an EC2 Query API response carrying {@code kmsKeyId}
     */
    static AwsProxy.Answer answer(String element, String keyId) {
        return new AwsProxy.Answer(200, "text/xml;charset=UTF-8", "<" + element
                + " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>moto-gaps</requestId><kmsKeyId>"
                + keyId + "</kmsKeyId></" + element + ">");
    }

    private String account(AwsProxy.Request r) {
        if (r.authorization() == null) {
            return null;
        }
        Matcher m = ACCESS_KEY.matcher(r.authorization());
        if (!m.find()) {
            return null;
        }
        return accountOfKey.computeIfAbsent(m.group(1), k -> callerAccount(r.authorization()));
    }

    private String callerAccount(String authorization) {
        try {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(moto.resolve("/"))
                    .timeout(Duration.ofSeconds(10))
                    // moto routes by the credential scope's service: sign-scope the call to STS
                    .header("Authorization", authorization.replaceFirst("/ec2/aws4_request", "/sts/aws4_request"))
                    .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString("Action=GetCallerIdentity&Version=2011-06-15")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = ACCOUNT.matcher(resp.body());
            return m.find() ? m.group(1) : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String param(String body, String name) {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
