package io.cmkaudit.analysis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One finding of the analysis: one fix, and everything it affects. Reports wrap it with their own state (status,
 * change against a previous run, suppression: {@code io.cmkaudit.report.ReportedFinding}); the analysis finding has
 * none of that. Built through the factories by subject ({@link #instanceKey}, {@link #principalKey}, {@link #key},
 * {@link #accountRegion}, {@link #policy}), which also compute the stable id; the canonical constructor is for
 * readers of an earlier {@code findings.json}.
 *
 * @param findingId stable id across runs, see {@link #stableId}; 16 lowercase hex digits
 * @param type      finding type; never null
 * @param severity  severity; never null
 * @param account   the account the finding is about (the instance's, the principal's, or the key's); never null,
 *                  its fields may be null (a policy of an unknown account)
 * @param region    region, e.g. {@code eu-west-1}, or null for global findings (IAM policies)
 * @param resources the resources the finding affects, e.g. the instances whose start fails, and the principals and
 *                  keys when it lists several (one fix for all of them: {@link #principals()}, {@link #keys()});
 *                  may be empty (one principal's rights, a key policy); never null
 * @param key       the KMS key, the first of {@link #keys()} when the finding lists several; or null
 * @param principal the IAM principal, the first of {@link #principals()} when the finding lists several; or null
 *                  when the finding is not about principals
 * @param details   deciding layers, evidence, explanation and remediation; never null
 * @param permissionSet the IAM Identity Center permission set the finding's principal (an {@code AWSReservedSSO_*}
 *                  role) or drift comes from, with the accounts, roles and keys it covers and who is assigned to it;
 *                  null when the finding is not about a permission set
 * @param confirmed the failure AWS already recorded that this finding explains, or null (predicted only)
 */
public record Finding(String findingId, FindingType type, Severity severity, Account account, String region,
                      List<Resource> resources, Key key, Principal principal, Details details,
                      PermissionSetRef permissionSet, Confirmed confirmed) {

    /** A finding about no permission set that no recorded failure confirms. */
    public Finding(String findingId, FindingType type, Severity severity, Account account, String region,
                   List<Resource> resources, Key key, Principal principal, Details details) {
        this(findingId, type, severity, account, region, resources, key, principal, details, null, null);
    }

    /** A finding no recorded failure confirms. */
    public Finding(String findingId, FindingType type, Severity severity, Account account, String region,
                   List<Resource> resources, Key key, Principal principal, Details details,
                   PermissionSetRef permissionSet) {
        this(findingId, type, severity, account, region, resources, key, principal, details, permissionSet, null);
    }

    /** A finding about no permission set, confirmed by a recorded failure (or not, when {@code confirmed} is null). */
    public Finding(String findingId, FindingType type, Severity severity, Account account, String region,
                   List<Resource> resources, Key key, Principal principal, Details details, Confirmed confirmed) {
        this(findingId, type, severity, account, region, resources, key, principal, details, null, confirmed);
    }

    /**
     * @param c the recorded failure that confirms this finding, or null
     * @return a copy carrying it
     */
    public Finding withConfirmed(Confirmed c) {
        return new Finding(findingId, type, severity, account, region, resources, key, principal, details,
                permissionSet, c);
    }

    /** The {@link Principal#type()} of a finding merged across the accounts of a permission set. */
    public static final String PERMISSION_SET_PRINCIPAL = "permission-set";

    /**
     * The IAM Identity Center permission set behind a finding
     * (https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html).
     *
     * @param arn          the permission set ARN, e.g.
     *                     {@code arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef}; never null
     * @param name         its name, or null when it could not be described
     * @param instanceArn  the Identity Center instance holding it, or null
     * @param accounts     the accounts the finding covers (where its reserved roles are), sorted by id; never null
     * @param roleArns     the reserved roles ({@code AWSReservedSSO_<name>_<suffix>}) the finding covers, sorted;
     *                     never null
     * @param keyArns      the KMS keys the finding covers, sorted; never null
     * @param assignments  who gets the permission set in those accounts (groups and users), sorted by account, type,
     *                     name; never null
     */
    public record PermissionSetRef(String arn, String name, String instanceArn, List<Account> accounts,
                                   List<String> roleArns, List<String> keyArns, List<Assignment> assignments) {
        public PermissionSetRef {
            Objects.requireNonNull(arn, "arn");
            accounts = accounts == null ? List.of() : List.copyOf(accounts);
            roleArns = roleArns == null ? List.of() : List.copyOf(roleArns);
            keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
            assignments = assignments == null ? List.of() : List.copyOf(assignments);
        }

        /** @return the account ids of {@link #accounts()}, in order */
        public List<String> accountIds() {
            return accounts.stream().map(Account::id).toList();
        }
    }

    /**
     * One account assignment of a permission set
     * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AccountAssignment.html).
     *
     * @param accountId     the account; never null
     * @param principalType {@code GROUP} or {@code USER}; never null
     * @param principalId   the identity store id of the group or user; never null
     * @param principalName its display name (group) or user name from the identity store, or null when not readable
     */
    public record Assignment(String accountId, String principalType, String principalId, String principalName) {
        public Assignment {
            Objects.requireNonNull(accountId, "accountId");
            Objects.requireNonNull(principalType, "principalType");
            Objects.requireNonNull(principalId, "principalId");
        }

        /** @return e.g. {@code group Developers}, or {@code user 9067…} when the name is unknown */
        public String label() {
            return principalType.toLowerCase(java.util.Locale.ROOT) + " "
                    + (principalName != null ? principalName : principalId);
        }
    }

    /**
     * An account.
     *
     * @param id     12-digit account id, or null when unknown
     * @param name   the account's name in the organization, or null
     * @param ouPath OU path of the account, e.g. {@code Root/Workloads/Prod}, or null
     */
    public record Account(String id, String name, String ouPath) {
    }

    /**
     * A KMS key.
     *
     * @param arn       full key ARN; never null
     * @param accountId account owning the key, or null
     * @param state     KMS key state (Enabled, Disabled, PendingDeletion, ..., or NotFound), or null when unknown
     */
    public record Key(String arn, String accountId, String state) {
        public Key {
            Objects.requireNonNull(arn, "arn");
        }
    }

    /**
     * An IAM principal.
     *
     * @param arn  IAM user or role ARN (or a grantee ARN); never null
     * @param type {@code user}, {@code role}, {@code service-linked-role}, {@code account}, or null when unknown
     */
    public record Principal(String arn, String type) {
        public Principal {
            Objects.requireNonNull(arn, "arn");
        }
    }

    /** Kinds of affected resources. */
    public enum ResourceKind {
        /** An EC2 instance; {@link Resource#volumeIds()} are its volumes on the finding's key(s). */
        INSTANCE,
        /** An EC2 Auto Scaling group (id: its name), also the group behind an EKS managed node group. */
        AUTO_SCALING_GROUP,
        /** An EKS managed node group whose Auto Scaling group was not read (id: {@code cluster/nodegroup}). */
        EKS_NODE_GROUP,
        /** An EC2 Fleet of type maintain or request (id: {@code fleet-...}). */
        EC2_FLEET,
        /** A Spot Fleet request (id: {@code sfr-...}). */
        SPOT_FLEET,
        /** A launch template a principal launches from directly (id: {@code lt-...}, name: the template name). */
        LAUNCH_TEMPLATE,
        /**
         * One of several principals a finding lists (one fix for all of them, e.g. one key-policy statement naming
         * them); {@link Resource#name()} is its type ({@code user}, {@code role}, {@code service-linked-role}).
         */
        PRINCIPAL,
        /**
         * One of several KMS keys a finding lists (one fix for all of them, e.g. one identity statement on every
         * key); {@link Resource#name()} is its state as the reports show it.
         */
        KEY;

        /** @return whether resources of this kind are launch sources (groups, node groups, fleets, templates) */
        public boolean launchSource() {
            return this != INSTANCE && this != PRINCIPAL && this != KEY;
        }
    }

    /**
     * A resource a finding affects.
     *
     * @param kind      its kind; never null
     * @param id        its id, e.g. {@code i-0a1b2c3d4e5f60718}, or the ARN of a principal or key; never null
     * @param name      an instance's {@code Name} tag, a principal's type, a key's state; or null
     * @param region    its region; null for a principal
     * @param volumeIds EBS volume ids involved (may be empty)
     * @param accountId the 12-digit account an instance or launch source is in when that is not the finding's own
     *                  account (a finding that is one fix over several accounts, e.g. an IAM Identity Center
     *                  permission set's, lists the instances of each); null when it is the finding's account, and for
     *                  principals and keys (their ARNs name their account)
     */
    public record Resource(ResourceKind kind, String id, String name, String region, List<String> volumeIds,
                           String accountId) {
        public Resource {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
            volumeIds = volumeIds == null ? List.of() : List.copyOf(volumeIds);
        }

        /**
         * A resource in the finding's own account.
         *
         * @param kind      its kind; never null
         * @param id        its id; never null
         * @param name      its label, or null
         * @param region    its region, or null
         * @param volumeIds EBS volume ids involved (null = none)
         */
        public Resource(ResourceKind kind, String id, String name, String region, List<String> volumeIds) {
            this(kind, id, name, region, volumeIds, null);
        }

        /**
         * @param findingAccountId the account of the finding that lists this resource, or null
         * @return the account the resource is in: its own {@link #accountId()}, else the finding's
         */
        public String accountIdOr(String findingAccountId) {
            return accountId == null ? findingAccountId : accountId;
        }

        /**
         * Places the resource of one finding in the finding that merges it with others.
         *
         * @param memberAccountId the account of the finding it came from, or null
         * @param mergedAccountId the account of the merged finding, or null
         * @return this resource with its account set to where it is (null when that is the merged finding's)
         */
        public Resource relativeTo(String memberAccountId, String mergedAccountId) {
            String where = accountIdOr(memberAccountId);
            String own = where == null || where.equals(mergedAccountId) ? null : where;
            return Objects.equals(own, accountId) ? this : new Resource(kind, id, name, region, volumeIds, own);
        }

        /**
         * @param id        instance id
         * @param name      Name tag, or null
         * @param region    region
         * @param volumeIds its volumes on the finding's key
         * @return an instance resource
         */
        public static Resource instance(String id, String name, String region, List<String> volumeIds) {
            return new Resource(ResourceKind.INSTANCE, id, name, region, volumeIds);
        }

        /**
         * @param kind   a launch-source kind
         * @param id     its id (group name, {@code cluster/nodegroup}, fleet id, template id)
         * @param name   a label (node group of a group, template name), or null
         * @param region its region
         * @return a launch source
         */
        public static Resource launchSource(ResourceKind kind, String id, String name, String region) {
            return new Resource(kind, id, name, region, List.of());
        }

        /** @return {@code kind:id} with the kind in lower case, e.g. {@code auto_scaling_group:web} */
        public String label() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id + (name == null || kind == ResourceKind
                    .INSTANCE ? "" : " (" + name + ")");
        }

        /** @return a listed principal (its ARN and type) */
        public static Resource principal(Principal p) {
            return new Resource(ResourceKind.PRINCIPAL, p.arn(), p.type(), null, List.of());
        }

        /** @return a listed key (its ARN, state and region) */
        public static Resource key(Key k) {
            return new Resource(ResourceKind.KEY, k.arn(), k.state(), regionOf(k.arn()), List.of());
        }
    }

    /** @return the region part of an ARN, or null */
    static String regionOf(String arn) {
        String[] p = arn.split(":", 6);
        return p.length == 6 && !p[3].isEmpty() ? p[3] : null;
    }

    /**
     * A failure AWS already recorded that a finding explains (launch-paths.md §4): the finding is confirmed, not only
     * predicted.
     *
     * @param source  where it was recorded, e.g. {@code instance i-0abc StateReason} or
     *                {@code scaling activity 1234 of web}; never null
     * @param code    the error code, e.g. {@code Client.InvalidKMSKey.InvalidState}; never null
     * @param message AWS's message, or null
     * @param time    when it happened, or null when AWS gives no time
     */
    public record Confirmed(String source, String code, String message, java.time.Instant time) {
        public Confirmed {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(code, "code");
        }

        /** @return {@code code: message (time, source)}, the text of the CSV's {@code confirmed_event} */
        public String text() {
            return code + (message == null ? "" : ": " + message) + " (" + (time == null ? "" : time + ", ")
                    + source + ")";
        }
    }

    /**
     * What a finding says.
     *
     * @param decidingLayers    layers that decided, named as in {@code simulate}'s {@code decidedBy}: identity,
     *                          boundary, session, scp, rcp, resource, grant, keyState (may be empty)
     * @param evidence          policy name or ARN + statement Sid or index, e.g.
     *                          {@code arn:aws:iam::aws:policy/PowerUserAccess#0} (may be empty)
     * @param explanation       one-line explanation; never null
     * @param remediation       short remediation text; never null
     * @param remediationPolicy policy snippet as pretty-printed JSON that fixes exactly this finding, or null
     */
    public record Details(List<String> decidingLayers, List<String> evidence, String explanation,
                          String remediation, String remediationPolicy) {
        public Details {
            Objects.requireNonNull(explanation, "explanation");
            Objects.requireNonNull(remediation, "remediation");
            decidingLayers = decidingLayers == null ? List.of() : List.copyOf(decidingLayers);
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
        }

        static Details of(List<String> layers, List<String> evidence, String explanation, Remediation r) {
            return new Details(layers, evidence, explanation, r.text(), r.snippet());
        }
    }

    public Finding {
        Objects.requireNonNull(findingId, "findingId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(details, "details");
        resources = resources == null ? List.of() : List.copyOf(resources);
    }

    // ------------------------------------------------------------------ factories by subject

    /**
     * A finding about one instance and one of its keys (start findings), optionally for one principal.
     *
     * @param principal the principal whose start fails, or null when the finding holds whoever starts the instance
     */
    static Finding instanceKey(FindingType type, Severity severity, Account account, Resource instance, Key key,
                               Principal principal, Details details) {
        String id = stableId(type, account.id(), instance.region(), instance.id(),
                principal == null ? null : principal.arn(), key.arn());
        return new Finding(id, type, severity, account, instance.region(), List.of(instance), key, principal,
                details);
    }

    /**
     * A finding about a principal's rights, on one key or (key null) on every key.
     *
     * @param region the key's region, or null
     */
    static Finding principalKey(FindingType type, Severity severity, Account account, String region,
                                Principal principal, Key key, Details details) {
        String id = stableId(type, account.id(), region, null, principal.arn(), key == null ? null : key.arn());
        return new Finding(id, type, severity, account, region, List.of(), key, principal, details);
    }

    /** A finding about a key itself (its policy), in the key's account and region. */
    static Finding key(FindingType type, Severity severity, Account account, String region, Key key,
                       Details details) {
        String id = stableId(type, account.id(), region, null, null, key.arn());
        return new Finding(id, type, severity, account, region, List.of(), key, null, details);
    }

    /** A finding about a setting of an account in a region (the EBS default key), optionally naming a key. */
    static Finding accountRegion(FindingType type, Severity severity, Account account, String region, Key key,
                                 Details details) {
        String id = stableId(type, account.id(), region, null, null, key == null ? null : key.arn());
        return new Finding(id, type, severity, account, region, List.of(), key, null, details);
    }

    /**
     * A finding about one policy document, named by its unique policy name.
     *
     * @param principal the principal owning the (inline) policy, or null
     * @param key       the key whose key policy it is, or null
     */
    static Finding policy(FindingType type, Severity severity, Account account, String region, String policyName,
                          Principal principal, Key key, Details details) {
        String id = stableId(type, account.id(), region, null, policyName, key == null ? null : key.arn());
        return new Finding(id, type, severity, account, region, List.of(), key, principal, details);
    }

    /**
     * The stable finding id: the first 16 hex digits of SHA-256 over type, account, region, instance, principal and
     * key (null parts as empty strings), so the same problem keeps its id across runs.
     *
     * @return 16 lowercase hex digits
     */
    public static String stableId(FindingType type, String accountId, String region, String instanceId,
                                  String principalArn, String keyArn) {
        return hash(String.join("|", type.name(), n(accountId), n(region), n(instanceId), n(principalArn),
                n(keyArn)));
    }

    /**
     * The stable id of a grouped finding (one per fix): the first 16 hex digits of SHA-256 over type, account,
     * principal, key and cause (the sorted deciding layers joined with {@code ;}); null parts as empty strings. It
     * does not depend on the affected instances, so a finding keeps its id when instances come and go.
     *
     * @return 16 lowercase hex digits
     */
    public static String groupId(FindingType type, String accountId, String principalArn, String keyArn,
                                 List<String> decidingLayers) {
        return hash(String.join("|", "group", type.name(), n(accountId), n(principalArn), n(keyArn),
                String.join(";", FindingGroups.cause(decidingLayers))));
    }

    /**
     * The stable id of a finding that is one fix (schemaVersion 3): the first 16 hex digits of SHA-256 over type,
     * account, cause (the sorted deciding layers joined with {@code ;}) and what the fix edits (each change's target:
     * the policy, statement or principal edited, joined with a line break); null parts as empty strings. It does not
     * depend on the principals, keys and instances the fix covers, so a finding keeps its id when they come and go.
     *
     * @param targets what the fix edits, in order (e.g. {@code add|<key policy>}, {@code inline|<principal ARN>})
     * @return 16 lowercase hex digits
     */
    public static String fixId(FindingType type, String accountId, List<String> decidingLayers,
                               List<String> targets) {
        return hash(String.join("|", "fix", type.name(), n(accountId),
                String.join(";", FindingGroups.cause(decidingLayers))) + "|" + String.join("\n", targets));
    }

    /**
     * The id this finding has in the grouped model (schemaVersion 2): {@link #groupId} for the types raised per
     * instance and merged into one finding per fix (start and key-state findings about instances), else its own id.
     * Reading a schemaVersion 1 findings.json, per-instance findings with the same grouped id are one finding now.
     *
     * @return 16 lowercase hex digits
     */
    public String groupedId() {
        if (!FindingGroups.GROUPED.contains(type) || resources.isEmpty()
                || PERMISSION_SET_PRINCIPAL.equals(principalType())) {
            return findingId;
        }
        return groupId(type, FindingGroups.groupAccount(type, accountId(), keyAccountId()), principalArn(),
                keyArn(), decidingLayers());
    }

    /**
     * @return the account the finding is in in the grouped model: the key's for {@code START_BLOCKED_KEY_UNUSABLE}
     *         (one finding per key), else its own; may be null
     */
    public String groupedAccountId() {
        return FindingGroups.groupAccount(type, accountId(), keyAccountId());
    }

    /**
     * @param id        the new id
     * @param resources the new affected resources
     * @return a copy with another id and other affected resources
     */
    public Finding withResources(String id, List<Resource> resources) {
        return new Finding(id, type, severity, account, region, resources, key, principal, details, permissionSet,
                confirmed);
    }

    /**
     * @param ps the permission set
     * @return a copy naming the permission set
     */
    public Finding withPermissionSet(PermissionSetRef ps) {
        return new Finding(findingId, type, severity, account, region, resources, key, principal, details, ps, confirmed);
    }

    /**
     * The stable id of a finding merged across the accounts of an IAM Identity Center permission set: the first 16
     * hex digits of SHA-256 over type, permission set ARN and cause (the sorted deciding layers joined with
     * {@code ;}). It depends on neither accounts, keys nor instances.
     *
     * @return 16 lowercase hex digits
     */
    public static String permissionSetGroupId(FindingType type, String permissionSetArn, List<String> decidingLayers) {
        return hash(String.join("|", "permission-set", type.name(), n(permissionSetArn),
                String.join(";", FindingGroups.cause(decidingLayers))));
    }

    /** @return the permission set ARN, or null */
    public String permissionSetArn() {
        return permissionSet == null ? null : permissionSet.arn();
    }

    /** @return the permission set name, or null */
    public String permissionSetName() {
        return permissionSet == null ? null : permissionSet.name();
    }

    static String hash(String material) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    private static String n(String s) {
        return s == null ? "" : s;
    }

    // ------------------------------------------------------------------ flat views (the CSV / JSON columns)

    /** @return the account id, or null */
    public String accountId() {
        return account.id();
    }

    /** @return the account name, or null */
    public String accountName() {
        return account.name();
    }

    /** @return the account's OU path, or null */
    public String ouPath() {
        return account.ouPath();
    }

    /** @return the affected instances, in order; empty when the finding is not about instances */
    public List<Resource> instances() {
        return resources.stream().filter(r -> r.kind() == ResourceKind.INSTANCE).toList();
    }

    /**
     * @return every principal the finding is about: the listed ones when it lists several (one fix for all), else
     *         its principal; empty when it is not about principals
     */
    public List<Principal> principals() {
        List<Principal> out = new ArrayList<>();
        for (Resource r : resources) {
            if (r.kind() == ResourceKind.PRINCIPAL) {
                out.add(new Principal(r.id(), r.name()));
            }
        }
        return out.isEmpty() ? (principal == null ? List.of() : List.of(principal)) : out;
    }

    /**
     * @return every KMS key the finding is about: the listed ones when it lists several (one fix for all), else its
     *         key; empty when it is not about keys
     */
    public List<Key> keys() {
        List<Key> out = new ArrayList<>();
        for (Resource r : resources) {
            if (r.kind() == ResourceKind.KEY) {
                out.add(new Key(r.id(), SnapshotIndex.accountOf(r.id()), r.name()));
            }
        }
        return out.isEmpty() ? (key == null ? List.of() : List.of(key)) : out;
    }

    /** @return the affected launch sources (groups, node groups, fleets, templates), in order; may be empty */
    public List<Resource> launchSources() {
        return resources.stream().filter(r -> r.kind().launchSource()).toList();
    }

    /** @return the id of the first affected instance, or null when none */
    public String instanceId() {
        List<Resource> i = instances();
        return i.isEmpty() ? null : i.get(0).id();
    }

    /** @return the Name tag of the first affected instance, or null */
    public String instanceName() {
        List<Resource> i = instances();
        return i.isEmpty() ? null : i.get(0).name();
    }

    /** @return the volume ids of the affected resources, without repeats, in order */
    public List<String> volumeIds() {
        if (resources.size() == 1) {
            return resources.get(0).volumeIds();
        }
        Set<String> out = new LinkedHashSet<>();
        resources.forEach(r -> out.addAll(r.volumeIds()));
        return new ArrayList<>(out);
    }

    /** @return the key ARN, or null */
    public String keyArn() {
        return key == null ? null : key.arn();
    }

    /** @return the key's account, or null */
    public String keyAccountId() {
        return key == null ? null : key.accountId();
    }

    /** @return the key state, or null */
    public String keyState() {
        return key == null ? null : key.state();
    }

    /** @return the principal ARN, or null */
    public String principalArn() {
        return principal == null ? null : principal.arn();
    }

    /** @return the principal type, or null */
    public String principalType() {
        return principal == null ? null : principal.type();
    }

    /** @return the deciding layers; never null */
    public List<String> decidingLayers() {
        return details.decidingLayers();
    }

    /** @return the evidence; never null */
    public List<String> evidence() {
        return details.evidence();
    }

    /** @return the explanation; never null */
    public String explanation() {
        return details.explanation();
    }

    /** @return the remediation text; never null */
    public String remediation() {
        return details.remediation();
    }

    /** @return the remediation snippet, or null */
    public String remediationPolicy() {
        return details.remediationPolicy();
    }
}
