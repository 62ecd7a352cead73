package io.cmkaudit.analysis;

import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Unparseable policies: every policy document of the snapshot whose parse gave ERROR diagnostics gives one
 * {@code POLICY_UNPARSEABLE} (account, owner, JSON path and message of each error, at most five); the decisions that
 * depend on it are conditional and the principals it applies to are marked uncertain by the other rules
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html). Text-only remediation.
 */
final class UnparseablePolicyRule implements Rule {

    private final RuleContext ctx;

    UnparseablePolicyRule(RuleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<FindingType> types() {
        return Set.of(FindingType.POLICY_UNPARSEABLE);
    }

    @Override
    public List<Finding> organization() {
        List<Finding> out = new ArrayList<>();
        for (Entry e : ctx.library.unparseable()) {
            PolicySource s = e.source();
            String account = s.accountId();
            if (account == null && (s.origin() == PolicySource.Origin.SCP || s.origin() == PolicySource.Origin.RCP)) {
                account = ctx.index.org.managementAccountId();
            }
            boolean keyPolicy = s.origin() == PolicySource.Origin.KEY_POLICY;
            String region = keyPolicy ? regionOf(s.ownerArn()) : null;
            String principal = switch (s.origin()) {
                case USER_INLINE, ROLE_INLINE -> s.ownerArn();
                default -> null;
            };
            List<String> ev = e.errors().stream().limit(5).map(d -> s.name() + " "
                    + (d.path().isEmpty() ? "(document)" : d.path()) + ": " + d.message()).toList();
            var first = e.errors().get(0);
            String expl = "The " + s.origin().noun() + " " + s.name() + " could not be parsed ("
                    + (first.path().isEmpty() ? "document" : first.path()) + ": " + first.message()
                    + (e.errors().size() > 1 ? "; " + (e.errors().size() - 1) + " more" : "")
                    + "); decisions that depend on it are reported as conditional and the principals it "
                    + "applies to are marked uncertain.";
            String text = "Fix the document of " + s.name() + " at "
                    + (first.path().isEmpty() ? "the top level" : first.path())
                    + " so that AWS accepts it (IAM Access Analyzer's policy validation shows the same errors).";
            Remediation rem = Remediation.textOnly(text);
            PrincipalRef pr = principal == null ? null : ctx.index.principal(principal);
            Finding f = Finding.policy(FindingType.POLICY_UNPARSEABLE, Severity.MEDIUM, ctx.account(account), region,
                    s.name(), principal == null ? null : new Finding.Principal(principal,
                            pr == null ? null : pr.kind().label),
                    keyPolicy ? new Finding.Key(s.ownerArn(), account, null) : null,
                    Finding.Details.of(List.of(layerOf(s.origin())), ev, expl, rem));
            ctx.keep(f.findingId(), rem);
            out.add(f);
        }
        return out;
    }

    /** The layer a policy of this origin takes part in (managed policies: identity, or boundary when used so). */
    private static String layerOf(PolicySource.Origin o) {
        return switch (o) {
            case SCP -> Layer.SCP.id();
            case RCP -> Layer.RCP.id();
            case KEY_POLICY -> Layer.RESOURCE.id();
            default -> Layer.IDENTITY.id();
        };
    }

    private static String regionOf(String arn) {
        String[] p = arn.split(":", 6);
        return p.length == 6 ? p[3] : null;
    }
}
