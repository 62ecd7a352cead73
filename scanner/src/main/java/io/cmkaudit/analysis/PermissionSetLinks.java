package io.cmkaudit.analysis;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IdentityCenter;
import io.cmkaudit.snapshot.IdentityCenterInstance;
import io.cmkaudit.snapshot.PermissionSet;
import io.cmkaudit.snapshot.ReadError;
import io.cmkaudit.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Links each IAM Identity Center reserved role of a snapshot ({@code AWSReservedSSO_<name>_<suffix>} under
 * {@code /aws-reserved/sso.amazonaws.com/}) to the permission set it was provisioned from, and lists the provisioning
 * drift between the two (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html):
 * <ul>
 *   <li>{@link DriftKind#ROLE_WITHOUT_PERMISSION_SET}: a reserved role whose name matches no permission set (the
 *       permission set was deleted or renamed, or the role was left behind);</li>
 *   <li>{@link DriftKind#ROLE_NOT_PROVISIONED}: a reserved role named after a permission set that Identity Center
 *       does not list as provisioned to the role's account;</li>
 *   <li>{@link DriftKind#ROLE_MISSING}: a permission set provisioned to an account whose IAM was read, without a
 *       reserved role of its name there (provisioning failed, or the role was deleted);</li>
 *   <li>{@link DriftKind#OUTDATED}: an account whose role holds an older version of the permission set (provisioning
 *       status {@code LATEST_PERMISSION_SET_NOT_PROVISIONED}).</li>
 * </ul>
 * A role is linked only when the permission set of its name lists the role's account as provisioned (or its
 * provisioned accounts could not be read); nothing is guessed. Drift is only concluded from what was fully read: no
 * drift when Identity Center was not read, when its permission sets could not all be listed and described, or for
 * accounts whose IAM was not read. Immutable; thread-safe.
 */
public final class PermissionSetLinks {

    /** The kinds of provisioning drift. */
    public enum DriftKind {
        /** A reserved role whose name matches no permission set. */
        ROLE_WITHOUT_PERMISSION_SET,
        /** A reserved role of a permission set not provisioned to its account. */
        ROLE_NOT_PROVISIONED,
        /** A provisioned account without the permission set's reserved role. */
        ROLE_MISSING,
        /** A provisioned account whose role holds an older version of the permission set. */
        OUTDATED
    }

    /**
     * One reserved role and its permission set.
     *
     * @param accountId     the role's account
     * @param role          the role
     * @param permissionSet the permission set
     * @param instance      the Identity Center instance holding it
     */
    public record Link(String accountId, IamRole role, PermissionSet permissionSet, IdentityCenterInstance instance) {
    }

    /**
     * One provisioning drift.
     *
     * @param kind          what is wrong
     * @param accountId     the account concerned
     * @param roleArn       the reserved role concerned, or null for {@link DriftKind#ROLE_MISSING}
     * @param permissionSet the permission set concerned, or null for {@link DriftKind#ROLE_WITHOUT_PERMISSION_SET}
     * @param message       one line saying what is wrong and what to do
     */
    public record Drift(DriftKind kind, String accountId, String roleArn, PermissionSet permissionSet, String message) {
    }

    private static final PermissionSetLinks NONE = new PermissionSetLinks(Map.of(), List.of(), false);

    private final Map<String, Link> byRoleArn;
    private final List<Drift> drift;
    private final boolean identityCenterRead;

    private PermissionSetLinks(Map<String, Link> byRoleArn, List<Drift> drift, boolean identityCenterRead) {
        this.byRoleArn = Map.copyOf(byRoleArn);
        this.drift = List.copyOf(drift);
        this.identityCenterRead = identityCenterRead;
    }

    /**
     * @param snapshot a snapshot
     * @return its links and drift; empty when Identity Center was not collected or could not be read
     */
    public static PermissionSetLinks of(Snapshot snapshot) {
        IdentityCenter idc = snapshot.identityCenter();
        if (idc == null || !(idc.status() == CoverageStatus.SCANNED || idc.status() == CoverageStatus.PARTIAL)) {
            return NONE;
        }
        // A permission set list is complete when it was listed and every permission set was described.
        boolean complete = idc.readErrors().stream().noneMatch(e -> e.operation().equals("SSOAdmin.ListPermissionSets"))
                && idc.permissionSets().allMatch(p -> p.name() != null);
        Map<String, List<Candidate>> byName = new HashMap<>();
        for (IdentityCenterInstance ins : idc.instances()) {
            for (PermissionSet ps : ins.permissionSets()) {
                if (ps.name() != null) {
                    byName.computeIfAbsent(ps.name(), k -> new ArrayList<>()).add(new Candidate(ps, ins));
                }
            }
        }
        Map<String, Link> links = new HashMap<>();
        List<Drift> drift = new ArrayList<>();
        Map<String, AccountSnapshot> iamRead = new HashMap<>();
        for (AccountSnapshot a : snapshot.accounts()) {
            Optional<Coverage> global = a.coverage(Coverage.GLOBAL);
            if (global.isEmpty() || !(global.get().status() == CoverageStatus.SCANNED
                    || global.get().status() == CoverageStatus.PARTIAL)) {
                continue;
            }
            iamRead.put(a.accountId(), a);
            for (IamRole role : a.iam().roles()) {
                if (!IdentityCenter.isReservedRole(role.path(), role.name())) {
                    continue;
                }
                String name = IdentityCenter.permissionSetNameOf(role.name());
                List<Candidate> candidates = byName.getOrDefault(name, List.of());
                List<Candidate> provisionedHere = candidates.stream()
                        .filter(c -> provisioningUnknown(c.ps) || c.ps.provisionedAccountIds().contains(a.accountId()))
                        .toList();
                if (provisionedHere.size() == 1) {
                    Candidate c = provisionedHere.get(0);
                    links.put(role.arn(), new Link(a.accountId(), role, c.ps, c.instance));
                } else if (provisionedHere.size() > 1) {
                    // Several instances hold a permission set of this name provisioned here: ambiguous, not guessed.
                    continue;
                } else if (candidates.isEmpty()) {
                    if (complete) {
                        drift.add(new Drift(DriftKind.ROLE_WITHOUT_PERMISSION_SET, a.accountId(), role.arn(), null,
                                "reserved role " + role.arn() + " matches no IAM Identity Center permission set named `"
                                        + name + "`: the permission set was deleted or renamed, or the role was left "
                                        + "behind; its permissions can't be fixed through Identity Center"));
                    }
                } else {
                    Candidate c = candidates.get(0);
                    drift.add(new Drift(DriftKind.ROLE_NOT_PROVISIONED, a.accountId(), role.arn(), c.ps,
                            "reserved role " + role.arn() + " is named after permission set `" + name + "` ("
                                    + c.ps.arn() + "), which IAM Identity Center does not list as provisioned to account "
                                    + a.accountId()));
                }
            }
        }
        for (IdentityCenterInstance ins : idc.instances()) {
            for (PermissionSet ps : ins.permissionSets()) {
                if (ps.name() == null || provisioningUnknown(ps)) {
                    continue;
                }
                for (String account : ps.provisionedAccountIds()) {
                    AccountSnapshot a = iamRead.get(account);
                    if (a == null) {
                        continue;
                    }
                    boolean hasRole = a.iam().roles().stream().anyMatch(r -> IdentityCenter.isReservedRole(r.path(),
                            r.name()) && ps.name().equals(IdentityCenter.permissionSetNameOf(r.name())));
                    if (!hasRole) {
                        drift.add(new Drift(DriftKind.ROLE_MISSING, account, null, ps, "permission set `" + ps.name()
                                + "` (" + ps.arn() + ") is provisioned to account " + account + " but the account has "
                                + "no role " + IdentityCenter.RESERVED_ROLE_PREFIX + ps.name() + "_* under "
                                + IdentityCenter.RESERVED_ROLE_PATH + ": provision the permission set again"));
                    } else if (ps.outdatedAccountIds().contains(account)) {
                        drift.add(new Drift(DriftKind.OUTDATED, account, null, ps, "account " + account + " holds an "
                                + "older version of permission set `" + ps.name() + "` (" + ps.arn() + "): its role's "
                                + "policies differ from the permission set until it is provisioned again"));
                    }
                }
            }
        }
        drift.sort(Comparator.comparing((Drift d) -> d.kind().name()).thenComparing(Drift::accountId)
                .thenComparing(d -> d.roleArn() == null ? "" : d.roleArn())
                .thenComparing(d -> d.permissionSet() == null ? "" : d.permissionSet().arn()));
        return new PermissionSetLinks(links, drift, true);
    }

    /** The {@code region} of the coverage row of IAM Identity Center. */
    public static final String COVERAGE_REGION = "identity-center";

    /**
     * The coverage row of IAM Identity Center: region {@value #COVERAGE_REGION}, the account it was read from, its
     * status and first failure (naming the call, and the home region when found); {@code principals} counts the
     * permission sets read.
     *
     * @param snapshot    a snapshot
     * @param accountName account id to name (may return null)
     * @return the row, or empty when the snapshot holds no Identity Center section (not collected)
     */
    static Optional<AnalysisResult.CoverageRow> coverageRow(Snapshot snapshot,
                                                           java.util.function.Function<String, String> accountName) {
        IdentityCenter idc = snapshot.identityCenter();
        if (idc == null) {
            return Optional.empty();
        }
        ReadError first = idc.readErrors().isEmpty() ? null : idc.readErrors().get(0);
        String message = first == null ? null : first.message();
        if (idc.homeRegion() != null && message != null) {
            message = message + " (Identity Center home region " + idc.homeRegion() + ")";
        }
        if (message != null && idc.readErrors().size() > 1) {
            message = message + "; " + (idc.readErrors().size() - 1) + " more failed call(s) in the snapshot";
        }
        return Optional.of(new AnalysisResult.CoverageRow(idc.accountId(), accountName.apply(idc.accountId()),
                COVERAGE_REGION, idc.status().name(), first == null ? null : first.code(), message, 0, 0, 0,
                (int) idc.permissionSets().count()));
    }

    private static boolean provisioningUnknown(PermissionSet ps) {
        return ps.failed("SSOAdmin.ListAccountsForProvisionedPermissionSet");
    }

    private record Candidate(PermissionSet ps, IdentityCenterInstance instance) {
    }

    /**
     * @param roleArn an IAM role ARN
     * @return the link of that reserved role, if it was linked
     */
    public Optional<Link> link(String roleArn) {
        return Optional.ofNullable(byRoleArn.get(roleArn));
    }

    /**
     * @return every link, sorted by account then role ARN
     */
    public List<Link> links() {
        return byRoleArn.values().stream().sorted(Comparator.comparing(Link::accountId)
                .thenComparing(l -> l.role().arn())).toList();
    }

    /**
     * @return the provisioning drift, sorted by kind, account, role, permission set
     */
    public List<Drift> drift() {
        return drift;
    }

    /**
     * @return whether Identity Center was read (SCANNED or PARTIAL), so links and drift mean something
     */
    public boolean identityCenterRead() {
        return identityCenterRead;
    }
}
