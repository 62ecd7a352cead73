package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmkaudit.policy.Diagnostic;
import io.cmkaudit.policy.ParsedPolicy;
import io.cmkaudit.policy.PolicyParser;
import io.cmkaudit.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Proves every remediation: applying a finding's changes to the snapshot and analyzing again removes that finding
 * and adds none.
 */
class SnippetProofTest {

    @Test
    void everyPolicyRemediationRemovesItsFindingAndAddsNone() {
        assertThat(prove(Scenarios.everything())).isGreaterThan(60);
    }

    @Test
    void everyRemediationOfTheSampleOrganizationIsProved() throws Exception {
        // 51 findings; the two START_BLOCKED_KEY_UNUSABLE ones and the Identity Center drift have a text-only
        // remediation
        assertThat(prove(SampleOrganizationAnalysisTest.sample())).isEqualTo(48);
    }

    /**
     * The permission-set fix of the sample is proved the way Identity Center applies it: the permission set's inline
     * policy replaced, then provisioned, which puts it on the reserved role of every provisioned account; analyzed
     * again, the finding is gone in all of them and nothing new appears.
     */
    @Test
    void thePermissionSetFixAppliedToEveryProvisionedAccountsRoleRemovesTheFindingInAll() throws Exception {
        Snapshot s = SampleOrganizationAnalysisTest.sample();
        Outcome before = new Analyzer().run(s);
        Finding f = before.result().findings().stream().filter(x -> "PowerUser".equals(x.permissionSetName())
                && x.decidingLayers().equals(List.of("identity"))).findFirst().orElseThrow();
        Change.PermissionSetInlineStatements c = (Change.PermissionSetInlineStatements)
                before.remediations().get(f.findingId()).changes().get(0);
        assertThat(c.provisionedAccounts()).containsExactlyInAnyOrderElementsOf(f.permissionSet().accountIds())
                .hasSize(2);
        Snapshot fixed = SnapshotPatcher.apply(s, List.of(c));
        for (String account : c.provisionedAccounts()) {
            assertThat(fixed.account(account).orElseThrow().iam().roles()).filteredOn(r ->
                    r.name().startsWith("AWSReservedSSO_PowerUser_")).singleElement().satisfies(r ->
                    assertThat(r.inlinePolicies()).singleElement().satisfies(p -> {
                        assertThat(p.name()).isEqualTo("AwsSSOInlinePolicy");
                        assertThat(p.document()).contains("OperateInstances", "kms:CreateGrant");
                        f.permissionSet().keyArns().forEach(k -> assertThat(p.document()).contains(k));
                    }));
        }
        assertThat(fixed.identityCenter().permissionSets().filter(p -> "PowerUser".equals(p.name())).findFirst()
                .orElseThrow().inlinePolicy()).contains("kms:CreateGrant");
        List<Finding> after = new Analyzer().analyze(fixed).findings();
        assertThat(after).noneMatch(x -> x.findingId().equals(f.findingId()));
        // nothing of the permission set's roles is left in either account for the instances it covered
        assertThat(after).noneMatch(x -> x.type() == FindingType.START_BLOCKED_KMS_DENIED
                && "PowerUser".equals(x.permissionSetName()) && x.decidingLayers().equals(List.of("identity")));
        Set<String> beforeSubjects = subjects(before.result().findings());
        assertThat(after).allMatch(x -> beforeSubjects.contains(subject(x)), "no new finding");
    }

    /** Applies each finding's changes, analyzes again, and returns how many remediations were proved. */
    static int prove(Snapshot s) {
        Outcome before = new Analyzer().run(s);
        // a finding is known by its subject (type, principal, key, instances): a fix that only changes the cause of
        // another finding (its deciding layers, part of the id) adds no new problem
        Set<String> beforeIds = subjects(before.result().findings());
        List<String> failures = new ArrayList<>();
        int proved = 0;
        for (Finding f : before.result().findings()) {
            Remediation r = before.remediations().get(f.findingId());
            assertThat(r).as("remediation of %s", f.findingId()).isNotNull();
            assertThat(r.text()).isEqualTo(f.remediation());
            assertThat(r.snippet()).isEqualTo(f.remediationPolicy());
            if (r.changes().isEmpty()) {
                continue;
            }
            Snapshot fixed = SnapshotPatcher.apply(s, r.changes());
            List<Finding> after = new Analyzer().analyze(fixed).findings();
            Set<String> afterIds = subjects(after);
            if (afterIds.contains(subject(f))) {
                failures.add("still there: " + describe(f));
            }
            List<String> added = after.stream().filter(x -> !beforeIds.contains(subject(x)))
                    .map(SnippetProofTest::describe).toList();
            if (!added.isEmpty()) {
                failures.add("fixing " + describe(f) + " added " + added);
            }
            proved++;
        }
        assertThat(failures).isEmpty();
        return proved;
    }

    static String subject(Finding f) {
        return f.type() + "|" + f.accountId() + "|" + f.region() + "|" + f.principalArn() + "|" + f.keyArn() + "|"
                + f.instances().stream().map(Finding.Resource::id).toList();
    }

    static Set<String> subjects(List<Finding> findings) {
        return findings.stream().map(SnippetProofTest::subject).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void everySnippetIsAValidPolicyDocument() throws Exception {
        Outcome o = new Analyzer().run(Scenarios.everything());
        int snippets = 0;
        for (Finding f : o.result().findings()) {
            Remediation r = o.remediations().get(f.findingId());
            if (f.remediationPolicy() == null && r.changes().size() == 1
                    && r.changes().get(0) instanceof Change.CreateGrant) {
                continue;
            }
            if (f.remediationPolicy() == null) {
                assertThat(f.type()).as(describe(f) + " " + f.explanation() + " " + f.evidence()).isIn(FindingType.START_BLOCKED_KEY_UNUSABLE, FindingType.POLICY_UNPARSEABLE,
                        FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL);
                continue;
            }
            snippets++;
            ParsedPolicy p = PolicyParser.parse("snippet", f.remediationPolicy());
            assertThat(p.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR))
                    .as("snippet of %s", describe(f)).isEmpty();
            JsonNode n = PolicyJson.MAPPER.readTree(f.remediationPolicy());
            assertThat(n.get("Version").asText()).isEqualTo("2012-10-17");
        }
        assertThat(snippets).isGreaterThan(60);
    }

    static Set<String> ids(List<Finding> fs) {
        return fs.stream().map(Finding::findingId).collect(Collectors.toSet());
    }

    static String describe(Finding f) {
        return f.type() + " " + f.instanceId() + " " + f.principalArn() + " " + f.keyArn();
    }
}
