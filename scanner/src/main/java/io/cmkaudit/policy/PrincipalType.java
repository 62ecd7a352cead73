package io.cmkaudit.policy;

/**
 * The kind of principal that makes a request
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
 */
public enum PrincipalType {
    /** An IAM user, {@code arn:aws:iam::ACCOUNT:user/PATH/NAME}. */
    USER,
    /** An IAM role named by its role ARN, {@code arn:aws:iam::ACCOUNT:role/PATH/NAME} (treated like its session). */
    ROLE,
    /** A role session, {@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}. */
    ROLE_SESSION,
    /** An STS federated user session, {@code arn:aws:sts::ACCOUNT:federated-user/NAME}. */
    FEDERATED_USER,
    /** The account's root user, {@code arn:aws:iam::ACCOUNT:root}. */
    ROOT,
    /** An AWS service principal such as {@code ec2.amazonaws.com}. */
    SERVICE
}
