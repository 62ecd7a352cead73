package io.cmkaudit.report;


import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.match.Wildcard;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One valid entry of a suppressions file: an accepted risk. It matches a finding when every criterion it sets
 * matches (criteria left null match anything; at least one is set).
 *
 * @param index        1-based position of the entry in the file's list
 * @param line         1-based line where the entry starts in the file, or 0 when unknown
 * @param findingId    exact {@code finding_id} (16 lowercase hex digits), or null
 * @param type         finding type, or null
 * @param accountId    exact 12-digit account id of the finding, or null
 * @param principalArn glob over the finding's principal ARN ({@code *} any characters, {@code ?} one), or null
 * @param keyArn       glob over the finding's KMS key ARN, or null
 * @param instanceId   one EC2 instance id: the entry removes that instance from the findings it matches (and
 *                     suppresses a finding when none of its instances is left), or null
 * @param reason       why the risk is accepted; never blank
 * @param owner        who owns the decision; never blank
 * @param expires      last day (UTC, inclusive) on which the entry suppresses; never null
 * @param ticket       tracking ticket, or null
 */
public record SuppressionRule(int index, int line, String findingId, FindingType type, String accountId,
                              String principalArn, String keyArn, String instanceId, String reason, String owner, LocalDate expires,
                              String ticket) {

    public SuppressionRule {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(expires, "expires");
        if (findingId == null && type == null && accountId == null && principalArn == null && keyArn == null
                && instanceId == null) {
            throw new IllegalArgumentException("a suppression needs finding_id or at least one pattern field");
        }
    }

    /**
     * @param today the current UTC date
     * @return true when {@code today} is after {@link #expires()}
     */
    public boolean isExpiredOn(LocalDate today) {
        return today.isAfter(expires);
    }

    /**
     * @param f a finding; never null
     * @return whether every criterion of this entry matches {@code f}
     */
    public boolean matches(ReportedFinding f) {
        return (findingId == null || findingId.equals(f.findingId()))
                && (type == null || type == f.type())
                && (accountId == null || accountId.equals(f.accountId()))
                && (principalArn == null || (f.principalArn() != null && glob(principalArn, f.principalArn())))
                && (keyArn == null || (f.keyArn() != null && glob(keyArn, f.keyArn())))
                && (instanceId == null || f.finding().instances().stream().anyMatch(r -> r.id().equals(instanceId)));
    }

    /** @return this entry naming another finding id and one instance (a rewritten schemaVersion 1 entry) */
    SuppressionRule withFindingAndInstance(String newFindingId, String newInstanceId) {
        return new SuppressionRule(index, line, newFindingId, type, accountId, principalArn, keyArn, newInstanceId,
                reason, owner, expires, ticket);
    }

    /** @return the suppression columns this entry gives to the findings it matches */
    public ReportedFinding.Suppression toSuppression() {
        return new ReportedFinding.Suppression(reason, owner, expires, ticket);
    }

    /**
     * @return the criteria in the file's own field names, e.g. {@code type=KMS_FULL_ACCESS, account_id=111122223333}
     */
    public String criteria() {
        List<String> parts = new ArrayList<>();
        if (findingId != null) {
            parts.add("finding_id=" + findingId);
        }
        if (type != null) {
            parts.add("type=" + type.name());
        }
        if (accountId != null) {
            parts.add("account_id=" + accountId);
        }
        if (principalArn != null) {
            parts.add("principal_arn=" + principalArn);
        }
        if (keyArn != null) {
            parts.add("key_arn=" + keyArn);
        }
        if (instanceId != null) {
            parts.add("instance_id=" + instanceId);
        }
        return String.join(", ", parts);
    }

    /**
     * Case-sensitive glob match of the whole text: {@code *} matches any run of characters (also {@code :} and
     * {@code /}), {@code ?} exactly one; every other character matches itself.
     */
    static boolean glob(String pattern, String text) {
        return Wildcard.matches(pattern, text, Wildcard.Mode.STRING_LIKE);
    }
}
