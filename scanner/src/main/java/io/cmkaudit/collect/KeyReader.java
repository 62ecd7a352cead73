package io.cmkaudit.collect;

import io.cmkaudit.snapshot.GrantConstraints;
import io.cmkaudit.snapshot.KmsGrant;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.ReadError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.GrantListEntry;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ListAliasesResponse;
import software.amazon.awssdk.services.kms.model.ListGrantsResponse;
import software.amazon.awssdk.services.kms.model.ListResourceTagsResponse;

/**
 * Reads the KMS keys that volumes and EBS defaults reference, in the account and region that own them, with that
 * account's session: per owner region {@code ListAliases} (all pages; resolves alias references and gives each key
 * its aliases), and per key {@code DescribeKey}, {@code GetKeyPolicy} (policy {@code default}), {@code ListGrants}
 * and {@code ListResourceTags} (all pages) (https://docs.aws.amazon.com/kms/latest/APIReference/). Never throws.
 */
final class KeyReader {

    /**
     * A key reference as found on a volume or an EBS default, resolved to where the key lives.
     *
     * @param ownerAccountId account owning the key (from an ARN, else the referencing account)
     * @param region         the key's region
     * @param keyId          key id when the reference names a key, else null
     * @param aliasName      {@code alias/...} when it names an alias, else null
     */
    record KeyRef(String ownerAccountId, String region, String keyId, String aliasName) {

        /**
         * @param raw              the KmsKeyId as returned: key ARN, alias ARN, {@code alias/name} or key id
         * @param accountId        account of the volume or EBS default
         * @param region           region of the volume or EBS default
         * @return where the key lives
         */
        static KeyRef parse(String raw, String accountId, String region) {
            if (raw.startsWith("arn:")) {
                String[] p = raw.split(":", 6);
                if (p.length == 6) {
                    String resource = p[5];
                    String r = p[3].isEmpty() ? region : p[3];
                    String a = p[4].isEmpty() ? accountId : p[4];
                    if (resource.startsWith("key/")) {
                        return new KeyRef(a, r, resource.substring(4), null);
                    }
                    if (resource.startsWith("alias/")) {
                        return new KeyRef(a, r, null, resource);
                    }
                }
                return new KeyRef(accountId, region, raw, null);
            }
            if (raw.startsWith("alias/")) {
                return new KeyRef(accountId, region, null, raw);
            }
            return new KeyRef(accountId, region, raw, null);
        }
    }

    /** Why an owner's keys can't be read through a session at all, or null to read them. */
    interface Gate {
        ReadError blocked(String ownerAccountId);
    }

    /**
     * What was read for one owner account.
     *
     * @param resolved      every reference of this owner → key ARN (null when an alias did not resolve)
     * @param keysByRegion  region → keys read there, sorted by ARN
     * @param regionFailure region → first failure of a call that should have worked (coverage becomes PARTIAL)
     */
    record OwnerResult(Map<KeyRef, String> resolved, Map<String, List<KmsKey>> keysByRegion,
                       Map<String, AwsFailure> regionFailure) {
    }

    /** One owner region's aliases as {@code ListAliases} gave them (failure: null maps and the failure). */
    private record Aliases(Map<String, String> target, Map<String, List<String>> ofKey, AwsFailure failure) {
    }

    private final AwsClients clients;
    private final Sessions sessions;
    private final Gate gate;
    private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.CompletableFuture<Aliases>> aliases =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> claimedKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * One reader per run: it can be called many times and concurrently (the collector reads each account's keys as
     * soon as that account is scanned), and still calls {@code ListAliases} once per owner region and reads each key
     * once per run: a later call that meets a key another call already read resolves the reference but leaves the key
     * to that call's result ({@link #merge}).
     */
    KeyReader(AwsClients clients, Sessions sessions, Gate gate) {
        this.clients = clients;
        this.sessions = sessions;
        this.gate = gate;
    }

