package io.cmkaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming side of {@link SimulationCaseReader}: case by case, the policy cache, and where errors point. */
class SimulationCaseReaderTest {

    private static String userCase(String name, String identityAction, String resourcePolicyName) {
        return """
                {"name": "%s",
                 "request": {"principal": "arn:aws:iam::111122223333:user/john", "action": "kms:Decrypt",
                             "resource": "arn:aws:kms:us-east-1:111122223333:key/k1"},
                 "policies": {
                   "identity": [{"name": "UseKey", "document": {"Version": "2012-10-17", "Statement": [
                     {"Sid": "Use", "Effect": "Allow", "Action": "%s", "Resource": "*",
                      "Condition": {"NumericLessThanIfExists": {"kms:GrantConstraintType": 1.10}}}]}}],
                   "scpLevels": [[{"name": "FullAWSAccess", "document": {"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]],
                   "resource": {"name": "%s", "document": {"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                      "Action": "kms:*", "Resource": "*"}]}},
                   "keyState": "Enabled"}}""".formatted(name, identityAction, resourcePolicyName);
    }

    private static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<SimulationCase> readAll(String text) throws Exception {
        List<SimulationCase> out = new ArrayList<>();
        try (SimulationCaseReader r = SimulationCaseReader.open(in(text))) {
            for (SimulationCase c = r.next(); c != null; c = r.next()) {
                out.add(c);
            }
            assertThat(r.next()).isNull();
            assertThat(r.casesRead()).isEqualTo(out.size());
        }
        return out;
    }

