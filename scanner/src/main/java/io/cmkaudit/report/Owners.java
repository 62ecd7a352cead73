package io.cmkaudit.report;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IamUser;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.Snapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who owns the fix of a finding (findings.csv {@code owner}): the value of one tag key ({@code ownerTag} in the
 * configuration, e.g. {@code owner} or {@code team}) on the finding's principal for findings about a principal, and
 * on its key for the others. The tags are the ones the collector reads: IAM users' and roles' tags from
 * {@code GetAccountAuthorizationDetails}, keys' from {@code ListResourceTags}.
 *
 * @param tagKey  the tag key, e.g. {@code owner}; never null
 * @param byArn   principal or key ARN to the tag's value (only tagged ones); never null
 */
public record Owners(String tagKey, Map<String, String> byArn) {

    /** No owners known. */
    public static final Owners NONE = new Owners("owner", Map.of());

    public Owners {
        Objects.requireNonNull(tagKey, "tagKey");
        byArn = Map.copyOf(byArn);
    }

    /**
     * @param snapshot the collected snapshot
     * @param tagKey   the owner tag key (matched exactly, as IAM and KMS tag keys are case-sensitive)
     * @return the owners of every tagged user, role and key of the snapshot
     */
    public static Owners of(Snapshot snapshot, String tagKey) {
        Map<String, String> m = new HashMap<>();
        for (AccountSnapshot a : snapshot.accounts()) {
            if (a.iam() != null) {
                for (IamUser u : a.iam().users()) {
                    put(m, u.arn(), u.tags().get(tagKey));
                }
                for (IamRole r : a.iam().roles()) {
                    put(m, r.arn(), r.tags().get(tagKey));
                }
            }
            for (RegionSnapshot r : a.regions()) {
                for (KmsKey k : r.kmsKeys()) {
                    put(m, k.arn(), k.tags().get(tagKey));
                }
            }
        }
        return new Owners(tagKey, m);
    }

    private static void put(Map<String, String> m, String arn, String value) {
        if (arn != null && value != null && !value.isBlank()) {
            m.put(arn, value);
        }
    }

    /**
     * @param f a finding
     * @return the principal's owner tag when the finding is about a principal, else the key's; null when untagged
     */
    public String of(Finding f) {
        if (f.principal() != null) {
            return byArn.get(f.principalArn());
        }
        return f.keyArn() == null ? null : byArn.get(f.keyArn());
    }
}