    /**
     * Joins the results of several {@link #read} calls for one owner (each key appears in one of them).
     *
     * @param parts results of one owner, any order
     * @return one result: resolutions joined, keys per region sorted by ARN (first copy kept), per region the failure
     *         whose operation and message sort first
     */
    static OwnerResult merge(List<OwnerResult> parts) {
        Map<KeyRef, String> resolved = new HashMap<>();
        Map<String, Map<String, KmsKey>> keys = new TreeMap<>();
        Map<String, AwsFailure> failures = new TreeMap<>();
        Comparator<AwsFailure> order = Comparator.comparing(AwsFailure::operation).thenComparing(AwsFailure::message);
        for (OwnerResult p : parts) {
            p.resolved().forEach((k, v) -> {
                if (v != null || !resolved.containsKey(k)) {
                    resolved.put(k, v);
                }
            });
            p.keysByRegion().forEach((region, list) -> list.forEach(k ->
                    keys.computeIfAbsent(region, r -> new TreeMap<>()).putIfAbsent(k.arn(), k)));
            p.regionFailure().forEach((region, f) -> failures.merge(region, f, (a, b) -> order.compare(a, b) <= 0 ? a : b));
        }
        Map<String, List<KmsKey>> byRegion = new TreeMap<>();
        keys.forEach((region, m) -> byRegion.put(region, List.copyOf(m.values())));
        return new OwnerResult(resolved, byRegion, failures);
    }

    /** {@code ListAliases} of one owner region, once per run (concurrent callers wait for the first). */
    private Aliases aliases(KmsClient kms, String ownerAccountId, String region) {
        java.util.concurrent.CompletableFuture<Aliases> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Aliases> earlier = aliases.putIfAbsent(ownerAccountId + "/" + region, mine);
        if (earlier != null) {
            return earlier.join();
        }
        Map<String, String> aliasTarget = new HashMap<>();
        Map<String, List<String>> aliasesOfKey = new HashMap<>();
        AwsFailure failure = null;
        try {
            for (ListAliasesResponse page : kms.listAliasesPaginator(r -> r.limit(100))) {
                for (AliasListEntry a : page.aliases()) {
                    aliasTarget.put(a.aliasName(), a.targetKeyId());
                    if (a.targetKeyId() != null) {
                        aliasesOfKey.computeIfAbsent(a.targetKeyId(), k -> new ArrayList<>()).add(a.aliasName());
                    }
                }
            }
        } catch (SdkException ex) {
            failure = AwsFailure.of("KMS.ListAliases", ex);
        } catch (RuntimeException ex) {
            mine.completeExceptionally(ex);
            throw ex;
        }
        Aliases result = new Aliases(aliasTarget, aliasesOfKey, failure);
        mine.complete(result);
        return result;
    }

    /**
     * Reads the keys of one owner account.
     *
     * @param ownerAccountId the owner
     * @param refs           the references whose {@link KeyRef#ownerAccountId()} is this owner
     * @return keys, resolutions and failures
     */
    OwnerResult read(String ownerAccountId, Set<KeyRef> refs) {
        Map<KeyRef, String> resolved = new HashMap<>();
        Map<String, List<KmsKey>> keysByRegion = new TreeMap<>();
        Map<String, AwsFailure> failures = new TreeMap<>();
        Map<String, List<KeyRef>> byRegion = new TreeMap<>();
        refs.forEach(r -> byRegion.computeIfAbsent(r.region(), k -> new ArrayList<>()).add(r));

        ReadError blocked = gate.blocked(ownerAccountId);
        Sessions.Session session = null;
        if (blocked == null) {
            session = sessions.session(ownerAccountId);
            if (!session.ok()) {
                AwsFailure f = session.failure();
                blocked = new ReadError(f.operation(), f.code(), f.message());
            }
        }
        for (Map.Entry<String, List<KeyRef>> e : byRegion.entrySet()) {
            String region = e.getKey();
            if (blocked != null) {
                Set<String> arns = new TreeSet<>();
                for (KeyRef r : e.getValue()) {
                    String arn = r.keyId() == null ? null : Arns.kmsKey(region, ownerAccountId, r.keyId());
                    resolved.put(r, arn);
                    if (arn != null) {
                        arns.add(arn);
                    }
                }
                List<KmsKey> keys = new ArrayList<>();
                for (String arn : arns) {
                    keys.add(new KmsKey(arn, Arns.lastSegment(arn), ownerAccountId, region, null, null, null, null, null,
                            List.of(), List.of(), Map.of(), blocked));
                }
                keysByRegion.put(region, keys);
                continue;
            }
            try (KmsClient kms = clients.kms(session.credentials(), ownerAccountId, region)) {
                Aliases al = aliases(kms, ownerAccountId, region);
                Map<String, String> aliasTarget = al.target();
                Map<String, List<String>> aliasesOfKey = al.ofKey();
                if (al.failure() != null) {
                    failures.putIfAbsent(region, al.failure());
                }
                Set<String> keyIds = new TreeSet<>();
                for (KeyRef r : e.getValue()) {
                    String keyId = r.keyId() != null ? r.keyId() : aliasTarget.get(r.aliasName());
                    resolved.put(r, keyId == null ? null : Arns.kmsKey(region, ownerAccountId, keyId));
                    if (keyId != null && claimedKeys.add(Arns.kmsKey(region, ownerAccountId, keyId))) {
                        keyIds.add(keyId);
                    }
                }
                List<KmsKey> keys = new ArrayList<>();
                for (String keyId : keyIds) {
                    KmsKey key = readKey(kms, ownerAccountId, region, keyId,
                            aliasesOfKey.getOrDefault(keyId, List.of()));
                    keys.add(key);
                    if (key.readError() != null) {
                        ReadError re = key.readError();
                        failures.putIfAbsent(region, new AwsFailure(re.operation(), re.code(),
                                re.message() + " (key " + key.arn() + ")", true));
                    }
                }
                keys.sort(Comparator.comparing(KmsKey::arn));
                keysByRegion.put(region, keys);
            }
        }
        return new OwnerResult(resolved, keysByRegion, failures);
    }

