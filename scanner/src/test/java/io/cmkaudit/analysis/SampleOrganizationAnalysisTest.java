package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The analysis of the sample organization the real collector produced from moto (samples/README.md). */
class SampleOrganizationAnalysisTest {

    static Snapshot sample() throws Exception {
        try (InputStream in = SampleOrganizationAnalysisTest.class
                .getResourceAsStream("/samples/sample-org.snapshot.json")) {
            return SnapshotJson.read(in);
        }
    }

    static String name(String arn) {
        return arn == null ? null : arn.substring(arn.lastIndexOf('/') + 1);
    }

    private static String[] sortedByIdNames(Finding f) {
        return f.permissionSet().accounts().stream().sorted(java.util.Comparator.comparing(Finding.Account::id))
                .map(Finding.Account::name).toArray(String[]::new);
    }

    @Test
    void theSampleGivesTheDocumentedCases() throws Exception {
        List<Finding> fs = new Analyzer().analyze(sample()).findings();

        // one finding per fix lists the principals and instances it covers: (instance, principal, cause) each once
        assertThat(fs.stream().filter(f -> f.type() == FindingType.START_BLOCKED_KMS_DENIED
                        && f.permissionSet() == null)
                .flatMap(f -> f.instances().stream().flatMap(i -> f.principals().stream()
                        .map(p -> tuple(i.name(), name(p.arn()), f.decidingLayers())))).toList())
                .containsExactlyInAnyOrder(
                        tuple("web-1", "alice", List.of("identity")),
                        tuple("web-1", "carol", List.of("identity")),
                        tuple("web-1", "app-server", List.of("boundary")),
                        tuple("db-1", "alice", List.of("resource")),
                        tuple("db-1", "bob", List.of("resource")),
                        tuple("db-1", "deploy", List.of("resource")),
                        tuple("db-1", "app-server", List.of("resource")),
                        tuple("db-1", "OrganizationAccountAccessRole", List.of("resource")),
                        // the PowerUser role is one more principal db-1's key-policy statement names
                        tuple("db-1", "AWSReservedSSO_PowerUser_a1b2c3d4e5f60001", List.of("resource")),
                        tuple("reports-1", "alice", List.of("identity")),
                        tuple("reports-1", "bob", List.of("identity")),
                        tuple("reports-1", "carol", List.of("identity")),
                        tuple("reports-1", "app-server", List.of("boundary")),
                        tuple("dev-app-1", "dave", List.of("identity")));
        assertThat(fs.stream().filter(f -> f.type() == FindingType.START_BLOCKED_KEY_UNUSABLE))
                .extracting(Finding::instanceName, Finding::severity, Finding::keyState)
                .containsExactly(tuple("dev-old", Severity.CRITICAL, "PendingDeletion"),
                        tuple("dev-batch", Severity.HIGH, "Disabled"));
        // dave and the PowerUser role get unconstrained CreateGrant only through its Principal "*": counted there
        assertThat(fs.stream().filter(f -> f.type() == FindingType.KEY_POLICY_PUBLIC))
                .extracting(Finding::accountName, Finding::region).containsExactly(tuple("dev-app", "us-east-1"));
        assertThat(fs.stream().filter(f -> f.type() == FindingType.KEY_POLICY_PUBLIC)).singleElement()
                .satisfies(f -> assertThat(f.explanation()).contains("Through it alone, 2 principals of the scanned "
                        + "accounts have kms:CreateGrant without kms:GrantIsForAWSResource on the key"));
        assertThat(fs.stream().filter(f -> "dave".equals(name(f.principalArn()))
                && f.type() == FindingType.KMS_CREATEGRANT_UNCONSTRAINED)).isEmpty();
        assertThat(fs.stream().filter(f -> f.type() == FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL))
                .extracting(f -> name(f.principalArn())).containsExactly("bob");
        // bob holds the fixed state (the seed's policy): no start finding, no unconstrained CreateGrant
        assertThat(fs.stream().filter(f -> "bob".equals(name(f.principalArn())))
                .filter(f -> f.instanceName() != null && f.instanceName().equals("web-1"))).isEmpty();
        assertThat(fs.stream().filter(f -> "bob".equals(name(f.principalArn()))
                && f.type() == FindingType.KMS_CREATEGRANT_UNCONSTRAINED)).isEmpty();
        // kms-admin's kms:* on * and the key policy naming it
        assertThat(fs.stream().filter(f -> "kms-admin".equals(name(f.principalArn()))
                        && f.type() == FindingType.KMS_FULL_ACCESS)).hasSize(2);
        // IAM Identity Center: PowerUser's roles in prod-app and dev-app lack kms:CreateGrant: one finding for both
        // accounts, fixed in the permission set; db-1's key policy (no IAM delegation) is one fix for the role and four
        // other principals (the role by its permission set's ARN pattern; that finding is not the permission set's),
        // and dev's public key policy
        // counts the role's unconstrained CreateGrant
        assertThat(fs.stream().filter(f -> "PowerUser".equals(f.permissionSetName())))
                .extracting(Finding::type, Finding::principalType, Finding::decidingLayers, Finding::accountName)
                .containsExactly(
                        tuple(FindingType.START_BLOCKED_KMS_DENIED, "permission-set", List.of("identity"), "master"));
        Finding powerUser = fs.stream().filter(f -> "PowerUser".equals(f.permissionSetName())
                && f.decidingLayers().equals(List.of("identity"))).findFirst().orElseThrow();
        assertThat(powerUser.permissionSet().accounts()).extracting(Finding.Account::name)
                .containsExactly(sortedByIdNames(powerUser));
        assertThat(powerUser.permissionSet().accounts()).extracting(Finding.Account::name)
                .containsExactlyInAnyOrder("prod-app", "dev-app");
        assertThat(powerUser.instances()).extracting(Finding.Resource::name)
                .containsExactlyInAnyOrder("web-1", "reports-1", "dev-app-1");
        assertThat(powerUser.permissionSet().keyArns()).hasSize(3);
        assertThat(powerUser.permissionSet().assignments()).extracting(Finding.Assignment::label)
                .containsExactly("group Developers", "group Developers");
        assertThat(powerUser.remediation()).contains("put-inline-policy-to-permission-set", "provision-permission-set");
        assertThat(fs.stream().filter(f -> f.type() == FindingType.IDENTITY_CENTER_PROVISIONING_DRIFT))
                .extracting(Finding::accountName, Finding::permissionSetName).containsExactly(tuple("sandbox", "ReadOnly"));
        // the launch scenario: web-asg's role is not named by the key policy of alias/prod-app, and AWS recorded
        // the failure (a failed scaling activity): the finding is confirmed
        assertThat(fs.stream().filter(f -> f.type() == FindingType.LAUNCH_BLOCKED_KMS_DENIED)).singleElement()
                .satisfies(f -> {
                    assertThat(name(f.principalArn())).isEqualTo("AWSServiceRoleForAutoScaling");
                    assertThat(f.decidingLayers()).containsExactly("resource");
                    assertThat(f.launchSources()).extracting(Finding.Resource::id).containsExactly("web-asg");
                    assertThat(f.confirmed()).isNotNull();
                    assertThat(f.confirmed().code()).isEqualTo("Client.InternalError");
                    assertThat(f.confirmed().source()).startsWith("scaling activity ").endsWith(" of web-asg");
                });
        assertThat(fs).noneMatch(f -> f.type() == FindingType.FAILURE_UNEXPLAINED);
        // sandbox-1 is on aws/ebs only and legacy-1 unencrypted: counted, never joined
        assertThat(fs).noneMatch(f -> "sandbox-1".equals(f.instanceName()) || "legacy-1".equals(f.instanceName()));
    }

