package io.cmkaudit.policy;

/**
 * How a {@code Principal} element matched the request's principal, weakest first. The kind decides what the match
 * is worth (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
 * an account principal only lets the account's IAM policies decide; a role ARN names the role but an implicit deny
 * in the caller's permissions boundary or session policy still applies; a user, role-session, federated-user or
 * service principal, and {@code "*"}, name the caller directly.
 */
enum PrincipalMatch {
    /** Not matched. */
    NONE,
    /** By account id or {@code arn:aws:iam::ACCOUNT:root}: delegation to the account's IAM policies. */
    ACCOUNT,
    /** By role ARN: the caller is the role or one of its sessions. */
    ROLE,
    /** By user, session, federated-user or service principal. */
    DIRECT,
    /** By {@code "*"}. */
    ANY;

    PrincipalMatch max(PrincipalMatch o) {
        return o.ordinal() > ordinal() ? o : this;
    }
}
