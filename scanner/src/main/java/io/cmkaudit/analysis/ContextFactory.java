package io.cmkaudit.analysis;

import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Context;
import io.cmkaudit.snapshot.Ec2Instance;
import io.cmkaudit.snapshot.KmsKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the request contexts of the requests the analysis evaluates. Every condition key is in one of three states
 * (see {@link Context}): known (a value from the snapshot), absent (AWS does not send it with this request), or
 * unknown. Keys any policy reads that are neither known nor documented as absent are declared unknown, so no decision
 * silently treats an unknowable key as missing (evaluation-checklist.md item 16).
 *
 * <p>Sources: the StartInstances keys of the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html); the forward access session
 * context (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html); the KMS condition
 * keys (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html); the global keys
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html); aws-rules.md §2 and §5.
 * Thread-safe.
 */
final class ContextFactory {

    /** Condition keys of the instance resource of StartInstances that the snapshot does not hold. */
    private static final Set<String> EC2_UNCOLLECTED = Set.of("ec2:availabilityzoneid", "ec2:cpuoptionsamdsevsnp",
            "ec2:instancebandwidthweighting", "ec2:instancemarkettype", "ec2:managedresourceoperator",
            "ec2:metadatahttpendpoint", "ec2:metadatahttpputresponsehoplimit", "ec2:metadatahttptokens");

    /** Grant parameters a caller chooses; never known offline for a CreateGrant. */
    static final Set<String> GRANT_PARAMETER_KEYS = Set.of("kms:grantoperations", "kms:granteeprincipal",
            "kms:retiringprincipal", "kms:grantconstrainttype", "kms:granteeserviceprincipal",
            "kms:retiringserviceprincipal", "kms:grantconstraintsourcearn");

    /** KMS operations whose requests carry an encryption context (and so kms:EncryptionContext keys). */
    private static final Set<String> CRYPTO_ACTIONS = Set.of("kms:decrypt", "kms:encrypt", "kms:generatedatakey",
            "kms:generatedatakeypair", "kms:generatedatakeypairwithoutplaintext",
            "kms:generatedatakeywithoutplaintext", "kms:reencryptfrom", "kms:reencryptto", "kms:creategrant");

    /** VPC keys: not carried into forward access session requests (FAS page). */
    private static final Set<String> VPC_KEYS = Set.of("aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip",
            "aws:sourcevpcarn");

    /** Keys only service principals send. */
    private static final Set<String> SERVICE_PRINCIPAL_KEYS = Set.of("aws:sourcearn", "aws:sourceaccount",
            "aws:sourceorgid", "aws:sourceorgpaths", "aws:principalservicename", "aws:principalservicenameslist");

    /** Account id of the stranger used to test whether a key policy is public. */
    static final String OUTSIDER_ACCOUNT = "000000000000";
    /** ARN of that stranger in the commercial partition ({@link #outsiderArn(String)} for another). */
    static final String OUTSIDER_ARN = outsiderArn(Partition.AWS);

    /** @param partition partition id @return the stranger's role ARN in that partition */
    static String outsiderArn(String partition) {
        return "arn:" + partition + ":iam::" + OUTSIDER_ACCOUNT + ":role/cmk-audit-outsider";
    }

