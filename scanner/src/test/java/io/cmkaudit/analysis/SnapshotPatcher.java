package io.cmkaudit.analysis;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.IamGroup;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IamSnapshot;
import io.cmkaudit.snapshot.IamUser;
import io.cmkaudit.snapshot.InlinePolicy;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.ManagedPolicy;
import io.cmkaudit.snapshot.OrgPolicy;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Applies remediation {@link Change}s to a snapshot, the way a user would apply them in AWS: an inline policy added
 * to the user or role; statements appended to or replaced in the key policy, boundary, SCP, RCP, managed or inline
 * policy; for an AWS managed policy, a customer managed copy attached to the holder instead; a grant revoked.
 */
final class SnapshotPatcher {

    private SnapshotPatcher() {
    }

    static Snapshot apply(Snapshot s, List<Change> changes) {
        Snapshot cur = s;
        for (Change c : changes) {
            cur = apply(cur, c);
        }
        return cur;
    }

    static Snapshot apply(Snapshot s, Change c) {
        if (c instanceof Change.AddInlinePolicy a) {
            String acc = SnapshotIndex.accountOf(a.principalArn());
            InlinePolicy p = new InlinePolicy(a.policyName(), PolicyJson.compact(a.document()));
            return mapIam(s, acc, iam -> new IamSnapshot(
                    iam.users().stream().map(u -> u.arn().equals(a.principalArn()) ? withInline(u, p) : u).toList(),
                    iam.groups(),
                    iam.roles().stream().map(r -> r.arn().equals(a.principalArn()) ? withInline(r, p) : r).toList(),
                    iam.customerManagedPolicies()));
        }
        if (c instanceof Change.PermissionSetInlineStatements ps) {
            return provisionInline(s, ps);
        }
        if (c instanceof Change.ReferencedPolicyStatements r) {
            // as a user would: the policy of that name and path, edited in every account the permission set is in
            Snapshot cur = s;
            for (String account : r.accounts()) {
                String arn = r.policyArn(account);
                cur = editPolicy(cur, new PolicySource(arn, PolicySource.Origin.CUSTOMER_MANAGED, account, arn,
                        r.reference().name(), ""), t -> PolicyJson.addStatements(t, r.statements()));
            }
            return cur;
        }
        if (c instanceof Change.AddStatements a) {
            return editPolicy(s, a.target(), t -> PolicyJson.addStatements(t, a.statements()));
        }
        if (c instanceof Change.ReplaceStatement r) {
            if (r.target().origin() == PolicySource.Origin.AWS_MANAGED) {
                return replaceAwsManaged(s, r);
            }
            return editPolicy(s, r.target(), t -> PolicyJson.replaceStatement(t, r.index(), r.after()));
        }
        if (c instanceof Change.CreateGrant g) {
            return mapKey(s, g.keyArn(), k -> {
                List<io.cmkaudit.snapshot.KmsGrant> grants = new ArrayList<>(k.grants());
                grants.add(new io.cmkaudit.snapshot.KmsGrant("g-cmk-audit-" + grants.size(), null,
                        g.granteePrincipal(), null, g.operations(), null, SnapshotIndex.accountOf(g.keyArn())));
                return new KmsKey(k.arn(), k.keyId(), k.accountId(), k.region(), k.keyManager(), k.keyState(),
                        k.origin(), k.multiRegion(), k.keyPolicy(), grants, k.aliases(), k.tags(), k.readError());
            });
        }
        if (c instanceof Change.RevokeGrant g) {
            return mapKey(s, g.keyArn(), k -> new KmsKey(k.arn(), k.keyId(), k.accountId(), k.region(), k.keyManager(),
                    k.keyState(), k.origin(), k.multiRegion(), k.keyPolicy(),
                    k.grants().stream().filter(x -> !x.grantId().equals(g.grantId())).toList(), k.aliases(), k.tags(),
                    k.readError()));
        }
        throw new IllegalArgumentException(String.valueOf(c));
    }

