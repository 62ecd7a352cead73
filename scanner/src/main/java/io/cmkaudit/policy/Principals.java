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
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html). A request made
 * "by a role" ({@link PrincipalType#ROLE}, as the analysis evaluates a role whatever session it will use) is in AWS
 * always made by one of its sessions, which "is identified by the role session name": such a principal is excluded
 * only if a session ARN of that role is listed too, and then only for that session name, so the answer is unknown.
 */
public final class Principals {
    private final boolean wildcard;
    private final List<String> aws;
    private final List<String> service;
    private final List<String> federated;
    private final List<String> canonicalUser;
    private final Entry[] entries;

    /** An {@code AWS} principal value, classified once. */
    private record Entry(Kind kind, String account, String nameLower, String text) {
    }

    private enum Kind { ANY, ACCOUNT, USER, ROLE, SESSION, FEDERATED_USER, NONE }

    /**
     * @param wildcard      the element is the string {@code "*"}
     * @param aws           values of the {@code AWS} key; never null
     * @param service       values of the {@code Service} key; never null
     * @param federated     values of the {@code Federated} key; never null
     * @param canonicalUser values of the {@code CanonicalUser} key; never null
     */
    public Principals(boolean wildcard, List<String> aws, List<String> service, List<String> federated,
            List<String> canonicalUser) {
        this.wildcard = wildcard;
        this.aws = List.copyOf(aws);
        this.service = List.copyOf(service);
        this.federated = List.copyOf(federated);
        this.canonicalUser = List.copyOf(canonicalUser);
        this.entries = new Entry[this.aws.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = classify(this.aws.get(i));
        }
    }

    /** @return the element is the string {@code "*"} */
    public boolean wildcard() {
        return wildcard;
    }

    /** @return values of the {@code AWS} key; never null */
    public List<String> aws() {
        return aws;
    }

    /** @return values of the {@code Service} key; never null */
    public List<String> service() {
        return service;
    }

    /** @return values of the {@code Federated} key; never null */
    public List<String> federated() {
        return federated;
    }

    /** @return values of the {@code CanonicalUser} key; never null */
    public List<String> canonicalUser() {
        return canonicalUser;
    }

    private static Entry classify(String v) {
        if (v.equals("*")) {
            return new Entry(Kind.ANY, null, null, v);
        }
        if (isAccountId(v)) {
            return new Entry(Kind.ACCOUNT, v, null, v);
        }
        if (!v.startsWith("arn:") || v.indexOf('*') >= 0 || v.indexOf('?') >= 0) {
            return new Entry(Kind.NONE, null, null, v);
        }
        String[] p = v.split(":", 6);
        if (p.length != 6 || p[4].isEmpty()) {
            return new Entry(Kind.NONE, null, null, v);
        }
        String res = p[5];
        if (p[2].equals("iam")) {
            if (res.equals("root")) {
                return new Entry(Kind.ACCOUNT, p[4], null, v);
            }
            if (res.startsWith("user/")) {
                return new Entry(Kind.USER, p[4], lastSegmentLower(res), v);
            }
            if (res.startsWith("role/")) {
                return new Entry(Kind.ROLE, p[4], lastSegmentLower(res), v);
            }
        } else if (p[2].equals("sts")) {
            if (res.startsWith("assumed-role/")) {
                return new Entry(Kind.SESSION, p[4], null, v);
            }
            if (res.startsWith("federated-user/")) {
                return new Entry(Kind.FEDERATED_USER, p[4], null, v);
            }
        }
        return new Entry(Kind.NONE, null, null, v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Principals p && wildcard == p.wildcard && aws.equals(p.aws) && service.equals(p.service)
                && federated.equals(p.federated) && canonicalUser.equals(p.canonicalUser);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(wildcard, aws, service, federated, canonicalUser);
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
        for (Entry e : entries) {
            best = best.max(match(e, ctx));
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

    /**
     * For {@code NotPrincipal}: whether the principal is fully listed (and so excluded from the statement). For a
     * {@link PrincipalType#ROLE} (a session of the role with a name not known) listing the account and the role is not
     * enough: FALSE unless a session ARN of the role is listed as well, then UNKNOWN (it depends on the session name).
     */
    Tri listsFully(EvalContext ctx) {
        if (wildcard || aws.contains("*")) {
            return Tri.TRUE;
        }
        boolean account = false;
        boolean role = false;
        boolean direct = false;
        boolean sessionOfRole = false;
        for (Entry e : entries) {
            switch (match(e, ctx)) {
                case ACCOUNT -> account = true;
                case ROLE -> role = true;
                case DIRECT -> direct = true;
                default -> {
                }
            }
            if (e.kind() == Kind.SESSION && ctx.type == PrincipalType.ROLE && ctx.entityNameLower != null
                    && e.account().equals(ctx.account) && ctx.entityNameLower.equals(sessionRoleNameLower(e.text()))) {
                sessionOfRole = true;
            }
        }
        if (ctx.type == PrincipalType.SERVICE) {
            for (String s : service) {
                if (s.equalsIgnoreCase(ctx.request.principalArn())) {
                    return Tri.TRUE;
                }
            }
            return Tri.FALSE;
        }
        if (ctx.type == null) {
            return Tri.FALSE;
        }
        return switch (ctx.type) {
            case ROOT -> Tri.of(account);
            case USER, FEDERATED_USER -> Tri.of(account && direct);
            case ROLE -> account && role && sessionOfRole ? Tri.UNKNOWN : Tri.FALSE;
            case ROLE_SESSION -> Tri.of(account && role && direct);
            case SERVICE -> Tri.FALSE;
        };
    }

    /**
     * For {@code NotPrincipal} in an Allow statement, which applies to every principal except the ones listed
     * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html): whether a
     * listed value names the principal, as the same value in a {@code Principal} element would (a user, role,
     * session or service ARN, or the principal's account). For a {@link PrincipalType#ROLE} (a session of the role
     * whose name is not known) a listed session ARN of that role gives UNKNOWN: only that session is excluded.
     */
    Tri names(EvalContext ctx) {
        if (match(ctx) != PrincipalMatch.NONE) {
            return Tri.TRUE;
        }
        if (ctx.type == PrincipalType.ROLE && ctx.entityNameLower != null) {
            for (Entry e : entries) {
                if (e.kind() == Kind.SESSION && e.account().equals(ctx.account)
                        && ctx.entityNameLower.equals(sessionRoleNameLower(e.text()))) {
                    return Tri.UNKNOWN;
                }
            }
        }
        return Tri.FALSE;
    }

    /** {@code arn:aws:sts::A:assumed-role/ROLE/SESSION} → {@code role} (lower case); null when not of that form. */
    private static String sessionRoleNameLower(String sessionArn) {
        String[] p = sessionArn.split(":", 6);
        if (p.length != 6) {
            return null;
        }
        String[] r = p[5].split("/", 3);
        return r.length == 3 ? r[1].toLowerCase(Locale.ROOT) : null;
    }

    /** Matches one {@code AWS} principal value (used for grantees too). */
    static PrincipalMatch matchAws(String v, EvalContext ctx) {
        return match(classify(v), ctx);
    }

    private static PrincipalMatch match(Entry e, EvalContext ctx) {
        if (e.kind() == Kind.ANY) {
            return PrincipalMatch.ANY;
        }
        if (e.kind() == Kind.NONE || ctx.type == null || ctx.type == PrincipalType.SERVICE || ctx.account == null
                || !e.account().equals(ctx.account)) {
            return PrincipalMatch.NONE;
        }
        switch (e.kind()) {
            case ACCOUNT:
                return PrincipalMatch.ACCOUNT;
            case USER:
                return ctx.type == PrincipalType.USER && e.nameLower().equals(ctx.entityNameLower)
                        ? PrincipalMatch.DIRECT : PrincipalMatch.NONE;
            case ROLE:
                return (ctx.type == PrincipalType.ROLE || ctx.type == PrincipalType.ROLE_SESSION)
                        && e.nameLower().equals(ctx.entityNameLower) ? PrincipalMatch.ROLE : PrincipalMatch.NONE;
            case SESSION:
                return ctx.type == PrincipalType.ROLE_SESSION && sameSession(e.text(), ctx.request.principalArn())
                        ? PrincipalMatch.DIRECT : PrincipalMatch.NONE;
            case FEDERATED_USER:
                return ctx.type == PrincipalType.FEDERATED_USER && e.text().equals(ctx.request.principalArn())
                        ? PrincipalMatch.DIRECT : PrincipalMatch.NONE;
            default:
                return PrincipalMatch.NONE;
        }
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