    @Test
    void aFailureAwsRecordedOnAnInstanceOfAPermissionSetsFindingConfirmsIt() throws Exception {
        // the permission set's finding is filed under the IAM Identity Center administrator account and lists the
        // instances of the accounts it is provisioned to, each with its own account
        Finding ps = new Analyzer().analyze(sample()).findings().stream()
                .filter(f -> f.type() == FindingType.START_BLOCKED_KMS_DENIED && f.permissionSet() != null)
                .findFirst().orElseThrow();
        Finding.Resource elsewhere = ps.instances().stream().filter(r -> r.accountId() != null)
                .findFirst().orElseThrow();
        assertThat(elsewhere.accountId()).isNotEqualTo(ps.accountId());
        assertThat(ps.confirmed()).isNull();

        // AWS recorded that instance's start failing (StateReason Client.InternalError on an encrypted volume)
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode doc;
        try (InputStream in = SampleOrganizationAnalysisTest.class
                .getResourceAsStream("/samples/sample-org.snapshot.json")) {
            doc = json.readTree(in);
        }
        int marked = 0;
        for (com.fasterxml.jackson.databind.JsonNode a : doc.get("accounts")) {
            for (com.fasterxml.jackson.databind.JsonNode r : a.get("regions")) {
                for (com.fasterxml.jackson.databind.JsonNode i : r.get("instances")) {
                    if (i.get("instanceId").asText().equals(elsewhere.id())) {
                        assertThat(a.get("accountId").asText()).isEqualTo(elsewhere.accountId());
                        ((com.fasterxml.jackson.databind.node.ObjectNode) i).put("state", "stopped")
                                .put("stateReasonCode", "Client.InternalError")
                                .put("stateReasonMessage", "Client.InternalError: Client error on launch");
                        marked++;
                    }
                }
            }
        }
        assertThat(marked).isEqualTo(1);
        List<Finding> fs = new Analyzer().analyze(SnapshotJson.read(
                new java.io.ByteArrayInputStream(json.writeValueAsBytes(doc)))).findings();
        Finding confirmed = fs.stream().filter(f -> f.findingId().equals(ps.findingId())).findFirst().orElseThrow();
        assertThat(confirmed.confirmed()).isNotNull();
        assertThat(confirmed.confirmed().code()).isEqualTo("Client.InternalError");
        assertThat(confirmed.confirmed().source()).contains(elsewhere.id());
        // explained: no FAILURE_UNEXPLAINED about it
        assertThat(fs).noneMatch(f -> f.type() == FindingType.FAILURE_UNEXPLAINED);
    }
}
