package io.cmkaudit.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
     * What one part of a sharded report gives the join ({@link Analyzer.ShardOutcome}).
     *
     * @param findings             the part's findings; never null
     * @param exposure             key ARN → finding type → ARNs of the part's principals a public key policy exposes
     * @param units                by finding id, the members of a fix made in a permission set (a fix of several
     *                             accounts, maybe of several shards)
     * @param permissionSetMembers by the id of a finding merged per IAM Identity Center permission set, its members
     * @param grouped              ids of members that were merged one per fix ({@link FindingGroups})
     */
    public record PartFindings(List<Finding> findings, Map<String, Map<FindingType, List<String>>> exposure,
                               Map<String, Unit> units, Map<String, List<Finding>> permissionSetMembers,
                               Set<String> grouped) {
        public PartFindings {
            findings = List.copyOf(findings);
            exposure = exposure == null ? Map.of() : exposure;
            units = units == null ? Map.of() : units;
            permissionSetMembers = permissionSetMembers == null ? Map.of() : permissionSetMembers;
            grouped = grouped == null ? Set.of() : grouped;
        }
    }

    /**
     * The members of a finding that is one fix made in an IAM Identity Center permission set (or the customer managed
     * policy it references), as one shard merged them ({@link FindingGroups}): enough to merge them again with the
     * members of other shards exactly as one analysis would.
     *
     * @param granteeSide whether the finding has no principal (the grantee's side of a start)
     * @param changes     the merged changes of the fix, as JSON ({@link #changeToJson})
     * @param members     the members, in the analysis's order
     */
    public record Unit(boolean granteeSide, List<ObjectNode> changes, List<Member> members) {
        public Unit {
            changes = List.copyOf(changes);
            members = List.copyOf(members);
        }
    }

    /**
     * One member of a {@link Unit}.
     *
     * @param account   its account
     * @param instances whether it lists instances
     * @param template  the name of its explanation's template ({@link Texts#templates()}), or null
     * @param reason    its reason (deciding statements, residual conditions), or empty
     * @param uncertain why its answer is uncertain (may be empty)
     * @param startNote residual conditions of starting the instances themselves, or null
     * @param evidence  its evidence
     */
    public record Member(Finding.Account account, boolean instances, String template, String reason,
                         List<String> uncertain, String startNote, List<String> evidence) {
        public Member {
            reason = reason == null ? "" : reason;
            uncertain = uncertain == null ? List.of() : List.copyOf(uncertain);
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
        }

        String accountId() {
            return account == null || account.id() == null ? "" : account.id();
        }
    }

    /**
     * Joins the findings of several parts (without the members that let fixes made in permission sets be merged
     * again: those are joined as a union and their remediation kept from the first part, with a warning).
     *
     * @param parts    the findings of each part, in part order; never null
     * @param exposure by part, what a public key policy exposes; same size and order as {@code parts}
     * @return the joined findings and the warnings
     * @throws IllegalArgumentException when the two lists differ in size
     */
    public static Result join(List<List<Finding>> parts, List<Map<String, Map<FindingType, List<String>>>> exposure) {
        if (parts.size() != exposure.size()) {
            throw new IllegalArgumentException("one exposure map per part: " + parts.size() + " parts, "
                    + exposure.size() + " maps");
        }
        List<PartFindings> p = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            p.add(new PartFindings(parts.get(i), exposure.get(i), null, null, null));
        }
        return joinParts(p);
    }

    /**
     * Joins the findings of several parts.
     *
     * @param parts the parts, in part order; never null
     * @return the joined findings and the warnings
     */
    public static Result joinParts(List<PartFindings> parts) {
        Map<String, Map<FindingType, Set<String>>> allExposure = new TreeMap<>();
        Map<String, List<Unit>> units = new LinkedHashMap<>();
        Set<String> grouped = new java.util.HashSet<>();
        Map<String, Map<String, List<Finding>>> psMembers = new LinkedHashMap<>();
        Map<String, List<Finding>> byId = new LinkedHashMap<>();
        Map<String, List<Integer>> partOf = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            PartFindings part = parts.get(i);
            part.exposure().forEach((key, by) -> by.forEach((t, ps) -> allExposure.computeIfAbsent(key,
                    k -> new EnumMap<>(FindingType.class)).computeIfAbsent(t, x -> new TreeSet<>()).addAll(ps)));
            part.units().forEach((id, u) -> units.computeIfAbsent(id, k -> new ArrayList<>()).add(u));
            grouped.addAll(part.grouped());
            part.permissionSetMembers().forEach((id, ms) -> ms.forEach(m -> psMembers.computeIfAbsent(id,
                    k -> new LinkedHashMap<>()).computeIfAbsent(m.findingId(), k -> new ArrayList<>()).add(m)));
            for (Finding f : part.findings()) {
                byId.computeIfAbsent(f.findingId(), k -> new ArrayList<>()).add(f);
                partOf.computeIfAbsent(f.findingId(), k -> new ArrayList<>()).add(i);
            }
        }
        // a part whose members of a permission set needed different fixes wrote them one by one (each naming the
        // permission set); where another part merged its members of that permission set, they are regrouped together
        Set<String> absorbed = new java.util.HashSet<>();
        byId.forEach((id, versions) -> {
            for (Finding f : versions) {
                if (f.permissionSet() == null || Finding.PERMISSION_SET_PRINCIPAL.equals(f.principalType())) {
                    continue;
                }
                String group = Finding.permissionSetGroupId(f.type(), f.permissionSetArn(), f.decidingLayers());
                Map<String, List<Finding>> ms = psMembers.get(group);
                if (ms != null && !group.equals(id)) {
                    ms.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
                    absorbed.add(id);
                    absorbed.add("regroup|" + group);
                }
            }
        });
        absorbed.forEach(id -> {
            if (!id.startsWith("regroup|")) {
                byId.remove(id);
            }
        });
        List<Finding> out = new ArrayList<>(byId.size());
        List<String> warnings = new ArrayList<>();
        byId.forEach((id, versions) -> {
            Map<String, List<Finding>> members = psMembers.get(id);
            List<Finding> joined;
            if (members != null && (distinct(versions).size() > 1 || absorbed.contains("regroup|" + id))) {
                joined = permissionSet(versions, members, units, grouped, warnings);
            } else {
                joined = List.of(one(versions, units.get(id), warnings));
            }
            for (Finding f : joined) {
                if (f.type() == FindingType.KEY_POLICY_PUBLIC && f.keyArn() != null) {
                    List<Integer> in = partOf.get(id);
                    f = publicExposure(f, versions.get(0), parts.get(in.get(0)).exposure(),
                            allExposure.get(f.keyArn()), warnings);
                }
                out.add(f);
            }
        });
        out.sort(Analyzer.ORDER);
        return new Result(out, warnings);
    }

    private static List<Finding> distinct(List<Finding> versions) {
        return new ArrayList<>(new LinkedHashSet<>(versions));
    }

    /** One id's versions joined: the same, merged again from its members, or their union. */
    private static Finding one(List<Finding> versions, List<Unit> units, List<String> warnings) {
        List<Finding> distinct = distinct(versions);
        if (distinct.size() == 1) {
            return distinct.get(0);
        }
        if (units != null && units.size() >= 2) {
            Finding f = unit(distinct, units, warnings);
            if (f != null) {
                return f;
            }
        }
        return union(distinct, warnings);
    }

    /**
     * A fix made in a permission set, merged again from the members of every shard as {@link FindingGroups} merges
     * them: the changes merged and the remediation rebuilt, the explanation rendered for the union.
     *
     * @return the finding, or null when a member's template is unknown (then the union is used)
     */
    private static Finding unit(List<Finding> versions, List<Unit> units, List<String> warnings) {
        List<Member> members = new ArrayList<>();
        units.forEach(u -> members.addAll(u.members()));
        members.sort(Comparator.comparing(Member::accountId));
        Member firstMember = members.stream().filter(Member::instances).findFirst().orElse(members.get(0));
        Texts.Template template = firstMember.template() == null ? null : Texts.templates().get(firstMember.template());
        if (template == null) {
            warnings.add("finding " + versions.get(0).findingId() + " (" + versions.get(0).type() + "): the template "
                    + "of its explanation is unknown (" + firstMember.template() + "); joined as a union");
            return null;
        }
        Finding base = union(versions, new ArrayList<>());
        List<Unit> ordered = new ArrayList<>(units);
        ordered.sort(Comparator.comparing(u -> u.members().stream().map(Member::accountId).min(String::compareTo)
                .orElse("")));
        List<Change> changes = null;
        for (Unit u : ordered) {
            List<Change> cs = u.changes().stream().map(FindingJoin::changeFromJson).toList();
            if (changes == null) {
                changes = new ArrayList<>(cs);
            } else {
                for (int i = 0; i < changes.size() && i < cs.size(); i++) {
                    changes.set(i, changes.get(i).merge(cs.get(i)));
                }
            }
        }
        List<Finding.Principal> principals = base.principals();
        List<Finding.Key> keys = base.keys();
        boolean granteeSide = units.get(0).granteeSide();
        Remediation rem = Remediator.build(FindingGroups.lead(base.type(), granteeSide, principals.size(), keys.size()),
                changes == null ? List.of() : changes);
        Set<String> evidence = new LinkedHashSet<>();
        Set<String> reasons = new LinkedHashSet<>();
        Set<String> uncertain = new LinkedHashSet<>();
        Set<String> notes = new LinkedHashSet<>();
        for (Member m : members) {
            evidence.addAll(m.evidence());
            if (!m.reason().isEmpty()) {
                reasons.add(m.reason());
            }
            uncertain.addAll(m.uncertain());
            if (m.startNote() != null) {
                notes.add(m.startNote());
            }
        }
        int instances = base.instances().size();
        Texts.Subjects subjects = new Texts.Subjects(principals.stream().map(Finding.Principal::arn).toList(),
                keys.stream().map(Finding.Key::arn).toList(), instances);
        String explanation = Texts.Why.render(template, subjects, List.copyOf(reasons), List.copyOf(uncertain),
                List.copyOf(notes));
        if (instances > 0 && !base.launchSources().isEmpty()) {
            explanation += LAUNCH_SUFFIX;
        }
        Finding.Details d = new Finding.Details(base.decidingLayers(), List.copyOf(evidence), explanation, rem.text(),
                rem.snippet());
        String account = firstMember.account() == null ? null : firstMember.account().id();
        List<Finding.Resource> resources = base.resources().stream()
                .map(r -> r.kind() == Finding.ResourceKind.PRINCIPAL || r.kind() == Finding.ResourceKind.KEY ? r
                        : r.relativeTo(base.accountId(), account)).toList();
        return new Finding(base.findingId(), base.type(), base.severity(), firstMember.account(), base.region(),
                resources, base.key(), base.principal(), d, base.permissionSet(), base.confirmed());
    }

    /**
     * A finding merged per IAM Identity Center permission set, merged again from the members of every shard as
     * {@link PermissionSetGroups} merges them; when the members need different fixes, each member on its own.
     */
    private static List<Finding> permissionSet(List<Finding> versions, Map<String, List<Finding>> memberVersions,
                                               Map<String, List<Unit>> units, Set<String> grouped,
                                               List<String> warnings) {
        List<Finding> members = new ArrayList<>();
        memberVersions.forEach((mid, vs) -> members.add(one(vs, units.get(mid), warnings)));
        // PermissionSetGroups sees the findings FindingGroups passed unchanged first, then the merged ones
        members.sort(Comparator.comparing((Finding m) -> grouped.contains(m.findingId()))
                .thenComparing(m -> firstAccount(m, units.get(m.findingId()))));
        List<Finding> withRefs = new ArrayList<>(versions);
        memberVersions.values().forEach(withRefs::addAll);
        Finding.PermissionSetRef all = permissionSetRef(withRefs);
        Finding first = members.get(0);
        boolean oneFix = members.stream().allMatch(f -> f.remediation().equals(first.remediation())
                && Objects.equals(f.remediationPolicy(), first.remediationPolicy()));
        if (!oneFix) {
            List<Finding> out = new ArrayList<>();
            for (Finding m : members) {
                out.add(m.withPermissionSet(refOf(all, m)));
            }
            return out;
        }
        Finding top = versions.get(0);
        Severity severity = first.severity();
        Map<String, Finding.Resource> resources = new LinkedHashMap<>();
        Set<String> regions = new TreeSet<>();
        Map<String, Finding.Key> keys = new TreeMap<>();
        Set<String> evidence = new LinkedHashSet<>();
        for (Finding f : members) {
            if (f.severity().compareTo(severity) < 0) {
                severity = f.severity();
            }
            f.resources().stream().filter(r -> r.kind() != Finding.ResourceKind.PRINCIPAL
                    && r.kind() != Finding.ResourceKind.KEY).forEach(r -> resources.putIfAbsent(r.kind() + "|"
                    + r.id(), r.relativeTo(f.accountId(), top.accountId())));
            regions.add(String.valueOf(f.region()));
            f.keys().forEach(k -> keys.putIfAbsent(k.arn(), k));
            evidence.addAll(f.evidence());
        }
        List<Finding.Resource> sorted = new ArrayList<>(resources.values());
        sorted.sort(Comparator.comparing(Finding.Resource::kind).thenComparing(Finding.Resource::region,
                Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(Finding.Resource::id));
        long instances = sorted.stream().filter(r -> r.kind() == Finding.ResourceKind.INSTANCE).count();
        if (keys.size() > 1) {
            keys.values().forEach(k -> sorted.add(Finding.Resource.key(k)));
        }
        String explanation = members.size() == 1 && all.accounts().size() <= 1 ? first.explanation()
                : "IAM Identity Center permission set `" + all.name() + "`, provisioned as role "
                + io.cmkaudit.snapshot.IdentityCenter.RESERVED_ROLE_PREFIX + all.name() + "_* to "
                + all.accounts().size() + " account(s) (" + String.join(", ", all.accountIds()) + "), has the same "
                + "problem on " + all.keyArns().size() + " key(s)" + (instances == 0 ? ""
                : " and " + instances + " instance(s)") + (members.size() == 1 ? ": "
                : "; in account " + first.accountId() + ": ") + first.explanation();
        Finding.Confirmed confirmed = versions.stream().map(Finding::confirmed).filter(Objects::nonNull).findFirst()
                .orElse(null);
        Finding.Details d = first.details();
        return List.of(new Finding(top.findingId(), top.type(), severity, top.account(),
                regions.size() == 1 && !regions.contains("null") ? regions.iterator().next() : null, sorted,
                keys.isEmpty() ? null : keys.values().iterator().next(), top.principal(),
                new Finding.Details(d.decidingLayers(), List.copyOf(evidence), explanation, d.remediation(),
                        d.remediationPolicy()), all, confirmed));
    }

    private static String firstAccount(Finding f, List<Unit> units) {
        if (units != null) {
            return units.stream().flatMap(u -> u.members().stream()).map(Member::accountId).min(String::compareTo)
                    .orElse("");
        }
        return f.accountId() == null ? "" : f.accountId();
    }

    /** The permission set reference of one member: the accounts, roles and keys it covers. */
    private static Finding.PermissionSetRef refOf(Finding.PermissionSetRef all, Finding m) {
        Set<String> roles = new TreeSet<>();
        Set<String> accounts = new TreeSet<>();
        for (Finding.Principal p : m.principals()) {
            if (all.roleArns().contains(p.arn())) {
                roles.add(p.arn());
                accounts.add(SnapshotIndex.accountOf(p.arn()));
            }
        }
        if (roles.isEmpty() && m.accountId() != null) {
            accounts.add(m.accountId());
        }
        Set<String> keys = new TreeSet<>();
        m.keys().forEach(k -> keys.add(k.arn()));
        return new Finding.PermissionSetRef(all.arn(), all.name(), all.instanceArn(),
                all.accounts().stream().filter(a -> accounts.contains(a.id())).toList(), List.copyOf(roles),
                List.copyOf(keys), all.assignments().stream().filter(a -> accounts.contains(a.accountId())).toList());
    }

    /** Re-renders a public key policy's exposure sentence with the principals of every part. */
    private static Finding publicExposure(Finding f, Finding written, Map<String, Map<FindingType, List<String>>> own,
                                          Map<FindingType, Set<String>> all, List<String> warnings) {
        // the part that wrote the finding wrote its own exposure at the end of the explanation
        String ownText = PublicKeyPolicyRule.exposureText(own.get(f.keyArn()));
        String text = written.explanation();
        if (!text.endsWith(ownText)) {
            warnings.add("finding " + f.findingId() + " (KEY_POLICY_PUBLIC): its explanation does not end with the "
                    + "part's exposure sentence; kept as written");
            return f;
        }
        String rebuilt = text.substring(0, text.length() - ownText.length()) + PublicKeyPolicyRule.exposureText(all);
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
            // each instance and launch source stays in its own account (Finding.Resource#accountId)
            for (Finding.Resource r : f.instances()) {
                instances.merge(r.id(), r.relativeTo(f.accountId(), first.accountId()), (a, b) -> {
                    if (b.volumeIds().stream().allMatch(a.volumeIds()::contains)) {
                        return a;
                    }
                    Set<String> v = new LinkedHashSet<>(a.volumeIds());
                    v.addAll(b.volumeIds());
                    return new Finding.Resource(a.kind(), a.id(), a.name(), a.region(), List.copyOf(v),
                            a.accountId());
                });
            }
            f.launchSources().forEach(r -> sources.putIfAbsent(r.kind() + "|" + r.id(),
                    r.relativeTo(f.accountId(), first.accountId())));
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
     * @param c a change to a permission set's inline policy or to a customer managed policy it references
     * @return the change as JSON
     * @throws IllegalArgumentException for another kind of change (not made across accounts)
     */
    static ObjectNode changeToJson(Change c) {
        ObjectNode n = PolicyJson.MAPPER.createObjectNode();
        if (c instanceof Change.PermissionSetInlineStatements p) {
            n.put("kind", "permissionSetInline");
            n.put("instanceArn", p.instanceArn());
            n.put("permissionSetArn", p.permissionSetArn());
            n.put("permissionSetName", p.permissionSetName());
            n.put("currentInline", p.currentInline());
            p.statements().forEach(n.putArray("statements")::add);
            p.provisionedAccounts().forEach(n.putArray("provisionedAccounts")::add);
        } else if (c instanceof Change.ReferencedPolicyStatements r) {
            n.put("kind", "referencedPolicy");
            n.put("permissionSetArn", r.permissionSetArn());
            n.put("permissionSetName", r.permissionSetName());
            n.put("partition", r.partition());
            n.put("referenceName", r.reference().name());
            n.put("referencePath", r.reference().path());
            n.put("boundary", r.boundary());
            r.statements().forEach(n.putArray("statements")::add);
            r.accounts().forEach(n.putArray("accounts")::add);
        } else {
            throw new IllegalArgumentException("not a change made in a permission set: " + c.editTarget());
        }
        return n;
    }

    /**
     * @param n JSON written by {@link #changeToJson}
     * @return the change
     * @throws IllegalArgumentException when {@code n} is not such a change
     */
    static Change changeFromJson(JsonNode n) {
        List<ObjectNode> statements = new ArrayList<>();
        n.path("statements").forEach(s -> {
            if (!s.isObject()) {
                throw new IllegalArgumentException("a statement must be a JSON object");
            }
            statements.add((ObjectNode) s);
        });
        List<String> accounts = new ArrayList<>();
        switch (n.path("kind").asText()) {
            case "permissionSetInline" -> {
                n.path("provisionedAccounts").forEach(a -> accounts.add(a.asText()));
                return new Change.PermissionSetInlineStatements(text(n, "instanceArn"), text(n, "permissionSetArn"),
                        text(n, "permissionSetName"), text(n, "currentInline"), statements, accounts);
            }
            case "referencedPolicy" -> {
                n.path("accounts").forEach(a -> accounts.add(a.asText()));
                return new Change.ReferencedPolicyStatements(text(n, "permissionSetArn"), text(n, "permissionSetName"),
                        text(n, "partition"), new io.cmkaudit.snapshot.CustomerManagedPolicyReference(
                        text(n, "referenceName"), text(n, "referencePath")), n.path("boundary").asBoolean(),
                        statements, accounts);
            }
            default -> throw new IllegalArgumentException("unknown change kind `" + n.path("kind").asText() + "`");
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /**
     * @param u a unit
     * @return it as JSON (the {@code units} of a findings part)
     */
    public static ObjectNode unitToJson(Unit u) {
        ObjectNode n = PolicyJson.MAPPER.createObjectNode();
        n.put("granteeSide", u.granteeSide());
        u.changes().forEach(n.putArray("changes")::add);
        com.fasterxml.jackson.databind.node.ArrayNode ms = n.putArray("members");
        for (Member m : u.members()) {
            ObjectNode o = ms.addObject();
            o.put("accountId", m.account() == null ? null : m.account().id());
            o.put("accountName", m.account() == null ? null : m.account().name());
            o.put("ouPath", m.account() == null ? null : m.account().ouPath());
            o.put("instances", m.instances());
            o.put("template", m.template());
            o.put("reason", m.reason());
            m.uncertain().forEach(o.putArray("uncertain")::add);
            o.put("startNote", m.startNote());
            m.evidence().forEach(o.putArray("evidence")::add);
        }
        return n;
    }

    /**
     * @param n JSON written by {@link #unitToJson}
     * @return the unit
     * @throws IllegalArgumentException when {@code n} is not a unit (its changes are checked too)
     */
    public static Unit unitFromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a unit must be a JSON object");
        }
        List<ObjectNode> changes = new ArrayList<>();
        for (JsonNode c : n.path("changes")) {
            changeFromJson(c);
            changes.add((ObjectNode) c);
        }
        List<Member> members = new ArrayList<>();
        for (JsonNode m : n.path("members")) {
            List<String> uncertain = new ArrayList<>();
            m.path("uncertain").forEach(x -> uncertain.add(x.asText()));
            List<String> evidence = new ArrayList<>();
            m.path("evidence").forEach(x -> evidence.add(x.asText()));
            members.add(new Member(new Finding.Account(text(m, "accountId"), text(m, "accountName"), text(m, "ouPath")),
                    m.path("instances").asBoolean(), text(m, "template"), text(m, "reason"), uncertain,
                    text(m, "startNote"), evidence));
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a unit lists its members");
        }
        return new Unit(n.path("granteeSide").asBoolean(), changes, members);
    }

    /**
     * @param values any strings
     * @return them sorted and without repeats (a helper for callers building exposure maps)
     */
    public static List<String> sortedDistinct(Collection<String> values) {
        return List.copyOf(new TreeSet<>(values));
    }
}
