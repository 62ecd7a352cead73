package io.cmkaudit.analysis;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.EbsVolume;
import io.cmkaudit.snapshot.Ec2Instance;
import io.cmkaudit.snapshot.IamGroup;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IamUser;
import io.cmkaudit.snapshot.InlinePolicy;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.ManagedPolicy;
import io.cmkaudit.snapshot.OrgAccount;
import io.cmkaudit.snapshot.OrgPolicy;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.OrganizationalUnit;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.VolumeAttachment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Lookups over one snapshot, built once: accounts, keys, managed policies, principals with the sources of their
 * policies, in-scope classification of every instance, and the SCP / RCP levels of every account. Immutable after
 * construction and safe to share between threads.
 */
final class SnapshotIndex {

    /** The EBS scope of an instance (findings.md, "Scope of the join"). */
    enum Scope {
        /** At least one attached volume uses a customer managed key (or a key of another account): joined. */
        CMK,
        /** Encrypted volumes, all with AWS managed keys ({@code aws/ebs}): counted only. */
        AWS_MANAGED_ONLY,
        /** No encrypted volume: counted only. */
        UNENCRYPTED
    }

    /** How far a key referenced by a volume can be judged. */
    enum KeyStatus {
        /** Collected, state {@code Enabled}, key policy readable. */
        USABLE,
        /** Collected and in a state other than {@code Enabled}: every start fails. */
        UNUSABLE,
        /** The key does not exist (the collector got NotFound, or the volume's key id resolves to nothing). */
        MISSING,
        /** Not collected or unreadable (access denied, account outside the organization, policy unreadable). */
        UNKNOWN
    }

    /**
     * One key as referenced by volumes.
     *
     * @param arn        key ARN (or the volume's raw key id when it never resolved to an ARN)
     * @param accountId  owning account, from the ARN (null when the reference is not an ARN)
     * @param region     region, from the ARN (null when not an ARN)
     * @param key        the collected key, or null
     * @param awsManaged whether it is an AWS managed key
     * @param status     how far it can be judged
     */
    record KeyRef(String arn, String accountId, String region, KmsKey key, boolean awsManaged, KeyStatus status) {
        /** @return the state to report: the key state, {@code NotFound}, or null when unknown */
        String reportedState() {
            if (status == KeyStatus.MISSING) {
                return "NotFound";
            }
            return key == null ? null : key.keyState();
        }
    }

    /**
     * A key used by an instance and the volumes that use it.
     *
     * @param key       the key
     * @param volumeIds volume ids, sorted
     */
    record KeyUse(KeyRef key, List<String> volumeIds) {
    }

    /**
     * One instance with its scope and its keys.
     *
     * @param accountId instance account
     * @param region    region
     * @param instance  the instance
     * @param scope     EBS scope
     * @param cmks      keys that are not AWS managed, sorted by ARN (empty unless scope is CMK)
     */
    record InstanceRef(String accountId, String region, Ec2Instance instance, Scope scope, List<KeyUse> cmks) {
    }

    /**
     * The EBS default key of one account and region where EBS encryption by default is on
     * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsDefaultKmsKeyId.html).
     *
     * @param accountId the account whose default it is
     * @param region    the region
     * @param rawId     {@code GetEbsDefaultKmsKeyId} as returned (key ARN, alias ARN, alias name or key id)
     * @param key       the key it names, judged like a volume's key (status UNKNOWN when it never resolved)
     */
    record EbsDefault(String accountId, String region, String rawId, KeyRef key) {
    }

    /** Kind of principal, with the names used in findings' {@code principal_type}. */
    enum PrincipalKind {
        USER("user"), ROLE("role"), SERVICE_LINKED_ROLE("service-linked-role");

        final String label;

        PrincipalKind(String label) {
            this.label = label;
        }
    }

