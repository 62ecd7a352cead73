package io.cmkaudit.policy;

import java.util.List;
import java.util.Objects;

/**
 * A parsed policy document, immutable.
 *
 * @param name       the name the caller gave it (policy name, ARN, "key-policy", ...); never null
 * @param version    the {@code Version} element, or null when absent (AWS then applies {@code 2008-10-17}, in which
 *                   policy variables are plain text)
 * @param id         the {@code Id} element, or null
 * @param statements the statements in document order; never null
 */
public record Policy(String name, String version, String id, List<Statement> statements) {

    /** The only version in which policy variables are recognised. */
    public static final String VERSION_2012 = "2012-10-17";

    /** Validates and copies. */
    public Policy {
        Objects.requireNonNull(name, "name");
        statements = statements instanceof StatementList ? statements : new StatementList(List.copyOf(statements));
    }

    /**
     * A stand-in for a document nothing could be understood of: one statement of unknown effect that matches every
     * request as unknown, so every decision it could affect is {@link DecisionKind#CONDITIONAL}.
     *
     * @param name the policy's name; never null
     * @return the stand-in
     */
    public static Policy unparseable(String name) {
        return new Policy(name, null, null, List.of(Statement.opaque(0, "")));
    }

    /** @return whether some statement has a part the parser could not understand */
    public boolean hasUnparsedParts() {
        for (Statement s : statements) {
            if (s.hasUnparsedParts()) {
                return true;
            }
        }
        return false;
    }
}
