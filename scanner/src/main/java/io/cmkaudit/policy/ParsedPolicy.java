package io.cmkaudit.policy;

import java.util.List;

/**
 * The result of {@link PolicyParser}: the policy and every problem found.
 *
 * @param policy      the policy; null only when the input is not a JSON object (invalid JSON, an array, ...)
 * @param diagnostics every problem found, in document order; never null
 */
public record ParsedPolicy(Policy policy, List<Diagnostic> diagnostics) {

    /** Copies the list. */
    public ParsedPolicy {
        diagnostics = List.copyOf(diagnostics);
    }

    /** @return whether any diagnostic is an {@link Diagnostic.Severity#ERROR} (AWS would reject the document) */
    public boolean hasErrors() {
        for (Diagnostic d : diagnostics) {
            if (d.severity() == Diagnostic.Severity.ERROR) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param name the name to give the stand-in when there is no policy
     * @return the policy to evaluate: {@link #policy()}, or {@link Policy#unparseable} when it is null; never null
     */
    public Policy forEvaluation(String name) {
        return policy != null ? policy : Policy.unparseable(name);
    }
}
