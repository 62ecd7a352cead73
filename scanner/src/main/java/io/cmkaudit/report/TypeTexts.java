package io.cmkaudit.report;

import io.cmkaudit.analysis.FindingType;

/**
 * What each finding type means for a reader of the report, and how such findings are fixed in general
 * ({@code docs/design/findings.md}). The per-finding fix is the finding's own remediation snippet.
 */
final class TypeTexts {

    private TypeTexts() {
    }

    static String meaning(FindingType t) {
        return switch (t) {
            case START_BLOCKED_KMS_DENIED -> "These principals may start the instances, but the start will fail: "
                    + "EC2 asks KMS for a grant on the volume's customer managed key on the caller's behalf "
                    + "(kms:CreateGrant), that request is denied, and the instance goes from pending to stopped "
                    + "(Client.InternalError).";
            case START_BLOCKED_KEY_UNUSABLE -> "A KMS key of the instance's volumes is disabled, pending deletion, "
                    + "pending import, unavailable or missing: every start fails, whoever starts it.";
            case EBS_DEFAULT_KEY_UNUSABLE -> "EBS encryption by default is on, and its default key (a customer "
                    + "managed key) is disabled, pending deletion, pending import, unavailable or missing: every "
                    + "launch or volume creation that relies on the default fails (Auto Scaling and Karpenter launches "
                    + "end in Client.InternalError, \"The KMS key provided is in an incorrect state\").";
            case START_ACCESS_CONDITIONAL -> "Whether EC2's kms:CreateGrant is allowed depends on request context "
                    + "that cannot be known offline (source IP, MFA, time, VPC endpoint, CalledVia, encryption "
                    + "context): starts may fail for some callers or at some times.";
            case KMS_CREATEGRANT_UNCONSTRAINED -> "The principal can call kms:CreateGrant on the key without "
                    + "kms:GrantIsForAWSResource = true: it can give any use of the key to anyone, outside policy "
                    + "review.";
            case KMS_FULL_ACCESS -> "The principal may perform every KMS action on the key, including changing its "
                    + "policy, disabling it and scheduling its deletion.";
            case KMS_DECRYPT_ALL_KEYS -> "kms:Decrypt or kms:ReEncryptFrom is allowed on Resource \"*\": the "
                    + "principal can decrypt with every key whose key policy trusts its account.";
            case KEY_POLICY_PUBLIC -> "The key policy allows any principal (\"*\") without a condition that limits "
                    + "callers to known accounts or the organization.";
            case GRANT_TO_NON_SERVICE_PRINCIPAL -> "An existing grant gives an IAM user or role CreateGrant, Decrypt "
                    + "or ReEncrypt on the key; grants bypass key and IAM policy reviews.";
            case POLICY_UNPARSEABLE -> "A policy could not be parsed; the results for the principals it touches are "
                    + "uncertain.";
        };
    }

    static String fix(FindingType t) {
        return switch (t) {
            case START_BLOCKED_KMS_DENIED -> "Allow kms:CreateGrant on the exact key with the condition "
                    + "kms:GrantIsForAWSResource = true, where the deciding layer denies it (identity policy, or the "
                    + "key policy for cross-account keys and service-linked roles).";
            case START_BLOCKED_KEY_UNUSABLE -> "Enable the key or cancel its deletion, or re-encrypt the volumes "
                    + "with a usable key.";
            case EBS_DEFAULT_KEY_UNUSABLE -> "Enable the key or cancel its deletion, or point the account's EBS "
                    + "default at a usable key (aws ec2 modify-ebs-default-kms-key-id) or back to aws/ebs (aws ec2 "
                    + "reset-ebs-default-kms-key-id), per region.";
            case START_ACCESS_CONDITIONAL -> "Check the residual conditions in the evidence; make them hold for "
                    + "EC2's request on the caller's behalf, or scope them so they do not apply to it.";
            case KMS_CREATEGRANT_UNCONSTRAINED -> "Add the condition kms:GrantIsForAWSResource = true; EC2, EBS and "
                    + "other integrated services keep working.";
            case KMS_FULL_ACCESS -> "Replace kms:* with the actions the workload needs, on the key ARNs it uses.";
            case KMS_DECRYPT_ALL_KEYS -> "Name the key ARNs, or add a kms:ViaService or key-tag condition.";
            case KEY_POLICY_PUBLIC -> "Name the principals, or add an aws:PrincipalOrgID or aws:PrincipalAccount "
                    + "condition.";
            case GRANT_TO_NON_SERVICE_PRINCIPAL -> "Retire or revoke the grant if nobody needs it; otherwise move "
                    + "the access into the key policy where it is reviewed.";
            case POLICY_UNPARSEABLE -> "Fix the policy document and scan again.";
        };
    }
}
