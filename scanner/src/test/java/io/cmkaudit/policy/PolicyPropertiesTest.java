package io.cmkaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Properties of the parser and the evaluator (the wildcard matcher's are in {@code match/WildcardPropertiesTest}). */
class PolicyPropertiesTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> WORDS = List.of("Version", "2012-10-17", "2008-10-17", "Statement", "Sid",
            "Effect", "Allow", "Deny", "Principal", "NotPrincipal", "AWS", "Service", "Federated", "CanonicalUser",
            "Action", "NotAction", "Resource", "NotResource", "Condition", "StringEquals", "StringLike",
            "ForAllValues:StringEquals", "ForAnyValue:StringLikeIfExists", "NumericLessThan", "DateGreaterThan",
            "Bool", "Null", "IpAddress", "NotIpAddress", "ArnLike", "BinaryEquals", "StringEqulas", "aws:SourceIp",
            "aws:username", "kms:ViaService", "*", "kms:*", "kms:CreateGrant", "arn:aws:kms:*:*:key/*",
            "arn:aws:iam::111122223333:root", "111122223333", "${aws:username}", "${*}", "${x, 'd'}", "${", "true",
            "10.0.0.0/8", "::1/128", "2020-01-01T00:00:00Z", "", "Id", "arn:", "arn:aws:s3:::b/*");

    // ---------------------------------------------------------------- parser never throws

    @Property(tries = 1500)
    void parserNeverThrowsAndEvaluationNeverThrows(@ForAll("json") JsonNode doc) {
        ParsedPolicy p = PolicyParser.parse("p", doc);
        for (Diagnostic d : p.diagnostics()) {
            assertThat(d.message()).doesNotContain("\n");
            assertThat(d.code()).matches("[A-Z_0-9]+");
        }
        ParsedPolicy fromText = PolicyParser.parse("p", doc.toString(), PolicyKind.MANAGED);
        assertThat(fromText.policy() == null).isEqualTo(p.policy() == null || doc.isTextual());
        Policy policy = p.forEvaluation("p");
        Request r = new Request("arn:aws:sts::111122223333:assumed-role/app/s", "kms:CreateGrant",
                "arn:aws:kms:us-east-1:111122223333:key/k", null,
                Context.builder().put("aws:username", "x").put("aws:SourceIp", "10.1.2.3").unknown("kms:ViaService")
                        .build());
        PolicySet set = PolicySet.builder().identity(policy).resourcePolicy(policy).scpLevel(policy).rcpLevel(policy)
                .permissionsBoundary(policy).session(policy).build();
        Decision d = Evaluator.evaluate(r, PrincipalInfo.fromArn(r.principalArn()), set);
        assertThat(d.explain()).startsWith("decision: " + d.kind());
    }

    @Property(tries = 500)
    void parserNeverThrowsOnArbitraryText(@ForAll("text") String text) {
        ParsedPolicy p = PolicyParser.parse("p", text);
        assertThat(p.diagnostics()).allMatch(d -> !d.message().contains("\n"));
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(60),
                Arbitraries.of(WORDS).list().ofMaxSize(12).map(l -> String.join("\"{[:,]}", l)));
    }

    @Provide
    Arbitrary<JsonNode> json() {
        return node(4);
    }

    private Arbitrary<String> word() {
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(WORDS)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(8)));
    }

    private Arbitrary<JsonNode> node(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.frequencyOf(
                Tuple.of(6, word().map(TextNode::valueOf)),
                Tuple.of(1, Arbitraries.integers().map(i -> (JsonNode) IntNode.valueOf(i))),
                Tuple.of(1, Arbitraries.of(true, false).map(b -> (JsonNode) BooleanNode.valueOf(b))),
                Tuple.of(1, Arbitraries.just((JsonNode) NullNode.getInstance())),
                Tuple.of(1, Arbitraries.doubles().map(d -> (JsonNode) DoubleNode.valueOf(d))));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> child = Arbitraries.lazy(() -> node(depth - 1));
        Arbitrary<JsonNode> array = child.list().ofMaxSize(4).map(l -> {
            ArrayNode a = F.arrayNode();
            l.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> object = Combinators.combine(word().list().ofMaxSize(6), child.list().ofMaxSize(6))
                .as((keys, values) -> {
                    ObjectNode o = F.objectNode();
                    for (int i = 0; i < Math.min(keys.size(), values.size()); i++) {
                        o.set(keys.get(i), values.get(i));
                    }
                    return o;
                });
        return Arbitraries.frequencyOf(Tuple.of(2, leaf), Tuple.of(2, array), Tuple.of(4, object));
    }

    // ---------------------------------------------------------------- order independence

    private static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/k1";
    private static final List<String> IDENTITY_POOL = List.of(
            "{\"Sid\":\"KmsAll\",\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "{\"Sid\":\"GrantForAws\",\"Effect\":\"Allow\",\"Action\":\"kms:CreateGrant\",\"Resource\":\"" + KEY
                    + "\",\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}",
            "{\"Sid\":\"Office\",\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":"
                    + "{\"NotIpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}",
            "{\"Sid\":\"Ec2\",\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}",
            "{\"Sid\":\"ViaEc2\",\"Effect\":\"Deny\",\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":"
                    + "{\"StringNotEquals\":{\"kms:ViaService\":\"ec2.us-east-1.amazonaws.com\"}}}",
            "{\"Sid\":\"PowerUser\",\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\"],"
                    + "\"Resource\":\"*\"}",
            "{\"Sid\":\"OtherKeys\",\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"NotResource\":"
                    + "\"arn:aws:kms:*:111122223333:key/*\"}",
            "{\"Sid\":\"Team\",\"Effect\":\"Allow\",\"Action\":\"kms:Create*\",\"Resource\":\"*\",\"Condition\":"
                    + "{\"StringLike\":{\"aws:PrincipalTag/team\":\"pay*\"}}}",
            "{\"Sid\":\"Mfa\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
                    + "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}",
            "{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"kms:ScheduleKeyDeletion\",\"Resource\":\"*\"}");
    private static final List<String> KEY_POOL = List.of(
            "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
                    + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "{\"Sid\":\"Role\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/app\"},"
                    + "\"Action\":[\"kms:CreateGrant\",\"kms:Decrypt\"],\"Resource\":\"*\"}",
            "{\"Sid\":\"Org\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
                    + "\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}}",
            "{\"Sid\":\"NotOrg\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
                    + "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}}",
            "{\"Sid\":\"Session\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                    + "\"arn:aws:sts::111122223333:assumed-role/app/s1\"},\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\"}");
    private static final List<String> GUARD_POOL = List.of(
            "{\"Sid\":\"All\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}",
            "{\"Sid\":\"KmsOnly\",\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "{\"Sid\":\"Ec2Only\",\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}",
            "{\"Sid\":\"AwsOnly\",\"Effect\":\"Deny\",\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":"
                    + "{\"Bool\":{\"kms:GrantIsForAWSResource\":\"false\"}}}",
            "{\"Sid\":\"Region\",\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\",\"Condition\":"
                    + "{\"StringNotEqualsIfExists\":{\"aws:RequestedRegion\":\"us-east-1\"}}}");

    record Scenario(List<List<Integer>> identity, List<Integer> keyPolicy, List<List<List<Integer>>> scps,
            List<Integer> boundary, boolean unknownIp, boolean unknownTeam, String action, long seed) {
    }

    @Provide
    Arbitrary<Scenario> scenario() {
        Arbitrary<List<Integer>> idPolicy = Arbitraries.integers().between(0, IDENTITY_POOL.size() - 1).set()
                .ofMinSize(1).ofMaxSize(4).map(ArrayList::new);
        Arbitrary<List<Integer>> guard = Arbitraries.integers().between(0, GUARD_POOL.size() - 1).set()
                .ofMinSize(1).ofMaxSize(3).map(ArrayList::new);
        Arbitrary<List<Integer>> key = Arbitraries.integers().between(0, KEY_POOL.size() - 1).set().ofMaxSize(4)
                .map(ArrayList::new);
        return Combinators.combine(idPolicy.list().ofMaxSize(4), key, guard.list().ofMaxSize(2).list().ofMaxSize(3),
                guard.list().ofMaxSize(1), Arbitraries.of(true, false), Arbitraries.of(true, false),
                Arbitraries.of("kms:CreateGrant", "kms:Decrypt", "kms:ScheduleKeyDeletion", "ec2:StartInstances"),
                Arbitraries.longs())
                .as((id, k, scps, b, ip, team, action, seed) -> new Scenario(id, k, scps,
                        b.isEmpty() ? null : b.get(0), ip, team, action, seed));
    }

    private static Policy policy(String name, List<String> pool, List<Integer> statements) {
        StringBuilder sb = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[");
        for (int i = 0; i < statements.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(pool.get(statements.get(i)));
        }
        ParsedPolicy p = PolicyParser.parse(name, sb.append("]}").toString());
        assertThat(p.hasErrors()).isFalse();
        return p.policy();
    }

    private static PolicySet build(Scenario s, Random shuffle) {
        PolicySet.Builder b = PolicySet.builder();
        List<Policy> identity = new ArrayList<>();
        for (int i = 0; i < s.identity().size(); i++) {
            identity.add(policy("id" + i, IDENTITY_POOL, shuffled(s.identity().get(i), shuffle)));
        }
        b.identity(shuffled(identity, shuffle));
        b.resourcePolicy(policy("key", KEY_POOL, shuffled(s.keyPolicy(), shuffle)));
        List<List<Policy>> levels = new ArrayList<>();
        for (int l = 0; l < s.scps().size(); l++) {
            List<Policy> level = new ArrayList<>();
            for (int i = 0; i < s.scps().get(l).size(); i++) {
                level.add(policy("scp" + l + "." + i, GUARD_POOL, shuffled(s.scps().get(l).get(i), shuffle)));
            }
            levels.add(shuffled(level, shuffle));
        }
        b.scpLevels(shuffled(levels, shuffle));
        if (s.boundary() != null) {
            b.permissionsBoundary(policy("boundary", GUARD_POOL, shuffled(s.boundary(), shuffle)));
        }
        return b.keyState("Enabled").build();
    }

    private static <T> List<T> shuffled(List<T> list, Random r) {
        List<T> copy = new ArrayList<>(list);
        if (r != null) {
            Collections.shuffle(copy, r);
        }
        return copy;
    }

    private static Set<String> matchedSet(Decision d) {
        Set<String> out = new HashSet<>();
        for (MatchedStatement m : d.matched()) {
            out.add(m.layer() + "|" + m.policyName() + "|" + m.statement() + "|" + m.effect() + "|" + m.conditional());
        }
        return out;
    }

    @Property(tries = 600)
    void decisionsDoNotDependOnStatementOrPolicyOrder(@ForAll("scenario") Scenario s) {
        Context.Builder cb = Context.builder().put("kms:ViaService", "ec2.us-east-1.amazonaws.com")
                .put("kms:GrantIsForAWSResource", "true").put("aws:RequestedRegion", "us-east-1")
                .put("aws:PrincipalOrgID", "o-1");
        if (s.unknownIp()) {
            cb.unknown("aws:SourceIp");
        } else {
            cb.put("aws:SourceIp", "203.0.113.9");
        }
        if (s.unknownTeam()) {
            cb.unknown("aws:PrincipalTag/team");
        }
        String principal = "arn:aws:sts::111122223333:assumed-role/app/s1";
        String resource = s.action().startsWith("ec2:") ? "arn:aws:ec2:us-east-1:111122223333:instance/i-1" : KEY;
        Request r = new Request(principal, s.action(), resource, "111122223333", cb.build());
        PrincipalInfo pi = PrincipalInfo.fromArn(principal);
        Decision a = Evaluator.evaluate(r, pi, build(s, null));
        Decision b = Evaluator.evaluate(r, pi, build(s, new Random(s.seed())));
        assertThat(b.kind()).isEqualTo(a.kind());
        assertThat(new HashSet<>(b.decidedBy())).isEqualTo(new HashSet<>(a.decidedBy()));
        assertThat(matchedSet(b)).isEqualTo(matchedSet(a));
        assertThat(new HashSet<>(b.residual())).isEqualTo(new HashSet<>(a.residual()));
    }
}