    /**
     * An IAM user or role with the sources of its identity policies.
     *
     * @param accountId       account
     * @param arn             ARN
     * @param name            user or role name
     * @param uniqueId        AIDA... / AROA...
     * @param kind            user, role or service-linked role
     * @param tags            the principal's tags
     * @param identity        inline + attached policies, and for users each group's inline + attached ones
     * @param boundary        permissions boundary, or null
     * @param missingPolicies ARNs of attached policies (or the boundary) whose document is not in the snapshot
     * @param holders         for each identity policy name: the user, group or role it is attached to (for a user,
     *                        the user itself or one of its groups)
     */
    record PrincipalRef(String accountId, String arn, String name, String uniqueId, PrincipalKind kind,
                        Map<String, String> tags, List<PolicySource> identity, PolicySource boundary,
                        List<String> missingPolicies, Map<String, String> holders) {
    }

    final Snapshot snapshot;
    final Organization org;
    private final Map<String, AccountSnapshot> accounts = new LinkedHashMap<>();
    private final Map<String, OrgAccount> orgAccounts = new HashMap<>();
    private final Map<String, OrganizationalUnit> ous = new HashMap<>();
    private final Map<String, KmsKey> keys = new HashMap<>();
    private final Map<String, ManagedPolicy> managedPolicies = new HashMap<>();
    private final List<InstanceRef> instances = new ArrayList<>();
    private final Map<String, List<InstanceRef>> instancesByAccount = new TreeMap<>();
    private final Map<String, List<PrincipalRef>> principalsByAccount = new TreeMap<>();
    private final Map<String, PrincipalRef> principalsByArn = new HashMap<>();
    private final Map<String, List<List<PolicySource>>> scpLevels = new HashMap<>();
    private final Map<String, List<List<PolicySource>>> rcpLevels = new HashMap<>();
    private final Map<String, KeyRef> keyRefs = new TreeMap<>();
    private final Set<String> keysInScope;
    private final List<EbsDefault> ebsDefaults = new ArrayList<>();
    private final Map<String, String> orgPaths = new java.util.concurrent.ConcurrentHashMap<>();

    /** @return the snapshot's partition ({@link Partition#of(Snapshot)}), e.g. {@code aws-us-gov} */
    String partition() {
        return partition;
    }

    private final String partition;

    SnapshotIndex(Snapshot snapshot) {
        this.snapshot = snapshot;
        this.partition = Partition.of(snapshot);
        this.org = snapshot.organization();
        for (OrgAccount a : org.accounts()) {
            orgAccounts.put(a.id(), a);
        }
        for (OrganizationalUnit ou : org.organizationalUnits()) {
            ous.put(ou.id(), ou);
        }
        managedPolicies.putAll(snapshot.awsManagedPolicies());
        for (AccountSnapshot a : snapshot.accounts()) {
            accounts.put(a.accountId(), a);
            for (ManagedPolicy p : a.iam().customerManagedPolicies()) {
                managedPolicies.put(p.arn(), p);
            }
            for (RegionSnapshot r : a.regions()) {
                for (KmsKey k : r.kmsKeys()) {
                    keys.put(k.arn(), k);
                }
            }
        }
        for (AccountSnapshot a : snapshot.accounts()) {
            indexInstances(a);
            indexPrincipals(a);
        }
        Set<String> inScope = new TreeSet<>();
        for (InstanceRef i : instances) {
            i.cmks().forEach(u -> inScope.add(u.key().arn()));
        }
        keysInScope = Collections.unmodifiableSet(inScope);
        indexLaunchKeys();
        for (AccountSnapshot a : snapshot.accounts()) {
            for (RegionSnapshot r : a.regions()) {
                if (Boolean.TRUE.equals(r.ebsEncryptionByDefault()) && r.ebsDefaultKmsKeyId() != null) {
                    String raw = r.ebsDefaultKmsKeyId();
                    String ref = r.ebsDefaultKmsKeyArn() != null ? r.ebsDefaultKmsKeyArn() : raw;
                    KeyRef known = keyRefs.get(ref);
                    ebsDefaults.add(new EbsDefault(a.accountId(), r.region(), raw,
                            known != null ? known : buildKeyRef(ref, raw)));
                }
            }
        }
        for (String accountId : accounts.keySet()) {
            scpLevels.put(accountId, levels(accountId, Organization.SCP));
            rcpLevels.put(accountId, levels(accountId, Organization.RCP));
        }
    }

    // ---------------------------------------------------------------- instances

