package io.cmkaudit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Proves moto_server gives real multi-account isolation: resources created through an assumed
 * OrganizationAccountAccessRole live in that member account and are read back only through it.
 */
@ExtendWith(MotoServerExtension.class)
class MultiAccountMotoTest {

    private static final String REGION = "eu-west-1";

    @Test
    void resourcesCreatedThroughAssumedRolesLiveInTheirMemberAccounts(MotoServer moto) {
        try (OrgSeeder org = new OrgSeeder(moto.endpoint()).organization()) {
            List<OrgSeeder.Account> members = new ArrayList<>();
            for (String name : List.of("alpha", "beta", "gamma")) {
                members.add(org.account(name, "Workloads"));
            }
            assertThat(members).extracting(OrgSeeder.Account::id).doesNotHaveDuplicates()
                    .allMatch(id -> id.matches("\\d{12}") && !id.equals(OrgSeeder.MANAGEMENT_ACCOUNT_ID));

            List<String> keyArns = new ArrayList<>();
            List<String> instanceIds = new ArrayList<>();
            for (OrgSeeder.Account m : members) {
                OrgSeeder.Key key = m.key(REGION, "key of " + m.name());
                keyArns.add(key.arn());
                instanceIds.add(m.instance(REGION).tag("Name", m.name()).volume("/dev/xvda", key.arn()).launch());
            }

            for (int i = 0; i < members.size(); i++) {
                OrgSeeder.Account m = members.get(i);
                String keyArn = keyArns.get(i);
                String instanceId = instanceIds.get(i);
                assertThat(keyArn).startsWith("arn:aws:kms:" + REGION + ":" + m.id() + ":key/");
                // Read back through the member's assumed-role credentials only.
                KeyMetadata md = m.kms(REGION).describeKey(r -> r.keyId(keyArn)).keyMetadata();
                assertThat(md.awsAccountId()).isEqualTo(m.id());
                assertThat(md.description()).isEqualTo("key of " + m.name());
                List<Instance> instances = m.ec2(REGION).describeInstances().reservations().stream()
                        .flatMap(r -> r.instances().stream()).toList();
                assertThat(instances).extracting(Instance::instanceId).containsExactly(instanceId);
                assertThat(m.ec2(REGION).describeVolumes().volumes()).singleElement()
                        .satisfies(v -> {
                            assertThat(v.encrypted()).isTrue();
                            assertThat(v.kmsKeyId()).isEqualTo(keyArn);
                            assertThat(v.attachments().get(0).instanceId()).isEqualTo(instanceId);
                        });
                assertThat(m.iam().listRoles().roles()).extracting(r -> r.roleName())
                        .contains("OrganizationAccountAccessRole");
            }

            // The management account sees none of it.
            OrgSeeder.Account mgmt = org.management();
            assertThat(mgmt.ec2(REGION).describeInstances().reservations()).isEmpty();
            assertThatThrownBy(() -> mgmt.kms(REGION).describeKey(r -> r.keyId(keyArns.get(0))))
                    .isInstanceOf(NotFoundException.class);
            // And one member does not see another's instances.
            assertThat(members.get(0).ec2(REGION).describeInstances().reservations().stream()
                    .flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList())
                    .doesNotContain(instanceIds.get(1), instanceIds.get(2));
        }
    }
}
