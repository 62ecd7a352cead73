package io.cmkaudit.analysis;

import io.cmkaudit.analysis.RuleContext.PrincipalSide;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyStatus;
import io.cmkaudit.analysis.SnapshotIndex.KeyUse;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.analysis.SnapshotIndex.Scope;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of {@code cmk-audit explain}: layer by layer, whether a principal can start an instance, from the
 * decisions of {@link StartAccessRule} (StartInstances, EC2's forward-access CreateGrant and its remediation) and
 * {@link GranteeDecryptRule} (the instance role's Decrypt); nothing is evaluated here.
 */
final class Explainer {

    private final RuleContext ctx;
    private final StartAccessRule start;
    private final GranteeDecryptRule grantee;

    Explainer(RuleContext ctx) {
        this.ctx = ctx;
        this.start = new StartAccessRule(ctx);
        this.grantee = new GranteeDecryptRule(ctx);
    }

    /**
     * For an IAM Identity Center reserved role: the permission set it comes from, where it is provisioned and who is
     * assigned to it (fixes go to the permission set, never to the role in IAM); or why it could not be linked.
     */
    private void identityCenter(StringBuilder sb, PrincipalRef p) {
        if (!Remediator.reservedRole(p)) {
            return;
        }
        var link = ctx.permissionSets.link(p.arn());
        if (link.isEmpty()) {
            String name = io.cmkaudit.snapshot.IdentityCenter.permissionSetNameOf(
                    p.arn().substring(p.arn().lastIndexOf('/') + 1));
            sb.append("identity center: reserved role of permission set `").append(name).append("`, ")
                    .append(ctx.permissionSets.identityCenterRead()
                            ? "which IAM Identity Center does not list as provisioned here (provisioning drift)"
                            : "not linked: IAM Identity Center was not read")
                    .append("; fix it in the permission set, never in IAM\n");
            return;
        }
        var ps = link.get().permissionSet();
        sb.append("identity center: permission set `").append(ps.name()).append("` (").append(ps.arn())
                .append("), provisioned to ").append(ps.provisionedAccountIds().size()).append(" account(s)");
        var here = ps.assignmentsIn(p.accountId());
        if (!here.isEmpty()) {
            sb.append("; assigned here to ").append(here.stream().map(a -> a.principalType().toLowerCase(
                    java.util.Locale.ROOT) + " " + (a.principalName() == null ? a.principalId() : a.principalName()))
                    .collect(java.util.stream.Collectors.joining(", ")));
        }
        sb.append("; fixes go to the permission set, never to this role in IAM\n");
    }

    String explain(String principalArn, String instanceId) {
        PrincipalRef p = ctx.index.principal(principalArn);
        if (p == null) {
            throw new IllegalArgumentException("principal `" + principalArn + "` is not a user or role of the "
                    + "snapshot");
        }
        InstanceRef inst = ctx.index.instances().stream().filter(i -> i.instance().instanceId().equals(instanceId))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("instance `" + instanceId
                        + "` is not in the snapshot"));
        StringBuilder sb = new StringBuilder();
        sb.append("principal: ").append(p.arn()).append(" (").append(p.kind().label).append(", account ")
                .append(p.accountId()).append(")\n");
        identityCenter(sb, p);
        sb.append("instance:  ").append(inst.instance().instanceId()).append(" (")
                .append(inst.instance().name() == null ? "no Name tag" : inst.instance().name()).append(", ")
                .append(inst.instance().state()).append(", account ").append(inst.accountId()).append(", ")
                .append(inst.region()).append(")\n");
        if (!p.accountId().equals(inst.accountId())) {
            sb.append("\nresult: ").append(p.arn()).append(" cannot start ").append(instanceId)
                    .append(": EC2 has no resource-based policies, so only principals of account ")
                    .append(inst.accountId()).append(" can call ec2:StartInstances on it.\n");
            return sb.toString();
        }
        PrincipalSide ps = ctx.principalSide(p);
        if (!ps.uncertain().isEmpty()) {
            sb.append("uncertain: ").append(String.join("; ", ps.uncertain())).append('\n');
        }
        sb.append("\n1. ec2:StartInstances on ").append(inst.instance().arn()).append('\n');
        Decision sd = start.startDecision(ps, inst);
        indent(sb, sd.explain());
        if (sd.kind() == DecisionKind.IMPLICIT_DENY || sd.kind() == DecisionKind.EXPLICIT_DENY) {
            sb.append("\nresult: ").append(p.arn()).append(" cannot start ").append(instanceId)
                    .append(" (ec2:StartInstances ").append(sd.kind()).append("), so there is no start finding.\n");
            return sb.toString();
        }
        if (inst.scope() != Scope.CMK) {
            sb.append("\nresult: the instance has no volume on a customer managed key (")
                    .append(inst.scope() == Scope.AWS_MANAGED_ONLY ? "only AWS managed keys" : "no encrypted volume")
                    .append("), so EC2 needs no kms:CreateGrant permission of the caller for it.\n");
            return sb.toString();
        }
        int n = 2;
        List<String> results = new ArrayList<>();
        for (KeyUse u : inst.cmks()) {
            KeyRef k = u.key();
            sb.append('\n').append(n++).append(". key ").append(k.arn()).append(" (volumes ")
                    .append(String.join(", ", u.volumeIds())).append(")\n");
            sb.append("   key state: ").append(k.reportedState() == null ? "unknown" : k.reportedState())
                    .append('\n');
            if (k.status() == KeyStatus.UNUSABLE || k.status() == KeyStatus.MISSING) {
                results.add("key " + k.arn() + " is " + k.reportedState() + ": every start fails");
                continue;
            }
            if (k.status() == KeyStatus.UNKNOWN) {
                results.add("key " + k.arn() + " could not be read: unknown");
                continue;
            }
            sb.append("   kms:CreateGrant made by EC2 with the caller's credentials (forward access session):\n");
            StartAccessRule.GrantResult g = start.forwardGrant(ps, k, inst.region());
            indent(sb, g.decision().explain());
            Decision dd = grantee.decision(inst, u);
            sb.append("   kms:Decrypt by the instance's aws:ec2-infrastructure role under EC2's grant: ")
                    .append(dd.kind()).append(dd.kind() == DecisionKind.ALLOWED ? ""
                            : " (" + Texts.residualsOrLayers(dd) + ")").append('\n');
            if (g.type() == null) {
                results.add("key " + k.arn() + ": the CreateGrant is allowed");
            } else {
                results.add("key " + k.arn() + ": " + g.type() + " - " + g.explanation(ps.ref().arn(), k.arn()));
                sb.append("   fix: ").append(g.remediation().text()).append('\n');
                if (g.remediation().snippet() != null) {
                    indent(sb, g.remediation().snippet() + "\n");
                }
            }
        }
        sb.append("\nresult:\n");
        results.forEach(r -> sb.append("  - ").append(r).append('\n'));
        return sb.toString();
    }

    private static void indent(StringBuilder sb, String text) {
        for (String line : text.split("\n")) {
            sb.append("   ").append(line).append('\n');
        }
    }
}