    private static Snapshot editPolicy(Snapshot s, PolicySource t, UnaryOperator<String> edit) {
        switch (t.origin()) {
            case KEY_POLICY -> {
                return mapKey(s, t.ownerArn(), k -> new KmsKey(k.arn(), k.keyId(), k.accountId(), k.region(),
                        k.keyManager(), k.keyState(), k.origin(), k.multiRegion(), edit.apply(k.keyPolicy()),
                        k.grants(), k.aliases(), k.tags(), k.readError()));
            }
            case SCP, RCP -> {
                Organization o = s.organization();
                UnaryOperator<OrgPolicy> f = p -> p.id().equals(t.ownerArn()) ? new OrgPolicy(p.id(), p.arn(),
                        p.name(), edit.apply(p.document()), p.awsManaged(), p.targetIds()) : p;
                Organization n = new Organization(o.id(), o.managementAccountId(), o.rootId(), o.enabledPolicyTypes(),
                        o.organizationalUnits(), o.accounts(), o.serviceControlPolicies().stream().map(f).toList(),
                        o.resourceControlPolicies().stream().map(f).toList(), o.readError());
                return new Snapshot(s.schemaVersion(), s.run(), n, s.accounts(), s.awsManagedPolicies(), s.identityCenter());
            }
            case CUSTOMER_MANAGED -> {
                return mapIam(s, t.accountId(), iam -> new IamSnapshot(iam.users(), iam.groups(), iam.roles(),
                        iam.customerManagedPolicies().stream().map(p -> p.arn().equals(t.ownerArn())
                                ? new ManagedPolicy(p.arn(), p.name(), p.path(), p.defaultVersionId(),
                                edit.apply(p.document())) : p).toList()));
            }
            case USER_INLINE, ROLE_INLINE, GROUP_INLINE -> {
                UnaryOperator<List<InlinePolicy>> f = l -> l.stream().map(p -> p.name().equals(t.localName())
                        ? new InlinePolicy(p.name(), edit.apply(p.document())) : p).toList();
                return mapIam(s, t.accountId(), iam -> new IamSnapshot(
                        iam.users().stream().map(u -> u.arn().equals(t.ownerArn()) ? new IamUser(u.arn(), u.name(),
                                u.id(), u.path(), u.groups(), f.apply(u.inlinePolicies()),
                                u.attachedManagedPolicyArns(), u.permissionsBoundaryArn(), u.tags()) : u).toList(),
                        iam.groups().stream().map(g -> g.arn().equals(t.ownerArn()) ? new IamGroup(g.arn(), g.name(),
                                g.id(), g.path(), f.apply(g.inlinePolicies()), g.attachedManagedPolicyArns()) : g)
                                .toList(),
                        iam.roles().stream().map(r -> r.arn().equals(t.ownerArn()) ? new IamRole(r.arn(), r.name(),
                                r.id(), r.path(), r.trustPolicy(), f.apply(r.inlinePolicies()),
                                r.attachedManagedPolicyArns(), r.permissionsBoundaryArn(), r.tags(),
                                r.instanceProfileArns(), r.serviceLinked()) : r).toList(),
                        iam.customerManagedPolicies()));
            }
            default -> throw new IllegalArgumentException("can't edit " + t);
        }
    }

    /** A customer managed copy with the replacement, attached to each holder instead of the AWS managed policy. */
    private static Snapshot replaceAwsManaged(Snapshot s, Change.ReplaceStatement r) {
        Snapshot out = s;
        for (String holder : r.holderArns()) {
            out = replaceAwsManaged(out, r, holder);
        }
        return out;
    }

    private static Snapshot replaceAwsManaged(Snapshot s, Change.ReplaceStatement r, String holder) {
        String acc = SnapshotIndex.accountOf(holder);
        String copyArn = "arn:aws:iam::" + acc + ":policy/" + r.target().localName() + "-cmk-audit";
        ManagedPolicy existing = s.managedPolicy(copyArn).orElse(null);
        String base = existing != null ? existing.document() : r.target().text();
        ManagedPolicy copy = new ManagedPolicy(copyArn, r.target().localName() + "-cmk-audit", "/", "v1",
                PolicyJson.replaceStatement(base, r.index(), r.after()));
        UnaryOperator<List<String>> swap = l -> l.stream().map(a -> a.equals(r.target().name()) ? copyArn : a).toList();
        return mapIam(s, acc, iam -> {
            List<ManagedPolicy> pols = new ArrayList<>(iam.customerManagedPolicies().stream()
                    .filter(p -> !p.arn().equals(copyArn)).toList());
            pols.add(copy);
            return new IamSnapshot(
                    iam.users().stream().map(u -> u.arn().equals(holder) ? new IamUser(u.arn(), u.name(), u.id(),
                            u.path(), u.groups(), u.inlinePolicies(), swap.apply(u.attachedManagedPolicyArns()),
                            u.permissionsBoundaryArn(), u.tags()) : u).toList(),
                    iam.groups().stream().map(g -> g.arn().equals(holder) ? new IamGroup(g.arn(), g.name(), g.id(),
                            g.path(), g.inlinePolicies(), swap.apply(g.attachedManagedPolicyArns())) : g).toList(),
                    iam.roles().stream().map(x -> x.arn().equals(holder) ? new IamRole(x.arn(), x.name(), x.id(),
                            x.path(), x.trustPolicy(), x.inlinePolicies(), swap.apply(x.attachedManagedPolicyArns()),
                            x.permissionsBoundaryArn(), x.tags(), x.instanceProfileArns(), x.serviceLinked()) : x)
                            .toList(),
                    pols);
        });
    }

