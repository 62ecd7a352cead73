package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IamSnapshot;
import io.cmkaudit.snapshot.IdentityCenter;
import io.cmkaudit.snapshot.IdentityCenterInstance;
import io.cmkaudit.snapshot.Organization;
import io.cmkaudit.snapshot.PermissionSet;
import io.cmkaudit.snapshot.ReadError;
import io.cmkaudit.snapshot.RunMetadata;
import io.cmkaudit.snapshot.Snapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The linking rules of {@link PermissionSetLinks} on hand-made snapshots: reserved role names and paths as AWS
 * documents them (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html), and no
 * drift concluded from what was not fully read.
 */
class PermissionSetLinksTest {

    static final String A = "111122223333";
    static final String B = "444455556666";
    static final String INSTANCE = "arn:aws:sso:::instance/ssoins-1111222233334444";

    static IamRole role(String account, String path, String name) {
        return new IamRole("arn:aws:iam::" + account + ":role" + path + name, name, "AROA" + name.hashCode(), path, "{}",
                List.of(), List.of(), null, Map.of(), List.of(), false);
    }

    static PermissionSet ps(String name, List<String> provisioned, List<ReadError> errors) {
        return new PermissionSet(INSTANCE.replace("instance/", "permissionSet/") + "/ps-" + name, name, null, "PT1H",
                null, List.of(), List.of(), null, provisioned, List.of(), List.of(), errors);
    }

    static Snapshot snapshot(List<ReadError> idcErrors, CoverageStatus bStatus, List<PermissionSet> sets,
                             IamRole... roles) {
        AccountSnapshot a = new AccountSnapshot(A, "a", List.of(Coverage.scanned(Coverage.GLOBAL)),
                new IamSnapshot(List.of(), List.of(), java.util.Arrays.stream(roles).filter(r -> r.arn().contains(A)).toList(),
                        List.of()), List.of());
        AccountSnapshot b = new AccountSnapshot(B, "b", List.of(new Coverage(Coverage.GLOBAL, bStatus, null, null)),
                new IamSnapshot(List.of(), List.of(), java.util.Arrays.stream(roles).filter(r -> r.arn().contains(B)).toList(),
                        List.of()), List.of());
        IdentityCenter idc = new IdentityCenter(A, "eu-west-2", idcErrors.isEmpty() ? CoverageStatus.SCANNED
                : CoverageStatus.PARTIAL, idcErrors, List.of(new IdentityCenterInstance(INSTANCE, "d-1", A, null,
                "ACTIVE", sets)));
        return new Snapshot(new RunMetadata(Instant.EPOCH, Instant.EPOCH, "t", A, null, null, null, List.of(), Map.of()),
                new Organization(null, null, null, List.of(), List.of(), List.of(), List.of(), List.of(), null),
                List.of(a, b), Map.of(), idc);
    }

    @Test
    void reservedRoleNamesAndPaths() {
        assertThat(IdentityCenter.permissionSetNameOf("AWSReservedSSO_PowerUser_1a2b3c4d5e6f7a8b")).isEqualTo("PowerUser");
        assertThat(IdentityCenter.permissionSetNameOf("AWSReservedSSO_Data_Eng_1a2b3c4d5e6f7a8b")).isEqualTo("Data_Eng");
        assertThat(IdentityCenter.permissionSetNameOf("AWSReservedSSO_PowerUser")).isNull();
        assertThat(IdentityCenter.permissionSetNameOf("AWSReservedSSO__x")).isNull();
        assertThat(IdentityCenter.permissionSetNameOf("MyRole_PowerUser_1a2b")).isNull();
        assertThat(IdentityCenter.isReservedRole("/aws-reserved/sso.amazonaws.com/", "AWSReservedSSO_A_1a2b")).isTrue();
        assertThat(IdentityCenter.isReservedRole("/aws-reserved/sso.amazonaws.com/eu-west-2/", "AWSReservedSSO_A_1a2b"))
                .isTrue();
        // the name alone is not enough: anyone can create a role of that name under another path
        assertThat(IdentityCenter.isReservedRole("/", "AWSReservedSSO_A_1a2b")).isFalse();
    }

    @Test
    void linksByNameAndProvisionedAccountAndReportsEachKindOfDrift() {
        String path = "/aws-reserved/sso.amazonaws.com/eu-west-2/";
        IamRole linked = role(A, path, "AWSReservedSSO_Data_Eng_0123456789abcdef");
        IamRole orphan = role(A, path, "AWSReservedSSO_Gone_0123456789abcdef");
        IamRole notProvisioned = role(B, path, "AWSReservedSSO_Data_Eng_fedcba9876543210");
        IamRole lookalike = role(A, "/", "AWSReservedSSO_Gone_0123456789abcdef");
        PermissionSetLinks links = PermissionSetLinks.of(snapshot(List.of(), CoverageStatus.SCANNED,
                List.of(ps("Data_Eng", List.of(A), List.of()), ps("Ops", List.of(A, B), List.of())),
                linked, orphan, notProvisioned, lookalike));
        assertThat(links.links()).extracting(l -> l.role().arn()).containsExactly(linked.arn());
        assertThat(links.drift()).extracting(d -> d.kind() + " " + d.accountId() + " " + d.roleArn()).containsExactly(
                "ROLE_MISSING " + A + " null", "ROLE_MISSING " + B + " null",
                "ROLE_NOT_PROVISIONED " + B + " " + notProvisioned.arn(),
                "ROLE_WITHOUT_PERMISSION_SET " + A + " " + orphan.arn());
    }

    @Test
    void nothingIsConcludedFromWhatWasNotRead() {
        String path = "/aws-reserved/sso.amazonaws.com/";
        IamRole orphan = role(A, path, "AWSReservedSSO_Gone_0123456789abcdef");
        IamRole inB = role(B, path, "AWSReservedSSO_Ops_0123456789abcdef");
        // the permission sets could not all be listed: an unmatched role is not drift
        ReadError listFailed = new ReadError("SSOAdmin.ListPermissionSets", "ThrottlingException", "throttled");
        PermissionSetLinks partial = PermissionSetLinks.of(snapshot(List.of(listFailed), CoverageStatus.SCANNED,
                List.of(), orphan));
        assertThat(partial.drift()).isEmpty();
        // B's IAM was not read: a role missing there is unknown; provisioning unread: link by name, no drift
        ReadError provFailed = new ReadError("SSOAdmin.ListAccountsForProvisionedPermissionSet", "AccessDeniedException",
                "denied");
        PermissionSetLinks unread = PermissionSetLinks.of(snapshot(List.of(provFailed), CoverageStatus.ASSUME_ROLE_DENIED,
                List.of(ps("Ops", List.of(), List.of(provFailed)), ps("Gone", List.of(B), List.of())), inB));
        assertThat(unread.drift()).isEmpty();
        assertThat(unread.links()).isEmpty();
        PermissionSetLinks byName = PermissionSetLinks.of(snapshot(List.of(provFailed), CoverageStatus.SCANNED,
                List.of(ps("Ops", List.of(), List.of(provFailed))), inB));
        assertThat(byName.links()).extracting(l -> l.permissionSet().name()).containsExactly("Ops");
        // Identity Center not collected at all
        Snapshot none = snapshot(List.of(), CoverageStatus.SCANNED, List.of(), orphan).withIdentityCenter(null);
        assertThat(PermissionSetLinks.of(none).identityCenterRead()).isFalse();
        assertThat(PermissionSetLinks.of(none).drift()).isEmpty();
    }
}