    private final SnapshotIndex index;
    private final Set<String> referenced;
    private final Map<String, Part> principalParts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Part> instanceParts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Part> keyParts = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Per shape of a context (its service and what it declares absent), the referenced keys it leaves unknown unless
     * it knows them: {@link #referenced} in iteration order without the absent ones and the service principals' keys.
     * The shapes are few (principal kind, organization membership, action category...), so every context after the
     * first of its shape skips testing each referenced key against its absent declarations.
     */
    private final Map<Shape, List<String>> unknownCandidates = new java.util.concurrent.ConcurrentHashMap<>();

    /** The service and the absent declarations of a context (lists in declaration order). */
    private record Shape(String service, List<String> absentExact, List<String> absentPrefixes) {
    }

    /** A cached piece of a context: the facts of one principal, instance or key. */
    private record Part(Map<String, String> names, Map<String, List<String>> values, List<String> unknown,
                        List<String> absentExact, List<String> absentPrefixes) {
    }

    /**
     * @param index      the snapshot
     * @param referenced lower-case condition keys read by any policy of the snapshot
     */
    ContextFactory(SnapshotIndex index, Set<String> referenced) {
        this.index = index;
        Set<String> all = new java.util.HashSet<>(referenced);
        all.addAll(REMEDIATION_KEYS);
        this.referenced = Set.copyOf(all);
    }

    /** Keys the remediations' statements read: contexts always carry them so proposed fixes evaluate correctly. */
    private static final Set<String> REMEDIATION_KEYS = Set.of("kms:viaservice", "kms:grantisforawsresource",
            "aws:principalarn", "aws:principalorgid", "kms:calleraccount");

    /** @return the lower-case condition keys any policy reads */
    Set<String> referenced() {
        return referenced;
    }

    // ------------------------------------------------------------------ requests

    /** The principal's {@code ec2:StartInstances} on the instance (a direct call to EC2). */
    Context startInstances(PrincipalRef p, InstanceRef i) {
        Known k = new Known("ec2");
        principal(k, p);
        k.add(instanceParts.computeIfAbsent(i.instance().arn(), a -> {
            Known x = new Known("ec2");
            instance(x, i);
            return x.part();
        }));
        return k.build();
    }

    private void instance(Known k, InstanceRef i) {
        Ec2Instance in = i.instance();
        k.put("aws:RequestedRegion", i.region());
        k.put("ec2:Region", i.region());
        k.put("aws:ResourceAccount", i.accountId());
        resourceOrg(k, i.accountId());
        in.tags().forEach((tk, tv) -> {
            k.put("aws:ResourceTag/" + tk, tv);
            k.put("ec2:ResourceTag/" + tk, tv);
        });
        k.put("ec2:InstanceID", in.instanceId());
        k.putOrUnknown("ec2:InstanceType", in.instanceType());
        k.putOrUnknown("ec2:InstanceProfile", in.iamInstanceProfileArn());
        k.putOrUnknown("ec2:RootDeviceType", in.rootDeviceType());
        k.putOrUnknown("ec2:AvailabilityZone", in.availabilityZone());
        k.putOrUnknown("ec2:Tenancy", in.tenancy());
        k.putOrUnknown("ec2:EbsOptimized", in.ebsOptimized() == null ? null : in.ebsOptimized().toString());
        k.put("ec2:PlacementGroup", in.placementGroup() == null ? null
                : "arn:" + Partition.ofRegion(i.region()) + ":ec2:" + i.region() + ":" + i.accountId()
                        + ":placement-group/" + in.placementGroup());
        k.put("aws:ViaAWSService", "false");
        k.absent("aws:calledvia", "aws:calledviafirst", "aws:calledvialast", "aws:requesttag/", "aws:tagkeys",
                "ec2:resourcetag/", "aws:resourcetag/");
        for (String u : EC2_UNCOLLECTED) {
            k.unknown(u);
        }
        // every other ec2: key belongs to another resource type or action than StartInstances on an instance
        k.absent("ec2:");
    }

    /**
     * The principal's direct {@code ec2:RunInstances} or {@code ec2:CreateFleet} with a launch template of its account
     * (launch-paths.md §2.6): principal facts and the region are known, the launch's parameters (instance type, tags,
     * subnet) are not, so conditions on them stay open.
     *
     * @param p         the caller
     * @param region    the template's region
     * @param accountId the template's account
     */
    Context launch(PrincipalRef p, String region, String accountId) {
        Known k = new Known("ec2");
        principal(k, p);
        k.put("aws:RequestedRegion", region);
        k.put("ec2:Region", region);
        k.put("aws:ResourceAccount", accountId);
        resourceOrg(k, accountId);
        k.put("aws:ViaAWSService", "false");
        k.absent("aws:calledvia", "aws:calledviafirst", "aws:calledvialast");
        return k.build();
    }

    /**
     * A KMS call other than {@code kms:CreateGrant} that EC2 makes for a launch on the caller's behalf, e.g.
     * {@code kms:GenerateDataKeyWithoutPlaintext} on the new volume's key or {@code kms:Decrypt} on the snapshot's
     * key (launch-paths.md §1.2-§1.3: {@code kms:ViaService = ec2.<region>.amazonaws.com}, the encryption context
     * {@code aws:ebs:id} with a volume id not known before the launch).
     */
    Context forwardKms(PrincipalRef p, KeyRef key, String region) {
        Known k = new Known("kms");
        principal(k, p);
        keyFacts(k, key);
        k.put("aws:RequestedRegion", region);
        k.put("kms:ViaService", Partition.ec2ViaService(region));
        k.put("kms:CallerAccount", p.accountId());
        k.put("aws:ViaAWSService", "true");
        k.put("kms:EncryptionContextKeys", "aws:ebs:id");
        k.unknown("kms:encryptioncontext:aws:ebs:id");
        for (String v : VPC_KEYS) {
            k.absent(v);
        }
        k.absent("aws:requesttag/", "aws:tagkeys", "aws:resourcetag/", "ec2:", "kms:grantisforawsresource");
        GRANT_PARAMETER_KEYS.forEach(k::absent);
        return k.build();
    }

    /**
     * The {@code kms:CreateGrant} EC2 makes with the caller's credentials when it attaches a volume (forward access
     * session; evaluation-checklist.md item 9, aws-rules.md §2).
     */
    Context forwardCreateGrant(PrincipalRef p, KeyRef key, String region) {
        Known k = new Known("kms");
        principal(k, p);
        keyFacts(k, key);
        k.put("aws:RequestedRegion", region);
        k.put("kms:ViaService", Partition.ec2ViaService(region));
        k.put("kms:GrantIsForAWSResource", "true");
        k.put("kms:CallerAccount", p.accountId());
        k.put("aws:ViaAWSService", "true");
        for (String v : VPC_KEYS) {
            k.absent(v);
        }
        k.absent("aws:requesttag/", "aws:tagkeys", "aws:resourcetag/", "ec2:");
        for (String g : GRANT_PARAMETER_KEYS) {
            k.unknown(g);
        }
        return k.build();
    }

    /**
     * @param action a KMS action
     * @return the group of actions whose direct-call contexts are equal: {@code creategrant}, {@code crypto} (carries
     *         an encryption context) or {@code other}
     */
    static String directCategory(String action) {
        String a = action.toLowerCase(Locale.ROOT);
        return a.equals("kms:creategrant") ? "creategrant" : CRYPTO_ACTIONS.contains(a) ? "crypto" : "other";
    }

    /** A direct call of {@code action} by the principal on the key (for the breadth checks). */
    Context direct(PrincipalRef p, KeyRef key, String action) {
        Known k = new Known("kms");
        principal(k, p);
        if (key != null) {
            keyFacts(k, key);
            k.put("aws:RequestedRegion", key.region());
        }
        k.put("kms:CallerAccount", p.accountId());
        k.put("aws:ViaAWSService", "false");
        k.absent("aws:calledvia", "aws:calledviafirst", "aws:calledvialast", "kms:viaservice", "aws:requesttag/",
                "aws:tagkeys", "aws:resourcetag/", "ec2:");
        String a = action.toLowerCase(Locale.ROOT);
        if (a.equals("kms:creategrant")) {
            k.put("kms:GrantIsForAWSResource", "false");
            for (String g : GRANT_PARAMETER_KEYS) {
                k.unknown(g);
            }
        } else {
            k.absent("kms:grantisforawsresource");
            GRANT_PARAMETER_KEYS.forEach(k::absent);
        }
        if (!CRYPTO_ACTIONS.contains(a)) {
            k.absent("kms:encryptioncontext:", "kms:encryptioncontextkeys");
        }
        return k.build();
    }

    /**
     * The {@code kms:Decrypt} the instance's {@code aws:ec2-infrastructure} role makes under EC2's grant
     * (aws-rules.md §1.1 and §7 step 5). Its network keys come from AWS networks, not the customer's VPC.
     */
    Context ec2InfrastructureDecrypt(InstanceRef i, KeyRef key, String volumeId) {
        Known k = new Known("kms");
        String account = i.accountId();
        k.put("aws:PrincipalArn", ec2InfrastructureRoleArn(index.partition(), account));
        k.put("aws:PrincipalAccount", account);
        k.put("aws:PrincipalType", "AssumedRole");
        principalOrg(k, account);
        k.put("kms:CallerAccount", account);
        k.put("aws:RequestedRegion", i.region());
        keyFacts(k, key);
        k.put("kms:EncryptionContext:aws:ebs:id", volumeId);
        k.put("kms:EncryptionContextKeys", List.of("aws:ebs:id"));
        for (String v : VPC_KEYS) {
            k.absent(v);
        }
        // its calls come from AWS networks (no customer address), so a Deny on NotIpAddress aws:SourceIp with the
        // customer's ranges applies to it whether the address is an AWS one or left out: modelled as absent, which
        // gives that answer (NotIpAddress[IfExists] true, IpAddress false); aws-rules.md 2.1.3 [INFERENCE]
        k.absent("aws:sourceip");
        k.absent("aws:principaltag/", "aws:username", "aws:requesttag/", "aws:tagkeys", "aws:resourcetag/", "ec2:",
                "kms:grantisforawsresource");
        GRANT_PARAMETER_KEYS.forEach(k::absent);
        return k.build();
    }

    /** A call of {@code action} by a stranger outside the organization (for {@code KEY_POLICY_PUBLIC}). */
    Context outsider(KeyRef key, String action) {
        Known k = new Known("kms");
        k.put("aws:PrincipalArn", outsiderArn(index.partition()));
        k.put("aws:PrincipalAccount", OUTSIDER_ACCOUNT);
        k.put("aws:PrincipalType", "AssumedRole");
        k.put("aws:userid", "AROAOUTSIDEROUTSIDER0:cmk-audit");
        k.put("kms:CallerAccount", OUTSIDER_ACCOUNT);
        k.put("aws:PrincipalIsAWSService", "false");
        keyFacts(k, key);
        k.absent("aws:principaltag/", "aws:username", "aws:principalorgid", "aws:principalorgpaths",
                "aws:requesttag/", "aws:tagkeys", "aws:resourcetag/", "ec2:");
        if (!action.equalsIgnoreCase("kms:CreateGrant")) {
            k.absent("kms:grantisforawsresource");
            GRANT_PARAMETER_KEYS.forEach(k::absent);
        } else {
            GRANT_PARAMETER_KEYS.forEach(k::unknown);
        }
        return k.build();
    }

    /** The role ARN of an account's EC2 identity-only role as AWS's data-perimeter samples match it. */
    static String ec2InfrastructureRoleArn(String partition, String account) {
        return "arn:" + partition + ":iam::" + account + ":role/aws:ec2-infrastructure";
    }

    // ------------------------------------------------------------------ parts

    /**
     * Drops the cached facts of a principal (after its unit of work: they are built again if asked for), so the
     * cache holds the principals being analyzed rather than every principal of the organization.
     *
     * @param p the principal; never null
     */
    void forget(PrincipalRef p) {
        principalParts.remove(p.arn());
    }

    private void principal(Known k, PrincipalRef p) {
        k.add(principalParts.computeIfAbsent(p.arn(), a -> {
            Known x = new Known(null);
            fillPrincipal(x, p);
            return x.part();
        }));
    }

    private void fillPrincipal(Known k, PrincipalRef p) {
        k.put("aws:PrincipalArn", p.arn());
        k.put("aws:PrincipalAccount", p.accountId());
        k.put("aws:PrincipalIsAWSService", "false");
        principalOrg(k, p.accountId());
        p.tags().forEach((tk, tv) -> k.put("aws:PrincipalTag/" + tk, tv));
        k.absent("aws:principaltag/", "aws:assumedroot");
        if (p.kind() == PrincipalKind.USER) {
            k.put("aws:PrincipalType", "User");
            k.put("aws:username", p.name());
            k.put("aws:userid", p.uniqueId());
            k.absent("aws:federatedprovider", "aws:rolesessionname", "aws:sourceidentity");
        } else {
            k.put("aws:PrincipalType", "AssumedRole");
            k.absent("aws:username");
        }
    }

    private void principalOrg(Known k, String account) {
        if (index.inOrganization(account)) {
            if (index.org.id() != null) {
                k.put("aws:PrincipalOrgID", index.org.id());
            }
            String path = index.orgPath(account);
            if (path != null) {
                k.put("aws:PrincipalOrgPaths", List.of(path));
            }
        } else if (index.org.readable()) {
            k.absent("aws:principalorgid", "aws:principalorgpaths");
        }
    }

    private void resourceOrg(Known k, String account) {
        if (account == null) {
            return;
        }
        if (index.inOrganization(account)) {
            if (index.org.id() != null) {
                k.put("aws:ResourceOrgID", index.org.id());
            }
            String path = index.orgPath(account);
            if (path != null) {
                k.put("aws:ResourceOrgPaths", List.of(path));
            }
        } else if (index.org.readable() && index.account(account) != null) {
            k.absent("aws:resourceorgid", "aws:resourceorgpaths");
        }
    }

    private void keyFacts(Known k, KeyRef key) {
        k.add(keyParts.computeIfAbsent(key.arn(), a -> {
            Known x = new Known(null);
            fillKey(x, key);
            return x.part();
        }));
    }

    private void fillKey(Known k, KeyRef key) {
        KmsKey kk = key.key();
        if (key.accountId() != null) {
            k.put("aws:ResourceAccount", key.accountId());
            resourceOrg(k, key.accountId());
        }
        if (kk == null) {
            return;
        }
        kk.tags().forEach((tk, tv) -> k.put("aws:ResourceTag/" + tk, tv));
        if (!kk.aliases().isEmpty()) {
            k.put("kms:ResourceAliases", kk.aliases());
        } else if (kk.readError() == null) {
            k.absent("kms:resourcealiases");
        }
        k.putOrUnknown("kms:KeyOrigin", kk.origin());
        k.putOrUnknown("kms:MultiRegion", kk.multiRegion() == null ? null : kk.multiRegion().toString());
    }

    // ------------------------------------------------------------------ builder

    /** Known values plus absent declarations; everything else the policies read becomes unknown. */
    private final class Known {
        private final String service;
        private final Map<String, String> names = new HashMap<>(64);
        private final Map<String, List<String>> values = new HashMap<>(64);
        private final List<String> absentExact = new ArrayList<>();
        private final List<String> absentPrefixes = new ArrayList<>();
        private final List<String> unknown = new ArrayList<>();

        Known(String service) {
            this.service = service;
        }

        Part part() {
            return new Part(Map.copyOf(names), Map.copyOf(values), List.copyOf(unknown), List.copyOf(absentExact),
                    List.copyOf(absentPrefixes));
        }

        void add(Part p) {
            names.putAll(p.names());
            values.putAll(p.values());
            unknown.addAll(p.unknown());
            absentExact.addAll(p.absentExact());
            absentPrefixes.addAll(p.absentPrefixes());
        }

        void put(String key, String value) {
            if (value == null) {
                return;
            }
            put(key, List.of(value));
        }

        void put(String key, List<String> v) {
            String l = key.toLowerCase(Locale.ROOT);
            // a key no policy reads can't change a decision; grants read the encryption context
            if (!referenced.contains(l) && !l.startsWith("kms:encryptioncontext")) {
                return;
            }
            names.put(l, key);
            values.put(l, List.copyOf(v));
        }

        void putOrUnknown(String key, String value) {
            if (value == null) {
                unknown(key.toLowerCase(Locale.ROOT));
            } else {
                put(key, value);
            }
        }

        void unknown(String lowerKey) {
            unknown.add(lowerKey);
        }

        /** Entries ending in {@code /} or {@code :} are prefixes. */
        void absent(String... lowerKeys) {
            for (String s : lowerKeys) {
                if (s.endsWith("/") || s.endsWith(":")) {
                    absentPrefixes.add(s);
                } else {
                    absentExact.add(s);
                }
            }
        }

        private boolean isAbsent(String key) {
            if (absentExact.contains(key)) {
                return true;
            }
            for (String p : absentPrefixes) {
                if (key.startsWith(p)) {
                    return true;
                }
            }
            int colon = key.indexOf(':');
            int prefix = colon < 0 ? key.length() : colon;
            // keys of other services never travel with a request to this one
            boolean aws = prefix == 3 && key.startsWith("aws");
            boolean own = service != null && prefix == service.length() && key.startsWith(service);
            return !aws && !own;
        }

        /**
         * The context: the known values not declared unknown, the unknown keys some policy reads, and every other
         * key some policy reads that is not documented as absent here. Keys are lower case already, so the context
         * is made without the builder's case-insensitive copies ({@link Context#ofLowerCase}).
         */
        Context build() {
            Set<String> declaredUnknown = new java.util.HashSet<>(unknown);
            java.util.LinkedHashSet<String> unk = new java.util.LinkedHashSet<>();
            for (String u : unknown) {
                if (referenced.contains(u)) {
                    unk.add(u);
                }
            }
            // this builder is used once: its maps become the context's, without the keys declared unknown
            for (String u : unknown) {
                values.remove(u);
            }
            Shape shape = new Shape(service, absentExact, absentPrefixes);
            List<String> candidates = unknownCandidates.get(shape);
            if (candidates == null) {
                List<String> c = new ArrayList<>();
                for (String r : referenced) {
                    if (!SERVICE_PRINCIPAL_KEYS.contains(r) && !isAbsent(r)) {
                        c.add(r);
                    }
                }
                candidates = List.copyOf(c);
                unknownCandidates.putIfAbsent(new Shape(service, List.copyOf(absentExact),
                        List.copyOf(absentPrefixes)), candidates);
            }
            for (String r : candidates) {
                if (!values.containsKey(r) && !declaredUnknown.contains(r)) {
                    unk.add(r);
                }
            }
            return Context.ofLowerCase(names, values, unk);
        }
    }
}
