package io.cmkaudit.policy;

import java.util.List;
import java.util.Locale;

/**
 * The value of a {@code Principal} or {@code NotPrincipal} element.
 *
 * <p>Matching (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
 * {@code "*"} and {@code {"AWS": "*"}} match everyone; an account id or {@code arn:aws:iam::ACCOUNT:root} matches
 * every principal of that account (it delegates to the account's IAM policies); a user ARN matches that user; a role
 * ARN matches the role and every session of it (roles and users are compared by account and name, since IAM names
 * are unique in an account whatever the path); an assumed-role session ARN or federated-user ARN matches that
 * session only; a service name matches that service principal. Unique ids ({@code AIDA...}, {@code AROA...}) left
 * behind by deleted users and roles, and ARNs with wildcards, never match.
 *
 * <p>{@code NotPrincipal} excludes a principal only when every identity of its chain is listed: the account and the
 * user for a user; the account, the role and the session ARN for a role session
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
 *
 * @param wildcard      the element is the string {@code "*"}
 * @param aws           values of the {@code AWS} key; never null
 * @param service       values of the {@code Service} key; never null
 * @param federated     values of the {@code Federated} key; never null
 * @param canonicalUser values of the {@code CanonicalUser} key; never null
 */
public record Principals(boolean wildcard, List<String> aws, List<String> service, List<String> federated,
        List<String> canonicalUser) {

    /** Copies the lists. */
    public Principals {
        aws = List.copyOf(aws);
        service = List.copyOf(service);
        federated = List.copyOf(federated);
        canonicalUser = List.copyOf(canonicalUser);
    }

    /** @return whether the element is {@code "*"} or lists {@code "*"} under {@code AWS} */
    public boolean isEveryone() {
        return wildcard || aws.contains("*");
    }

    /** The strongest way one of the values matches the request's principal. */
    PrincipalMatch match(EvalContext ctx) {
        if (wildcard) {
            return PrincipalMatch.ANY;
        }
        PrincipalMatch best = PrincipalMatch.NONE;
        for (String v : aws) {
            best = best.max(matchAws(v, ctx));
        }
        if (ctx.type == PrincipalType.SERVICE) {
            for (String s : service) {
                if (s.equalsIgnoreCase(ctx.request.principalArn())) {
                    best = best.max(PrincipalMatch.DIRECT);
                }
            }
        }
        for (String f : federated) {
            if (f.equals(ctx.request.principalArn())) {
                best = best.max(PrincipalMatch.DIRECT);
            }
        }
        for (String c : canonicalUser) {
            if (c.equals(ctx.request.principalArn())) {
                best = best.max(PrincipalMatch.DIRECT);
            }
        }
        return best;
    }

    /** For {@code NotPrincipal}: whether the principal is fully listed (and so excluded from the statement). */
    boolean listsFully(EvalContext ctx) {
        if (wildcard || aws.contains("*")) {
            return true;
        }
        boolean account = false;
        boolean role = false;
        boolean direct = false;
        for (String v : aws) {
            switch (matchAws(v, ctx)) {
                case ACCOUNT -> account = true;
                case ROLE -> role = true;
                case DIRECT -> direct = true;
                default -> {
                }
            }
        }
        if (ctx.type == PrincipalType.SERVICE) {
            for (String s : service) {
                if (s.equalsIgnoreCase(ctx.request.principalArn())) {
                    return true;
                }
            }
            return false;
        }
        if (ctx.type == null) {
            return false;
        }
        return switch (ctx.type) {
            case ROOT -> account;
            case USER, FEDERATED_USER -> account && direct;
            case ROLE -> account && role;
            case ROLE_SESSION -> account && role && direct;
            case SERVICE -> false;
        };
    }

    static PrincipalMatch matchAws(String v, EvalContext ctx) {
        if (v.equals("*")) {
            return PrincipalMatch.ANY;
        }
        if (ctx.type == null || ctx.type == PrincipalType.SERVICE || ctx.account == null) {
            return PrincipalMatch.NONE;
        }
        if (isAccountId(v)) {
            return v.equals(ctx.account) ? PrincipalMatch.ACCOUNT : PrincipalMatch.NONE;
        }
        if (!v.startsWith("arn:")) {
            return PrincipalMatch.NONE;
        }
        String[] p = v.split(":", 6);
        if (p.length != 6 || !p[4].equals(ctx.account) || v.indexOf('*') >= 0 || v.indexOf('?') >= 0) {
            return PrincipalMatch.NONE;
        }
        String res = p[5];
        if (p[2].equals("iam")) {
            if (res.equals("root")) {
                return PrincipalMatch.ACCOUNT;
            }
            if (res.startsWith("user/")) {
                return ctx.type == PrincipalType.USER && lastSegmentLower(res).equals(ctx.entityNameLower)
                        ? PrincipalMatch.DIRECT : PrincipalMatch.NONE;
            }
            if (res.startsWith("role/")) {
                return (ctx.type == PrincipalType.ROLE || ctx.type == PrincipalType.ROLE_SESSION)
                        && lastSegmentLower(res).equals(ctx.entityNameLower) ? PrincipalMatch.ROLE : PrincipalMatch.NONE;
            }
            return PrincipalMatch.NONE;
        }
        if (p[2].equals("sts")) {
            if (res.startsWith("assumed-role/")) {
                return ctx.type == PrincipalType.ROLE_SESSION && sameSession(v, ctx.request.principalArn())
                        ? PrincipalMatch.DIRECT : PrincipalMatch.NONE;
            }
            if (res.startsWith("federated-user/")) {
                return ctx.type == PrincipalType.FEDERATED_USER && v.equals(ctx.request.principalArn())
                        ? PrincipalMatch.DIRECT : PrincipalMatch.NONE;
            }
        }
        return PrincipalMatch.NONE;
    }

    /** Session ARNs match when account and session name are equal and the role name is equal ignoring case. */
    private static boolean sameSession(String a, String b) {
        String[] pa = a.split(":", 6);
        String[] pb = b.split(":", 6);
        if (pa.length != 6 || pb.length != 6 || !pa[4].equals(pb[4])) {
            return false;
        }
        String[] ra = pa[5].split("/", 3);
        String[] rb = pb[5].split("/", 3);
        return ra.length == 3 && rb.length == 3 && ra[1].equalsIgnoreCase(rb[1]) && ra[2].equals(rb[2]);
    }

    private static String lastSegmentLower(String res) {
        int slash = res.lastIndexOf('/');
        return res.substring(slash + 1).toLowerCase(Locale.ROOT);
    }

    /** @return whether the text is a 12-digit account id */
    static boolean isAccountId(String v) {
        if (v.length() != 12) {
            return false;
        }
        for (int i = 0; i < 12; i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** @return whether the text looks like an IAM unique id ({@code AIDA...}, {@code AROA...}, ...) */
    static boolean isUniqueId(String v) {
        if (v.length() < 16 || v.length() > 32 || !v.startsWith("A")) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        if (wildcard) {
            return "*";
        }
        StringBuilder sb = new StringBuilder("{");
        append(sb, "AWS", aws);
        append(sb, "Service", service);
        append(sb, "Federated", federated);
        append(sb, "CanonicalUser", canonicalUser);
        return sb.append('}').toString();
    }

    private static void append(StringBuilder sb, String k, List<String> v) {
        if (!v.isEmpty()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(k).append('=').append(v.size() == 1 ? v.get(0) : v.toString());
        }
    }
}