    private void indexInstances(AccountSnapshot a) {
        List<InstanceRef> list = new ArrayList<>();
        for (RegionSnapshot r : a.regions()) {
            Map<String, EbsVolume> volumes = new HashMap<>();
            Map<String, List<EbsVolume>> byInstance = new HashMap<>();
            for (EbsVolume v : r.volumes()) {
                volumes.put(v.volumeId(), v);
                for (VolumeAttachment att : v.attachments()) {
                    byInstance.computeIfAbsent(att.instanceId(), k -> new ArrayList<>()).add(v);
                }
            }
            for (Ec2Instance i : r.instances()) {
                Map<String, EbsVolume> mine = new TreeMap<>();
                i.blockDeviceMappings().forEach(b -> {
                    EbsVolume v = volumes.get(b.volumeId());
                    if (v != null) {
                        mine.put(v.volumeId(), v);
                    }
                });
                byInstance.getOrDefault(i.instanceId(), List.of()).forEach(v -> mine.put(v.volumeId(), v));
                list.add(classify(a.accountId(), r.region(), i, mine.values()));
            }
        }
        list.sort((x, y) -> {
            int c = x.region().compareTo(y.region());
            return c != 0 ? c : x.instance().instanceId().compareTo(y.instance().instanceId());
        });
        instances.addAll(list);
        instancesByAccount.put(a.accountId(), List.copyOf(list));
    }

    private InstanceRef classify(String accountId, String region, Ec2Instance i, Iterable<EbsVolume> volumes) {
        Map<String, List<String>> cmkVolumes = new TreeMap<>();
        boolean encrypted = false;
        for (EbsVolume v : volumes) {
            if (!v.encrypted()) {
                continue;
            }
            encrypted = true;
            KeyRef ref = keyRef(v.kmsKeyArn() != null ? v.kmsKeyArn() : v.kmsKeyId(), v.kmsKeyId(), accountId, region);
            if (ref.awsManaged()) {
                // AWS managed keys (aws/ebs) can't be shared across accounts: never in the join
                continue;
            }
            cmkVolumes.computeIfAbsent(ref.arn(), k -> new ArrayList<>()).add(v.volumeId());
        }
        if (cmkVolumes.isEmpty()) {
            return new InstanceRef(accountId, region, i, encrypted ? Scope.AWS_MANAGED_ONLY : Scope.UNENCRYPTED,
                    List.of());
        }
        if (gone(i)) {
            // terminated and shutting-down instances will never start again: counted, not joined (issue 10 item 5)
            return new InstanceRef(accountId, region, i, Scope.CMK, List.of());
        }
        List<KeyUse> uses = new ArrayList<>();
        cmkVolumes.forEach((arn, vols) -> {
            Collections.sort(vols);
            uses.add(new KeyUse(keyRefs.get(arn), List.copyOf(vols)));
        });
        return new InstanceRef(accountId, region, i, Scope.CMK, List.copyOf(uses));
    }

    /** @return whether the instance is terminated or shutting down (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html) */
    static boolean gone(Ec2Instance i) {
        return "terminated".equals(i.state()) || "shutting-down".equals(i.state());
    }

    private KeyRef keyRef(String ref, String rawId, String volumeAccount, String volumeRegion) {
        if (ref == null) {
            ref = "unknown-key";
        }
        KeyRef known = keyRefs.get(ref);
        if (known != null) {
            return known;
        }
        KeyRef r = buildKeyRef(ref, rawId);
        keyRefs.put(ref, r);
        return r;
    }

    /** Judges the key named {@code ref} (an ARN, or the raw id when it never resolved) without caching it. */
    private KeyRef buildKeyRef(String ref, String rawId) {
        KmsKey k = keys.get(ref);
        String account = null;
        String region = null;
        if (ref.startsWith("arn:")) {
            String[] p = ref.split(":", 6);
            if (p.length == 6) {
                region = p[3];
                account = p[4];
            }
        }
        boolean awsManaged = (rawId != null && (rawId.startsWith("alias/aws/") || rawId.contains(":alias/aws/")))
                || (k != null && ("AWS".equals(k.keyManager())
                        || k.aliases().stream().anyMatch(al -> al.startsWith("alias/aws/"))));
        KeyStatus status;
        if (k == null) {
            status = KeyStatus.UNKNOWN;
        } else if (k.keyState() == null) {
            status = k.readError() != null && k.readError().code().startsWith("NotFound")
                    ? KeyStatus.MISSING : KeyStatus.UNKNOWN;
        } else if (!"Enabled".equals(k.keyState())) {
            status = KeyStatus.UNUSABLE;
        } else {
            status = k.keyPolicy() == null ? KeyStatus.UNKNOWN : KeyStatus.USABLE;
        }
        return new KeyRef(ref, account, region, k, awsManaged, status);
    }

