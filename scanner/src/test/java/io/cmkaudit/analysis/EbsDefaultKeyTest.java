package io.cmkaudit.analysis;

import static io.cmkaudit.analysis.TestOrg.A;
import static io.cmkaudit.analysis.TestOrg.B;
import static io.cmkaudit.analysis.TestOrg.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * EBS_DEFAULT_KEY_UNUSABLE: encryption by default on and a default CMK that is not Enabled or no longer exists
 * (aws-rules.md §3.5; https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyEbsDefaultKmsKeyId.html).
 */
class EbsDefaultKeyTest {

    static List<Finding> analyze(TestOrg org) {
        return new Analyzer().analyze(org.build()).findings();
    }

    @Test
    void disabledDefaultKeyWithEncryptionByDefaultOnGivesOneRegionFinding() {
        TestOrg org = new TestOrg();
        TestOrg.Key k = org.key(A, "k-default").state("Disabled");
        org.ebsDefault(A, true, k.arn(), k.arn());

        List<Finding> fs = analyze(org);

        assertThat(fs).hasSize(1);
        Finding f = fs.get(0);
        assertThat(f.type()).isEqualTo(FindingType.EBS_DEFAULT_KEY_UNUSABLE);
        assertThat(f.type().title()).isEqualTo("New launches will fail: EBS default key unusable");
        assertThat(f.severity()).isEqualTo(Severity.HIGH);
        assertThat(f.findingId()).isEqualTo(Finding.stableId(FindingType.EBS_DEFAULT_KEY_UNUSABLE, A, REGION, null,
                null, k.arn()));
        assertThat(f.accountId()).isEqualTo(A);
        assertThat(f.accountName()).isEqualTo("app-a");
        assertThat(f.ouPath()).isEqualTo("Root/Workloads");
        assertThat(f.region()).isEqualTo("eu-west-1");
        assertThat(f.instanceId()).isNull();
        assertThat(f.instanceName()).isNull();
        assertThat(f.volumeIds()).isEmpty();
        assertThat(f.keyArn()).isEqualTo("arn:aws:kms:eu-west-1:222222222222:key/k-default");
        assertThat(f.keyAccountId()).isEqualTo(A);
        assertThat(f.keyState()).isEqualTo("Disabled");
        assertThat(f.principalArn()).isNull();
        assertThat(f.principalType()).isNull();
        assertThat(f.decidingLayers()).containsExactly("keyState");
        assertThat(f.evidence()).containsExactly(
                "ec2:GetEbsDefaultKmsKeyId = arn:aws:kms:eu-west-1:222222222222:key/k-default",
                "arn:aws:kms:eu-west-1:222222222222:key/k-default: KeyState Disabled");
        assertThat(f.explanation()).isEqualTo("EBS encryption by default is on in 222222222222 eu-west-1 and its "
                + "default key arn:aws:kms:eu-west-1:222222222222:key/k-default is Disabled: every launch or volume "
                + "creation that relies on the default fails (only Enabled keys can encrypt new volumes).");
        assertThat(f.explanation()).doesNotContain("\n");
        assertThat(f.remediation()).isEqualTo("Re-enable the key (aws kms enable-key --key-id "
                + "arn:aws:kms:eu-west-1:222222222222:key/k-default), or point the default elsewhere: aws ec2 "
                + "modify-ebs-default-kms-key-id --kms-key-id <usable key> --region eu-west-1, or go back to aws/ebs: "
                + "aws ec2 reset-ebs-default-kms-key-id --region eu-west-1.");
        assertThat(f.remediationPolicy()).isNull();
    }

    @Test
    void enabledDefaultKeyGivesNothing() {
        TestOrg org = new TestOrg();
        TestOrg.Key k = org.key(A, "k-default");
        org.ebsDefault(A, true, k.arn(), k.arn());

        assertThat(analyze(org)).isEmpty();
    }

    @Test
    void encryptionByDefaultOffOrUnreadableGivesNothing() {
        TestOrg org = new TestOrg();
        TestOrg.Key ka = org.key(A, "k-default").state("Disabled");
        org.ebsDefault(A, false, ka.arn(), ka.arn());
        TestOrg.Key kb = org.key(B, "k-default").state("PendingDeletion");
        org.ebsDefault(B, null, kb.arn(), kb.arn());

        assertThat(analyze(org)).isEmpty();
    }

    @Test
    void unreadableDefaultKeyIdGivesNothing() {
        TestOrg org = new TestOrg();
        org.key(A, "k-default").state("Disabled");
        org.ebsDefault(A, true, null, null);

        assertThat(analyze(org)).isEmpty();
    }

