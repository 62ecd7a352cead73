package io.cmkaudit.analysis;

/**
 * The finding types of {@code docs/design/findings.md} and everything the reports say about a type: the one place
 * that holds a type's default severity, title, meaning, fix in words, and whether its findings block a start or a
 * launch. Every writer (CSV, JSON, HTML) and the HTML template read these; {@code FindingTypeDocsTest} fails when a
 * table of {@code docs/} lists a type this enum lacks, or the reverse.
 *
 * <p>Adding a type: a constant here, one {@link Rule} that produces it (registered in {@link Rules#ALL}), its tests,
 * and its rows in {@code docs/design/findings.md} and {@code docs/csv-columns.md}.
 */
public enum FindingType {
    /** Principal can start the instance, but EC2's CreateGrant on a CMK is denied: the start will fail. */
    START_BLOCKED_KMS_DENIED(Severity.HIGH, "Start will fail: kms:CreateGrant denied",
            "These principals may start the instances, but the start will fail: EC2 asks KMS for a grant on the "
                    + "volume's customer managed key on the caller's behalf (kms:CreateGrant), that request is "
                    + "denied, and the instance goes from pending to stopped (Client.InternalError).",
            "Allow kms:CreateGrant on the exact key with the condition kms:GrantIsForAWSResource = true, where the "
                    + "deciding layer denies it (identity policy, or the key policy for cross-account keys and "
                    + "service-linked roles).",
            Blocks.START),
    /** A CMK of the instance is Disabled, PendingDeletion, PendingImport, Unavailable or missing. */
    START_BLOCKED_KEY_UNUSABLE(Severity.HIGH, "Start will fail: KMS key unusable",
            "A KMS key of the instance's volumes is disabled, pending deletion, pending import, unavailable or "
                    + "missing: every start fails, whoever starts it.",
            "Enable the key or cancel its deletion, or re-encrypt the volumes with a usable key.",
            Blocks.START),
    /**
     * EBS encryption by default is on and its default key, a CMK, is Disabled, PendingDeletion, PendingImport,
     * Unavailable or missing: every launch or volume creation relying on the default fails.
     */
    EBS_DEFAULT_KEY_UNUSABLE(Severity.HIGH, "New launches will fail: EBS default key unusable",
            "EBS encryption by default is on, and its default key (a customer managed key) is disabled, pending "
                    + "deletion, pending import, unavailable or missing: every launch or volume creation that relies "
                    + "on the default fails (Auto Scaling and Karpenter launches end in Client.InternalError, \"The "
                    + "KMS key provided is in an incorrect state\").",
            "Enable the key or cancel its deletion, or point the account's EBS default at a usable key (aws ec2 "
                    + "modify-ebs-default-kms-key-id) or back to aws/ebs (aws ec2 reset-ebs-default-kms-key-id), per "
                    + "region.",
            Blocks.LAUNCH),
    /**
     * A launcher (the service-linked role of an Auto Scaling group or fleet, or a principal launching a template
     * directly) is denied a KMS call EC2 makes on a key of the new volumes: every launch from the sources fails.
     */
    LAUNCH_BLOCKED_KMS_DENIED(Severity.HIGH, "Launches will fail: KMS access denied to the launcher",
            "The launcher of these launch sources (the Auto Scaling group's or fleet's service-linked role, or a "
                    + "principal launching the template directly) is denied a KMS call EC2 makes on its behalf for "
                    + "the new volumes (kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext, or kms:Decrypt of the "
                    + "source snapshot's key): new instances end in Client.InternalError or "
                    + "Client.InvalidKMSKey.InvalidState and are terminated. Service-linked roles are not bound by "
                    + "SCPs and their policies can't be changed, so only the key policy or a grant can let them in.",
            "For a service-linked role of the key's account, add AWS's two key-policy statements naming it; for a "
                    + "key of another account, create a grant for the role from the role's account (aws kms "
                    + "create-grant); for a role or user, allow the KMS calls on the exact key ARNs with kms:ViaService "
                    + "and kms:GrantIsForAWSResource (and the key policy must allow it too when the key is elsewhere).",
            Blocks.LAUNCH),
    /** Whether a launcher's KMS calls for a launch are allowed depends on context unknown offline, or can't be read. */
    LAUNCH_ACCESS_CONDITIONAL(Severity.MEDIUM, "Launches depend on request context",
            "Whether EC2's KMS calls for launches from these sources are allowed depends on request context that "
                    + "cannot be known offline, or on a key or snapshot the scan could not read: launches may fail.",
            "Check the residual conditions or the unread key in the evidence; make them hold for EC2's calls on the "
                    + "launcher's behalf, or give the audit role read access and scan again.",
            Blocks.LAUNCH_MAYBE),
    /** Whether the CreateGrant is allowed depends on request context unknown offline. */
    START_ACCESS_CONDITIONAL(Severity.MEDIUM, "Start depends on request context",
            "Whether EC2's kms:CreateGrant is allowed depends on request context that cannot be known offline "
                    + "(source IP, MFA, time, VPC endpoint, CalledVia, encryption context): starts may fail for "
                    + "some callers or at some times.",
            "Check the residual conditions in the evidence; make them hold for EC2's request on the caller's "
                    + "behalf, or scope them so they do not apply to it.",
            Blocks.START_MAYBE),
    /** kms:CreateGrant allowed on the CMK without kms:GrantIsForAWSResource = true. */
    KMS_CREATEGRANT_UNCONSTRAINED(Severity.HIGH, "kms:CreateGrant without kms:GrantIsForAWSResource",
            "The principal can call kms:CreateGrant on the key without kms:GrantIsForAWSResource = true: it can "
                    + "give any use of the key to anyone, outside policy review.",
            "Add the condition kms:GrantIsForAWSResource = true; EC2, EBS and other integrated services keep "
                    + "working.",
            Blocks.NOTHING),
    /** Every KMS action allowed on the CMK. */
    KMS_FULL_ACCESS(Severity.HIGH, "Full KMS access on the key",
            "The principal may perform every KMS action on the key, including changing its policy, disabling it "
                    + "and scheduling its deletion.",
            "Replace kms:* with the actions the workload needs, on the key ARNs it uses.",
            Blocks.NOTHING),
    /** kms:Decrypt or kms:ReEncryptFrom allowed on Resource "*". */
    KMS_DECRYPT_ALL_KEYS(Severity.MEDIUM, "Decrypt allowed on all KMS keys",
            "kms:Decrypt or kms:ReEncryptFrom is allowed on Resource \"*\": the principal can decrypt with every "
                    + "key whose key policy trusts its account.",
            "Name the key ARNs, or add a kms:ViaService or key-tag condition.",
            Blocks.NOTHING),
    /** Key policy allows Principal "*" without a restricting condition. */
    KEY_POLICY_PUBLIC(Severity.CRITICAL, "Key policy open to any principal",
            "The key policy allows any principal (\"*\") without a condition that limits callers to known "
                    + "accounts or the organization.",
            "Name the principals, or add an aws:PrincipalOrgID or aws:PrincipalAccount condition.",
            Blocks.NOTHING),
    /** A grant gives an IAM user or role (not a service) CreateGrant, Decrypt or ReEncrypt*. */
    GRANT_TO_NON_SERVICE_PRINCIPAL(Severity.MEDIUM, "Grant to a user or role",
            "An existing grant gives an IAM user or role CreateGrant, Decrypt or ReEncrypt on the key; grants "
                    + "bypass key and IAM policy reviews.",
            "Retire or revoke the grant if nobody needs it; otherwise move the access into the key policy where "
                    + "it is reviewed.",
            Blocks.NOTHING),
    /** A policy could not be parsed; the principals it touches are uncertain. */
    /**
     * An IAM Identity Center reserved role and its permission set disagree: a role without a permission set, a role
     * of a permission set not provisioned to its account, a provisioned account without the role, or an account whose
     * role lags the permission set.
     */
    IDENTITY_CENTER_PROVISIONING_DRIFT(Severity.MEDIUM, "IAM Identity Center provisioning drift",
            "An AWSReservedSSO_* role and the IAM Identity Center permission set it comes from disagree: the role "
                    + "matches no permission set, its permission set is not provisioned to its account, a provisioned "
                    + "account lacks the role, or the role holds an older version of the permission set. Its "
                    + "permissions are then not what the permission set says, and fixes made in the permission set "
                    + "don't reach it.",
            "Provision the permission set again to the account (aws sso-admin provision-permission-set), or remove "
                    + "the left-over role's assignments; never edit AWSReservedSSO_* roles in IAM.",
            Blocks.NOTHING),
    POLICY_UNPARSEABLE(Severity.MEDIUM, "Policy could not be parsed",
            "A policy could not be parsed; the results for the principals it touches are uncertain.",
            "Fix the policy document and scan again.",
            Blocks.NOTHING),
    /**
     * AWS recorded a launch or start failure for a KMS reason (an instance's state reason, a failed scaling activity,
     * a node group health issue, a fleet error) that no other finding explains.
     */
    FAILURE_UNEXPLAINED(Severity.INFO, "Recorded KMS failure no finding explains",
            "AWS recorded that a launch or start failed for a KMS reason (Client.InternalError, "
                    + "Client.InvalidKMSKey.InvalidState, or a message naming KMS), but no finding of this run "
                    + "explains it: the cause is outside what the scan read (a key of an account outside the "
                    + "organization, a removed group or key, request context), or the model missed something.",
            "Read the recorded event in the evidence, check the launcher's access to the keys of the launch "
                    + "(CloudTrail shows the denied KMS call), and report a model gap if the policies allow it.",
            Blocks.NOTHING);

