package io.cmkaudit.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One finding per fix (issue 9; docs/design/findings.md, "A finding is one fix"): the rules raise start findings per
 * (principal, instance, key) and breadth findings per (principal, key); here the ones that one person fixes with
 * one edit become one finding that lists everything the edit affects.
 *
 * <p>The unit is the edit. A remediation is a list of {@link Change}s, each naming what it edits
 * ({@link Change#editTarget()}: a key policy, a permissions boundary, an SCP, a principal's new inline policy, one
 * statement of a policy, a grant). Findings of the same type, account and cause (the sorted deciding layers) whose
 * remediations edit the same targets in the same order are one finding; its remediation merges their changes
 * ({@link Change#merge}: one key-policy statement naming every blocked principal, one identity statement on every
 * key, one customer managed copy attached to every holder of an AWS managed policy), so its snippet fixes the whole
 * finding ({@code SnippetProofTest}). So:
 * <ul>
 *   <li>a start blocked by a key policy is one finding per key policy, listing the principals and instances;</li>
 *   <li>a start blocked by a missing identity Allow is one finding per principal (its new inline policy), listing
 *       the keys and instances; by a permissions boundary, SCP or RCP, one per policy;</li>
 *   <li>broad rights ({@code KMS_FULL_ACCESS}, {@code KMS_CREATEGRANT_UNCONSTRAINED}, {@code KMS_DECRYPT_ALL_KEYS})
 *       one per statement to replace, listing the principals and keys it gives the rights on.</li>
 * </ul>
 * Findings whose remediation is text only stay one per (principal, key, cause) listing instances;
 * {@code START_BLOCKED_KEY_UNUSABLE} is one per key, in the key's account. Ids are stable run to run: a hash of
 * type, account, cause and the edited targets ({@link Finding#fixId}), whatever principals, keys and instances come
 * and go.
 */
final class FindingGroups {

    /** The start types: raised per instance, merged per fix. */
    static final Set<FindingType> START = Set.of(FindingType.START_BLOCKED_KMS_DENIED,
            FindingType.START_ACCESS_CONDITIONAL);

    /** The breadth types: raised per principal and key, merged per fix. */
    static final Set<FindingType> BREADTH = Set.of(FindingType.KMS_FULL_ACCESS,
            FindingType.KMS_CREATEGRANT_UNCONSTRAINED, FindingType.KMS_DECRYPT_ALL_KEYS);

    /** The types raised per instance and merged into one finding listing instances (schemaVersion 2). */
    static final Set<FindingType> GROUPED = Set.of(FindingType.START_BLOCKED_KMS_DENIED,
            FindingType.START_ACCESS_CONDITIONAL, FindingType.START_BLOCKED_KEY_UNUSABLE);

    private FindingGroups() {
    }

    /**
     * @return the account the grouped finding is in: the key's for key-state findings, else the finding's
     */
    static String groupAccount(FindingType type, String accountId, String keyAccountId) {
        return type == FindingType.START_BLOCKED_KEY_UNUSABLE && keyAccountId != null ? keyAccountId : accountId;
    }

    /**
     * Merges the findings of one fix; others pass unchanged.
     *
     * @param in  findings, any order
     * @param ctx the run (account names; what was kept of each finding: remediation and explanation parts; the
     *            merged finding's are kept under its id)
     * @return the findings with the ones of one fix merged, in no particular order
     */
    static List<Finding> group(List<Finding> in, RuleContext ctx) {
        List<Finding> out = new ArrayList<>(in.size());
        Map<String, List<Finding>> groups = new LinkedHashMap<>();
        for (Finding f : in) {
            String id = unitId(f, ctx.kept(f.findingId()));
            if (id == null) {
                out.add(f);
            } else {
                groups.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
            }
        }
        groups.forEach((id, members) -> out.add(merge(id, members, ctx)));
        return out;
    }

    /** @return the id of the finding's unit of fix, or null when it is not merged */
    private static String unitId(Finding f, RuleContext.Kept kept) {
        FindingType t = f.type();
        List<String> cause = cause(f.decidingLayers());
        if (t == FindingType.START_BLOCKED_KEY_UNUSABLE) {
            // instances and launch sources (LaunchRule) using the unusable key: one finding per key
            return f.resources().isEmpty() ? null : Finding.groupId(t, groupAccount(t, f.accountId(),
                    f.keyAccountId()), f.principalArn(), f.keyArn(), cause);
        }
        if (!START.contains(t) && !BREADTH.contains(t)) {
            return null;
        }
        Remediation r = kept == null ? null : kept.remediation();
        if (r == null || r.changes().isEmpty()) {
            // no edit to share: one per (principal, key, cause), listing instances
            return START.contains(t) && !f.instances().isEmpty()
                    ? Finding.groupId(t, f.accountId(), f.principalArn(), f.keyArn(), cause) : null;
        }
        List<String> targets = r.changes().stream().map(Change::editTarget).toList();
        // a change to an IAM Identity Center permission set (or the policy it references in each account) is made
        // once for every account it is provisioned to: the fix is organization-wide, not the account's
        boolean permissionSet = targets.stream().allMatch(x -> x.startsWith(Change.PERMISSION_SET_TARGET));
        return Finding.fixId(t, permissionSet ? null : f.accountId(), cause, targets);
    }

    private static Finding merge(String id, List<Finding> members, RuleContext ctx) {
        // a member about instances speaks first; members about launch sources only add their sources
        Finding first = members.stream().filter(f -> !f.instances().isEmpty()).findFirst().orElse(members.get(0));
        RuleContext.Kept firstKept = ctx.kept(first.findingId());
        String account = groupAccount(first.type(), first.accountId(), first.keyAccountId());
        Severity severity = first.severity();
        Map<String, Finding.Resource> instances = new LinkedHashMap<>();
        Map<String, Finding.Resource> sources = new LinkedHashMap<>();
        Map<String, Finding.Principal> principals = new TreeMap<>();
        Map<String, Finding.Key> keys = new TreeMap<>();
        Set<String> evidence = new LinkedHashSet<>();
        Set<String> regions = new TreeSet<>();
        Set<String> reasons = new LinkedHashSet<>();
        Set<String> uncertain = new LinkedHashSet<>();
        Set<String> notes = new LinkedHashSet<>();
        List<Change> changes = null;
        boolean sameRemediation = true;
        for (Finding f : members) {
            if (f.severity().compareTo(severity) < 0) {
                severity = f.severity();
            }
            // instances and launch sources of another account than the merged finding's say which
            for (Finding.Resource r : f.instances()) {
                instances.merge(r.id(), r.relativeTo(f.accountId(), account), (a, b) -> {
                    Set<String> v = new LinkedHashSet<>(a.volumeIds());
                    v.addAll(b.volumeIds());
                    return new Finding.Resource(a.kind(), a.id(), a.name(), a.region(), List.copyOf(v),
                            a.accountId());
                });
            }
            f.launchSources().forEach(r -> sources.putIfAbsent(r.kind() + "|" + r.id(),
                    r.relativeTo(f.accountId(), account)));
            f.principals().forEach(p -> principals.putIfAbsent(p.arn(), p));
            f.keys().forEach(k -> keys.putIfAbsent(k.arn(), k));
            evidence.addAll(f.evidence());
            regions.add(f.region() == null ? "" : f.region());
            RuleContext.Kept k = ctx.kept(f.findingId());
            if (k != null && k.why() != null) {
                if (!k.why().reason().isEmpty()) {
                    reasons.add(k.why().reason());
                }
                uncertain.addAll(k.why().uncertain());
                if (k.why().startNote() != null) {
                    notes.add(k.why().startNote());
                }
            }
            Remediation r = k == null ? null : k.remediation();
            if (r != null && firstKept != null && r != firstKept.remediation()) {
                sameRemediation = false;
            }
            if (r != null && !r.changes().isEmpty()) {
                if (changes == null) {
                    changes = new ArrayList<>(r.changes());
                } else {
                    for (int i = 0; i < changes.size(); i++) {
                        changes.set(i, changes.get(i).merge(r.changes().get(i)));
                    }
                }
            }
        }
        List<Finding.Resource> resources = new ArrayList<>(instances.values());
        resources.sort(Comparator.comparing(Finding.Resource::region).thenComparing(Finding.Resource::id));
        List<Finding.Resource> launch = new ArrayList<>(sources.values());
        launch.sort(Comparator.comparing(Finding.Resource::kind).thenComparing(Finding.Resource::region)
                .thenComparing(Finding.Resource::id));
        resources.addAll(launch);
        if (principals.size() > 1) {
            principals.values().forEach(p -> resources.add(Finding.Resource.principal(p)));
        }
        if (keys.size() > 1) {
            keys.values().forEach(k -> resources.add(Finding.Resource.key(k)));
        }
        Finding.Principal principal = principals.isEmpty() ? null : principals.values().iterator().next();
        Finding.Key key = keys.isEmpty() ? null : keys.values().iterator().next();
        String region = regions.size() == 1 && !regions.contains("") ? regions.iterator().next() : null;
        Finding.Account acc = account == null || account.equals(first.accountId()) ? first.account()
                : ctx.account(account);

        Remediation rem = firstKept == null ? null : firstKept.remediation();
        if (rem != null && !sameRemediation && changes != null) {
            rem = Remediator.build(lead(first.type(), principal == null, principals.size(), keys.size()), changes);
        }
        Texts.Subjects subjects = new Texts.Subjects(List.copyOf(principals.keySet()), List.copyOf(keys.keySet()),
                instances.size());
        String explanation = firstKept == null || firstKept.why() == null ? first.explanation()
                : Texts.Why.render(firstKept.why().template(), subjects, List.copyOf(reasons), List.copyOf(uncertain),
                List.copyOf(notes));
        if (!instances.isEmpty() && !launch.isEmpty()) {
            explanation += " Launches from the launch sources listed fail too.";
        }
        Finding.Details details = rem == null
                ? new Finding.Details(first.decidingLayers(), List.copyOf(evidence), explanation,
                first.remediation(), first.remediationPolicy())
                : Finding.Details.of(first.decidingLayers(), List.copyOf(evidence), explanation, rem);
        if (rem != null) {
            ctx.keep(id, rem, firstKept == null ? null : firstKept.why());
        }
        if (ctx.shard) {
            ctx.grouped.add(id);
            if (changes != null && changes.stream().allMatch(c -> c.editTarget().startsWith(
                    Change.PERMISSION_SET_TARGET))) {
                // a fix made in a permission set spans the accounts it is provisioned to, maybe several shards
                List<FindingJoin.Member> ms = new ArrayList<>();
                for (Finding f : members) {
                    RuleContext.Kept k = ctx.kept(f.findingId());
                    Texts.Why w = k == null ? null : k.why();
                    ms.add(new FindingJoin.Member(f.account(), !f.instances().isEmpty(),
                            w == null ? null : Texts.templateName(w.template()), w == null ? "" : w.reason(),
                            w == null ? List.of() : w.uncertain(), w == null ? null : w.startNote(), f.evidence()));
                }
                ctx.units.put(id, new FindingJoin.Unit(principal == null,
                        changes.stream().map(FindingJoin::changeToJson).toList(), ms));
            }
        }
        if (ctx.keepRemediations()) {
            List<String> exact = new ArrayList<>();
            members.forEach(m -> exact.addAll(Outcome.members(m)));
            ctx.members.put(id, exact);
        }
        return new Finding(id, first.type(), severity, acc, region, resources, key, principal, details);
    }

    /** The remediation text's lead of a finding that lists several principals or keys. */
    static String lead(FindingType type, boolean granteeSide, int principals, int keys) {
        String onKeys = keys > 1 ? "the " + keys + " keys listed" : "the key";
        String whose = principals > 1 ? "these principals'" : "this principal's";
        return switch (type) {
            case START_BLOCKED_KMS_DENIED, START_ACCESS_CONDITIONAL -> granteeSide
                    ? "Exempt EC2's identity-only role (aws:ec2-infrastructure) from the Deny that blocks its "
                    + "kms:Decrypt on " + onKeys + ": "
                    : "Let EC2 create its attach grant on " + onKeys + " for " + (principals > 1 ? "the "
                    + principals + " principals listed" : "the principal") + ": ";
            case KMS_FULL_ACCESS -> "Replace the statements that give every KMS action on " + onKeys + " by the "
                    + "key-user actions on the keys " + whose + " instances use: ";
            case KMS_CREATEGRANT_UNCONSTRAINED -> "Allow kms:CreateGrant only for grants AWS services create for AWS "
                    + "resources: ";
            case KMS_DECRYPT_ALL_KEYS -> "Limit kms:Decrypt / kms:ReEncryptFrom to the keys " + whose
                    + " instances use: ";
            default -> "";
        };
    }

    /** @return the sorted, distinct deciding layers: the cause of a grouped finding */
    static List<String> cause(List<String> layers) {
        return List.copyOf(new TreeSet<>(layers));
    }
}
