package io.cmkaudit.analysis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins the findings of the parts of a sharded report ({@code report --plan --shard}, then {@code merge-findings}):
 * each part analyzed its shard's accounts ({@link Analyzer#analyzeShard}), so a finding whose fix spans shards (one
 * key's {@code START_BLOCKED_KEY_UNUSABLE} listing instances of accounts in several shards, an IAM Identity Center
 * permission set provisioned to accounts of several shards) is in several parts under the same id, each listing
 * what its shard saw. Joining them:
 * <ul>
 *   <li>findings that are equal are one (a part may repeat another's finding: idempotent);</li>
 *   <li>otherwise the union: instances (by id, their volumes joined), launch sources, principals, keys, evidence;
 *       for a permission set, its accounts, roles, keys and assignments; the most severe severity; a recorded
 *       failure that confirms it from whichever part has one; the region when all parts agree, else none;</li>
 *   <li>the explanation is rebuilt where it counts what the finding lists: a permission set's (accounts, keys,
 *       instances), a key-state finding's (instances and launch sources), a public key policy's (the principals of
 *       every shard it exposes);</li>
 *   <li>the remediation is the parts' when they agree. When parts give one id different explanations or
 *       remediations that cannot be rebuilt here, the first part's are kept and a warning says so
 *       ({@link Result#warnings()}).</li>
 * </ul>
 * Output order is the analysis's ({@link Analyzer}'s order: severity, type, account, ...). Pure; thread-safe.
 */
public final class FindingJoin {

    private FindingJoin() {
    }

    /**
     * @param findings the joined findings, in the analysis's order
     * @param warnings one line per finding whose parts disagreed beyond what a join rebuilds; empty when exact
     */
    public record Result(List<Finding> findings, List<String> warnings) {
        public Result {
            findings = List.copyOf(findings);
            warnings = List.copyOf(warnings);
        }
    }

    /** The suffix {@link FindingGroups} adds when a key-state finding lists instances and launch sources. */
    static final String LAUNCH_SUFFIX = " Launches from the launch sources listed fail too.";

    private static final Pattern PERMISSION_SET_EXPLANATION = Pattern.compile(
            "IAM Identity Center permission set `.*?`, provisioned as role \\S+ to \\d+ account\\(s\\) \\([^)]*\\), has "
            + "the same problem on \\d+ key\\(s\\)(?: and \\d+ instance\\(s\\))?(?:: |; in account (\\S*): )(.*)",
            Pattern.DOTALL);

    /**
     * Joins the findings of several parts.
     *
     * @param parts    the findings of each part, in part order; never null
     * @param exposure by part, what a public key policy exposes ({@link Analyzer.ShardOutcome#publicExposure()}): key
     *                 ARN → finding type → principal ARNs; same size and order as {@code parts} (an empty map for a
     *                 part that has none)
     * @return the joined findings and the warnings
     * @throws IllegalArgumentException when the two lists differ in size
     */
    public static Result join(List<List<Finding>> parts, List<Map<String, Map<FindingType, List<String>>>> exposure) {
        if (parts.size() != exposure.size()) {
            throw new IllegalArgumentException("one exposure map per part: " + parts.size() + " parts, "
                    + exposure.size() + " maps");
        }
        Map<String, Map<FindingType, Set<String>>> allExposure = new TreeMap<>();
        for (Map<String, Map<FindingType, List<String>>> e : exposure) {
            e.forEach((key, by) -> by.forEach((t, ps) -> allExposure.computeIfAbsent(key,
                    k -> new EnumMap<>(FindingType.class)).computeIfAbsent(t, x -> new TreeSet<>()).addAll(ps)));
        }
        Map<String, List<Finding>> byId = new LinkedHashMap<>();
        Map<String, List<Integer>> partOf = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            for (Finding f : parts.get(i)) {
                byId.computeIfAbsent(f.findingId(), k -> new ArrayList<>()).add(f);
                partOf.computeIfAbsent(f.findingId(), k -> new ArrayList<>()).add(i);
            }
        }
        List<Finding> out = new ArrayList<>(byId.size());
        List<String> warnings = new ArrayList<>();
        byId.forEach((id, members) -> {
            List<Finding> distinct = new ArrayList<>(new LinkedHashSet<>(members));
            Finding f = distinct.size() == 1 ? distinct.get(0) : union(distinct, warnings);
            if (f.type() == FindingType.KEY_POLICY_PUBLIC && f.keyArn() != null) {
                f = publicExposure(f, members, partOf.get(id), exposure, allExposure.get(f.keyArn()), warnings);
            }
            out.add(f);
        });
        out.sort(Analyzer.ORDER);
        return new Result(out, warnings);
    }

    /** Re-renders a public key policy's exposure sentence with the principals of every part. */
    private static Finding publicExposure(Finding f, List<Finding> members, List<Integer> parts,
                                          List<Map<String, Map<FindingType, List<String>>>> exposure,
                                          Map<FindingType, Set<String>> all, List<String> warnings) {
        // the part that wrote the finding wrote its own exposure at the end of the explanation
        String own = PublicKeyPolicyRule.exposureText(exposure.get(parts.get(0)).get(f.keyArn()));
        String text = members.get(0).explanation();
        if (!text.endsWith(own)) {
            warnings.add("finding " + f.findingId() + " (KEY_POLICY_PUBLIC): its explanation does not end with the "
                    + "part's exposure sentence; kept as written");
            return f;
        }
        String rebuilt = text.substring(0, text.length() - own.length()) + PublicKeyPolicyRule.exposureText(all);
        return rebuilt.equals(f.explanation()) ? f : withDetails(f, f.resources(), new Finding.Details(
                f.decidingLayers(), f.evidence(), rebuilt, f.remediation(), f.remediationPolicy()), f.permissionSet());
    }

    /** The union of the different findings one id has in several parts. */
    static Finding union(List<Finding> members, List<String> warnings) {
        Finding first = members.stream().filter(f -> !f.instances().isEmpty()).findFirst().orElse(members.get(0));
        Severity severity = first.severity();
        Map<String, Finding.Resource> instances = new LinkedHashMap<>();
        Map<String, Finding.Resource> sources = new LinkedHashMap<>();
        Map<String, Finding.Principal> principals = new TreeMap<>();
        Map<String, Finding.Key> keys = new TreeMap<>();
        Set<String> evidence = new LinkedHashSet<>();
        Set<String> regions = new TreeSet<>();
        Finding.Confirmed confirmed = null;
        for (Finding f : members) {
            if (f.severity().compareTo(severity) < 0) {
                severity = f.severity();
            }
            for (Finding.Resource r : f.instances()) {
                instances.merge(r.id(), r, (a, b) -> {
                    if (b.volumeIds().stream().allMatch(a.volumeIds()::contains)) {
                        return a;
                    }
                    Set<String> v = new LinkedHashSet<>(a.volumeIds());
                    v.addAll(b.volumeIds());
                    return new Finding.Resource(a.kind(), a.id(), a.name(), a.region(), List.copyOf(v));
                });
            }
            f.launchSources().forEach(r -> sources.putIfAbsent(r.kind() + "|" + r.id(), r));
            f.principals().forEach(p -> principals.putIfAbsent(p.arn(), p));
            f.keys().forEach(k -> keys.putIfAbsent(k.arn(), k));
            evidence.addAll(f.evidence());
            regions.add(f.region() == null ? "" : f.region());
            if (confirmed == null) {
                confirmed = f.confirmed();
            }
        }
        boolean permissionSet = Finding.PERMISSION_SET_PRINCIPAL.equals(first.principalType());
        List<Finding.Resource> resources = new ArrayList<>();
        List<Finding.Resource> inst = new ArrayList<>(instances.values());
        List<Finding.Resource> launch = new ArrayList<>(sources.values());
        if (permissionSet) {
            // PermissionSetGroups' layout: instances and launch sources by kind, region, id; the keys when several
            resources.addAll(inst);
            resources.addAll(launch);
            resources.sort(Comparator.comparing(Finding.Resource::kind).thenComparing(Finding.Resource::region,
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(Finding.Resource::id));
            if (keys.size() > 1) {
                keys.values().forEach(k -> resources.add(Finding.Resource.key(k)));
            }
        } else {
            // FindingGroups' layout: instances, launch sources, then the principals and keys when several
            inst.sort(Comparator.comparing(Finding.Resource::region, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(Finding.Resource::id));
            launch.sort(Comparator.comparing(Finding.Resource::kind).thenComparing(Finding.Resource::region,
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(Finding.Resource::id));
            resources.addAll(inst);
            resources.addAll(launch);
            if (principals.size() > 1) {
                principals.values().forEach(p -> resources.add(Finding.Resource.principal(p)));
            }
            if (keys.size() > 1) {
                keys.values().forEach(k -> resources.add(Finding.Resource.key(k)));
            }
        }
        Finding.PermissionSetRef ref = permissionSetRef(members);
        String region = regions.size() == 1 && !regions.contains("") ? regions.iterator().next() : null;
        Finding.Principal principal = permissionSet ? first.principal()
                : principals.isEmpty() ? null : principals.values().iterator().next();
        Finding.Key key = keys.isEmpty() ? null : keys.values().iterator().next();

        String explanation = explanation(first, members, ref, instances.size(), !launch.isEmpty(), warnings);
        String remediation = first.remediation();
        String policy = first.remediationPolicy();
        for (Finding m : members) {
            if (!m.remediation().equals(remediation) || !Objects.equals(m.remediationPolicy(), policy)) {
                warnings.add("finding " + first.findingId() + " (" + first.type() + "): its parts give different "
                        + "remediations (a fix merged across shards); the first part's is kept");
                break;
            }
        }
        Finding.Details d = new Finding.Details(first.decidingLayers(), List.copyOf(evidence), explanation,
                remediation, policy);
        return new Finding(first.findingId(), first.type(), severity, first.account(), region, resources, key,
                principal, d, ref, confirmed);
    }

    /** The explanation of a joined finding: rebuilt where it counts what the finding lists. */
    private static String explanation(Finding first, List<Finding> members, Finding.PermissionSetRef ref,
                                      int instances, boolean launch, List<String> warnings) {
        if (first.type() == FindingType.START_BLOCKED_KEY_UNUSABLE) {
            String base = first.explanation();
            if (base.endsWith(LAUNCH_SUFFIX)) {
                base = base.substring(0, base.length() - LAUNCH_SUFFIX.length());
            }
            return instances > 0 && launch ? base + LAUNCH_SUFFIX : base;
        }
        if (ref != null && Finding.PERMISSION_SET_PRINCIPAL.equals(first.principalType())) {
            // PermissionSetGroups: the permission set's counts, then the explanation of its first member
            String tailAccount = null;
            String tail = null;
            for (Finding m : members) {
                Matcher x = PERMISSION_SET_EXPLANATION.matcher(m.explanation());
                String account;
                String text;
                if (x.matches()) {
                    account = x.group(1) != null ? x.group(1)
                            : m.permissionSet() == null || m.permissionSet().accountIds().isEmpty() ? ""
                            : m.permissionSet().accountIds().get(0);
                    text = x.group(2);
                } else {
                    account = m.permissionSet() == null || m.permissionSet().accountIds().isEmpty() ? ""
                            : m.permissionSet().accountIds().get(0);
                    text = m.explanation();
                }
                if (tail == null || account.compareTo(tailAccount) < 0) {
                    tailAccount = account;
                    tail = text;
                }
            }
            return "IAM Identity Center permission set `" + ref.name() + "`, provisioned as role "
                    + io.cmkaudit.snapshot.IdentityCenter.RESERVED_ROLE_PREFIX + ref.name() + "_* to "
                    + ref.accounts().size() + " account(s) (" + String.join(", ", ref.accountIds()) + "), has the "
                    + "same problem on " + ref.keyArns().size() + " key(s)" + (instances == 0 ? ""
                    : " and " + instances + " instance(s)") + "; in account " + tailAccount + ": " + tail;
        }
        for (Finding m : members) {
            if (!m.explanation().equals(first.explanation())) {
                warnings.add("finding " + first.findingId() + " (" + first.type() + "): its parts explain it "
                        + "differently; the first part's explanation is kept");
                break;
            }
        }
        return first.explanation();
    }

    /** The union of the members' permission set references, or null when none has one. */
    private static Finding.PermissionSetRef permissionSetRef(List<Finding> members) {
        Finding.PermissionSetRef first = null;
        Map<String, Finding.Account> accounts = new TreeMap<>();
        Set<String> roles = new TreeSet<>();
        Set<String> keys = new TreeSet<>();
        Set<Finding.Assignment> assignments = new LinkedHashSet<>();
        for (Finding f : members) {
            Finding.PermissionSetRef r = f.permissionSet();
            if (r == null) {
                continue;
            }
            first = first == null ? r : first;
            r.accounts().forEach(a -> accounts.putIfAbsent(a.id() == null ? "" : a.id(), a));
            roles.addAll(r.roleArns());
            keys.addAll(r.keyArns());
            assignments.addAll(r.assignments());
        }
        if (first == null) {
            return null;
        }
        List<Finding.Assignment> sorted = new ArrayList<>(assignments);
        sorted.sort(Comparator.comparing(Finding.Assignment::accountId)
                .thenComparing(Finding.Assignment::principalType)
                .thenComparing(a -> a.principalName() == null ? a.principalId() : a.principalName()));
        return new Finding.PermissionSetRef(first.arn(), first.name(), first.instanceArn(),
                List.copyOf(accounts.values()), List.copyOf(roles), List.copyOf(keys), sorted);
    }

    private static Finding withDetails(Finding f, List<Finding.Resource> resources, Finding.Details d,
                                       Finding.PermissionSetRef ref) {
        return new Finding(f.findingId(), f.type(), f.severity(), f.account(), f.region(), resources, f.key(),
                f.principal(), d, ref, f.confirmed());
    }

    /**
     * @param values any strings
     * @return them sorted and without repeats (a helper for callers building exposure maps)
     */
    public static List<String> sortedDistinct(Collection<String> values) {
        return List.copyOf(new TreeSet<>(values));
    }
}
