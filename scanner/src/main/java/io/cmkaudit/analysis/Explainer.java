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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The text of {@code cmk-audit explain}: layer by layer, whether a principal can start an instance, from the
 * decisions of {@link StartAccessRule} (StartInstances, EC2's forward-access CreateGrant) and
 * {@link GranteeDecryptRule} (the instance role's Decrypt); nothing is evaluated here.
 *
 * <p>The fix shown is the report's: the remediation text and snippet of the finding of the analysis that lists this
 * principal (or, for a key-state finding, no principal), key and instance, so {@code explain} and the report never
 * name a change differently (one edit for all the keys and instances a finding covers; for an IAM Identity Center
 * reserved role, the permission set's inline policy covering every key of its accounts). A key that is not Enabled
 * blocks every start (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html); the policies are still
 * evaluated for it (the key state never changes their answer), so the text also says what would deny once the key is
 * Enabled again, with that fix too.
 */
final class Explainer {

    /** At most this many keys, instances or accounts of the report's finding are named in the text. */
    static final int LISTED = 10;

    private final RuleContext ctx;
    private final StartAccessRule start;
    private final GranteeDecryptRule grantee;
    private final Function<Set<String>, Outcome> analysis;
    private Outcome outcome;

    /**
     * @param ctx      the context of the snapshot (remediations kept)
     * @param analysis the analysis of the given accounts with the same context: the findings the report has for them
     */
    Explainer(RuleContext ctx, Function<Set<String>, Outcome> analysis) {
        this.ctx = ctx;
        this.start = new StartAccessRule(ctx);
        this.grantee = new GranteeDecryptRule(ctx);
        this.analysis = analysis;
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

    /** {@code arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION} */
    private static final java.util.regex.Pattern SESSION = java.util.regex.Pattern.compile(
            "arn:([a-z0-9-]+):sts::(\\d{12}):assumed-role/([^/]+)/(.+)");
    /** {@code arn:PARTITION:iam::ACCOUNT:role/NAME}: a role ARN without a path */
    private static final java.util.regex.Pattern ROLE_NO_PATH = java.util.regex.Pattern.compile(
            "arn:([a-z0-9-]+):iam::(\\d{12}):role/([^/]+)");

    /**
     * The user or role of the snapshot that {@code --principal} names: its ARN as IAM lists it, or what a user has
     * at hand for a role: the session ARN that {@code aws sts get-caller-identity} and CloudTrail show
     * ({@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}, which carries the role's name but not its path), or
     * the role's ARN without its path. Both are matched by partition, account and role name; role names are unique
     * within an account whatever their path (IAM identifiers:
     * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
     *
     * @param given the ARN as typed
     * @return the principal; never null
     * @throws IllegalArgumentException naming what was looked for when no principal (or more than one) matches
     */
    PrincipalRef principal(String given) {
        PrincipalRef exact = ctx.index.principal(given);
        if (exact != null) {
            return exact;
        }
        java.util.regex.Matcher m = SESSION.matcher(given);
        boolean session = m.matches();
        if (!session) {
            m = ROLE_NO_PATH.matcher(given);
            if (!m.matches()) {
                throw new IllegalArgumentException("principal `" + given + "` is not a user or role of the snapshot");
            }
        }
        String partition = m.group(1);
        String account = m.group(2);
        String role = m.group(3);
        List<PrincipalRef> roles = ctx.index.principals(account).stream()
                .filter(r -> r.kind() != SnapshotIndex.PrincipalKind.USER)
                .filter(r -> r.arn().startsWith("arn:" + partition + ":iam::" + account + ":role/")
                        && r.arn().endsWith("/" + role))
                .toList();
        String what = session ? "an assumed-role session of role `" + role + "` in account " + account
                : "a role ARN without a path";
        if (roles.size() == 1) {
            return roles.get(0);
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("principal `" + given + "` is " + what + ", and account " + account
                    + " of the snapshot has no role named `" + role + "`");
        }
        throw new IllegalArgumentException("principal `" + given + "` is " + what + ", and several roles of the "
                + "snapshot match it: " + roles.stream().map(PrincipalRef::arn).sorted()
                .collect(java.util.stream.Collectors.joining(", ")) + "; give the role's ARN");
    }

    String explain(String principalArn, String instanceId) {
        PrincipalRef p = principal(principalArn);
        InstanceRef inst = ctx.index.instances().stream().filter(i -> i.instance().instanceId().equals(instanceId))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("instance `" + instanceId
                        + "` is not in the snapshot"));
        StringBuilder sb = new StringBuilder();
        sb.append("principal: ").append(p.arn()).append(" (").append(p.kind().label).append(", account ")
                .append(p.accountId()).append(")\n");
        if (!p.arn().equals(principalArn)) {
            sb.append("given as:  ").append(principalArn).append(SESSION.matcher(principalArn).matches()
                    ? " (a session of this role)" : " (this role without its path)").append('\n');
        }
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
        Set<String> shown = new HashSet<>();
        for (KeyUse u : inst.cmks()) {
            KeyRef k = u.key();
            sb.append('\n').append(n++).append(". key ").append(k.arn()).append(" (volumes ")
                    .append(String.join(", ", u.volumeIds())).append(")\n");
            sb.append("   key state: ").append(k.reportedState() == null ? "unknown" : k.reportedState())
                    .append('\n');
            if (k.status() == KeyStatus.UNUSABLE || k.status() == KeyStatus.MISSING) {
                results.add(unusableKey(sb, p, ps, inst, u, shown));
                continue;
            }
            if (k.status() == KeyStatus.UNKNOWN) {
                results.add("key " + k.arn() + " could not be read: unknown");
                continue;
            }
            results.add(usableKey(sb, p, ps, inst, u, shown));
        }
        sb.append("\nresult:\n");
        results.forEach(r -> sb.append("  - ").append(r).append('\n'));
        return sb.toString();
    }

    /**
     * The CreateGrant on a key whose state allows it, with the report's fix.
     *
     * @return the result line
     */
    private String usableKey(StringBuilder sb, PrincipalRef p, PrincipalSide ps, InstanceRef inst, KeyUse u,
                             Set<String> shown) {
        KeyRef k = u.key();
        StartAccessRule.GrantResult g = grant(sb, ps, inst, u);
        if (g.type() == null) {
            return "key " + k.arn() + ": the CreateGrant is allowed";
        }
        Finding f = reportFinding(p, g.type(), p.arn(), k.arn(), inst.instance().instanceId());
        if (f == null) {
            // e.g. a service-linked role asked about an instance of no group naming it, or an analysis unit that
            // failed (a coverage row of the report says so)
            sb.append("   no finding of the report lists this principal, key and instance; the fix of this key "
                    + "alone:\n");
            fix(sb, null, g.remediation().text(), g.remediation().snippet());
        } else {
            reportFix(sb, "fix", f, shown);
        }
        return "key " + k.arn() + ": " + g.type() + " - " + g.explanation(ps.ref().arn(), k.arn())
                + (f == null ? "" : " (report finding " + f.findingId() + ")");
    }

    /**
     * A key that is not Enabled (or is gone): the key state, the report's fix for it, then what the policies decide
     * once the key is Enabled again, with that fix.
     *
     * @return the result line
     */
    private String unusableKey(StringBuilder sb, PrincipalRef p, PrincipalSide ps, InstanceRef inst, KeyUse u,
                               Set<String> shown) {
        KeyRef k = u.key();
        String state = k.reportedState();
        sb.append("   ").append(k.status() == KeyStatus.MISSING ? "the key no longer exists"
                : "a key in state " + state + " accepts no kms:CreateGrant (only Enabled keys do)")
                .append(": every start of the instance fails, whoever starts it\n");
        Finding f = reportFinding(p, FindingType.START_BLOCKED_KEY_UNUSABLE, null, k.arn(),
                inst.instance().instanceId());
        if (f == null) {
            fix(sb, "fix", KeyStateRule.fixText(k), null);
        } else {
            reportFix(sb, "fix", f, shown);
        }
        String line = "key " + k.arn() + " is " + state + ": every start fails";
        if (k.status() == KeyStatus.MISSING) {
            return line;
        }
        if (k.key() == null || k.key().keyPolicy() == null) {
            sb.append("   once the key is Enabled: unknown, the key policy was not read\n");
            return line + "; once it is Enabled: unknown (the key policy was not read)";
        }
        sb.append("   once the key is Enabled, the policies decide:\n");
        StartAccessRule.GrantResult g = grant(sb, ps, inst, u);
        if (g.type() == null) {
            return line + "; once it is Enabled, the CreateGrant is allowed";
        }
        Remediation r = g.remediation();
        Merged merged = mergedIntoReport(p, r);
        if (merged != null) {
            fix(sb, "fix once Enabled", "Add the key to the fix of report finding " + merged.findingId() + " (the "
                    + "same edit; the report has no start finding on a key that is not Enabled): " + merged.text(),
                    merged.snippet());
        } else {
            fix(sb, "fix once Enabled", r.text(), r.snippet());
        }
        return line + "; once it is Enabled, also " + g.type() + " - " + g.explanation(ps.ref().arn(), k.arn());
    }

    /**
     * Prints EC2's CreateGrant and the instance role's Decrypt on the key.
     *
     * @return the CreateGrant, classified
     */
    private StartAccessRule.GrantResult grant(StringBuilder sb, PrincipalSide ps, InstanceRef inst, KeyUse u) {
        sb.append("   kms:CreateGrant made by EC2 with the caller's credentials (forward access session):\n");
        StartAccessRule.GrantResult g = start.forwardGrant(ps, u.key(), inst.region());
        indent(sb, g.decision().explain());
        Decision dd = grantee.decision(inst, u);
        sb.append("   kms:Decrypt by the instance's aws:ec2-infrastructure role under EC2's grant: ")
                .append(dd.kind()).append(dd.kind() == DecisionKind.ALLOWED ? ""
                        : " (" + Texts.residualsOrLayers(dd) + ")").append('\n');
        return g;
    }

    /**
     * The report's finding that lists exactly this (type, principal, key, instance), from the analysis of the
     * principal's account (and of every account its permission set is provisioned to).
     *
     * @param principal the principal ARN, or null for a finding without principal (key state)
     * @return the finding, or null when none lists it
     */
    private Finding reportFinding(PrincipalRef p, FindingType type, String principal, String key, String instance) {
        Outcome o = outcome(p);
        for (Finding f : o.result().findings()) {
            if (f.type() != type) {
                continue;
            }
            for (String m : o.members().getOrDefault(f.findingId(), List.of())) {
                String[] parts = m.split("\\|", 5);
                if (parts.length == 5 && parts[2].equals(String.valueOf(principal)) && parts[3].equals(key)
                        && parts[4].equals(instance)) {
                    return f;
                }
            }
        }
        return null;
    }

    /** @return the findings of the accounts whose findings can list this principal, analyzed once */
    private Outcome outcome(PrincipalRef p) {
        if (outcome == null) {
            Set<String> focus = new TreeSet<>();
            focus.add(p.accountId());
            if (Remediator.reservedRole(p)) {
                // a permission set's fix is one for every account it is provisioned to (findings.md)
                ctx.permissionSets.link(p.arn()).ifPresent(l -> l.permissionSet().provisionedAccountIds().stream()
                        .filter(ctx.index.accounts()::containsKey).forEach(focus::add));
            }
            outcome = analysis.apply(focus);
        }
        return outcome;
    }

    /**
     * The fix of a per-key remediation that edits what a report finding of this principal already edits (its new
     * inline policy, its permission set): that finding's change with this one merged in (an inline policy keeps the
     * name the report gives it, so that writing it again replaces the report's), as the next report would merge
     * them once both are findings.
     *
     * @return the merged fix, or null when no start finding of the report edits the same target
     */
    private Merged mergedIntoReport(PrincipalRef p, Remediation r) {
        if (r.changes().size() != 1) {
            return null;
        }
        Change c = r.changes().get(0);
        Outcome o = outcome(p);
        for (Finding f : o.result().findings()) {
            if (f.type() != FindingType.START_BLOCKED_KMS_DENIED && f.type() != FindingType.START_ACCESS_CONDITIONAL) {
                continue;
            }
            boolean his = o.members().getOrDefault(f.findingId(), List.of()).stream()
                    .anyMatch(m -> m.split("\\|", 5)[2].equals(p.arn()));
            Remediation fr = o.remediations().get(f.findingId());
            if (!his || fr == null || fr.changes().size() != 1
                    || !fr.changes().get(0).editTarget().equals(c.editTarget())) {
                continue;
            }
            try {
                Change m = fr.changes().get(0).merge(c);
                if (m instanceof Change.AddInlinePolicy a && fr.changes().get(0) instanceof Change.AddInlinePolicy was) {
                    // the policy the report asks to attach, replaced by one that also names this key
                    m = new Change.AddInlinePolicy(a.principalArn(), was.policyName(), a.document());
                }
                return new Merged(f.findingId(), m.describe(), m.snippet(true));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * A per-key change merged into a report finding's.
     *
     * @param findingId the report finding whose fix it extends
     * @param text      what to do, in one sentence ({@link Change#describe()})
     * @param snippet   the IAM JSON to write, or null
     */
    private record Merged(String findingId, String text, String snippet) {
    }

    /**
     * Prints the fix of a report finding: what it covers (the same edit fixes all of it), where to change it, its
     * remediation text and snippet exactly as findings.json and report.html carry them. A finding printed already
     * (two keys of the instance, one fix) is named, not repeated.
     */
    private void reportFix(StringBuilder sb, String label, Finding f, Set<String> shown) {
        if (!shown.add(f.findingId())) {
            sb.append("   ").append(label).append(": the fix of report finding ").append(f.findingId())
                    .append(" above\n");
            return;
        }
        sb.append("   ").append(label).append(" (report finding ").append(f.findingId()).append(", ")
                .append(f.type()).append(", ").append(f.severity()).append("; one edit fixes all it covers):\n");
        Finding.PermissionSetRef ps = f.permissionSet();
        if (ps != null && Finding.PERMISSION_SET_PRINCIPAL.equals(f.principalType())) {
            sb.append("     change: IAM Identity Center permission set `").append(ps.name()).append("` (")
                    .append(ps.arn()).append(")");
            if (ps.instanceArn() != null) {
                sb.append(" of instance ").append(ps.instanceArn());
            }
            sb.append(", not its AWSReservedSSO_").append(ps.name()).append("_* roles in IAM\n");
            sb.append("     ").append(listed("accounts", ps.accounts().stream().map(a -> a.id()
                    + (a.name() == null ? "" : " (" + a.name() + ")")).toList())).append('\n');
        }
        if (f.principals().size() > 1 || ps != null && ps.roleArns().size() > 1) {
            List<String> who = ps != null && !ps.roleArns().isEmpty() ? ps.roleArns()
                    : f.principals().stream().map(Finding.Principal::arn).toList();
            sb.append("     ").append(listed("principals", who)).append('\n');
        }
        List<String> keys = f.keys().stream().map(Finding.Key::arn).toList();
        sb.append("     ").append(listed(keys.size() > 1 ? "keys" : "key", keys)).append('\n');
        if (!f.instances().isEmpty()) {
            List<String> instances = f.instances().stream().map(i -> i.id()
                    + (i.name() == null ? "" : " (" + i.name() + ")")).toList();
            sb.append("     ").append(listed(instances.size() > 1 ? "instances" : "instance", instances)).append('\n');
        }
        fix(sb, null, f.remediation(), f.remediationPolicy());
    }

    /**
     * @return e.g. {@code keys (3): a, b, c}: the label, the number when several, the first {@link #LISTED} items,
     *         then {@code and N more}
     */
    static String listed(String label, List<String> items) {
        String head = String.join(", ", items.subList(0, Math.min(LISTED, items.size())));
        String more = items.size() > LISTED ? " and " + (items.size() - LISTED) + " more" : "";
        return label + (items.size() > 1 ? " (" + items.size() + ")" : "") + ": " + head + more;
    }

    private static void fix(StringBuilder sb, String label, String text, String snippet) {
        sb.append("   ").append(label == null ? "  " : label + ": ").append(text).append('\n');
        if (snippet != null) {
            indent(sb, snippet + "\n");
        }
    }

    private static void indent(StringBuilder sb, String text) {
        for (String line : text.split("\n")) {
            sb.append("   ").append(line).append('\n');
        }
    }
}
