package io.cmkaudit.snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of a snapshot that its JSON Schema can't express: references between objects.
 *
 * <p>Rejected (a collector never writes them; the file is damaged or hand-made): a coverage list without the
 * {@code global} entry or with a region twice; an AWS managed policy stored under another ARN than its own; an OU
 * or an organization account whose {@code parentId} is neither the root nor an OU of the snapshot; an OU that is
 * its own ancestor; an OU or account id listed twice; a region listed twice in an account's {@code regions}, or an
 * instance id twice in a region's {@code instances} (either would count its instances twice); OUs without a
 * {@code rootId}. The message names the JSON path
 * and what was expected there.
 *
 * <p>Turned into coverage (a real collection can lack them when a read failed): a managed policy or permissions
 * boundary attached to a user, group or role that is neither in {@code awsManagedPolicies} nor among the
 * customer managed policies of the account its ARN names, and a group a user is in that the account's IAM data
 * lacks. The account's {@code global} coverage becomes {@code PARTIAL} (error code {@value #MISSING_CODE}) naming
 * the first missing reference by its JSON path, so the gap reaches coverage.csv, the summary and the exit code
 * instead of the principals silently losing permissions.
 */
final class SnapshotReferences {

    /** Error code of the coverage entry that reports references to data the snapshot does not hold. */
    static final String MISSING_CODE = "NotInSnapshot";

    private SnapshotReferences() {
    }

