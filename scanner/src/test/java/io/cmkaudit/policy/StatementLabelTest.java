package io.cmkaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one form every output (explain and simulate traces, findings' evidence) names a statement in. */
class StatementLabelTest {

    @Test
    void aStatementWithASidIsNamedByItsSid() {
        assertThat(MatchedStatement.label("arn:aws:iam::111122223333:user/bob:inline/start", "Start", 0))
                .isEqualTo("arn:aws:iam::111122223333:user/bob:inline/start#Start");
    }

    @Test
    void aStatementWithoutSidIsNamedByItsIndex() {
        assertThat(MatchedStatement.label("FullAWSAccess", "Statement[2]", 2)).isEqualTo("FullAWSAccess#2");
        assertThat(MatchedStatement.label("FullAWSAccess", null, 1)).isEqualTo("FullAWSAccess#1");
    }

    @Test
    void anUnknownIndexIsReadFromTheStatementsPath() {
        assertThat(MatchedStatement.label("p", "Statement[3]", -1)).isEqualTo("p#3");
        // a policy whose Statement is one object, not an array
        assertThat(MatchedStatement.label("p", "Statement", -1)).isEqualTo("p#0");
        assertThat(MatchedStatement.label("p", null, -1)).isEqualTo("p");
    }

    @Test
    void aMatchedStatementNamesItselfSo() {
        MatchedStatement m = new MatchedStatement(Layer.IDENTITY, "bob-inline", "Use", 0, Effect.ALLOW, false);

        assertThat(m.label()).isEqualTo("bob-inline#Use");
    }
}
