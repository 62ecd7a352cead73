package io.cmkaudit.policy;

import java.util.Locale;
import java.util.Objects;

/**
 * What the engine needs to know about the principal of a request beyond its ARN.
 *
 * @param type                 the kind of principal; never null
 * @param accountId            the principal's 12-digit account, or null for a service principal
 * @param isServiceLinkedRole  whether the principal is a service-linked role or a session of one (SCPs and RCPs do
 *                             not restrict those)
 * @param inManagementAccount  whether the principal belongs to the organization's management account (SCPs do not
 *                             restrict it)
 * @param roleArn              for a {@link PrincipalType#ROLE_SESSION}: the role's ARN with its path if known
 *                             (the value of {@code aws:PrincipalArn}); null otherwise or when unknown, in which case
 *                             {@code arn:PARTITION:iam::ACCOUNT:role/NAME} is derived from the session ARN
 */
public record PrincipalInfo(PrincipalType type, String accountId, boolean isServiceLinkedRole,
        boolean inManagementAccount, String roleArn) {

    /** Validates that {@code type} is given. */
    public PrincipalInfo {
        Objects.requireNonNull(type, "type");
    }

    /**
     * Derives the principal's type, account, service-linked-role flag and role ARN from its ARN. A role whose path is
     * {@code /aws-service-role/}, or a session of a role named {@code AWSServiceRoleFor...}, counts as service-linked
     * (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).
     *
     * @param principalArn the principal's ARN or a service principal name ({@code ec2.amazonaws.com}); never null
     * @return the derived information, not in the management account
     * @throws IllegalArgumentException when the text is neither an IAM/STS principal ARN nor a service name
     */
    public static PrincipalInfo fromArn(String principalArn) {
        PrincipalType type = inferType(principalArn);
        if (type == null) {
            throw new IllegalArgumentException("not a principal arn or service name: `" + principalArn + "`");
        }
        String account = type == PrincipalType.SERVICE ? null : accountOf(principalArn);
        String roleArn = type == PrincipalType.ROLE_SESSION ? sessionRoleArn(principalArn) : null;
        return new PrincipalInfo(type, account, looksServiceLinked(principalArn, type), false, roleArn);
    }

    /**
     * @param principalArn an ARN or service principal name
     * @return the principal type the ARN denotes, or null when it denotes none
     */
    public static PrincipalType inferType(String principalArn) {
        if (principalArn == null) {
            return null;
        }
        if (!principalArn.startsWith("arn:")) {
            return principalArn.toLowerCase(Locale.ROOT).endsWith(".amazonaws.com")
                    || principalArn.toLowerCase(Locale.ROOT).endsWith(".amazonaws.com.cn") ? PrincipalType.SERVICE : null;
        }
        String[] p = principalArn.split(":", 6);
        if (p.length != 6) {
            return null;
        }
        String service = p[2];
        String res = p[5];
        if (service.equals("iam")) {
            if (res.equals("root")) {
                return PrincipalType.ROOT;
            }
            if (res.startsWith("user/")) {
                return PrincipalType.USER;
            }
            if (res.startsWith("role/")) {
                return PrincipalType.ROLE;
            }
        } else if (service.equals("sts")) {
            if (res.startsWith("assumed-role/")) {
                return PrincipalType.ROLE_SESSION;
            }
            if (res.startsWith("federated-user/")) {
                return PrincipalType.FEDERATED_USER;
            }
        }
        return null;
    }

    static String accountOf(String arn) {
        int c = -1;
        for (int i = 0; i < 4; i++) {
            c = arn.indexOf(':', c + 1);
            if (c < 0) {
                return null;
            }
        }
        int e = arn.indexOf(':', c + 1);
        return e > c + 1 ? arn.substring(c + 1, e) : null;
    }

    /** {@code arn:aws:sts::A:assumed-role/R/S} → {@code arn:aws:iam::A:role/R}; null when not a session ARN. */
    static String sessionRoleArn(String sessionArn) {
        String[] p = sessionArn.split(":", 6);
        if (p.length != 6 || !p[5].startsWith("assumed-role/")) {
            return null;
        }
        String rest = p[5].substring("assumed-role/".length());
        int slash = rest.indexOf('/');
        String role = slash < 0 ? rest : rest.substring(0, slash);
        return "arn:" + p[1] + ":iam::" + p[4] + ":role/" + role;
    }

    private static boolean looksServiceLinked(String arn, PrincipalType type) {
        if (type == PrincipalType.ROLE) {
            return arn.contains(":role/aws-service-role/");
        }
        if (type == PrincipalType.ROLE_SESSION) {
            return arn.contains(":assumed-role/AWSServiceRoleFor");
        }
        return false;
    }
}