    private static KmsKey readKey(KmsClient kms, String accountId, String region, String keyId, List<String> aliases) {
        String arn = Arns.kmsKey(region, accountId, keyId);
        ReadError error = null;
        KeyMetadata md;
        try {
            md = kms.describeKey(r -> r.keyId(arn)).keyMetadata();
        } catch (SdkException e) {
            AwsFailure f = AwsFailure.of("KMS.DescribeKey", e);
            return new KmsKey(arn, keyId, accountId, region, null, null, null, null, null, List.of(),
                    aliases.stream().sorted().toList(), Map.of(), new ReadError(f.operation(), f.code(), f.message()));
        }
        String policy = null;
        try {
            policy = kms.getKeyPolicy(r -> r.keyId(arn).policyName("default")).policy();
        } catch (SdkException e) {
            error = first(error, "KMS.GetKeyPolicy", e);
        }
        List<KmsGrant> grants = new ArrayList<>();
        try {
            for (ListGrantsResponse page : kms.listGrantsPaginator(r -> r.keyId(arn).limit(100))) {
                for (GrantListEntry g : page.grants()) {
                    grants.add(grant(g));
                }
            }
        } catch (SdkException e) {
            grants.clear();
            error = first(error, "KMS.ListGrants", e);
        }
        grants.sort(Comparator.comparing(KmsGrant::grantId));
        Map<String, String> tags = new LinkedHashMap<>();
        try {
            for (ListResourceTagsResponse page : kms.listResourceTagsPaginator(r -> r.keyId(arn).limit(50))) {
                page.tags().forEach(t -> tags.put(t.tagKey(), t.tagValue()));
            }
        } catch (SdkException e) {
            tags.clear();
            error = first(error, "KMS.ListResourceTags", e);
        }
        // Aliases starting with aws/ are reserved for AWS managed keys
        // (https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html); some emulators report such keys
        // as CUSTOMER, so the alias decides.
        String keyManager = aliases.stream().anyMatch(a -> a.startsWith("alias/aws/")) ? "AWS" : md.keyManagerAsString();
        return new KmsKey(arn, md.keyId() != null ? md.keyId() : keyId, accountId, region, keyManager,
                md.keyStateAsString(), md.originAsString(),
                // multi-Region key ids start with mrk- (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html)
                md.multiRegion() != null ? md.multiRegion() : Boolean.valueOf(keyId.startsWith("mrk-")), policy, grants,
                aliases.stream().sorted().toList(), tags, error);
    }

    private static KmsGrant grant(GrantListEntry g) {
        GrantConstraints c = null;
        if (g.constraints() != null && (g.constraints().hasEncryptionContextEquals()
                || g.constraints().hasEncryptionContextSubset())) {
            c = new GrantConstraints(g.constraints().encryptionContextEquals(), g.constraints().encryptionContextSubset());
        }
        String grantee = g.granteePrincipal() != null ? g.granteePrincipal() : g.granteeServicePrincipal();
        String retiring = g.retiringPrincipal() != null ? g.retiringPrincipal() : g.retiringServicePrincipal();
        return new KmsGrant(g.grantId(), g.name() == null || g.name().isEmpty() ? null : g.name(),
                grantee == null ? "" : grantee, retiring, g.operationsAsStrings(), c, g.issuingAccount());
    }

    private static ReadError first(ReadError current, String operation, SdkException e) {
        if (current != null) {
            return current;
        }
        AwsFailure f = AwsFailure.of(operation, e);
        return new ReadError(f.operation(), f.code(), f.message());
    }
}
