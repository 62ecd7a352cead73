package io.cmkaudit.policy;

/** The parts of a statement, used to say which part the parser could not understand. */
public enum StatementElement {
    /** The statement as a whole (not an object, or an element AWS does not define). */
    STATEMENT,
    /** {@code Effect}. */
    EFFECT,
    /** {@code Principal} / {@code NotPrincipal}. */
    PRINCIPAL,
    /** {@code Action} / {@code NotAction}. */
    ACTION,
    /** {@code Resource} / {@code NotResource}. */
    RESOURCE,
    /** {@code Condition} (the block as a whole; single bad conditions are {@link Condition#valid()} false). */
    CONDITION
}