    /**
     * Adds the keys launches would use to {@link #keyRefs()} (not to {@link #keysInScope()}): the keys launch
     * templates and Spot Fleet specifications name, the keys of AMI snapshots, and every region's EBS default key,
     * so that their policies are parsed with the others (launch-paths.md §3).
     */
    private void indexLaunchKeys() {
        for (AccountSnapshot a : snapshot.accounts()) {
            for (RegionSnapshot r : a.regions()) {
                if (r.ebsDefaultKmsKeyId() != null) {
                    launchKey(r.ebsDefaultKmsKeyArn(), r.ebsDefaultKmsKeyId());
                }
                r.ebsSnapshots().forEach(s -> launchKey(s.kmsKeyArn(), s.kmsKeyId()));
                r.launch().launchTemplateVersions().forEach(v -> v.blockDeviceMappings()
                        .forEach(b -> launchKey(b.kmsKeyArn(), b.kmsKeyId())));
                r.launch().spotFleetRequests().forEach(f -> f.launchSpecifications().forEach(l -> l
                        .blockDeviceMappings().forEach(b -> launchKey(b.kmsKeyArn(), b.kmsKeyId()))));
            }
        }
    }

    private void launchKey(String arn, String rawId) {
        if (arn == null && rawId == null) {
            return;
        }
        String ref = arn != null ? arn : rawId;
        if (!keyRefs.containsKey(ref)) {
            keyRefs.put(ref, buildKeyRef(ref, rawId));
        }
    }

    /**
     * @param arn   the key ARN a launch source or default resolved to, or null
     * @param rawId the id as given (key id, alias, ARN), or null
     * @return the key, judged like a volume's key; null when both are null
     */
    KeyRef launchKeyRef(String arn, String rawId) {
        if (arn == null && rawId == null) {
            return null;
        }
        String ref = arn != null ? arn : rawId;
        KeyRef k = keyRefs.get(ref);
        return k != null ? k : buildKeyRef(ref, rawId);
    }

    // ---------------------------------------------------------------- principals

