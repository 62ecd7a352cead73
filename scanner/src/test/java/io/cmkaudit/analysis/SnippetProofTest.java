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
        // 45 findings; the two START_BLOCKED_KEY_UNUSABLE ones have a text-only remediation
        assertThat(prove(SampleOrganizationAnalysisTest.sample())).isEqualTo(43);
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
