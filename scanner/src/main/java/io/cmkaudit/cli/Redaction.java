package io.cmkaudit.cli;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials and request signatures from log text before it is written, whatever the logger and level: the
 * AWS SDK and the Apache HTTP client log request headers and message bodies at debug level ({@code -vv}), which
 * include the session token of every assumed role and, in {@code sts:AssumeRole} answers, the secret access key.
 *
 * <p>Redacted (values replaced by {@value #MASK}, names kept so a log still shows what was sent):
 * <ul>
 *   <li>headers {@code x-amz-security-token}, {@code Authorization} (whole value), {@code X-Amz-Signature};</li>
 *   <li>query parameters of presigned URLs {@code X-Amz-Security-Token}, {@code X-Amz-Signature},
 *       {@code X-Amz-Credential};</li>
 *   <li>{@code Signature=} in a SigV4 {@code Authorization} value;</li>
 *   <li>XML elements {@code SecretAccessKey}, {@code SessionToken} (STS answers), JSON / {@code key=value} fields
 *       {@code SecretAccessKey}, {@code SessionToken}, {@code secretAccessKey}, {@code sessionToken},
 *       {@code aws_secret_access_key}, {@code aws_session_token}.</li>
 * </ul>
 * Header and parameter names: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
 * and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html ; STS answer
 * fields: https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html . Thread-safe; stateless.
 */
final class Redaction {

    /** What a secret value is replaced by. */
    static final String MASK = "[REDACTED]";

    /** A value: up to a separator, quote, bracket or whitespace (Apache wire logs end lines with {@code [\r][\n]}). */
    private static final String VALUE = "[^\\s\"'&,;<>\\[\\]{}()\\\\]+";

    /** Between a name and its value: {@code ": "}, {@code "="}, {@code "=["}, JSON quotes (also escaped, {@code \"}). */
    private static final String SEP = "(?:\\\\?\")?\\s*[:=]\\s*\\[?(?:\\\\?\")?";

    private static final List<Pattern> PATTERNS = List.of(
            // headers and query parameters: name, separator, value
            Pattern.compile("(?i)((?:x-amz-security-token|x-amz-signature|x-amz-credential)" + SEP + ")" + VALUE),
            // the whole Authorization header value (SigV4 credential scope, signed headers and signature; JSON
            // lines write its slashes as \\/)
            Pattern.compile("(?i)(\\bauthorization" + SEP + ")(?:[^\"\\\\\\r\\n\\[\\]]|\\\\/)+"),
            // a SigV4 signature wherever it appears
            Pattern.compile("(?i)(\\bsignature\\s*=\\s*)[0-9a-f]{16,}"),
            // STS answers (XML) and credential fields in JSON, YAML or key=value text
            Pattern.compile("(?i)(<(?:SecretAccessKey|SessionToken)>)[^<]*"),
            Pattern.compile("(?i)(\\b(?:secret_?access_?key|session_?token|aws_secret_access_key|aws_session_token)"
                    + SEP + ")" + VALUE));

    private Redaction() {
    }

    /**
     * @param text log text; null gives null
     * @return the text with every credential and signature value replaced by {@link #MASK}
     */
    static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = text;
        for (Pattern p : PATTERNS) {
            Matcher m = p.matcher(s);
            if (m.find()) {
                StringBuilder sb = new StringBuilder(s.length());
                do {
                    m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + MASK));
                } while (m.find());
                m.appendTail(sb);
                s = sb.toString();
            }
        }
        return s;
    }
}
