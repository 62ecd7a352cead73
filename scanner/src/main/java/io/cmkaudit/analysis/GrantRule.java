package io.cmkaudit.analysis;

import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.snapshot.KmsGrant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Grants to users and roles: a grant on an in-scope key whose grantee is an IAM user, role, account or role session
 * (not a service, a service-linked role or EC2's {@code aws:ec2-infrastructure} role) and that gives CreateGrant,
 * Decrypt or ReEncrypt* gives one {@code GRANT_TO_NON_SERVICE_PRINCIPAL} per grantee and key, listing its grants;
 * the fix revokes them (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html).
 */
final class GrantRule implements Rule {

    /** Operations a grant must not give a user or role (findings.md, GRANT_TO_NON_SERVICE_PRINCIPAL). */
    private static final Set<String> SENSITIVE_GRANT_OPERATIONS = Set.of("CreateGrant", "Decrypt", "ReEncryptFrom",
            "ReEncryptTo");

    private final RuleContext ctx;

    GrantRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL);
    }

    @Override
    public List<Finding> key(KeyRef k) {
        Map<String, List<KmsGrant>> byGrantee = new TreeMap<>();
        for (KmsGrant g : k.key().grants()) {
            if (!isUserOrRole(g.granteePrincipal())) {
                continue;
            }
            if (g.operations().stream().noneMatch(SENSITIVE_GRANT_OPERATIONS::contains)) {
                continue;
            }
            byGrantee.computeIfAbsent(g.granteePrincipal(), x -> new ArrayList<>()).add(g);
        }
        List<Finding> out = new ArrayList<>();
        byGrantee.forEach((grantee, grants) -> {
            grants.sort(Comparator.comparing(KmsGrant::grantId));
            List<Change> changes = grants.stream().map(g -> (Change) new Change.RevokeGrant(k.arn(), g.grantId()))
                    .toList();
            Remediation rem = Remediator.build("Grants give lasting use of the key outside its policies; "
                    + "replace them by key-policy or IAM permissions with conditions if the access is needed, "
                    + "then ", changes);
            Set<String> ops = new TreeSet<>();
            grants.forEach(g -> g.operations().stream().filter(SENSITIVE_GRANT_OPERATIONS::contains)
                    .forEach(ops::add));
            List<String> ev = grants.stream().map(g -> "grant " + g.grantId() + (g.name() == null ? ""
                    : " (" + g.name() + ")") + ": " + String.join(", ", g.operations())).toList();
            PrincipalRef holder = ctx.index.principal(grantee);
            String type = holder != null ? holder.kind().label : typeFromArn(grantee);
            String expl = grantee + " holds " + (grants.size() == 1 ? "a grant" : grants.size() + " grants")
                    + " on " + k.arn() + " for " + String.join(", ", ops) + ": an IAM " + type
                    + ", not EC2's aws:ec2-infrastructure role or a service.";
            Finding f = Finding.principalKey(FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL, Severity.MEDIUM,
                    ctx.account(k.accountId()), k.region(), new Finding.Principal(grantee, type), RuleContext.key(k),
                    Finding.Details.of(List.of("grant"), ev, expl, rem));
            ctx.keep(f.findingId(), rem);
            out.add(f);
        });
        return out;
    }

    /** A grantee that is an IAM user, role (not service-linked), role session or account, not a service. */
    static boolean isUserOrRole(String grantee) {
        if (!grantee.startsWith("arn:")) {
            return false;
        }
        if (grantee.contains(":assumed-role/aws:ec2-infrastructure") || grantee.contains(":role/aws:ec2-infrastructure")
                || grantee.contains(":role/aws-service-role/") || grantee.contains(":assumed-role/AWSServiceRoleFor")) {
            return false;
        }
        String[] p = grantee.split(":", 6);
        if (p.length != 6) {
            return false;
        }
        return (p[2].equals("iam") && (p[5].startsWith("user/") || p[5].startsWith("role/")
                || p[5].equals("root"))) || (p[2].equals("sts") && p[5].startsWith("assumed-role/"));
    }

    private static String typeFromArn(String arn) {
        if (arn.contains(":user/")) {
            return "user";
        }
        if (arn.endsWith(":root")) {
            return "account";
        }
        return "role";
    }
}
