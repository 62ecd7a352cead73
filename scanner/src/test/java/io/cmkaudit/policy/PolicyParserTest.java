package io.cmkaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyParserTest {

    private static Diagnostic only(ParsedPolicy p) {
        assertThat(p.diagnostics()).hasSize(1);
        return p.diagnostics().get(0);
    }

    @Test
    void parsesEveryElementOfAStatement() {
        ParsedPolicy p = PolicyParser.parse("kp", """
                {"Version": "2012-10-17", "Id": "key-policy-1", "Statement": [{
                  "Sid": "Use", "Effect": "Allow",
                  "Principal": {"AWS": ["arn:aws:iam::111122223333:role/app", "444455556666"],
                                "Service": "ec2.amazonaws.com"},
                  "Action": ["kms:Decrypt", "kms:CreateGrant"], "Resource": "*",
                  "Condition": {"Bool": {"kms:GrantIsForAWSResource": true},
                                "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["team", "cost*"]}}}]}
                """);
        assertThat(p.diagnostics()).isEmpty();
        Policy policy = p.policy();
        assertThat(policy.name()).isEqualTo("kp");
        assertThat(policy.version()).isEqualTo("2012-10-17");
        assertThat(policy.id()).isEqualTo("key-policy-1");
        Statement s = policy.statements().get(0);
        assertThat(s.sid()).isEqualTo("Use");
        assertThat(s.label()).isEqualTo("Use");
        assertThat(s.effect()).isEqualTo(Effect.ALLOW);
        assertThat(s.principal().aws()).containsExactly("arn:aws:iam::111122223333:role/app", "444455556666");
        assertThat(s.principal().service()).containsExactly("ec2.amazonaws.com");
        assertThat(s.action().patterns()).containsExactly("kms:Decrypt", "kms:CreateGrant");
        assertThat(s.resource().patterns()).containsExactly("*");
        assertThat(s.conditions()).hasSize(3);
        Condition bool = s.conditions().get(0);
        assertThat(bool.operator()).isEqualTo(ConditionOperator.BOOL);
        assertThat(bool.values()).containsExactly("true");
        Condition num = s.conditions().get(1);
        assertThat(num.values()).containsExactly("3600");
        Condition set = s.conditions().get(2);
        assertThat(set.operator()).isEqualTo(ConditionOperator.STRING_LIKE);
        assertThat(set.setOperator()).isEqualTo(SetOperator.FOR_ANY_VALUE);
        assertThat(set.ifExists()).isTrue();
        assertThat(set.key()).isEqualTo("aws:TagKeys");
        assertThat(s.unparsed()).isEmpty();
        assertThat(s.matchesAction("KMS:creategrant")).isTrue();
        assertThat(s.matchesAction("kms:Encrypt")).isFalse();
    }

    @Test
    void singleStatementObjectAndStringValues() {
        ParsedPolicy p = PolicyParser.parse("p", """
                {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": "iam:*",
                 "NotResource": "arn:aws:s3:::logs/*", "Principal": "*"}}""");
        assertThat(p.diagnostics()).isEmpty();
        Statement s = p.policy().statements().get(0);
        assertThat(s.path()).isEqualTo("Statement");
        assertThat(s.label()).isEqualTo("Statement");
        assertThat(s.principal().wildcard()).isTrue();
        assertThat(s.notAction().patterns()).containsExactly("iam:*");
        assertThat(s.notResource().patterns()).containsExactly("arn:aws:s3:::logs/*");
    }

    @Test
    void controlCharactersInNamesAreEscapedSoADiagnosticStaysOneLine() {
        // found by PolicyPropertiesTest: a top-level element named "\n" broke the one-line promise
        ParsedPolicy p = PolicyParser.parse("p", "{\"Version\": \"2012-10-17\", \"\\n\\u001b[2J\": 1, "
                + "\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}");
        Diagnostic d = only(p);
        assertThat(d.code()).isEqualTo("UNKNOWN_ELEMENT");
        assertThat(d.message()).isEqualTo("unknown top-level element `\\u000a\\u001b[2J`");
        assertThat(d.path()).isEqualTo("\\u000a\\u001b[2J");
        assertThat(d.toLine()).doesNotContain("\n").doesNotContain("\u001b");
    }

    @Test
    void unknownOperatorIsAnErrorWithThePathOfTheOperator() {
        ParsedPolicy p = PolicyParser.parse("p", """
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                  {"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                   "Condition": {"StringEqulas": {"aws:username": "bob"}}}]}""");
        Diagnostic d = only(p);
        assertThat(d).isEqualTo(new Diagnostic("UNKNOWN_OPERATOR", "unknown condition operator `StringEqulas`",
                "Statement[2].Condition.StringEqulas", Diagnostic.Severity.ERROR));
        Condition c = p.policy().statements().get(2).conditions().get(0);
        assertThat(c.valid()).isFalse();
        assertThat(p.policy().statements().get(0).hasUnparsedParts()).isFalse();
        assertThat(p.policy().statements().get(2).hasUnparsedParts()).isTrue();
        assertThat(p.hasErrors()).isTrue();
    }

    @Test
    void invalidJsonGivesNoPolicyAndOneDiagnostic() {
        ParsedPolicy p = PolicyParser.parse("p", "{\"Version\": ");
        assertThat(p.policy()).isNull();
        Diagnostic d = only(p);
        assertThat(d.code()).isEqualTo("INVALID_JSON");
        assertThat(d.path()).isEmpty();
        assertThat(d.message()).startsWith("invalid json: ").doesNotContain("\n");
        Policy stand = p.forEvaluation("p");
        assertThat(stand.statements()).hasSize(1);
        assertThat(stand.statements().get(0).unparsed()).isEqualTo(Set.of(StatementElement.values()));
    }

    @Test
    void duplicateKeysAreInvalidJson() {
        ParsedPolicy p = PolicyParser.parse("p", "{\"Version\": \"2012-10-17\", \"Version\": \"2008-10-17\","
                + " \"Statement\": []}");
        assertThat(only(p).code()).isEqualTo("INVALID_JSON");
    }

    @Test
    void statementErrorsCarryTheirPath() {
        ParsedPolicy p = PolicyParser.parse("p", """
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "allow", "Action": "kms:*", "NotAction": "s3:*", "Resource": "bucket",
                   "Principal": {"Aws": "*"}, "Condition": {"Bool": {"aws:SecureTransport": {"x": 1}}}},
                  {"Action": "kms", "Resource": ["*", 3]},
                  "not a statement"]}""");
        assertThat(p.diagnostics()).extracting(Diagnostic::code, Diagnostic::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple("INVALID_EFFECT", "Statement[0].Effect"),
                org.assertj.core.groups.Tuple.tuple("UNKNOWN_PRINCIPAL_TYPE", "Statement[0].Principal.Aws"),
                org.assertj.core.groups.Tuple.tuple("ACTION_AND_NOT_ACTION", "Statement[0]"),
                org.assertj.core.groups.Tuple.tuple("INVALID_RESOURCE", "Statement[0].Resource"),
                org.assertj.core.groups.Tuple.tuple("INVALID_CONDITION_VALUE",
                        "Statement[0].Condition.Bool.aws:SecureTransport"),
                org.assertj.core.groups.Tuple.tuple("MISSING_EFFECT", "Statement[1]"),
                org.assertj.core.groups.Tuple.tuple("INVALID_ACTION", "Statement[1].Action"),
                org.assertj.core.groups.Tuple.tuple("INVALID_VALUE", "Statement[1].Resource[1]"),
                org.assertj.core.groups.Tuple.tuple("INVALID_STATEMENT", "Statement[2]"));
        Statement s0 = p.policy().statements().get(0);
        assertThat(s0.unparsed()).containsExactlyInAnyOrder(StatementElement.EFFECT, StatementElement.PRINCIPAL,
                StatementElement.ACTION, StatementElement.RESOURCE);
        assertThat(s0.effect()).isNull();
        assertThat(p.policy().statements().get(2).unparsed()).containsExactlyInAnyOrder(StatementElement.values());
        for (Diagnostic d : p.diagnostics()) {
            assertThat(d.message()).doesNotContain("\n").doesNotEndWith(".");
            assertThat(d.message().charAt(0)).isLowerCase();
        }
    }

    @Test
    void documentLevelErrorsMakeTheWholePolicyOneUnknownStatement() {
        for (String doc : List.of("{\"Version\": \"2012-10-18\", \"Statement\": []}",
                "{\"Version\": \"2012-10-17\", \"Statements\": []}",
                "{\"Version\": \"2012-10-17\", \"Statement\": \"Allow\"}")) {
            ParsedPolicy p = PolicyParser.parse("p", doc);
            assertThat(p.hasErrors()).as(doc).isTrue();
            assertThat(p.policy().statements()).as(doc).hasSize(1);
            assertThat(p.policy().statements().get(0).unparsed()).as(doc)
                    .containsExactlyInAnyOrder(StatementElement.values());
        }
        assertThat(PolicyParser.parse("p", "[1, 2]").diagnostics().get(0))
                .isEqualTo(new Diagnostic("NOT_AN_OBJECT", "policy document is a array, not an object", "",
                        Diagnostic.Severity.ERROR));
    }

    @Test
    void wrongValueTypesForOperatorsAreErrors() {
        ParsedPolicy p = PolicyParser.parse("p", """
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                  "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "soon"},
                                "DateGreaterThan": {"aws:CurrentTime": "yesterday"},
                                "IpAddress": {"aws:SourceIp": "10.0.0.0/33"},
                                "Bool": {"aws:SecureTransport": "yes"},
                                "Null": {"aws:TokenIssueTime": ["true", "false"]},
                                "BinaryEquals": {"key": "not base64!"}}}]}""");
        assertThat(p.diagnostics()).extracting(Diagnostic::message).containsExactly(
                "`NumericLessThan` on `aws:MultiFactorAuthAge`: value `soon` is not a number",
                "`DateGreaterThan` on `aws:CurrentTime`: value `yesterday` is not an ISO 8601 date or epoch time",
                "`IpAddress` on `aws:SourceIp`: value `10.0.0.0/33` is not an ipv4 or ipv6 address or cidr block",
                "`Bool` on `aws:SecureTransport`: value `yes` is not `true` or `false`",
                "`Null` on `aws:TokenIssueTime`: `Null` takes one value, `true` or `false`",
                "`BinaryEquals` on `key`: value `not base64!` is not base64");
        assertThat(p.policy().statements().get(0).conditions()).allMatch(c -> !c.valid());
    }

    @Test
    void warningsDoNotChangeTheModel() {
        ParsedPolicy p = PolicyParser.parse("p", """
                {"Statement": [
                  {"Sid": "A", "Effect": "Allow", "NotPrincipal": {"AWS": "AROAEXAMPLEID123456789"},
                   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"},
                  {"Sid": "A", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::*:role/x"}, "Action": "s3:*",
                   "Resource": "*"}]}""");
        assertThat(p.diagnostics()).extracting(Diagnostic::code).containsExactly("UNIQUE_ID_PRINCIPAL",
                "NOT_PRINCIPAL_WITH_ALLOW", "WILDCARD_IN_PRINCIPAL", "DUPLICATE_SID", "VARIABLES_NEED_2012_VERSION");
        assertThat(p.diagnostics()).allMatch(d -> d.severity() == Diagnostic.Severity.WARNING);
        assertThat(p.hasErrors()).isFalse();
        assertThat(p.policy().version()).isNull();
        assertThat(p.policy().hasUnparsedParts()).isFalse();
    }

    @Test
    void sizeLimitsPerPolicyKind() {
        StringBuilder sb = new StringBuilder("{\"Version\": \"2012-10-17\", \"Statement\": [");
        for (int i = 0; i < 60; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\":"
                    + " \"arn:aws:s3:::bucket-number-").append(i).append("/*\"}");
        }
        String json = sb.append("]}").toString();
        assertThat(PolicyParser.parse("p", json, PolicyKind.ANY).diagnostics()).isEmpty();
        assertThat(PolicyParser.parse("p", json, PolicyKind.KEY_POLICY).diagnostics()).isEmpty();
        Diagnostic d = only(PolicyParser.parse("p", json, PolicyKind.USER_INLINE));
        assertThat(d.code()).isEqualTo("POLICY_TOO_LARGE");
        assertThat(d.severity()).isEqualTo(Diagnostic.Severity.WARNING);
        assertThat(d.message()).isEqualTo("policy size " + PolicyKind.USER_INLINE.sizeOf(json)
                + " exceeds the aws limit of 2048 for a `user_inline` policy");
    }

    @Test
    void documentGivenAsJsonStringIsUnwrapped() throws Exception {
        com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[]}\"");
        ParsedPolicy p = PolicyParser.parse("p", node);
        assertThat(p.policy().version()).isEqualTo("2012-10-17");
        assertThat(p.diagnostics()).extracting(Diagnostic::code).containsExactly("EMPTY_STATEMENT");
    }
}
