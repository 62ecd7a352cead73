package io.cmkaudit.analysis;

import static io.cmkaudit.analysis.TestOrg.A;
import static io.cmkaudit.analysis.TestOrg.B;
import static io.cmkaudit.analysis.TestOrg.doc;
import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Context;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Known, absent and unknown keys of the request contexts (evaluation-checklist.md items 9 and 16). */
class ContextFactoryTest {

    static final Set<String> READ = Set.of("aws:resourcetag/team", "ec2:resourcetag/env", "ec2:instancetype",
            "ec2:metadatahttptokens", "aws:sourceip", "aws:sourcevpc", "aws:principaltag/team", "aws:principaltag/cc",
            "kms:grantoperations", "kms:encryptioncontext:aws:ebs:id", "aws:calledvia", "s3:prefix", "aws:username",
            "aws:viaawsservice", "ec2:vpc", "aws:requestedregion", "aws:principalorgpaths");

    private static final SnapshotIndex INDEX;
    private static final PrincipalRef ALICE;
    private static final InstanceRef INSTANCE;
    private static final KeyRef KEY;

    static {
        TestOrg org = new TestOrg();
        org.user(A, "alice").tag("team", "blue");
        TestOrg.Key k = org.key(B, "kb");
        org.instance(A, "i-1").tag("team", "blue").volume("vol-1", k.arn());
        INDEX = new SnapshotIndex(org.build());
        ALICE = INDEX.principal(TestOrg.userArn(A, "alice"));
        INSTANCE = INDEX.instances().get(0);
        KEY = INDEX.keyRefs().get(k.arn());
    }

    ContextFactory factory() {
        return new ContextFactory(INDEX, READ);
    }

    @Test
    void startInstancesKnowsTheInstanceAndThePrincipal() {
        Context c = factory().startInstances(ALICE, INSTANCE);

        assertThat(c.get("aws:ResourceTag/team")).containsExactly("blue");
        assertThat(c.get("aws:PrincipalTag/team")).containsExactly("blue");
        assertThat(c.get("ec2:InstanceType")).containsExactly("t3.micro");
        assertThat(c.get("aws:username")).containsExactly("alice");
        assertThat(c.get("aws:ViaAWSService")).containsExactly("false");
        assertThat(c.get("aws:RequestedRegion")).containsExactly("eu-west-1");
        assertThat(c.get("aws:PrincipalOrgPaths")).containsExactly("o-testorg123/r-root/ou-root-workload/");
        assertThat(c.get("aws:PrincipalArn")).containsExactly("arn:aws:iam::222222222222:user/alice");
        // a tag the instance or principal lacks is absent, keys of other services and resources are absent
        assertThat(c.isUnknown("ec2:ResourceTag/env")).isFalse();
        assertThat(c.get("ec2:ResourceTag/env")).isNull();
        assertThat(c.isUnknown("aws:PrincipalTag/cc")).isFalse();
        assertThat(c.isUnknown("s3:prefix")).isFalse();
        assertThat(c.isUnknown("ec2:Vpc")).isFalse();
        assertThat(c.isUnknown("aws:CalledVia")).isFalse();
        // what the snapshot can't know is unknown
        assertThat(c.unknownKeys()).containsExactlyInAnyOrder("ec2:metadatahttptokens", "aws:sourceip",
                "aws:sourcevpc");
    }

    @Test
    void forwardCreateGrantCarriesTheForwardAccessKeysAndDropsVpcKeys() {
        Context c = factory().forwardCreateGrant(ALICE, KEY, "eu-west-1");

        assertThat(c.get("kms:ViaService")).containsExactly("ec2.eu-west-1.amazonaws.com");
        assertThat(c.get("kms:GrantIsForAWSResource")).containsExactly("true");
        assertThat(c.get("kms:CallerAccount")).containsExactly(A);
        assertThat(c.get("aws:ViaAWSService")).containsExactly("true");
        assertThat(c.get("aws:PrincipalArn")).containsExactly("arn:aws:iam::222222222222:user/alice");
        assertThat(c.get("aws:SourceVpc")).isNull();
        assertThat(c.isUnknown("aws:SourceVpc")).isFalse();
        assertThat(c.isUnknown("aws:ResourceTag/team")).isFalse();
        assertThat(c.unknownKeys()).containsExactlyInAnyOrder("kms:grantoperations",
                "kms:encryptioncontext:aws:ebs:id", "aws:sourceip", "aws:calledvia");
    }

    @Test
    void directCallsAreNotViaAwsServicesAndGrantKeysOnlyExistForCreateGrant() {
        Context grant = factory().direct(ALICE, KEY, "kms:CreateGrant");
        Context decrypt = factory().direct(ALICE, KEY, "kms:Decrypt");
        Context describe = factory().direct(ALICE, KEY, "kms:DescribeKey");

        assertThat(grant.get("kms:GrantIsForAWSResource")).containsExactly("false");
        assertThat(grant.get("aws:ViaAWSService")).containsExactly("false");
        assertThat(grant.isUnknown("kms:GrantOperations")).isTrue();
        assertThat(decrypt.isUnknown("kms:GrantOperations")).isFalse();
        assertThat(decrypt.get("kms:GrantIsForAWSResource")).isNull();
        assertThat(decrypt.isUnknown("kms:EncryptionContext:aws:ebs:id")).isTrue();
        assertThat(describe.isUnknown("kms:EncryptionContext:aws:ebs:id")).isFalse();
        assertThat(List.of(ContextFactory.directCategory("kms:CreateGrant"), ContextFactory.directCategory(
                "kms:ReEncryptFrom"), ContextFactory.directCategory("kms:PutKeyPolicy")))
                .containsExactly("creategrant", "crypto", "other");
    }

    @Test
    void theEc2InfrastructureRoleComesFromAwsNetworks() {
        Context c = factory().ec2InfrastructureDecrypt(INSTANCE, KEY, "vol-1");

        assertThat(c.get("aws:PrincipalArn")).containsExactly("arn:aws:iam::222222222222:role/aws:ec2-infrastructure");
        assertThat(c.get("kms:EncryptionContext:aws:ebs:id")).containsExactly("vol-1");
        assertThat(c.isUnknown("aws:SourceVpc")).isFalse();
        // no customer address: absent, so NotIpAddress denies without an exemption apply (aws-rules.md 2.1.3)
        assertThat(c.isUnknown("aws:SourceIp")).isFalse();
        assertThat(c.get("aws:SourceIp")).isNull();
        assertThat(c.isUnknown("aws:ViaAWSService")).isTrue();
    }

    @Test
    void keysThePoliciesReadAreCollectedFromConditionsAndVariables() {
        PolicyLibrary lib = new PolicyLibrary();
        lib.get(new PolicySource("p", PolicySource.Origin.CUSTOMER_MANAGED, A, "p", "p", doc("{\"Effect\":\"Allow\","
                + "\"Action\":\"ec2:StartInstances\",\"Resource\":\"arn:aws:ec2:*:*:instance/${aws:PrincipalTag/Inst}\","
                + "\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/Team\":\"${aws:username, 'x'}\"}}}")));

        assertThat(lib.referencedKeys()).containsExactlyInAnyOrder("aws:resourcetag/team", "aws:principaltag/inst",
                "aws:username");
    }
}
