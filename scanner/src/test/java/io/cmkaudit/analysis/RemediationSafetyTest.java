package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fixes that must be safe to apply as AWS documents them, on the sample organization (samples/README.md): a key-policy
 * fix never leaves the key without a principal allowed kms:PutKeyPolicy (KMS's policy lockout safety check,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key); a start
 * that an unparseable policy could allow is not a definite failure; Identity Center roles are named in key policies
 * by pattern (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html); a fix's text
 * says which keys its snippet lists.
 */
class RemediationSafetyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String name(String arn) {
        return SampleOrganizationAnalysisTest.name(arn);
    }

    /** @return whether an Allow statement of the document covers kms:PutKeyPolicy (Action or NotAction) */
    private static boolean allowsPutKeyPolicy(ObjectNode doc, String principalArn) {
        for (ObjectNode st : PolicyJson.statements(doc)) {
            if (!"Allow".equals(PolicyJson.textIgnoreCase(st, "Effect"))) {
                continue;
            }
            JsonNode action = PolicyJson.fieldIgnoreCase(st, "Action");
            JsonNode notAction = PolicyJson.fieldIgnoreCase(st, "NotAction");
            boolean covers = action != null ? PolicyJson.strings(action).stream()
                    .anyMatch(a -> PolicyJson.glob(a, "kms:PutKeyPolicy"))
                    : notAction != null && PolicyJson.strings(notAction).stream()
                    .noneMatch(a -> PolicyJson.glob(a, "kms:PutKeyPolicy"));
            JsonNode principal = st.path("Principal").path("AWS");
            boolean names = principalArn == null || PolicyJson.strings(principal).contains(principalArn);
            if (covers && names) {
                return true;
            }
        }
        return false;
    }

    /** The key policy a finding's changes leave, when they edit one; null otherwise. */
    private static ObjectNode keyPolicyAfter(Snapshot s, List<Change> changes) {
        String keyArn = null;
        for (Change c : changes) {
            PolicySource target = c instanceof Change.ReplaceStatement r ? r.target()
                    : c instanceof Change.AddStatements a ? a.target() : null;
            if (target != null && target.origin() == PolicySource.Origin.KEY_POLICY) {
                keyArn = target.ownerArn();
            }
        }
        if (keyArn == null) {
            return null;
        }
        Snapshot fixed = SnapshotPatcher.apply(s, changes);
        String k = keyArn;
        String text = fixed.accounts().stream().flatMap(a -> a.regions().stream())
                .flatMap(r -> r.kmsKeys().stream()).filter(x -> x.arn().equals(k)).findFirst().orElseThrow()
                .keyPolicy();
        return PolicyJson.parse(text);
    }

    @Test
    void theFullAccessFixOfAKeyPolicyKeepsTheKeyAdministratorsActionsApart() throws Exception {
        Snapshot s = SampleOrganizationAnalysisTest.sample();
        Outcome run = new Analyzer().run(s);
        // alias/prod-db: its key policy's only statement `OnlyKeyAdmin` gives kms-admin kms:*
        Finding f = run.result().findings().stream().filter(x -> x.type() == FindingType.KMS_FULL_ACCESS
                && x.evidence().stream().anyMatch(e -> e.endsWith("#OnlyKeyAdmin"))).findFirst().orElseThrow();
        String kmsAdmin = f.principalArn();
        assertThat(name(kmsAdmin)).isEqualTo("kms-admin");
        ObjectNode after = keyPolicyAfter(s, run.remediations().get(f.findingId()).changes());
        assertThat(after).isNotNull();
        // someone (kms-admin) can still change the key policy: KMS accepts the new one
        assertThat(allowsPutKeyPolicy(after, kmsAdmin)).isTrue();
        // administration and use in statements of their own: no statement gives both
        for (ObjectNode st : PolicyJson.statements(after)) {
            List<String> actions = PolicyJson.strings(PolicyJson.fieldIgnoreCase(st, "Action"));
            assertThat(actions.contains("kms:PutKeyPolicy") && actions.contains("kms:Decrypt")).isFalse();
        }
        assertThat(PolicyJson.statements(after)).extracting(st -> PolicyJson.textIgnoreCase(st, "Sid"))
                .contains("OnlyKeyAdminKeyAdmin", "OnlyKeyAdminKeyUse", "OnlyKeyAdminAttachOnly");
        // the administrator actions of AWS's default key policy, CreateGrant only for AWS resources
        ObjectNode admin = PolicyJson.statements(after).stream()
                .filter(st -> "OnlyKeyAdminKeyAdmin".equals(PolicyJson.textIgnoreCase(st, "Sid"))).findFirst()
                .orElseThrow();
        assertThat(PolicyJson.strings(admin.get("Action"))).contains("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand", "kms:TagResource", "kms:UntagResource",
                "kms:DescribeKey", "kms:GetKeyPolicy", "kms:ListGrants", "kms:RevokeGrant", "kms:EnableKey",
                "kms:DisableKey", "kms:UpdateKeyDescription").doesNotContain("kms:CreateGrant", "kms:Decrypt");
        assertThat(f.remediation()).contains("KMS refuses a key policy that leaves no principal kms:PutKeyPolicy");
        // the security account's OrganizationAccountAccessRole keeps them too (its AdministratorAccess copy)
        Finding oaar = run.result().findings().stream().filter(x -> x.type() == FindingType.KMS_FULL_ACCESS
                && "OrganizationAccountAccessRole".equals(name(x.principalArn()))).findFirst().orElseThrow();
        assertThat(oaar.remediationPolicy()).contains("\"Sid\": \"KeyAdmin\"", "kms:PutKeyPolicy");
    }

    @Test
    void noKeyPolicyFixOfTheSampleLocksItsKey() throws Exception {
        Snapshot s = SampleOrganizationAnalysisTest.sample();
        Outcome run = new Analyzer().run(s);
        int keyPolicyFixes = 0;
        for (Finding f : run.result().findings()) {
            Remediation r = run.remediations().get(f.findingId());
            ObjectNode after = r == null ? null : keyPolicyAfter(s, r.changes());
            if (after != null) {
                keyPolicyFixes++;
                assertThat(allowsPutKeyPolicy(after, null)).as(f.findingId() + " " + f.remediation()).isTrue();
            }
        }
        assertThat(keyPolicyFixes).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aStartDenyThatAnUnparseableKeyPolicyCouldLiftIsConditional() throws Exception {
        JsonNode doc;
        try (InputStream in = RemediationSafetyTest.class.getResourceAsStream("/samples/sample-org.snapshot.json")) {
            doc = JSON.readTree(in);
        }
        // alias/prod-app's key policy with a date AWS's grammar doesn't have (a five-digit year)
        int patched = 0;
        for (JsonNode a : doc.get("accounts")) {
            for (JsonNode r : a.get("regions")) {
                for (JsonNode k : r.get("kmsKeys")) {
                    if (k.get("aliases").toString().contains("\"alias/prod-app\"")) {
                        ObjectNode policy = (ObjectNode) JSON.readTree(k.get("keyPolicy").asText());
                        ((ObjectNode) policy.get("Statement").get(0)).putObject("Condition")
                                .putObject("DateLessThan").put("aws:CurrentTime", "20300-01-01T00:00:00Z");
                        ((ObjectNode) k).put("keyPolicy", JSON.writeValueAsString(policy));
                        patched++;
                    }
                }
            }
        }
        assertThat(patched).isEqualTo(1);
        List<Finding> fs = new Analyzer().analyze(SnapshotJson.read(
                new ByteArrayInputStream(JSON.writeValueAsBytes(doc)))).findings();
        assertThat(fs).anyMatch(f -> f.type() == FindingType.POLICY_UNPARSEABLE);
        // no definite failure rests on it
        assertThat(fs).noneMatch(f -> f.type() == FindingType.START_BLOCKED_KMS_DENIED
                && f.explanation().startsWith("Uncertain (the key policy"));
        List<Finding> open = new ArrayList<>(fs.stream().filter(f -> f.type() == FindingType.START_ACCESS_CONDITIONAL
                && f.explanation().startsWith("Uncertain (the key policy")).toList());
        assertThat(open).extracting(f -> name(f.principalArn()))
                .contains("alice", "carol", "app-server", "OrganizationAccountAccessRole");
        Finding alice = open.stream().filter(f -> "alice".equals(name(f.principalArn()))).findFirst().orElseThrow();
        assertThat(alice.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(alice.evidence()).anyMatch(e -> e.endsWith(":policy/default: could not be parsed"));
        assertThat(alice.explanation()).contains("depends on an unparseable part of");
        // a key it does not touch keeps its definite findings (db-1's key policy)
        assertThat(fs).anyMatch(f -> f.type() == FindingType.START_BLOCKED_KMS_DENIED
                && "db-1".equals(f.instanceName()));
        // launches the same: web-asg's service-linked role on alias/prod-app is conditional on the unparseable part
        String prodApp = "arn:aws:kms:eu-west-1:571230300810:key/da49c8f3-be18-478e-8026-c4a217a9747c";
        assertThat(fs).noneMatch(f -> f.type() == FindingType.LAUNCH_BLOCKED_KMS_DENIED
                && prodApp.equals(f.keyArn()));
        Finding asg = fs.stream().filter(f -> f.type() == FindingType.LAUNCH_ACCESS_CONDITIONAL
                && prodApp.equals(f.keyArn())).findFirst().orElseThrow();
        assertThat(asg.explanation()).contains("AWSServiceRoleForAutoScaling")
                .contains("depends on an unparseable part of " + prodApp + ":policy/default");
        assertThat(asg.evidence()).contains(prodApp + ":policy/default: could not be parsed");
        // the failure AWS recorded still joins it: nothing becomes FAILURE_UNEXPLAINED
        assertThat(asg.confirmed()).isNotNull();
        assertThat(fs).noneMatch(f -> f.type() == FindingType.FAILURE_UNEXPLAINED);
    }

    @Test
    void keyPolicyStatementsNameIdentityCenterRolesByTheirPermissionSetsPattern() throws Exception {
        Snapshot s = SampleOrganizationAnalysisTest.sample();
        Outcome run = new Analyzer().run(s);
        String role = "arn:aws:iam::571230300810:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
                + "AWSReservedSSO_PowerUser_a1b2c3d4e5f60001";
        // db-1's key-policy fix covers the PowerUser role with four other principals: one finding, one edit
        Finding db = run.result().findings().stream().filter(f -> f.type() == FindingType.START_BLOCKED_KMS_DENIED
                && f.principals().stream().anyMatch(p -> p.arn().equals(role))).findFirst().orElseThrow();
        assertThat(db.instances()).extracting(Finding.Resource::name).containsExactly("db-1");
        assertThat(db.principals()).hasSize(5);
        ObjectNode snippet = PolicyJson.parse(db.remediationPolicy());
        ObjectNode st = PolicyJson.statements(snippet).stream()
                .filter(x -> x.at("/Condition/ArnLike/aws:PrincipalArn").isTextual()).findFirst().orElseThrow();
        // Principal "*" narrowed to the permission set's roles of the account: like naming the role, it needs no IAM
        // allow in the key's account (the account's root would delegate to IAM, a second edit in the permission set)
        assertThat(st.at("/Principal/AWS").asText()).isEqualTo("*");
        assertThat(st.at("/Condition/ArnLike/aws:PrincipalArn").asText()).isEqualTo(
                "arn:aws:iam::571230300810:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_PowerUser_*");
        assertThat(db.remediation()).doesNotContain("put-inline-policy-to-permission-set");
        assertThat(run.result().findings()).filteredOn(f -> f.type() == FindingType.KEY_POLICY_PUBLIC)
                .allSatisfy(f -> assertThat(f.keyArn()).doesNotContain("e2389380"));
        // no snippet of any finding names the role itself in a key policy
        for (Finding f : run.result().findings()) {
            Remediation r = run.remediations().get(f.findingId());
            ObjectNode after = r == null ? null : keyPolicyAfter(s, r.changes());
            if (after != null) {
                assertThat(after.toString()).as(f.findingId()).doesNotContain("\"" + role + "\"");
            }
        }
    }

    @Test
    void theReservedRolePatternFollowsTheRolesPath() {
        assertThat(PolicyJson.reservedRolePattern("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/"
                + "eu-west-2/AWSReservedSSO_DatabaseAdministrator_1234567890abcdef")).isEqualTo(
                "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_DatabaseAdministrator_*");
        // an instance in us-east-1: no region in the path
        assertThat(PolicyJson.reservedRolePattern("arn:aws-us-gov:iam::111122223333:role/aws-reserved/"
                + "sso.amazonaws.com/AWSReservedSSO_Ops_Team_abcdef0123456789")).isEqualTo(
                "arn:aws-us-gov:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Ops_Team_*");
        assertThat(PolicyJson.reservedRolePattern("arn:aws:iam::111122223333:role/deploy")).isNull();
        assertThat(PolicyJson.reservedRolePattern("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/"
                + "NotReserved")).isNull();
        // a statement naming another principal is left as it is
        ObjectNode st = PolicyJson.keyPolicyAttachStatement("arn:aws:iam::111122223333:user/alice", "eu-west-1");
        assertThat(st.at("/Principal/AWS").asText()).isEqualTo("arn:aws:iam::111122223333:user/alice");
        assertThat(st.at("/Condition/ArnLike").isMissingNode()).isTrue();
    }

    @Test
    void theDecryptAllKeysFixSaysWhichKeysItsSnippetLists() throws Exception {
        List<Finding> fs = new Analyzer().analyze(SampleOrganizationAnalysisTest.sample()).findings();
        List<Finding> all = fs.stream().filter(f -> f.type() == FindingType.KMS_DECRYPT_ALL_KEYS).toList();
        assertThat(all).hasSize(7).allSatisfy(f ->
                assertThat(f.remediation()).doesNotContain("this principal's instances use"));
        // org-admin's account (master) has no customer managed key and no instance on one: every key of it
        Finding orgAdmin = all.stream().filter(f -> "org-admin".equals(name(f.principalArn()))).findFirst()
                .orElseThrow();
        assertThat(orgAdmin.remediationPolicy()).contains("\"arn:aws:kms:*:123456789012:key/*\"");
        assertThat(orgAdmin.remediation()).startsWith("Limit kms:Decrypt / kms:ReEncryptFrom to the keys of account "
                + "123456789012 (no instance of the account uses a customer managed key and it has none): ");
        // kms-admin's account: the listed keys
        Finding kmsAdmin = all.stream().filter(f -> "kms-admin".equals(name(f.principalArn()))).findFirst()
                .orElseThrow();
        assertThat(kmsAdmin.remediation()).startsWith("Limit kms:Decrypt / kms:ReEncryptFrom to the keys of the "
                + "account's instances and the account's own customer managed keys (the snippet lists them): ");
    }
}
