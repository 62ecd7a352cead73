package io.cmkaudit.collect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Policy documents as IAM returns them: URL-encoded (RFC 3986) in {@code GetAccountAuthorizationDetails} and
 * {@code GetPolicyVersion} (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html); some
 * endpoints return them raw.
 */
final class PolicyText {
    private PolicyText() {
    }

    /**
     * Decodes a policy document: text that already starts with {@code &#123;} is returned as is; otherwise
     * {@code %XX} sequences are decoded as UTF-8 ({@code +} stays {@code +}). A malformed escape returns the input.
     *
     * @param text the document as returned, or null
     * @return the JSON text, or null for null
     */
    static String decode(String text) {
        if (text == null || text.stripLeading().startsWith("{") || text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '%') {
                if (i + 2 >= in.length) {
                    return text;
                }
                int hi = Character.digit(in[i + 1], 16);
                int lo = Character.digit(in[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return text;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
