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
        // one finding per fix: 34 fixes, each listing the principals, keys and instances it covers (role app's
        // missing CreateGrant is START_ACCESS_CONDITIONAL, apart: its unparseable inline policy could hold the Allow)
        assertThat(prove(Scenarios.everything())).isEqualTo(34);
    }

    @Test
    void everyRemediationOfTheSampleOrganizationIsProved() throws Exception {
        // 40 findings, one per fix (51 per (principal, key, cause): of the 15 START_BLOCKED_KMS_DENIED, one key-policy
        // fix covers 5 principals (a statement naming 4, one for the PowerUser roles by their ARN pattern), alice's
        // and carol's two keys are one inline policy each, app-server's boundary on two keys one statement: 8; of the
        // 20 unconstrained CreateGrant, one role's on three keys is one statement
        // to replace, and the 2 that only the key policy open to everyone gives are counted in that key's
        // KEY_POLICY_PUBLIC finding: 16); the two START_BLOCKED_KEY_UNUSABLE ones and the Identity Center drift have a
        // text-only remediation
        assertThat(prove(SampleOrganizationAnalysisTest.sample())).isEqualTo(37);
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
        Outcome afterRun = new Analyzer().run(fixed);
        List<Finding> after = afterRun.result().findings();
        assertThat(after).noneMatch(x -> x.findingId().equals(f.findingId()));
        // nothing of the permission set's roles is left in either account for the instances it covered
        assertThat(after).noneMatch(x -> x.type() == FindingType.START_BLOCKED_KMS_DENIED
                && "PowerUser".equals(x.permissionSetName()) && x.decidingLayers().equals(List.of("identity")));
        Set<String> beforeSubjects = subjects(before);
        assertThat(subjects(afterRun)).as("no new finding").allMatch(x -> beforeSubjects.contains(x)
                || x.startsWith(FindingType.FAILURE_UNEXPLAINED + "|"));
    }

    /** Applies each finding's changes, analyzes again, and returns how many remediations were proved. */
    static int prove(Snapshot s) {
        Outcome before = new Analyzer().run(s);
        assertListedOnce(before);
        // a finding is one fix listing principals, keys and instances: it is known by what it affects exactly (type,
        // account, principal, key, instance; Outcome#members), so a fix that only moves an affected pair to another
        // finding of the same type (its cause or its fix changed) adds no new problem
        Set<String> beforeSubjects = subjects(before);
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
            Set<String> afterSubjects = subjects(new Analyzer().run(fixed));
            List<String> left = before.members().get(f.findingId()).stream().filter(afterSubjects::contains)
                    .toList();
            if (!left.isEmpty()) {
                failures.add("still there: " + describe(f) + ": " + left);
            }
            // a failure AWS recorded before the fix stays in the snapshot: once its finding is fixed nothing explains
            // it, and FAILURE_UNEXPLAINED says so (a real run after the fix would see no new failure); not a new problem
            List<String> added = afterSubjects.stream().filter(x -> !beforeSubjects.contains(x))
                    .filter(x -> !x.startsWith(FindingType.FAILURE_UNEXPLAINED + "|")).sorted().toList();
            if (!added.isEmpty()) {
                failures.add("fixing " + describe(f) + " added " + added);
            }
            proved++;
        }
        assertThat(failures).isEmpty();
        return proved;
    }

    /**
     * Nothing is counted twice: each (type, account, principal, key, instance or launch source) a rule decided is
     * listed by exactly one finding after the merges per fix and per permission set, and breadth a public key policy
     * finding counts is no finding of its own.
     */
    static void assertListedOnce(Outcome o) {
        java.util.Map<String, String> owner = new java.util.HashMap<>();
        List<String> twice = new ArrayList<>();
        o.members().forEach((id, subjects) -> subjects.forEach(x -> {
            String prev = owner.putIfAbsent(x, id);
            if (prev != null && !prev.equals(id)) {
                twice.add(x + " in " + prev + " and " + id);
            }
        }));
        o.counted().values().forEach(c -> c.stream().filter(owner::containsKey).forEach(x -> twice.add(x
                + " counted by a public key policy finding and listed by " + owner.get(x))));
        assertThat(twice).isEmpty();
        assertThat(o.members().keySet()).containsExactlyInAnyOrderElementsOf(o.result().findings().stream()
                .map(Finding::findingId).toList());
    }

    /**
     * @return what the findings of a run affect, exactly: type, account, principal, key, instance; with the breadth a
     *         public key policy finding counts (fixing the statement moves it to findings of its own)
     */
    static Set<String> subjects(Outcome o) {
        Set<String> out = new java.util.HashSet<>();
        o.members().values().forEach(out::addAll);
        o.counted().values().forEach(out::addAll);
        return out;
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
        assertThat(snippets).isGreaterThan(30);
    }

    static Set<String> ids(List<Finding> fs) {
        return fs.stream().map(Finding::findingId).collect(Collectors.toSet());
    }

    static String describe(Finding f) {
        return f.type() + " " + f.instanceId() + " " + f.principalArn() + " " + f.keyArn();
    }
}
