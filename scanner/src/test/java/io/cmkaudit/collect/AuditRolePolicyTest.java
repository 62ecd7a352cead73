package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit role's policy ({@code config/audit-role-policy.json}) holds only read actions, and exactly the actions
 * the collector calls, derived from the call counter of a collection that exercises every code path (regions
 * discovered with DescribeRegions, EBS encryption by default on, an SCP, a referenced key, an AWS managed policy).
 * The CloudFormation template embeds the same policy.
 */
@ExtendWith(MotoServerExtension.class)
class AuditRolePolicyTest {

    private static final Path POLICY = Path.of("..", "config", "audit-role-policy.json");
    private static final Path TEMPLATE = Path.of("..", "config", "audit-role.cfn.yaml");
    private static final Map<String, String> IAM_PREFIX = Map.of("Organizations", "organizations", "IAM", "iam",
            "EC2", "ec2", "KMS", "kms", "STS", "sts");

    private static Set<String> actions(JsonNode policy) {
        Set<String> out = new TreeSet<>();
        for (JsonNode st : policy.get("Statement")) {
            assertThat(st.get("Effect").asText()).isEqualTo("Allow");
            assertThat(st.get("Resource").asText()).isEqualTo("*");
            JsonNode a = st.get("Action");
            if (a.isArray()) {
                a.forEach(x -> out.add(x.asText()));
            } else {
                out.add(a.asText());
            }
        }
        return out;
    }

    @Test
    void policyHoldsOnlyExplicitReadActions() throws Exception {
        Set<String> actions = actions(new ObjectMapper().readTree(POLICY.toFile()));
        assertThat(actions).isNotEmpty().allMatch(a -> a.matches("[a-z0-9-]+:(List|Get|Describe)[A-Za-z]+"),
                "only List*/Get*/Describe* actions, no wildcards");
    }

    @Test
    void cloudFormationTemplateEmbedsThePolicyAndTrustsTheScannerWithOptionalExternalId() throws Exception {
        JsonNode template = new YAMLMapper().readTree(TEMPLATE.toFile());
        JsonNode role = template.at("/Resources/AuditRole");
        assertThat(role.get("Type").asText()).isEqualTo("AWS::IAM::Role");
        assertThat(role.at("/Properties/Policies/0/PolicyDocument"))
                .isEqualTo(new ObjectMapper().readTree(POLICY.toFile()));
        JsonNode trust = role.at("/Properties/AssumeRolePolicyDocument/Statement/0");
        assertThat(trust.get("Action").asText()).isEqualTo("sts:AssumeRole");
        assertThat(trust.at("/Condition/Fn::If/0").asText()).isEqualTo("HasExternalId");
        assertThat(trust.at("/Condition/Fn::If/1/StringEquals/sts:ExternalId/Ref").asText()).isEqualTo("ExternalId");
        assertThat(template.at("/Parameters/ExternalId/NoEcho").asBoolean()).isTrue();
        assertThat(template.at("/Parameters/RoleName/Default").asText()).isEqualTo("cmk-audit-read");
    }

    @Test
    void policyGrantsExactlyTheOperationsTheCollectorCalls(MotoServer moto) throws Exception {
        Snapshot snapshot;
        try (OrgSeeder org = new OrgSeeder(moto.endpoint()).organization()) {
            OrgSeeder.Account member = org.account("member", "Workloads");
            org.scp("DenyLeave", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
                    + "\"Action\":\"organizations:LeaveOrganization\",\"Resource\":\"*\"}]}", org.ou("Workloads"));
            member.user("ops").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess");
            OrgSeeder.Key key = member.key("eu-west-1");
            member.instance("eu-west-1").volume("/dev/xvda", key.arn()).launch();
            member.ebsEncryptionByDefault("eu-west-1", true);
            ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", List.of(),
                    List.of(member.id()), List.of(), 2, "HIGH", Path.of("out"), moto.endpoint(), 30, false);
            snapshot = new Collector(config, new CollectorOptions("test", false, OrgSeeder.MANAGEMENT_CREDENTIALS))
                    .collect(ProgressListener.NONE);
        }
        Set<String> called = snapshot.run().apiCalls().keySet().stream()
                .filter(op -> !op.equals("STS.AssumeRole")) // called by the scanner's own principal, not the role
                // IAM Identity Center is read with the scanner's own credentials in the management account (or the
                // delegated administrator): its policy is config/deploy/scanner-task-role-policy.json, checked by
                // IdentityCenterMotoTest; the member-account audit role does not need it
                .filter(op -> !op.startsWith("SSOAdmin.") && !op.startsWith("IdentityStore."))
                .map(op -> IAM_PREFIX.get(op.substring(0, op.indexOf('.'))) + ":" + op.substring(op.indexOf('.') + 1))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(snapshot.run().apiCalls()).containsKeys("STS.AssumeRole", "EC2.DescribeRegions",
                "EC2.GetEbsDefaultKmsKeyId", "IAM.GetPolicyVersion", "KMS.ListGrants", "Organizations.DescribePolicy");
        assertThat(actions(new ObjectMapper().readTree(POLICY.toFile()))).isEqualTo(called);
    }
}