    private void indexPrincipals(AccountSnapshot a) {
        List<PrincipalRef> list = new ArrayList<>();
        Map<String, IamGroup> groups = new HashMap<>();
        for (IamGroup g : a.iam().groups()) {
            groups.put(g.name(), g);
        }
        for (IamUser u : a.iam().users()) {
            List<PolicySource> ids = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (InlinePolicy p : u.inlinePolicies()) {
                ids.add(new PolicySource(PolicySource.inlineName(u.arn(), p.name()), PolicySource.Origin.USER_INLINE,
                        a.accountId(), u.arn(), p.name(), p.document()));
            }
            Map<String, String> holders = new HashMap<>();
            ids.forEach(x -> holders.put(x.name(), u.arn()));
            attached(u.attachedManagedPolicyArns(), ids, missing);
            ids.forEach(x -> holders.putIfAbsent(x.name(), u.arn()));
            for (String gName : u.groups()) {
                IamGroup g = groups.get(gName);
                if (g == null) {
                    missing.add("arn:" + Partition.ofArn(u.arn()) + ":iam::" + a.accountId() + ":group/" + gName);
                    continue;
                }
                for (InlinePolicy p : g.inlinePolicies()) {
                    ids.add(new PolicySource(PolicySource.inlineName(g.arn(), p.name()),
                            PolicySource.Origin.GROUP_INLINE, a.accountId(), g.arn(), p.name(), p.document()));
                }
                attached(g.attachedManagedPolicyArns(), ids, missing);
                ids.forEach(x -> holders.putIfAbsent(x.name(), g.arn()));
            }
            PolicySource boundary = boundary(u.permissionsBoundaryArn(), missing);
            list.add(new PrincipalRef(a.accountId(), u.arn(), u.name(), u.id(), PrincipalKind.USER, u.tags(),
                    dedupe(ids), boundary, List.copyOf(missing), Map.copyOf(holders)));
        }
        for (IamRole r : a.iam().roles()) {
            List<PolicySource> ids = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (InlinePolicy p : r.inlinePolicies()) {
                ids.add(new PolicySource(PolicySource.inlineName(r.arn(), p.name()), PolicySource.Origin.ROLE_INLINE,
                        a.accountId(), r.arn(), p.name(), p.document()));
            }
            attached(r.attachedManagedPolicyArns(), ids, missing);
            Map<String, String> holders = new HashMap<>();
            ids.forEach(x -> holders.put(x.name(), r.arn()));
            PolicySource boundary = boundary(r.permissionsBoundaryArn(), missing);
            boolean slr = r.serviceLinked() || IamRole.isServiceLinkedPath(r.path());
            list.add(new PrincipalRef(a.accountId(), r.arn(), r.name(), r.id(),
                    slr ? PrincipalKind.SERVICE_LINKED_ROLE : PrincipalKind.ROLE, r.tags(), dedupe(ids), boundary,
                    List.copyOf(missing), Map.copyOf(holders)));
        }
        list.sort((x, y) -> x.arn().compareTo(y.arn()));
        principalsByAccount.put(a.accountId(), List.copyOf(list));
        list.forEach(p -> principalsByArn.put(p.arn(), p));
    }

    private static List<PolicySource> dedupe(List<PolicySource> in) {
        Map<String, PolicySource> m = new LinkedHashMap<>();
        in.forEach(p -> m.putIfAbsent(p.name(), p));
        return List.copyOf(m.values());
    }

    private void attached(List<String> arns, List<PolicySource> out, List<String> missing) {
        for (String arn : arns) {
            PolicySource s = managed(arn);
            if (s == null) {
                missing.add(arn);
            } else {
                out.add(s);
            }
        }
    }

    private PolicySource boundary(String arn, List<String> missing) {
        if (arn == null) {
            return null;
        }
        PolicySource s = managed(arn);
        if (s == null) {
            missing.add(arn);
        }
        return s;
    }

    /**
     * @param arn managed policy ARN
     * @return its source, or null when its document is not in the snapshot
     */
    PolicySource managed(String arn) {
        ManagedPolicy p = managedPolicies.get(arn);
        if (p == null) {
            return null;
        }
        boolean aws = p.awsManaged();
        return new PolicySource(arn, aws ? PolicySource.Origin.AWS_MANAGED : PolicySource.Origin.CUSTOMER_MANAGED,
                aws ? null : accountOf(arn), arn, p.name(), p.document());
    }

    // ---------------------------------------------------------------- organization policies

    private List<List<PolicySource>> levels(String accountId, String type) {
        if (!org.readable() || !org.enabledPolicyTypes().contains(type)) {
            return List.of();
        }
        if (accountId.equals(org.managementAccountId())) {
            return List.of();
        }
        List<String> chain = targetChain(accountId);
        List<OrgPolicy> all = type.equals(Organization.SCP) ? org.serviceControlPolicies()
                : org.resourceControlPolicies();
        String kind = type.equals(Organization.SCP) ? "SCP" : "RCP";
        List<List<PolicySource>> levels = new ArrayList<>();
        for (String target : chain) {
            List<PolicySource> level = new ArrayList<>();
            for (OrgPolicy p : all) {
                if (p.targetIds().contains(target)) {
                    level.add(new PolicySource(PolicySource.orgPolicyName(kind, p.name(), p.id()),
                            kind.equals("SCP") ? PolicySource.Origin.SCP : PolicySource.Origin.RCP, null, p.id(),
                            p.name(), p.document()));
                }
            }
            levels.add(List.copyOf(level));
        }
        return List.copyOf(levels);
    }

