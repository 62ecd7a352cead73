package io.cmkaudit.policy;

/**
 * An IPv4 or IPv6 address block in CIDR notation ({@code 203.0.113.0/24}, {@code 2001:DB8:1234:5678::/64}); an
 * address without a prefix length is a single address. Parsing is purely textual (never a DNS lookup).
 * IPv4-mapped IPv6 addresses ({@code ::ffff:192.0.2.1}) are treated as their IPv4 address.
 */
final class IpBlock {
    private final byte[] address;
    private final int prefix;

    private IpBlock(byte[] address, int prefix) {
        this.address = address;
        this.prefix = prefix;
    }

    /**
     * @param text CIDR block or address
     * @return the block, or null when the text is not one
     */
    static IpBlock parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = parseAddress(addr);
        if (bytes == null) {
            return null;
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3) {
                return null;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return null;
                }
            }
            prefix = Integer.parseInt(p);
            if (bytes.length == 4 && addr.indexOf(':') >= 0) {
                prefix -= 96; // an IPv4-mapped IPv6 block
                if (prefix < 0) {
                    return null;
                }
            }
            if (prefix > max) {
                return null;
            }
        }
        return new IpBlock(bytes, prefix);
    }

    /** @return the address bytes (4 or 16), or null when the text is not an IP address */
    static byte[] parseAddress(String s) {
        if (s.isEmpty()) {
            return null;
        }
        if (s.indexOf(':') >= 0) {
            byte[] v6 = parseV6(s);
            if (v6 != null && isV4Mapped(v6)) {
                return new byte[] {v6[12], v6[13], v6[14], v6[15]};
            }
            return v6;
        }
        return parseV4(s);
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    static byte[] parseV4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        int n = s.length();
        while (part < 4) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                if (value > 255 || i - start >= 3) {
                    return null;
                }
                i++;
            }
            if (i == start) {
                return null;
            }
            out[part++] = (byte) value;
            if (part < 4) {
                if (i >= n || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == n ? out : null;
    }

    static byte[] parseV6(String s) {
        byte[] out = new byte[16];
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        int[] headWords = words(head, dbl < 0);
        int[] tailWords = dbl >= 0 ? words(tail, true) : new int[0];
        if (headWords == null || tailWords == null) {
            return null;
        }
        int total = headWords.length + tailWords.length;
        if (dbl < 0 ? total != 8 : total > 7) {
            return null;
        }
        for (int k = 0; k < headWords.length; k++) {
            out[2 * k] = (byte) (headWords[k] >> 8);
            out[2 * k + 1] = (byte) headWords[k];
        }
        int off = 8 - tailWords.length;
        for (int k = 0; k < tailWords.length; k++) {
            out[2 * (off + k)] = (byte) (tailWords[k] >> 8);
            out[2 * (off + k) + 1] = (byte) tailWords[k];
        }
        return out;
    }

    /** Parses colon-separated 16-bit words; the last may be a dotted IPv4 address (two words). */
    private static int[] words(String s, boolean allowV4Tail) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int[] tmp = new int[parts.length + 1];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && allowV4Tail && p.indexOf('.') >= 0) {
                byte[] v4 = parseV4(p);
                if (v4 == null) {
                    return null;
                }
                tmp[n++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                tmp[n++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int w = 0;
            for (int k = 0; k < p.length(); k++) {
                int d = Character.digit(p.charAt(k), 16);
                if (d < 0) {
                    return null;
                }
                w = (w << 4) | d;
            }
            tmp[n++] = w;
        }
        return java.util.Arrays.copyOf(tmp, n);
    }

    /**
     * @param ip address bytes from {@link #parseAddress}
     * @return whether the address lies in this block (false for the other IP family)
     */
    boolean contains(byte[] ip) {
        if (ip == null || ip.length != address.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (ip[i] != address[i]) {
                return false;
            }
        }
        int rem = prefix % 8;
        if (rem == 0) {
            return true;
        }
        int mask = (0xff << (8 - rem)) & 0xff;
        return (ip[full] & mask) == (address[full] & mask);
    }
}
