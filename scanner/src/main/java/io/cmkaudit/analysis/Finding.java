package io.cmkaudit.analysis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One finding: the single report model every writer (HTML, CSV, JSON) projects. Fields follow the CSV columns of
 * {@code docs/design/findings.md}; fields that do not apply to a finding are null (strings) or empty (lists).
 *
 * @param findingId      stable id across runs, see {@link #stableId}; 16 lowercase hex digits
 * @param type           finding type; never null
 * @param severity       severity; never null
 * @param status         OPEN or SUPPRESSED; never null
 * @param change         change against the previous run, or null when no previous run was given
 * @param accountId      12-digit account id the finding is about (the instance's or principal's account)
 * @param accountName    that account's name, or null
 * @param ouPath         OU path of the account, e.g. {@code Root/Workloads/Prod}, or null
 * @param region         region, e.g. {@code eu-west-1}, or null for global findings (IAM policies)
 * @param instanceId     EC2 instance id, or null when the finding is not about one instance
 * @param instanceName   the instance's {@code Name} tag, or null
 * @param volumeIds      EBS volume ids involved (may be empty)
 * @param keyArn         full KMS key ARN, or null
 * @param keyAccountId   account owning the key, or null
 * @param keyState       KMS key state (Enabled, Disabled, PendingDeletion, ..., or NotFound), or null
 * @param principalArn   IAM user or role ARN, or null when the finding is not about one principal
 * @param principalType  {@code user}, {@code role}, {@code service-linked-role}, or null
 * @param decidingLayers layers that decided, named as in {@code simulate}'s {@code decidedBy}: identity, boundary,
 *                       session, scp, rcp, resource, grant, keyState (may be empty)
 * @param evidence       policy name or ARN + statement Sid or index, e.g. {@code arn:aws:iam::aws:policy/PowerUserAccess#0}
 * @param explanation    one-line explanation; never null
 * @param remediation    short remediation text; never null
 * @param remediationPolicy policy snippet as pretty-printed JSON that fixes exactly this finding, or null
 * @param suppression    the suppression that matched, or null
 */
public record Finding(
        String findingId,
        FindingType type,
        Severity severity,
        FindingStatus status,
        Change change,
        String accountId,
        String accountName,
        String ouPath,
        String region,
        String instanceId,
        String instanceName,
        List<String> volumeIds,
        String keyArn,
        String keyAccountId,
        String keyState,
        String principalArn,
        String principalType,
        List<String> decidingLayers,
        List<String> evidence,
        String explanation,
        String remediation,
        String remediationPolicy,
        Suppression suppression) {

    /** Whether a finding is open or accepted as a risk. */
    public enum FindingStatus { OPEN, SUPPRESSED }

    /** How a finding compares with the previous run's findings.json. */
    public enum Change { NEW, UNCHANGED, CHANGED, RESOLVED }

    /**
     * An accepted risk that matched the finding.
     *
     * @param reason  why the risk is accepted; never blank
     * @param owner   who owns the decision; never blank
     * @param expires last day the suppression applies (inclusive)
     * @param ticket  tracking ticket, or null
     */
    public record Suppression(String reason, String owner, LocalDate expires, String ticket) {
    }

    public Finding {
        Objects.requireNonNull(findingId, "findingId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(explanation, "explanation");
        Objects.requireNonNull(remediation, "remediation");
        volumeIds = volumeIds == null ? List.of() : List.copyOf(volumeIds);
        decidingLayers = decidingLayers == null ? List.of() : List.copyOf(decidingLayers);
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
    }

    /**
     * The stable finding id: the first 16 hex digits of SHA-256 over type, account, region, instance, principal and
     * key (null parts as empty strings), so the same problem keeps its id across runs.
     *
     * @return 16 lowercase hex digits
     */
    public static String stableId(FindingType type, String accountId, String region, String instanceId,
                                  String principalArn, String keyArn) {
        String material = String.join("|", type.name(), n(accountId), n(region), n(instanceId), n(principalArn),
                n(keyArn));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    private static String n(String s) {
        return s == null ? "" : s;
    }

    /** @return a copy with another change value */
    public Finding withChange(Change newChange) {
        return new Finding(findingId, type, severity, status, newChange, accountId, accountName, ouPath, region,
                instanceId, instanceName, volumeIds, keyArn, keyAccountId, keyState, principalArn, principalType,
                decidingLayers, evidence, explanation, remediation, remediationPolicy, suppression);
    }

    /** @return a copy marked SUPPRESSED by {@code s}, or OPEN when {@code s} is null */
    public Finding withSuppression(Suppression s) {
        return new Finding(findingId, type, severity, s == null ? FindingStatus.OPEN : FindingStatus.SUPPRESSED,
                change, accountId, accountName, ouPath, region, instanceId, instanceName, volumeIds, keyArn,
                keyAccountId, keyState, principalArn, principalType, decidingLayers, evidence, explanation,
                remediation, remediationPolicy, s);
    }
}
