package io.cmkaudit.analysis;

import java.util.List;
import java.util.Map;

/**
 * The analysis result together with the structured remediation of every finding, by finding id (for tests that
 * apply the remediations and for {@code explain}).
 *
 * @param result       the findings model
 * @param remediations remediation by finding id
 * @param members      by finding id, what the finding affects exactly: one {@code type|account|principal|key|instance}
 *                     entry (the instance id, or a launch source's {@code kind:id}) per pair or triple the rules found (a finding listing several principals, keys and
 *                     instances does not affect every combination of them); null parts are {@code null}
 * @param counted      by finding id, the breadth a {@code KEY_POLICY_PUBLIC} finding counts instead of reporting it
 *                     once per principal (issue 9 item 10), in the {@code members} form: restricting the statement
 *                     moves them to findings of their own, it adds no new problem
 */
record Outcome(AnalysisResult result, Map<String, Remediation> remediations, Map<String, List<String>> members,
        Map<String, List<String>> counted) {

    /** @return the {@code members} entry of a finding the rules raised as it is (one principal, key, instance) */
    static List<String> members(Finding f) {
        List<String> out = new java.util.ArrayList<>();
        List<Finding.Resource> affected = new java.util.ArrayList<>(f.instances());
        affected.addAll(f.launchSources());
        if (affected.isEmpty()) {
            out.add(f.type() + "|" + f.accountId() + "|" + f.principalArn() + "|" + f.keyArn() + "|null");
        }
        for (Finding.Resource i : affected) {
            out.add(f.type() + "|" + f.accountId() + "|" + f.principalArn() + "|" + f.keyArn() + "|"
                    + (i.kind() == Finding.ResourceKind.INSTANCE ? i.id() : i.label()));
        }
        return out;
    }
}
