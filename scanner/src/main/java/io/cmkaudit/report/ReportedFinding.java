package io.cmkaudit.report;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * A finding as a report states it: the analysis {@link Finding} wrapped with the report's own state — whether it is
 * open or accepted as a risk, how it compares with the previous run, and the suppression that matched. Every writer
 * (CSV, JSON, HTML) and the exports read these. The delegating accessors ({@link #findingId()}, {@link #type()},
 * ...) are the finding's, so templates can print {@code v.f().principalArn()} as before.
 *
 * @param finding     the analysis finding; never null
 * @param status      OPEN or SUPPRESSED; never null
 * @param change      change against the previous run, or null when no previous run was given
 * @param suppression the suppression that matched, or null
 */
public record ReportedFinding(Finding finding, Status status, Change change, Suppression suppression) {

    /** Whether a finding is open or accepted as a risk. */
    public enum Status { OPEN, SUPPRESSED }

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

    public ReportedFinding {
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(status, "status");
    }

    /**
     * @param f an analysis finding; never null
     * @return the finding OPEN, without change or suppression
     */
    public static ReportedFinding open(Finding f) {
        return new ReportedFinding(f, Status.OPEN, null, null);
    }

    /** @return a copy with another change value */
    public ReportedFinding withChange(Change newChange) {
        return new ReportedFinding(finding, status, newChange, suppression);
    }

    /** @return a copy marked SUPPRESSED by {@code s}, or OPEN when {@code s} is null */
    public ReportedFinding withSuppression(Suppression s) {
        return new ReportedFinding(finding, s == null ? Status.OPEN : Status.SUPPRESSED, change, s);
    }

    /** @return a copy about another analysis finding, with the same report state */
    public ReportedFinding withFinding(Finding f) {
        return new ReportedFinding(f, status, change, suppression);
    }

    // ------------------------------------------------------------------ the finding's values

    /** @return {@link Finding#findingId()} */
    public String findingId() {
        return finding.findingId();
    }

    /** @return {@link Finding#type()} */
    public FindingType type() {
        return finding.type();
    }

    /** @return {@link Finding#severity()} */
    public Severity severity() {
        return finding.severity();
    }

    /** @return {@link Finding#accountId()} */
    public String accountId() {
        return finding.accountId();
    }

    /** @return {@link Finding#accountName()} */
    public String accountName() {
        return finding.accountName();
    }

    /** @return {@link Finding#ouPath()} */
    public String ouPath() {
        return finding.ouPath();
    }

    /** @return {@link Finding#region()} */
    public String region() {
        return finding.region();
    }

    /** @return {@link Finding#instanceId()} */
    public String instanceId() {
        return finding.instanceId();
    }

    /** @return {@link Finding#instanceName()} */
    public String instanceName() {
        return finding.instanceName();
    }

    /** @return {@link Finding#volumeIds()} */
    public List<String> volumeIds() {
        return finding.volumeIds();
    }

    /** @return {@link Finding#keyArn()} */
    public String keyArn() {
        return finding.keyArn();
    }

    /** @return {@link Finding#keyAccountId()} */
    public String keyAccountId() {
        return finding.keyAccountId();
    }

    /** @return {@link Finding#keyState()} */
    public String keyState() {
        return finding.keyState();
    }

    /** @return {@link Finding#permissionSetArn()} */
    public String permissionSetArn() {
        return finding.permissionSetArn();
    }

    /** @return {@link Finding#permissionSetName()} */
    public String permissionSetName() {
        return finding.permissionSetName();
    }

    /** @return {@link Finding#permissionSet()} */
    public Finding.PermissionSetRef permissionSet() {
        return finding.permissionSet();
    }

    /** @return {@link Finding#principalArn()} */
    public String principalArn() {
        return finding.principalArn();
    }

    /** @return {@link Finding#principalType()} */
    public String principalType() {
        return finding.principalType();
    }

    /** @return {@link Finding#decidingLayers()} */
    public List<String> decidingLayers() {
        return finding.decidingLayers();
    }

    /** @return {@link Finding#evidence()} */
    public List<String> evidence() {
        return finding.evidence();
    }

    /** @return {@link Finding#explanation()} */
    public String explanation() {
        return finding.explanation();
    }

    /** @return {@link Finding#remediation()} */
    public String remediation() {
        return finding.remediation();
    }

    /** @return {@link Finding#remediationPolicy()} */
    public String remediationPolicy() {
        return finding.remediationPolicy();
    }
}
