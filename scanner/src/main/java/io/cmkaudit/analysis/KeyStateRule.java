package io.cmkaudit.analysis;

import io.cmkaudit.analysis.SnapshotIndex.EbsDefault;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyStatus;
import io.cmkaudit.analysis.SnapshotIndex.KeyUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Key state (aws-rules.md §3.5): only Enabled keys accept {@code kms:CreateGrant} and encrypt new volumes
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html). A key of an in-scope instance that is
 * Disabled, PendingDeletion, PendingImport, Unavailable or missing gives {@code START_BLOCKED_KEY_UNUSABLE}, without
 * principal (every start fails whoever starts it); an unusable customer managed EBS default key gives
 * {@code EBS_DEFAULT_KEY_UNUSABLE} per account and region
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyEbsDefaultKmsKeyId.html). A key that could not
 * be read (status UNKNOWN) gives no finding here: nothing says it is unusable. CRITICAL for keys pending deletion or
 * gone, else HIGH. Remediations are text only.
 */
final class KeyStateRule implements Rule {

    private final RuleContext ctx;

    KeyStateRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.START_BLOCKED_KEY_UNUSABLE, FindingType.EBS_DEFAULT_KEY_UNUSABLE);
    }

    static boolean unusable(KeyRef k) {
        return k.status() == KeyStatus.UNUSABLE || k.status() == KeyStatus.MISSING;
    }

    static Severity severity(KeyRef k) {
        String state = k.reportedState();
        return k.status() == KeyStatus.MISSING || "PendingDeletion".equals(state)
                || "PendingReplicaDeletion".equals(state) ? Severity.CRITICAL : Severity.HIGH;
    }

    @Override
    public List<Finding> instanceKey(InstanceRef i, KeyUse u) {
        KeyRef k = u.key();
        if (!unusable(k)) {
            return List.of();
        }
        String state = k.reportedState();
        String text = fixText(k);
        String expl = "Key " + k.arn() + " is " + (state == null ? "unusable" : state) + ": every start of an "
                + "instance with a volume on it fails whoever starts it (only Enabled keys accept kms:CreateGrant).";
        Remediation rem = Remediation.textOnly(text);
        Finding f = Finding.instanceKey(FindingType.START_BLOCKED_KEY_UNUSABLE, severity(k),
                ctx.account(i.accountId()), RuleContext.instance(i, u.volumeIds()), RuleContext.key(k), null,
                Finding.Details.of(List.of("keyState"), List.of(k.arn() + ": KeyState " + state), expl, rem));
        ctx.keep(f.findingId(), rem);
        return List.of(f);
    }

    /** @return how to make an unusable key usable again, in words with the commands */
    static String fixText(KeyRef k) {
        String state = k.reportedState();
        return switch (state == null ? "" : state) {
            case "PendingDeletion", "PendingReplicaDeletion" -> "Cancel the key deletion and re-enable the key "
                    + "before the waiting period ends: aws kms cancel-key-deletion --key-id " + k.arn()
                    + " && aws kms enable-key --key-id " + k.arn() + ".";
            case "Disabled" -> "Enable the key: aws kms enable-key --key-id " + k.arn() + ".";
            case "PendingImport" -> "Import the key material again (aws kms import-key-material) so the key "
                    + "becomes Enabled.";
            case "Unavailable" -> "Reconnect the key's custom key store (aws kms connect-custom-key-store).";
            case "NotFound" -> "The key no longer exists: restore the volumes from a snapshot encrypted with "
                    + "an existing key, or terminate the instance.";
            default -> "Wait for the key to become Enabled, or re-encrypt the volumes with an Enabled key.";
        };
    }

    @Override
    public List<Finding> account(String accountId) {
        List<Finding> out = new ArrayList<>();
        for (EbsDefault d : ctx.index.ebsDefaults()) {
            if (d.accountId().equals(accountId) && !d.key().awsManaged() && unusable(d.key())) {
                out.add(ebsDefault(d));
            }
        }
        return out;
    }

    private Finding ebsDefault(EbsDefault d) {
        KeyRef k = d.key();
        String state = k.reportedState();
        String fixKey = switch (state == null ? "" : state) {
            case "PendingDeletion", "PendingReplicaDeletion" -> "Cancel the key deletion and re-enable the key "
                    + "(aws kms cancel-key-deletion --key-id " + k.arn() + " && aws kms enable-key --key-id "
                    + k.arn() + ")";
            case "Disabled" -> "Re-enable the key (aws kms enable-key --key-id " + k.arn() + ")";
            case "PendingImport" -> "Import the key material again (aws kms import-key-material) so the key "
                    + "becomes Enabled";
            case "Unavailable" -> "Reconnect the key's custom key store (aws kms connect-custom-key-store)";
            case "NotFound" -> null;
            default -> "Wait for the key to become Enabled";
        };
        String text = (fixKey == null ? "The key no longer exists: point the default at a usable key"
                : fixKey + ", or point the default elsewhere") + ": aws ec2 modify-ebs-default-kms-key-id "
                + "--kms-key-id <usable key> --region " + d.region() + ", or go back to aws/ebs: aws ec2 "
                + "reset-ebs-default-kms-key-id --region " + d.region() + ".";
        String expl = "EBS encryption by default is on in " + d.accountId() + " " + d.region()
                + " and its default key " + k.arn() + " is " + (state == null ? "unusable" : state)
                + ": every launch or volume creation that relies on the default fails (only Enabled keys can "
                + "encrypt new volumes).";
        Remediation rem = Remediation.textOnly(text);
        List<Finding.Resource> sources = ctx.launch.usingDefault(d.accountId(), d.region(), k.arn());
        if (!sources.isEmpty()) {
            expl = expl + " It breaks the launch sources listed.";
        }
        Finding f0 = Finding.accountRegion(FindingType.EBS_DEFAULT_KEY_UNUSABLE, severity(k),
                ctx.account(d.accountId()), d.region(), new Finding.Key(k.arn(), k.accountId(), state),
                Finding.Details.of(List.of("keyState"), List.of("ec2:GetEbsDefaultKmsKeyId = " + d.rawId(),
                        k.arn() + ": KeyState " + state), expl, rem));
        Finding f = f0.withResources(f0.findingId(), sources);
        ctx.keep(f.findingId(), rem);
        return f;
    }
}
