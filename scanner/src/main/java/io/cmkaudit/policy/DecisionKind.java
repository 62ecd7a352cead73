package io.cmkaudit.policy;

/** The answer of an evaluation. */
public enum DecisionKind {
    /** Allowed for every possible value of the unknown keys. */
    ALLOWED,
    /** Denied because nothing (or not every required layer) allows it, for every value of the unknown keys. */
    IMPLICIT_DENY,
    /** A Deny statement matches for every value of the unknown keys. */
    EXPLICIT_DENY,
    /** Allowed for some values of the unknown keys (or unparseable parts) and denied for others. */
    CONDITIONAL
}
