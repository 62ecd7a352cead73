package io.cmkaudit.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One finding per fix (issue 9 item 7): the start findings the rules raise per instance are merged into one finding
 * per (type, account, principal, key, cause) that lists every affected instance, where the cause is the sorted
 * deciding layers. Start findings of a principal are in the principal's account; findings without principal (key
 * state) are one per key, in the key's account; the grantee side's (the Deny of an instance account's SCP) one per
 * instance account and key. Every member of a group has the same remediation (it is computed per principal and
 * key, or per instance account and key), so the group's snippet fixes the whole finding. The id is
 * {@link Finding#groupId}: stable run to run, whatever the instances.
 */
final class FindingGroups {

    /** The types raised per instance and merged here. */
    static final Set<FindingType> GROUPED = Set.of(FindingType.START_BLOCKED_KMS_DENIED,
            FindingType.START_ACCESS_CONDITIONAL, FindingType.START_BLOCKED_KEY_UNUSABLE);

    private FindingGroups() {
    }

    /**
     * @param f a finding of a {@link #GROUPED} type about instances
     * @return the account the grouped finding is in: the key's for key-state findings, else the finding's
     */
    static String groupAccount(FindingType type, String accountId, String keyAccountId) {
        return type == FindingType.START_BLOCKED_KEY_UNUSABLE && keyAccountId != null ? keyAccountId : accountId;
    }

    /**
     * Merges the per-instance findings of the grouped types; others pass unchanged.
     *
     * @param in  findings, any order
     * @param ctx the run (account names; the remediations kept per finding id move to the group's id)
     * @return the findings with the grouped ones merged, in no particular order
     */
    static List<Finding> group(List<Finding> in, RuleContext ctx) {
        List<Finding> out = new ArrayList<>(in.size());
        Map<String, List<Finding>> groups = new LinkedHashMap<>();
        for (Finding f : in) {
            if (!GROUPED.contains(f.type()) || f.resources().isEmpty()) {
                out.add(f);
                continue;
            }
            String account = groupAccount(f.type(), f.accountId(), f.keyAccountId());
            groups.computeIfAbsent(Finding.groupId(f.type(), account, f.principalArn(), f.keyArn(),
                    f.decidingLayers()), k -> new ArrayList<>()).add(f);
        }
        groups.forEach((id, members) -> {
            // a member about instances speaks first; members about launch sources only add their sources
            Finding first = members.stream().filter(f -> !f.instances().isEmpty()).findFirst().orElse(members.get(0));
            Severity severity = first.severity();
            Map<String, Finding.Resource> resources = new LinkedHashMap<>();
            for (Finding f : members) {
                if (f.severity().compareTo(severity) < 0) {
                    severity = f.severity();
                }
                f.resources().forEach(r -> resources.putIfAbsent(r.kind() + "|" + r.id(), r));
            }
            List<Finding.Resource> sorted = new ArrayList<>(resources.values());
            sorted.sort(Comparator.comparing(Finding.Resource::kind).thenComparing(Finding.Resource::region)
                    .thenComparing(Finding.Resource::id));
            String account = groupAccount(first.type(), first.accountId(), first.keyAccountId());
            Finding.Account acc = account.equals(first.accountId()) ? first.account() : ctx.account(account);
            Remediation rem = ctx.remediations().get(first.findingId());
            if (rem != null) {
                ctx.keep(id, rem);
            }
            Finding.Details details = first.details();
            if (!first.instances().isEmpty() && sorted.stream().anyMatch(r -> r.kind().launchSource())) {
                details = new Finding.Details(details.decidingLayers(), details.evidence(), details.explanation()
                        + " Launches from the launch sources listed fail too.", details.remediation(),
                        details.remediationPolicy());
            }
            out.add(new Finding(id, first.type(), severity, acc, first.region(), sorted, first.key(),
                    first.principal(), details));
        });
        return out;
    }

    /** @return the sorted, distinct deciding layers: the cause of a grouped finding */
    static List<String> cause(List<String> layers) {
        return List.copyOf(new TreeSet<>(layers));
    }
}