    /**
     * @param s a snapshot that passed the schema
     * @return {@code s}, or a copy whose accounts' {@code global} coverage reports missing references
     * @throws SnapshotFormatException (message without the source: the caller prefixes it) for a broken structure
     */
    static Snapshot check(Snapshot s) {
        checkManagedPolicyKeys(s);
        checkOrganization(s.organization());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < s.accounts().size(); i++) {
            AccountSnapshot a = s.accounts().get(i);
            if (!ids.add(a.accountId())) {
                throw bad("accounts[" + i + "].accountId: account " + a.accountId() + " is listed twice");
            }
            checkCoverage(a, "accounts[" + i + "]");
            checkRegions(a, "accounts[" + i + "]");
        }
        return withMissingReferences(s);
    }

    private static SnapshotFormatException bad(String message) {
        return new SnapshotFormatException(message, null);
    }

    private static void checkManagedPolicyKeys(Snapshot s) {
        for (Map.Entry<String, ManagedPolicy> e : s.awsManagedPolicies().entrySet()) {
            if (!e.getKey().equals(e.getValue().arn())) {
                throw bad("awsManagedPolicies[\"" + e.getKey() + "\"].arn: expected the policy's map key `"
                        + e.getKey() + "`, got `" + e.getValue().arn() + "`");
            }
        }
    }

    /** An account's region sections: each region once, each instance id once per region. */
    private static void checkRegions(AccountSnapshot a, String at) {
        String account = " (account " + a.accountId() + ")";
        Set<String> regions = new HashSet<>();
        for (int j = 0; j < a.regions().size(); j++) {
            RegionSnapshot r = a.regions().get(j);
            if (!regions.add(r.region())) {
                throw bad(at + ".regions[" + j + "].region" + account + ": region " + r.region()
                        + " is listed twice");
            }
            Set<String> instances = new HashSet<>();
            for (int k = 0; k < r.instances().size(); k++) {
                String id = r.instances().get(k).instanceId();
                if (!instances.add(id)) {
                    throw bad(at + ".regions[" + j + "].instances[" + k + "].instanceId" + account + ": instance "
                            + id + " is listed twice in " + r.region());
                }
            }
        }
    }

    private static void checkCoverage(AccountSnapshot a, String at) {
        // the account's id after the path, as SnapshotSchema names the account of a violation inside it
        String account = " (account " + a.accountId() + ")";
        Set<String> regions = new HashSet<>();
        for (int j = 0; j < a.coverage().size(); j++) {
            String region = a.coverage().get(j).region();
            if (!regions.add(region)) {
                throw bad(at + ".coverage[" + j + "].region" + account + ": expected each region once, got `"
                        + region + "` a second time");
            }
        }
        if (!regions.contains(Coverage.GLOBAL)) {
            throw bad(at + ".coverage" + account + ": expected an entry for region `global` (the account's IAM data), got "
                    + (a.coverage().isEmpty() ? "an empty list" : "only " + regions));
        }
    }

    private static void checkOrganization(Organization o) {
        String root = o.rootId();
        Map<String, String> parentOf = new HashMap<>();
        Map<String, Integer> indexOf = new HashMap<>();
        List<OrganizationalUnit> ous = o.organizationalUnits();
        if (root == null && (!ous.isEmpty() || o.accounts().stream().anyMatch(a -> a.parentId() != null))) {
            throw bad("organization.rootId: expected the root id (`r-...`) of an organization with "
                    + (ous.isEmpty() ? "accounts under a parent" : "OUs") + ", got none");
        }
        for (int i = 0; i < ous.size(); i++) {
            OrganizationalUnit ou = ous.get(i);
            if (indexOf.putIfAbsent(ou.id(), i) != null) {
                throw bad("organization.organizationalUnits[" + i + "].id: expected each OU once, got `" + ou.id()
                        + "` a second time");
            }
            parentOf.put(ou.id(), ou.parentId());
        }
        for (int i = 0; i < ous.size(); i++) {
            OrganizationalUnit ou = ous.get(i);
            String at = "organization.organizationalUnits[" + i + "].parentId";
            if (!ou.parentId().equals(root) && !parentOf.containsKey(ou.parentId())) {
                throw bad(at + ": expected the root `" + root + "` or the id of an OU in "
                        + "organization.organizationalUnits, got `" + ou.parentId() + "`");
            }
            // walk up to the root; meeting an OU twice is a cycle
            Set<String> seen = new LinkedHashSet<>();
            String cur = ou.id();
            while (cur != null && !cur.equals(root)) {
                if (!seen.add(cur)) {
                    List<String> chain = new ArrayList<>(seen);
                    chain.add(cur);
                    throw bad(at + ": expected a chain of parents that ends at the root `" + root
                            + "`, got a cycle " + String.join(" -> ", chain));
                }
                cur = parentOf.get(cur);
            }
        }
        Set<String> accounts = new HashSet<>();
        for (int i = 0; i < o.accounts().size(); i++) {
            OrgAccount a = o.accounts().get(i);
            String at = "organization.accounts[" + i + "]";
            if (!accounts.add(a.id())) {
                throw bad(at + ".id: expected each account once, got `" + a.id() + "` a second time");
            }
            if (a.parentId() != null && !a.parentId().equals(root) && !parentOf.containsKey(a.parentId())) {
                throw bad(at + ".parentId: expected the root `" + root + "` or the id of an OU in "
                        + "organization.organizationalUnits, got `" + a.parentId() + "`");
            }
        }
    }

    /** Policies and groups referenced but not held: the account's {@code global} coverage says so. */
    private static Snapshot withMissingReferences(Snapshot s) {
        Set<String> customerPolicies = new HashSet<>();
        for (AccountSnapshot a : s.accounts()) {
            for (ManagedPolicy p : a.iam().customerManagedPolicies()) {
                customerPolicies.add(p.arn());
            }
        }
        List<AccountSnapshot> accounts = null;
        for (int i = 0; i < s.accounts().size(); i++) {
            AccountSnapshot a = s.accounts().get(i);
            Missing missing = new Missing("accounts[" + i + "].iam");
            IamSnapshot iam = a.iam();
            Set<String> groups = new HashSet<>();
            iam.groups().forEach(g -> groups.add(g.name()));
            for (int j = 0; j < iam.users().size(); j++) {
                IamUser u = iam.users().get(j);
                String at = "users[" + j + "]";
                missing.policies(s, customerPolicies, at, u.attachedManagedPolicyArns(), u.permissionsBoundaryArn());
                for (int k = 0; k < u.groups().size(); k++) {
                    if (!groups.contains(u.groups().get(k))) {
                        missing.add(at + ".groups[" + k + "]", "group `" + u.groups().get(k) + "` is not in the "
                                + "account's iam.groups");
                    }
                }
            }
            for (int j = 0; j < iam.groups().size(); j++) {
                missing.policies(s, customerPolicies, "groups[" + j + "]", iam.groups().get(j).attachedManagedPolicyArns(),
                        null);
            }
            for (int j = 0; j < iam.roles().size(); j++) {
                IamRole r = iam.roles().get(j);
                missing.policies(s, customerPolicies, "roles[" + j + "]", r.attachedManagedPolicyArns(),
                        r.permissionsBoundaryArn());
            }
            if (missing.count == 0) {
                continue;
            }
            if (accounts == null) {
                accounts = new ArrayList<>(s.accounts());
            }
            accounts.set(i, new AccountSnapshot(a.accountId(), a.name(), withGap(a.coverage(), missing), a.iam(),
                    a.regions()));
        }
        return accounts == null ? s : s.withAccounts(accounts);
    }

    private static List<Coverage> withGap(List<Coverage> coverage, Missing m) {
        String text = m.count + " reference" + (m.count == 1 ? "" : "s") + " to IAM data not in the snapshot (first: "
                + m.first + "); the principals holding them were analyzed without them";
        List<Coverage> out = new ArrayList<>(coverage.size());
        for (Coverage c : coverage) {
            if (!c.region().equals(Coverage.GLOBAL)) {
                out.add(c);
            } else if (c.status() == CoverageStatus.SCANNED) {
                out.add(new Coverage(c.region(), CoverageStatus.PARTIAL, MISSING_CODE, text));
            } else {
                out.add(new Coverage(c.region(), c.status(), c.errorCode() == null ? MISSING_CODE : c.errorCode(),
                        (c.errorMessage() == null ? "" : c.errorMessage() + "; ") + text));
            }
        }
        return out;
    }

    /** Missing references of one account: how many, and the first by JSON path. */
    private static final class Missing {
        final String prefix;
        int count;
        String first;

        Missing(String prefix) {
            this.prefix = prefix;
        }

        void add(String path, String what) {
            if (count++ == 0) {
                first = prefix + "." + path + ": " + what;
            }
        }

        void policies(Snapshot s, Set<String> customer, String at, List<String> attached, String boundary) {
            for (int k = 0; k < attached.size(); k++) {
                check(s, customer, at + ".attachedManagedPolicyArns[" + k + "]", attached.get(k));
            }
            if (boundary != null) {
                check(s, customer, at + ".permissionsBoundaryArn", boundary);
            }
        }

        private void check(Snapshot s, Set<String> customer, String path, String arn) {
            if (arn.contains(":iam::aws:policy/")) {
                if (!s.awsManagedPolicies().containsKey(arn)) {
                    add(path, arn + " is not in awsManagedPolicies");
                }
            } else if (!customer.contains(arn)) {
                add(path, arn + " is not among the customer managed policies of its account");
            }
        }
    }
}
