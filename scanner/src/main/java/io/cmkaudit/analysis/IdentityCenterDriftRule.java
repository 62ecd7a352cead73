package io.cmkaudit.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * IAM Identity Center provisioning drift: one {@code IDENTITY_CENTER_PROVISIONING_DRIFT} per drift that
 * {@link PermissionSetLinks} finds between the {@code AWSReservedSSO_*} roles of the snapshot and the permission sets
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html). Nothing is reported
 * when Identity Center was not read, and nothing is concluded from accounts whose IAM was not read. Text-only
 * remediation (the provisioning command), never an IAM edit of a reserved role.
 */
final class IdentityCenterDriftRule implements Rule {

    private final RuleContext ctx;

    IdentityCenterDriftRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.IDENTITY_CENTER_PROVISIONING_DRIFT);
    }

    @Override
    public List<Finding> organization() {
        List<Finding> out = new ArrayList<>();
        var idc = ctx.index.snapshot.identityCenter();
        for (PermissionSetLinks.Drift d : ctx.permissionSets.drift()) {
            String instance = idc == null ? null : idc.instances().stream()
                    .filter(i -> d.permissionSet() != null && i.permissionSets().contains(d.permissionSet()))
                    .map(i -> i.instanceArn()).findFirst().orElse(null);
            String text = switch (d.kind()) {
                case ROLE_MISSING, OUTDATED -> "Provision permission set `" + d.permissionSet().name() + "` again to "
                        + "account " + d.accountId() + ": `aws sso-admin provision-permission-set --instance-arn "
                        + instance + " --permission-set-arn " + d.permissionSet().arn() + " --target-type AWS_ACCOUNT "
                        + "--target-id " + d.accountId() + "`; check its customer managed policies exist there.";
                case ROLE_NOT_PROVISIONED -> "Check the account assignments of permission set `"
                        + d.permissionSet().name() + "` in account " + d.accountId() + " (aws sso-admin "
                        + "list-account-assignments): assign it again and provision it, or remove the assignments "
                        + "that keep the left-over role; don't edit the role in IAM.";
                case ROLE_WITHOUT_PERMISSION_SET -> "Find which permission set this role came from (it was deleted or "
                        + "renamed); remove the left-over role's account assignments in IAM Identity Center, or "
                        + "recreate and provision the permission set; don't edit the role in IAM.";
            };
            Remediation rem = Remediation.textOnly(text);
            String subject = d.roleArn() != null ? d.roleArn() : d.permissionSet().arn();
            Finding f = Finding.policy(FindingType.IDENTITY_CENTER_PROVISIONING_DRIFT, Severity.MEDIUM,
                    ctx.account(d.accountId()), null, d.kind() + " " + subject,
                    d.roleArn() == null ? null : new Finding.Principal(d.roleArn(), "role"), null,
                    new Finding.Details(List.of(), d.permissionSet() == null ? List.of(d.roleArn())
                            : List.of(d.permissionSet().arn()), d.message() + ".", rem.text(), null));
            if (d.permissionSet() != null) {
                f = f.withPermissionSet(PermissionSetGroups.ref(ctx, d.permissionSet(), instance,
                        java.util.Set.of(d.accountId()), d.roleArn() == null ? java.util.Set.of()
                                : java.util.Set.of(d.roleArn()), java.util.Set.of()));
            }
            ctx.keep(f.findingId(), rem);
            out.add(f);
        }
        return out;
    }
}