    /** What a type's findings stop from working. */
    public enum Blocks {
        /** Nothing fails: an over-broad right or an uncertainty. */
        NOTHING,
        /** Starting the instances fails (for the principals named, or for everyone when none is). */
        START,
        /** Starting the instances fails in some request contexts (depends on context unknown offline). */
        START_MAYBE,
        /** Launching new instances (or creating volumes) fails. */
        LAUNCH,
        /** Launching new instances fails in some request contexts, or can't be judged offline. */
        LAUNCH_MAYBE
    }

    private final Severity defaultSeverity;
    private final String title;
    private final String meaning;
    private final String fix;
    private final Blocks blocks;

    FindingType(Severity defaultSeverity, String title, String meaning, String fix, Blocks blocks) {
        this.defaultSeverity = defaultSeverity;
        this.title = title;
        this.meaning = meaning;
        this.fix = fix;
        this.blocks = blocks;
    }

    /** @return the default severity of this type (some findings are raised above it); never null */
    public Severity defaultSeverity() {
        return defaultSeverity;
    }

    /** @return a short human title for report headings; never null */
    public String title() {
        return title;
    }

    /** @return what the type means for a reader of the report and why it matters, one paragraph; never null */
    public String meaning() {
        return meaning;
    }

    /** @return how findings of this type are fixed in general, in words (each finding has its own snippet) */
    public String fix() {
        return fix;
    }

    /** @return what findings of this type stop from working; never null */
    public Blocks blocks() {
        return blocks;
    }

    /** @return true when the type's findings certainly make starts of the instances fail */
    public boolean blocksStart() {
        return blocks == Blocks.START;
    }

    /** @return true when the type's findings make starts fail, certainly or in some request contexts */
    public boolean mayBlockStart() {
        return blocks == Blocks.START || blocks == Blocks.START_MAYBE;
    }

    /** @return true when the type's findings make launches of new instances fail */
    public boolean blocksLaunch() {
        return blocks == Blocks.LAUNCH;
    }
}
