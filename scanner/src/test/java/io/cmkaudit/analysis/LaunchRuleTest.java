package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LaunchRule} on {@link Scenarios#launch()}: one finding per (launcher, key, cause) listing its launch sources,
 * the launcher AWS uses (the group's named service-linked role, or the principal launching a template directly), and
 * the remediation AWS documents.
 */
class LaunchRuleTest {

    static String line(Finding f) {
        return f.type() + " " + (f.principalArn() == null ? "-" : f.principalArn().substring(f.principalArn()
                .lastIndexOf('/') + 1)) + " " + (f.keyArn() == null ? "-" : f.keyArn().substring(f.keyArn()
                .lastIndexOf('/') + 1)) + " " + f.decidingLayers() + " " + f.resources().stream()
                .map(Finding.Resource::label).toList();
    }

    static final List<Finding> FINDINGS = new Analyzer().analyze(Scenarios.launch()).findings();

    static List<String> lines(FindingType type) {
        return FINDINGS.stream().filter(f -> f.type() == type).map(LaunchRuleTest::line).toList();
    }

    @Test
    void eachLauncherKeyAndCauseIsOneFindingListingItsSources() {
        assertThat(lines(FindingType.LAUNCH_BLOCKED_KMS_DENIED)).containsExactlyInAnyOrder(
                // the key policy does not name the default role: only the key policy can let it in
                "LAUNCH_BLOCKED_KMS_DENIED AWSServiceRoleForAutoScaling k-launch [resource] "
                        + "[auto_scaling_group:web]",
                // the key policy names the default role, but the group uses its own custom-suffix role
                "LAUNCH_BLOCKED_KMS_DENIED AWSServiceRoleForAutoScaling_app k-named [resource] "
                        + "[auto_scaling_group:app]",
                // a key of account B: the role can't get IAM rights, only a grant
                "LAUNCH_BLOCKED_KMS_DENIED AWSServiceRoleForAutoScaling k-b-shared [resource] "
                        + "[auto_scaling_group:cross]",
                // an AMI of account B: its snapshot's key must be decryptable when re-encrypted
                "LAUNCH_BLOCKED_KMS_DENIED AWSServiceRoleForAutoScaling k-b-ami [resource] "
                        + "[auto_scaling_group:shared-ami]",
                // a role allowed ec2:CreateFleet on a template no group uses, without KMS rights
                "LAUNCH_BLOCKED_KMS_DENIED karpenter k-launch [identity] "
                        + "[launch_template:lt-karpenter (lt-karpenter-name)]");
        // the group "named" uses the default role the key policy names: nothing
        assertThat(FINDINGS).noneMatch(f -> f.type() != FindingType.FAILURE_UNEXPLAINED
                && f.resources().stream().anyMatch(r -> r.id().equals("named")));
        assertThat(lines(FindingType.LAUNCH_ACCESS_CONDITIONAL)).isEmpty();
    }

    @Test
    void theDisabledDefaultKeyIsOneFindingListingTheSourcesItBreaks() {
        assertThat(lines(FindingType.EBS_DEFAULT_KEY_UNUSABLE)).containsExactly("EBS_DEFAULT_KEY_UNUSABLE - "
                + "k-default-ebs [keyState] [auto_scaling_group:shared-ami, auto_scaling_group:by-default]");
        assertThat(lines(FindingType.START_BLOCKED_KEY_UNUSABLE)).isEmpty();
    }

    @Test
    void onlyTheRoleAGroupNamesStartsItsInstances() {
        // i-0a62 belongs to group "app" (custom-suffix role): the default role is not joined with it
        assertThat(lines(FindingType.START_BLOCKED_KMS_DENIED)).containsExactlyInAnyOrder(
                "START_BLOCKED_KMS_DENIED AWSServiceRoleForAutoScaling k-launch [resource] [instance:i-0a61]",
                "START_BLOCKED_KMS_DENIED AWSServiceRoleForAutoScaling_app k-named [resource] [instance:i-0a62]");
    }

    @Test
    void remediationsAreTheOnesAwsDocuments() {
        Finding same = FINDINGS.stream().filter(f -> f.type() == FindingType.LAUNCH_BLOCKED_KMS_DENIED
                && f.keyArn().endsWith("k-launch") && f.principalType().equals("service-linked-role")).findFirst()
                .orElseThrow();
        assertThat(same.remediationPolicy()).contains("\"kms:GenerateDataKey*\"", "kms:GrantIsForAWSResource",
                Scenarios.ASG_SLR);
        Finding cross = FINDINGS.stream().filter(f -> f.keyArn() != null && f.keyArn().endsWith("k-b-shared")
                && f.type() == FindingType.LAUNCH_BLOCKED_KMS_DENIED).findFirst().orElseThrow();
        assertThat(cross.remediation()).contains("run in account 222222222222", "aws kms create-grant --key-id "
                + "arn:aws:kms:eu-west-1:333333333333:key/k-b-shared --grantee-principal " + Scenarios.ASG_SLR);
        Finding role = FINDINGS.stream().filter(f -> f.principalArn() != null
                && f.principalArn().endsWith("role/karpenter")).findFirst().orElseThrow();
        assertThat(role.remediationPolicy()).contains("kms:ViaService", "kms:GrantIsForAWSResource",
                "kms:GenerateDataKeyWithoutPlaintext", "arn:aws:kms:eu-west-1:222222222222:key/k-launch")
                .doesNotContain("\"Resource\": \"*\"");
    }

    @Test
    void aFailureAwsRecordedConfirmsTheFindingThatExplainsIt() {
        Finding web = FINDINGS.stream().filter(f -> f.type() == FindingType.LAUNCH_BLOCKED_KMS_DENIED
                && f.resources().stream().anyMatch(r -> r.id().equals("web"))).findFirst().orElseThrow();
        assertThat(web.confirmed()).isNotNull();
        assertThat(web.confirmed().code()).isEqualTo("Client.InvalidKMSKey.InvalidState");
        assertThat(web.confirmed().source()).isEqualTo("instance i-0a63 StateReason (terminated)");
        assertThat(web.confirmed().time()).hasToString("2026-03-01T09:30:00Z");
        // the terminated instance is not joined: no start finding names it
        assertThat(FINDINGS).noneMatch(f -> f.instances().stream().anyMatch(r -> r.id().equals("i-0a63")));
        // first in its group of type and account
        List<Finding> group = FINDINGS.stream().filter(f -> f.type() == FindingType.LAUNCH_BLOCKED_KMS_DENIED
                && f.accountId().equals(TestOrg.A)).toList();
        assertThat(group.get(0)).isEqualTo(web);
        assertThat(group.subList(1, group.size())).allMatch(f -> f.confirmed() == null);
    }

    @Test
    void aRecordedKmsFailureNoFindingExplainsIsReported() {
        // group "named" uses the default role the key policy names: nothing predicts its recorded failure
        List<Finding> unexplained = FINDINGS.stream().filter(f -> f.type() == FindingType.FAILURE_UNEXPLAINED)
                .toList();
        assertThat(unexplained).extracting(LaunchRuleTest::line).containsExactly(
                "FAILURE_UNEXPLAINED - - [] [auto_scaling_group:named]");
        Finding f = unexplained.get(0);
        assertThat(f.severity()).isEqualTo(Severity.INFO);
        assertThat(f.confirmed().code()).isEqualTo("Client.InternalError");
        assertThat(f.confirmed().source()).isEqualTo("scaling activity act-named of named");
        assertThat(f.evidence()).singleElement().asString().contains("Client error on launch");
    }

    @Test
    void everyLaunchRemediationIsProved() {
        assertThat(SnippetProofTest.prove(Scenarios.launch())).isEqualTo(7);
    }
}
