package io.cmkaudit.analysis;

/**
 * The finding types of {@code docs/design/findings.md}, each with its default severity and a title for reports.
 */
public enum FindingType {
    /** Principal can start the instance, but EC2's CreateGrant on a CMK is denied: the start will fail. */
    START_BLOCKED_KMS_DENIED(Severity.HIGH, "Start will fail: kms:CreateGrant denied"),
    /** A CMK of the instance is Disabled, PendingDeletion, PendingImport, Unavailable or missing. */
    START_BLOCKED_KEY_UNUSABLE(Severity.HIGH, "Start will fail: KMS key unusable"),
    /**
     * EBS encryption by default is on and its default key, a CMK, is Disabled, PendingDeletion, PendingImport,
     * Unavailable or missing: every launch or volume creation relying on the default fails.
     */
    EBS_DEFAULT_KEY_UNUSABLE(Severity.HIGH, "New launches will fail: EBS default key unusable"),
    /** Whether the CreateGrant is allowed depends on request context unknown offline. */
    START_ACCESS_CONDITIONAL(Severity.MEDIUM, "Start depends on request context"),
    /** kms:CreateGrant allowed on the CMK without kms:GrantIsForAWSResource = true. */
    KMS_CREATEGRANT_UNCONSTRAINED(Severity.HIGH, "kms:CreateGrant without kms:GrantIsForAWSResource"),
    /** Every KMS action allowed on the CMK. */
    KMS_FULL_ACCESS(Severity.HIGH, "Full KMS access on the key"),
    /** kms:Decrypt or kms:ReEncryptFrom allowed on Resource "*". */
    KMS_DECRYPT_ALL_KEYS(Severity.MEDIUM, "Decrypt allowed on all KMS keys"),
    /** Key policy allows Principal "*" without a restricting condition. */
    KEY_POLICY_PUBLIC(Severity.CRITICAL, "Key policy open to any principal"),
    /** A grant gives an IAM user or role (not a service) CreateGrant, Decrypt or ReEncrypt*. */
    GRANT_TO_NON_SERVICE_PRINCIPAL(Severity.MEDIUM, "Grant to a user or role"),
    /** A policy could not be parsed; the principals it touches are uncertain. */
    POLICY_UNPARSEABLE(Severity.MEDIUM, "Policy could not be parsed");

    private final Severity defaultSeverity;
    private final String title;

    FindingType(Severity defaultSeverity, String title) {
        this.defaultSeverity = defaultSeverity;
        this.title = title;
    }

    /** @return the default severity of this type; never null */
    public Severity defaultSeverity() {
        return defaultSeverity;
    }

    /** @return a short human title for report headings; never null */
    public String title() {
        return title;
    }
}