    /** Root → OUs → account, or empty when the account's place in the tree is unknown. */
    List<String> targetChain(String accountId) {
        OrgAccount acc = orgAccounts.get(accountId);
        if (acc == null || acc.parentId() == null || org.rootId() == null) {
            return List.of();
        }
        List<String> chain = new ArrayList<>();
        chain.add(accountId);
        String parent = acc.parentId();
        int guard = 0;
        while (parent != null && !parent.equals(org.rootId()) && guard++ < 1000) {
            chain.add(parent);
            OrganizationalUnit ou = ous.get(parent);
            parent = ou == null ? null : ou.parentId();
        }
        if (parent == null) {
            return List.of();
        }
        chain.add(org.rootId());
        Collections.reverse(chain);
        return List.copyOf(chain);
    }

    /**
     * @param accountId account
     * @return the value of {@code aws:PrincipalOrgPaths} / {@code aws:ResourceOrgPaths} for it
     *         ({@code o-id/r-id/ou-1/.../}), or null when unknown
     */
    String orgPath(String accountId) {
        String cached = orgPaths.get(accountId);
        if (cached != null) {
            return cached.isEmpty() ? null : cached;
        }
        String p = computeOrgPath(accountId);
        orgPaths.put(accountId, p == null ? "" : p);
        return p;
    }

    private String computeOrgPath(String accountId) {
        List<String> chain = targetChain(accountId);
        if (chain.isEmpty() || org.id() == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(org.id()).append('/');
        for (int i = 0; i < chain.size() - 1; i++) {
            sb.append(chain.get(i)).append('/');
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- accessors

    /** @return whether the account is a member of the organization (the organization was read and lists it) */
    boolean inOrganization(String accountId) {
        return org.readable() && orgAccounts.containsKey(accountId);
    }

    boolean isManagementAccount(String accountId) {
        return accountId != null && accountId.equals(org.managementAccountId());
    }

    /** @return SCP levels (root → OUs → account) applying to principals of the account; empty for none */
    List<List<PolicySource>> scpLevels(String accountId) {
        return scpLevels.getOrDefault(accountId, List.of());
    }

    /** @return RCP levels applying to resources of the account; empty for none */
    List<List<PolicySource>> rcpLevels(String accountId) {
        if (accountId == null) {
            return List.of();
        }
        List<List<PolicySource>> l = rcpLevels.get(accountId);
        return l != null ? l : levels(accountId, Organization.RCP);
    }

    Map<String, AccountSnapshot> accounts() {
        return accounts;
    }

    AccountSnapshot account(String id) {
        return accounts.get(id);
    }

    OrgAccount orgAccount(String id) {
        return orgAccounts.get(id);
    }

    String accountName(String id) {
        OrgAccount o = orgAccounts.get(id);
        if (o != null && o.name() != null) {
            return o.name();
        }
        AccountSnapshot a = accounts.get(id);
        return a == null ? null : a.name();
    }

    String ouPath(String id) {
        OrgAccount o = orgAccounts.get(id);
        return o == null ? null : o.ouPath();
    }

    List<InstanceRef> instances() {
        return instances;
    }

    List<InstanceRef> instances(String accountId) {
        return instancesByAccount.getOrDefault(accountId, List.of());
    }

    List<PrincipalRef> principals(String accountId) {
        return principalsByAccount.getOrDefault(accountId, List.of());
    }

    Map<String, List<PrincipalRef>> principalsByAccount() {
        return principalsByAccount;
    }

    PrincipalRef principal(String arn) {
        return principalsByArn.get(arn);
    }

    KmsKey key(String arn) {
        return keys.get(arn);
    }

    /** @return every key referenced by a volume, by ARN (sorted) */
    Map<String, KeyRef> keyRefs() {
        return keyRefs;
    }

    /**
     * @return the EBS default keys of every account and region with encryption by default on and a readable
     *         default key id, in snapshot order (accounts, then regions)
     */
    List<EbsDefault> ebsDefaults() {
        return Collections.unmodifiableList(ebsDefaults);
    }

    /** @return the ARNs of customer managed keys used by in-scope instances, sorted */
    Set<String> keysInScope() {
        return keysInScope;
    }

    static String accountOf(String arn) {
        String[] p = arn.split(":", 6);
        return p.length == 6 && !p[4].isEmpty() ? p[4] : null;
    }
}