    @Test
    void awsManagedDefaultGivesNothing() {
        TestOrg org = new TestOrg();
        // never set: GetEbsDefaultKmsKeyId answers alias/aws/ebs, which may not resolve before first use
        org.ebsDefault(A, true, "alias/aws/ebs", null);
        // resolved to the AWS managed key (whose state this scanner never judges)
        TestOrg.Key aws = org.key(B, "aws-ebs-b").awsManaged("alias/aws/ebs").state("Disabled");
        org.ebsDefault(B, true, "arn:aws:kms:eu-west-1:333333333333:alias/aws/ebs", aws.arn());

        assertThat(analyze(org)).isEmpty();
    }

    @Test
    void pendingDeletionAndMissingKeysAreCriticalUnreadableKeyGivesNothing() {
        TestOrg org = new TestOrg();
        TestOrg.Key pending = org.key(A, "k-pending").state("PendingDeletion");
        org.ebsDefault(A, true, "arn:aws:kms:eu-west-1:222222222222:alias/ebs-default", pending.arn());
        TestOrg.Key gone = org.key(B, "k-gone").unreadable("KMS.DescribeKey", "NotFoundException");
        org.ebsDefault(B, true, gone.arn(), gone.arn());
        TestOrg.Key denied = org.key(TestOrg.MGMT, "k-denied").unreadable("KMS.DescribeKey", "AccessDeniedException");
        org.ebsDefault(TestOrg.MGMT, true, denied.arn(), denied.arn());

        List<Finding> fs = analyze(org);

        assertThat(fs).extracting(Finding::type, Finding::severity, Finding::accountId, Finding::keyArn,
                Finding::keyState).containsExactly(
                tuple(FindingType.EBS_DEFAULT_KEY_UNUSABLE, Severity.CRITICAL, A, pending.arn(), "PendingDeletion"),
                tuple(FindingType.EBS_DEFAULT_KEY_UNUSABLE, Severity.CRITICAL, B, gone.arn(), "NotFound"));
        assertThat(fs.get(0).evidence()).containsExactly(
                "ec2:GetEbsDefaultKmsKeyId = arn:aws:kms:eu-west-1:222222222222:alias/ebs-default",
                pending.arn() + ": KeyState PendingDeletion");
        assertThat(fs.get(0).remediation()).isEqualTo("Cancel the key deletion and re-enable the key (aws kms "
                + "cancel-key-deletion --key-id " + pending.arn() + " && aws kms enable-key --key-id " + pending.arn()
                + "), or point the default elsewhere: aws ec2 modify-ebs-default-kms-key-id --kms-key-id <usable key> "
                + "--region eu-west-1, or go back to aws/ebs: aws ec2 reset-ebs-default-kms-key-id --region "
                + "eu-west-1.");
        assertThat(fs.get(1).remediation()).isEqualTo("The key no longer exists: point the default at a usable key: "
                + "aws ec2 modify-ebs-default-kms-key-id --kms-key-id <usable key> --region eu-west-1, or go back to "
                + "aws/ebs: aws ec2 reset-ebs-default-kms-key-id --region eu-west-1.");
    }

    @Test
    void crossAccountDefaultKeyIsReportedForTheAccountWhoseDefaultItIs() {
        TestOrg org = new TestOrg();
        TestOrg.Key shared = org.key(B, "k-shared").state("Unavailable");
        org.ebsDefault(A, true, shared.arn(), shared.arn());

        List<Finding> fs = analyze(org);

        assertThat(fs).extracting(Finding::accountId, Finding::region, Finding::keyAccountId, Finding::keyState,
                Finding::severity).containsExactly(tuple(A, REGION, B, "Unavailable", Severity.HIGH));
    }

    @Test
    void defaultKeyAlsoOnVolumesGivesBothFindingsInOrder() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.ADMIN_ARN);
        TestOrg.Key k = org.key(A, "k-default").state("Disabled");
        org.ebsDefault(A, true, k.arn(), k.arn());
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = analyze(org).stream()
                .filter(f -> f.type() == FindingType.START_BLOCKED_KEY_UNUSABLE
                        || f.type() == FindingType.EBS_DEFAULT_KEY_UNUSABLE).toList();

        assertThat(fs).extracting(Finding::type, Finding::instanceId, Finding::keyArn).containsExactly(
                tuple(FindingType.START_BLOCKED_KEY_UNUSABLE, "i-0001", k.arn()),
                tuple(FindingType.EBS_DEFAULT_KEY_UNUSABLE, null, k.arn()));
    }
}