    /**
     * Applies a permission-set change as IAM Identity Center does: the permission set's inline policy becomes the new
     * one, and provisioning puts it (as {@code AwsSSOInlinePolicy}) on the reserved role of every provisioned account.
     */
    private static Snapshot provisionInline(Snapshot s, Change.PermissionSetInlineStatements c) {
        String inline = PolicyJson.compact(c.newInline());
        var idc = s.identityCenter();
        var instances = idc.instances().stream().map(i -> new io.cmkaudit.snapshot.IdentityCenterInstance(
                i.instanceArn(), i.identityStoreId(), i.ownerAccountId(), i.name(), i.status(),
                i.permissionSets().stream().map(p -> !p.arn().equals(c.permissionSetArn()) ? p
                        : new io.cmkaudit.snapshot.PermissionSet(p.arn(), p.name(), p.description(),
                        p.sessionDuration(), inline, p.awsManagedPolicyArns(), p.customerManagedPolicyReferences(),
                        p.permissionsBoundary(), p.provisionedAccountIds(), List.of(), p.accountAssignments(),
                        p.readErrors())).toList())).toList();
        Snapshot cur = s.withIdentityCenter(new io.cmkaudit.snapshot.IdentityCenter(idc.accountId(), idc.homeRegion(),
                idc.status(), idc.readErrors(), instances));
        InlinePolicy p = new InlinePolicy(Change.PermissionSetInlineStatements.ROLE_POLICY_NAME, inline);
        for (String account : c.provisionedAccounts()) {
            cur = mapIam(cur, account, iam -> new IamSnapshot(iam.users(), iam.groups(), iam.roles().stream()
                    .map(r -> io.cmkaudit.snapshot.IdentityCenter.isReservedRole(r.path(), r.name())
                            && c.permissionSetName().equals(io.cmkaudit.snapshot.IdentityCenter.permissionSetNameOf(r.name()))
                            ? withInline(new IamRole(r.arn(), r.name(), r.id(), r.path(), r.trustPolicy(),
                            r.inlinePolicies().stream().filter(x -> !x.name().equals(p.name())).toList(),
                            r.attachedManagedPolicyArns(), r.permissionsBoundaryArn(), r.tags(),
                            r.instanceProfileArns(), r.serviceLinked()), p) : r).toList(),
                    iam.customerManagedPolicies()));
        }
        return cur;
    }

    private static IamUser withInline(IamUser u, InlinePolicy p) {
        List<InlinePolicy> l = new ArrayList<>(u.inlinePolicies());
        l.add(p);
        return new IamUser(u.arn(), u.name(), u.id(), u.path(), u.groups(), l, u.attachedManagedPolicyArns(),
                u.permissionsBoundaryArn(), u.tags());
    }

    private static IamRole withInline(IamRole r, InlinePolicy p) {
        List<InlinePolicy> l = new ArrayList<>(r.inlinePolicies());
        l.add(p);
        return new IamRole(r.arn(), r.name(), r.id(), r.path(), r.trustPolicy(), l, r.attachedManagedPolicyArns(),
                r.permissionsBoundaryArn(), r.tags(), r.instanceProfileArns(), r.serviceLinked());
    }

    private static Snapshot mapIam(Snapshot s, String account, UnaryOperator<IamSnapshot> f) {
        List<AccountSnapshot> accs = s.accounts().stream().map(a -> a.accountId().equals(account)
                ? new AccountSnapshot(a.accountId(), a.name(), a.coverage(), f.apply(a.iam()), a.regions()) : a).toList();
        return s.withAccounts(accs);
    }

    private static Snapshot mapKey(Snapshot s, String keyArn, UnaryOperator<KmsKey> f) {
        List<AccountSnapshot> accs = s.accounts().stream().map(a -> new AccountSnapshot(a.accountId(), a.name(),
                a.coverage(), a.iam(), a.regions().stream().map(r -> new RegionSnapshot(r.region(),
                r.ebsEncryptionByDefault(), r.ebsDefaultKmsKeyId(), r.ebsDefaultKmsKeyArn(), r.instances(),
                r.volumes(), r.kmsKeys().stream().map(k -> k.arn().equals(keyArn) ? f.apply(k) : k).toList(),
                r.ebsSnapshots(), r.launch()))
                .toList())).toList();
        return s.withAccounts(accs);
    }
}