    @Test
    void readsCaseByCaseAndAgreesWithTheTreeReader() throws Exception {
        String text = "[" + userCase("a", "kms:Decrypt", "key-policy") + ",\n"
                + userCase("b", "kms:Encrypt", "key-policy") + "]";
        List<SimulationCase> streamed = readAll(text);
        List<SimulationCase> tree = SimulationCaseReader.read(new ObjectMapper().readTree(text));
        assertThat(streamed).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(streamed.get(i).name()).isEqualTo(tree.get(i).name());
            assertThat(streamed.get(i).index()).isEqualTo(i);
            assertThat(streamed.get(i).request()).isEqualTo(tree.get(i).request());
            assertThat(streamed.get(i).principal()).isEqualTo(tree.get(i).principal());
            assertThat(streamed.get(i).policies()).isEqualTo(tree.get(i).policies());
            assertThat(streamed.get(i).evaluate()).isEqualTo(tree.get(i).evaluate());
        }
        assertThat(streamed.get(0).evaluate().kind()).isEqualTo(DecisionKind.ALLOWED);
        assertThat(streamed.get(1).evaluate().kind()).isEqualTo(DecisionKind.IMPLICIT_DENY);
    }

    @Test
    void aSingleCaseObjectIsOneCase() throws Exception {
        try (SimulationCaseReader r = SimulationCaseReader.open(in(userCase("only", "kms:Decrypt", "kp")))) {
            assertThat(r.holdsArray()).isFalse();
            assertThat(r.next().name()).isEqualTo("only");
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void repeatedPoliciesAreCompiledOnce() throws Exception {
        String text = "[" + userCase("a", "kms:Decrypt", "key-policy") + ","
                + userCase("b", "kms:Decrypt", "key-policy") + ","
                + userCase("c", "kms:Encrypt", "key-policy") + ","
                + userCase("d", "kms:Decrypt", "other-name") + "]";
        List<SimulationCase> cs = readAll(text);
        // the same policies object: the same compiled set
        assertThat(cs.get(1).policies()).isSameAs(cs.get(0).policies());
        // another identity policy: a new set, but the unchanged documents are shared
        assertThat(cs.get(2).policies()).isNotSameAs(cs.get(0).policies());
        assertThat(cs.get(2).policies().identity().get(0)).isNotSameAs(cs.get(0).policies().identity().get(0));
        assertThat(cs.get(2).policies().resourcePolicy()).isSameAs(cs.get(0).policies().resourcePolicy());
        assertThat(cs.get(2).policies().scpLevels().get(0).get(0))
                .isSameAs(cs.get(0).policies().scpLevels().get(0).get(0));
        // the same document under another name is another policy (the name is in every answer)
        assertThat(cs.get(3).policies().resourcePolicy()).isNotSameAs(cs.get(0).policies().resourcePolicy());
        assertThat(cs.get(3).policies().resourcePolicy().name()).isEqualTo("other-name");
        assertThat(cs.get(3).policies().resourcePolicy().statements())
                .isEqualTo(cs.get(0).policies().resourcePolicy().statements());
    }

    @Test
    void theSamePoliciesWrittenDifferentlyGiveTheSameAnswer() throws Exception {
        String compact = userCase("a", "kms:Decrypt", "key-policy");
        String spaced = compact.replace(", ", " ,\n   ").replace("{\"", "{ \"");
        List<SimulationCase> cs = readAll("[" + compact + "," + spaced + "]");
        assertThat(cs.get(1).policies()).isEqualTo(cs.get(0).policies());
        assertThat(cs.get(1).evaluate()).isEqualTo(cs.get(0).evaluate());
    }

    @Test
    void policyDiagnosticsComeWithEveryCaseThatUsesTheDocument() throws Exception {
        String bad = userCase("x", "kms:Decrypt", "key-policy").replace("\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\"",
                "\"Effect\": \"Alow\", \"Action\": \"kms:Decrypt\"");
        List<SimulationCase> cs = readAll("[" + bad + "," + bad.replace("\"x\"", "\"y\"") + "]");
        for (SimulationCase c : cs) {
            assertThat(c.diagnostics()).extracting(d -> d.diagnostic().code()).containsExactly("INVALID_EFFECT");
            assertThat(c.diagnostics().get(0).policyPath()).isEqualTo("policies.identity[0]");
            assertThat(c.evaluate().kind()).isEqualTo(DecisionKind.CONDITIONAL);
        }
    }

    @Test
    void aMalformedCaseAfterGoodOnesNamesItsIndexAndName() throws Exception {
        String bad = userCase("third", "kms:Decrypt", "kp").replace("\"action\": \"kms:Decrypt\",", "");
        try (SimulationCaseReader r = SimulationCaseReader.open(in("[" + userCase("first", "kms:Decrypt", "kp") + ","
                + userCase("second", "kms:Decrypt", "kp") + "," + bad + "]"))) {
            assertThat(r.next().name()).isEqualTo("first");
            assertThat(r.next().name()).isEqualTo("second");
            assertThatThrownBy(r::next).isInstanceOfSatisfying(SimulationCaseException.class, e -> {
                assertThat(e.getMessage()).isEqualTo("case 2 (`third`): field `request.action` is missing");
                assertThat(e.caseIndex()).isEqualTo(2);
                assertThat(e.caseName()).isEqualTo("third");
            });
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void aBrokenPolicyDocumentInACachedSetIsStillFoundWhereItIs() throws Exception {
        // the second case's policies differ from the first's only by a syntax error: it must not hit the cache
        String good = userCase("good", "kms:Decrypt", "kp");
        String broken = good.replace("\"good\"", "\"broken\"").replace("\"Resource\": \"*\",\n",
                "\"Resource\": \"*\",,\n");
        assertThat(broken).isNotEqualTo(good.replace("\"good\"", "\"broken\""));
        try (SimulationCaseReader r = SimulationCaseReader.open(in("[" + good + ",\n" + broken + "]"))) {
            r.next();
            assertThatThrownBy(r::next).isInstanceOfSatisfying(SimulationCaseException.class, e -> {
                assertThat(e.getMessage()).startsWith("invalid json at line 19, column ")
                        .contains("(case 1, starting at line 14, at `policies.identity[0].document.Statement[0]");
                assertThat(e.caseIndex()).isEqualTo(1);
            });
        }
    }

    @Test
    void aTreeReaderCannotStream() throws Exception {
        assertThat(SimulationCaseReader.read(new ObjectMapper().readTree(userCase("t", "kms:Decrypt", "kp"))))
                .hasSize(1);
        assertThat(SimulationCaseReader.KEY_STATES).contains("Enabled", "PendingReplicaDeletion").hasSize(8);
    }
}
