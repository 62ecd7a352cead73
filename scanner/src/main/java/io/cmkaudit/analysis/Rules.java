package io.cmkaudit.analysis;

import java.util.List;
import java.util.function.Function;

/** The rules of the analysis, in the order their hooks are called. */
final class Rules {

    private Rules() {
    }

    /** Every rule, created per analysis from its context. */
    static final List<Function<RuleContext, Rule>> ALL = List.of(
            StartAccessRule::new,
            BreadthRule::new,
            GranteeDecryptRule::new,
            KeyStateRule::new,
            PublicKeyPolicyRule::new,
            GrantRule::new,
            UnparseablePolicyRule::new,
            IdentityCenterDriftRule::new,
            LaunchRule::new,
            ConfirmedFailureRule::new);

    /** @return a new instance of every rule for one analysis */
    static List<Rule> create(RuleContext ctx) {
        return ALL.stream().map(f -> f.apply(ctx)).toList();
    }
}
