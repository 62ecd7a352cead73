package io.cmkaudit.policy;

import io.cmkaudit.match.Wildcard;
import java.util.List;
import java.util.Locale;

/**
 * Per-evaluation view of a request: the lower-cased action, the split resource ARN, the principal's identity chain
 * and the context with the keys AWS derives from the principal and request. Created once per
 * {@link Evaluator#evaluate} call and confined to that call.
 *
 * <p>Derived keys (added only when the context neither gives nor declares the key unknown):
 * {@code aws:PrincipalArn} (the role ARN for a role session), {@code aws:PrincipalAccount}, {@code aws:username}
 * (IAM users), {@code aws:PrincipalType}, {@code aws:PrincipalIsAWSService}, {@code aws:PrincipalServiceName}
 * (service principals), {@code aws:ResourceAccount}, {@code aws:RequestedRegion} (the Region of a regional resource
 * ARN: a regional resource is only reachable through its Region's endpoint, and the key "is always included in the
 * request context") and, for {@code kms:} actions, {@code kms:CallerAccount}.
 * Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html and
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
 */
final class EvalContext {
    /** Sentinel: the key is declared unknown. Compare by identity. */
    static final List<String> UNKNOWN_VALUES = List.of(new String("\u0000unknown"));

    final Request request;
    final PrincipalInfo principal;
    final Context context;
    final String actionLower;
    final String serviceLower;
    final String resource;
    final int[] resourceBounds = new int[Wildcard.ARN_PARTS + 1];
    final int resourceParts;

    // identity chain of the principal
    final PrincipalType type;
    final String account;
    /** user name or role name, lower case; null otherwise. */
    final String entityNameLower;
    /** the ARN for aws:PrincipalArn (the role ARN for a role session); computed on first use. */
    private String principalArnValue;

    EvalContext(Request request, PrincipalInfo principal) {
        this.request = request;
        this.principal = principal;
        this.context = request.context();
        this.actionLower = request.action().toLowerCase(Locale.ROOT);
        int colon = actionLower.indexOf(':');
        this.serviceLower = colon < 0 ? actionLower : actionLower.substring(0, colon);
        this.resource = request.resourceArn();
        this.resourceParts = Wildcard.split(resource, resourceBounds);
        this.type = principal == null ? null : principal.type();
        String arn = request.principalArn();
        this.account = principal == null ? null : principal.accountId() != null ? principal.accountId()
                : type == PrincipalType.SERVICE ? null : PrincipalInfo.accountOf(arn);
        String name = null;
        if (type == PrincipalType.USER || type == PrincipalType.ROLE) {
            name = lastPathSegment(arn);
        } else if (type == PrincipalType.ROLE_SESSION) {
            if (principal.roleArn() != null) {
                name = lastPathSegment(principal.roleArn());
            } else {
                // arn:aws:sts::A:assumed-role/ROLE/SESSION
                int start = arn.indexOf(":assumed-role/");
                if (start >= 0) {
                    start += ":assumed-role/".length();
                    int end = arn.indexOf('/', start);
                    name = end < 0 ? arn.substring(start) : arn.substring(start, end);
                }
            }
        }
        this.entityNameLower = name == null ? null : name.toLowerCase(Locale.ROOT);
    }

    /** A context for matching resources only: no principal, so no principal keys are derived. */
    static EvalContext forResource(String resourceArn, Context context) {
        return new EvalContext(new Request("", "", resourceArn, null, context), null);
    }

    private static String lastPathSegment(String arn) {
        int slash = arn.lastIndexOf('/');
        int colon = arn.lastIndexOf(':');
        return arn.substring(Math.max(slash, colon) + 1);
    }

    /** @return the value of {@code aws:PrincipalArn}: the role ARN for a role session, else the principal ARN */
    String principalArnValue() {
        if (principalArnValue == null) {
            String arn = request.principalArn();
            if (type == PrincipalType.ROLE_SESSION) {
                String roleArn = principal.roleArn() != null ? principal.roleArn() : PrincipalInfo.sessionRoleArn(arn);
                principalArnValue = roleArn != null ? roleArn : arn;
            } else {
                principalArnValue = arn;
            }
        }
        return principalArnValue;
    }

    /**
     * @param lowerKey a condition key in lower case
     * @return its values; null when absent; {@link #UNKNOWN_VALUES} when declared unknown
     */
    List<String> lookup(String lowerKey) {
        if (context.isUnknownLower(lowerKey)) {
            return UNKNOWN_VALUES;
        }
        List<String> v = context.rawLower(lowerKey);
        return v != null ? v : derived(lowerKey);
    }

    /** @return the Region part of the resource ARN when it names one (no wildcard), else null */
    private List<String> resourceRegion() {
        if (resourceParts < Wildcard.ARN_PARTS || !resource.startsWith("arn:")) {
            return null;
        }
        String region = resource.substring(resourceBounds[3], resourceBounds[4] - 1);
        if (region.isEmpty() || region.indexOf('*') >= 0 || region.indexOf('?') >= 0) {
            return null;
        }
        return List.of(region);
    }

    private List<String> derived(String lowerKey) {
        if (lowerKey.equals("aws:requestedregion")) {
            return resourceRegion();
        }
        if (type == null) {
            return lowerKey.equals("aws:resourceaccount") && request.resourceAccount() != null
                    ? List.of(request.resourceAccount()) : null;
        }
        switch (lowerKey) {
            case "aws:principalarn":
                return type == PrincipalType.SERVICE ? null : List.of(principalArnValue());
            case "aws:principalaccount":
                return account == null ? null : List.of(account);
            case "aws:username":
                return type == PrincipalType.USER ? List.of(lastPathSegment(request.principalArn())) : null;
            case "aws:principaltype":
                return switch (type) {
                    case USER -> List.of("User");
                    case ROLE, ROLE_SESSION -> List.of("AssumedRole");
                    case FEDERATED_USER -> List.of("FederatedUser");
                    case ROOT -> List.of("Account");
                    case SERVICE -> null;
                };
            case "aws:principalisawsservice":
                return List.of(type == PrincipalType.SERVICE ? "true" : "false");
            case "aws:principalservicename":
                return type == PrincipalType.SERVICE ? List.of(request.principalArn()) : null;
            case "aws:resourceaccount":
                return request.resourceAccount() == null ? null : List.of(request.resourceAccount());
            case "kms:calleraccount":
                return serviceLower.equals("kms") && account != null ? List.of(account) : null;
            default:
                return null;
        }
    }
}
