package io.cmkaudit.policy;

import java.util.Objects;

/**
 * One request to authorize: who calls which action on which resource, with which context.
 *
 * @param principalArn    the caller: a user, role, role session ({@code arn:aws:sts::A:assumed-role/R/S}),
 *                        federated user or root ARN, or a service principal name; never null
 * @param action          {@code service:Action}, e.g. {@code kms:CreateGrant}; never null
 * @param resourceArn     the resource's ARN, or {@code *} for actions without a resource; never null
 * @param resourceAccount the 12-digit account owning the resource; when null it is taken from the ARN's account
 *                        field (and stays null if that is empty, e.g. for S3 bucket ARNs)
 * @param context         the request context; null means {@link Context#empty()}
 */
public record Request(String principalArn, String action, String resourceArn, String resourceAccount,
        Context context) {

    /** Validates the required fields and fills the derived ones. */
    public Request {
        Objects.requireNonNull(principalArn, "principalArn");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(resourceArn, "resourceArn");
        if (resourceAccount == null && resourceArn.startsWith("arn:")) {
            resourceAccount = PrincipalInfo.accountOf(resourceArn);
        }
        if (context == null) {
            context = Context.empty();
        }
    }
}
