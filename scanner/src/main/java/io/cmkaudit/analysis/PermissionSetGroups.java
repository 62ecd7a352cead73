package io.cmkaudit.analysis;

import io.cmkaudit.snapshot.AccountAssignment;
import io.cmkaudit.snapshot.PermissionSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One finding per fix where people make the fix: IAM Identity Center permission sets. Each permission set becomes a
 * role {@code AWSReservedSSO_<name>_<suffix>} in every account it is provisioned to, and Identity Center owns those
 * roles (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html): one change to the
 * permission set, provisioned again, fixes all of them. Runs after {@link FindingGroups}:
 * <ul>
 *   <li>the findings whose principal is a reserved role linked to its permission set ({@link PermissionSetLinks}) are
 *       bucketed by (type, permission set, cause), the cause being the sorted deciding layers;</li>
 *   <li>a bucket whose members all carry the same remediation (text and snippet: the fix is made in the permission
 *       set or in the customer managed policy it references, so it does not depend on the account, role or key) is
 *       merged into one finding that lists every account, role, key and instance. Its id is
 *       {@link Finding#permissionSetGroupId} (type, permission set, cause: stable whatever accounts, keys and
 *       instances come and go), its principal the permission set (type {@value Finding#PERMISSION_SET_PRINCIPAL}),
 *       its account the one Identity Center is administered from (where the fix is made), its region and key those of
 *       the members when they share one, else null;</li>
 *   <li>a bucket whose members need different fixes (e.g. each key's key policy, each account's SCP) stays one
 *       finding per member, each naming the permission set.</li>
 * </ul>
 * Every finding about a reserved role or a permission set carries its {@link Finding.PermissionSetRef} with the
 * account assignments of the accounts it covers (who gets the permission set).
 */
final class PermissionSetGroups {

    private PermissionSetGroups() {
    }

    /**
     * @param in  the findings after {@link FindingGroups#group}
     * @param ctx the run (links, account names; the remediations kept per finding id move to the merged id)
     * @return the findings, those of one permission set merged where one fix covers them; no particular order
     */
    static List<Finding> group(List<Finding> in, RuleContext ctx) {
        PermissionSetLinks links = ctx.permissionSets;
        if (!links.identityCenterRead()) {
            return in;
        }
        List<Finding> out = new ArrayList<>(in.size());
        Map<String, List<Finding>> buckets = new LinkedHashMap<>();
        Map<String, PermissionSetLinks.Link> linkOf = new LinkedHashMap<>();
        for (Finding f : in) {
            PermissionSetLinks.Link link = link(links, f);
            if (link == null) {
                out.add(f);
                continue;
            }
            String bucket = f.type() + "|" + link.permissionSet().arn() + "|"
                    + String.join(";", FindingGroups.cause(f.decidingLayers()));
            buckets.computeIfAbsent(bucket, k -> new ArrayList<>()).add(f);
            linkOf.put(f.findingId(), link);
        }
        buckets.forEach((bucket, members) -> {
            Finding first = members.get(0);
            PermissionSetLinks.Link link = linkOf.get(first.findingId());
            boolean oneFix = members.stream().allMatch(f -> f.remediation().equals(first.remediation())
                    && Objects.equals(f.remediationPolicy(), first.remediationPolicy()));
            if (!oneFix) {
                for (Finding f : members) {
                    out.add(f.withPermissionSet(ref(ctx, linkOf.get(f.findingId()), List.of(f))));
                }
                return;
            }
            out.add(merge(ctx, link, members));
        });
        return out;
    }

    /**
     * @return the permission set link of a finding when every principal it lists is a reserved role of that one
     *         permission set; null when it lists none, a principal of no permission set, or several permission sets
     *         (then its fix, e.g. one key-policy statement naming them all, is not the permission set's)
     */
    private static PermissionSetLinks.Link link(PermissionSetLinks links, Finding f) {
        PermissionSetLinks.Link first = null;
        for (Finding.Principal p : f.principals()) {
            PermissionSetLinks.Link l = links.link(p.arn()).orElse(null);
            if (l == null || first != null && !first.permissionSet().arn().equals(l.permissionSet().arn())) {
                return null;
            }
            first = first == null ? l : first;
        }
        return first;
    }

    private static Finding merge(RuleContext ctx, PermissionSetLinks.Link link, List<Finding> members) {
        Finding first = members.get(0);
        PermissionSet ps = link.permissionSet();
        String id = Finding.permissionSetGroupId(first.type(), ps.arn(), first.decidingLayers());
        Severity severity = first.severity();
        var idc = ctx.index.snapshot.identityCenter();
        String adminAccount = idc == null ? null : idc.accountId();
        Map<String, Finding.Resource> resources = new LinkedHashMap<>();
        Set<String> regions = new TreeSet<>();
        Map<String, Finding.Key> keys = new TreeMap<>();
        Set<String> evidence = new LinkedHashSet<>();
        List<String> exact = new ArrayList<>();
        for (Finding f : members) {
            if (f.severity().compareTo(severity) < 0) {
                severity = f.severity();
            }
            // instances and launch sources; the principals and keys listed are rebuilt below
            // in the accounts the permission set is provisioned to, not the Identity Center administrator's
            f.resources().stream().filter(r -> r.kind() != Finding.ResourceKind.PRINCIPAL
                    && r.kind() != Finding.ResourceKind.KEY).forEach(r -> resources.putIfAbsent(r.kind() + "|"
                    + r.id(), r.relativeTo(f.accountId(), adminAccount)));
            regions.add(String.valueOf(f.region()));
            f.keys().forEach(k -> keys.putIfAbsent(k.arn(), k));
            evidence.addAll(f.evidence());
            if (ctx.keepRemediations()) {
                exact.addAll(ctx.members.getOrDefault(f.findingId(), Outcome.members(f)));
            }
        }
        List<Finding.Resource> sorted = new ArrayList<>(resources.values());
        sorted.sort(Comparator.comparing(Finding.Resource::kind).thenComparing(Finding.Resource::region,
                Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(Finding.Resource::id));
        long instances = sorted.stream().filter(r -> r.kind() == Finding.ResourceKind.INSTANCE).count();
        // the keys the finding is about are listed like any finding's ({@link Finding#keys()}): JSON keys, CSV key
        // columns, ASFF and OCSF resources; the principal stays the permission set (its roles: ref.roleArns)
        if (keys.size() > 1) {
            keys.values().forEach(k -> sorted.add(Finding.Resource.key(k)));
        }
        // the reserved roles and keys the finding covers are listed by its permission set (ref: roleArns, keyArns)
        Finding.PermissionSetRef ref = ref(ctx, link, members);
        // one member may already cover several accounts (a permission set edit is one for all: FindingGroups)
        String explanation = members.size() == 1 && ref.accounts().size() <= 1 ? first.explanation()
                : "IAM Identity Center permission set `" + ps.name() + "`, provisioned as role "
                + io.cmkaudit.snapshot.IdentityCenter.RESERVED_ROLE_PREFIX + ps.name() + "_* to "
                + ref.accounts().size() + " account(s) (" + String.join(", ", ref.accountIds()) + "), has the same "
                + "problem on " + ref.keyArns().size() + " key(s)" + (instances == 0 ? ""
                : " and " + instances + " instance(s)") + (members.size() == 1 ? ": "
                : "; in account " + first.accountId() + ": ") + first.explanation();
        Finding.Details d = first.details();
        Finding merged = new Finding(id, first.type(), severity, ctx.account(adminAccount),
                regions.size() == 1 && !regions.contains("null") ? regions.iterator().next() : null, sorted,
                keys.isEmpty() ? null : keys.values().iterator().next(),
                new Finding.Principal(ps.arn(), Finding.PERMISSION_SET_PRINCIPAL),
                new Finding.Details(d.decidingLayers(), List.copyOf(evidence), explanation, d.remediation(),
                        d.remediationPolicy()), ref);
        RuleContext.Kept kept = ctx.kept(first.findingId());
        if (kept != null) {
            ctx.keep(id, kept.remediation(), kept.why());
        }
        if (ctx.shard) {
            ctx.permissionSetMembers.put(id, List.copyOf(members));
        }
        if (ctx.keepRemediations()) {
            ctx.members.put(id, exact);
        }
        return merged;
    }

    /** The permission set of a link, covering the accounts, roles and keys of some findings. */
    static Finding.PermissionSetRef ref(RuleContext ctx, PermissionSetLinks.Link link, List<Finding> members) {
        Set<String> accounts = new TreeSet<>();
        Set<String> roles = new TreeSet<>();
        Set<String> keys = new TreeSet<>();
        for (Finding f : members) {
            boolean linked = false;
            for (Finding.Principal p : f.principals()) {
                PermissionSetLinks.Link l = ctx.permissionSets.link(p.arn()).orElse(null);
                if (l != null) {
                    accounts.add(l.accountId());
                    roles.add(l.role().arn());
                    linked = true;
                }
            }
            if (!linked && f.accountId() != null) {
                accounts.add(f.accountId());
            }
            f.keys().forEach(k -> keys.add(k.arn()));
        }
        return ref(ctx, link.permissionSet(), link.instance().instanceArn(), accounts, roles, keys);
    }

    /** A permission set covering accounts, roles and keys, with its assignments in those accounts. */
    static Finding.PermissionSetRef ref(RuleContext ctx, PermissionSet ps, String instanceArn, Set<String> accounts,
                                        Set<String> roles, Set<String> keys) {
        List<Finding.Assignment> assignments = new ArrayList<>();
        for (AccountAssignment a : ps.accountAssignments()) {
            if (accounts.contains(a.accountId())) {
                assignments.add(new Finding.Assignment(a.accountId(), a.principalType(), a.principalId(),
                        a.principalName()));
            }
        }
        assignments.sort(Comparator.comparing(Finding.Assignment::accountId)
                .thenComparing(Finding.Assignment::principalType)
                .thenComparing(a -> a.principalName() == null ? a.principalId() : a.principalName()));
        return new Finding.PermissionSetRef(ps.arn(), ps.name(), instanceArn,
                accounts.stream().map(ctx::account).toList(), List.copyOf(roles), List.copyOf(keys), assignments);
    }
}
