package io.cmkaudit.policy;

/**
 * What one layer contributed to a decision, for explanations.
 *
 * @param layer   the layer; never null
 * @param applied false when the layer did not take part (absent, or exempt: e.g. SCPs for the management account)
 * @param allow   {@code yes}, {@code no}, {@code unknown} or {@code -} (not applicable): whether the layer allows
 * @param deny    {@code yes}, {@code no}, {@code unknown} or {@code -}: whether a Deny of the layer matches
 * @param note    one line of detail (why it was skipped, how the key policy matched the principal, ...); never null
 */
public record LayerTrace(Layer layer, boolean applied, String allow, String deny, String note) {
}
