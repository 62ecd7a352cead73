package io.cmkaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.match.Wildcard;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatchingTest {
    private static final String USER = "arn:aws:iam::111122223333:user/alice";
    private static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/k1";

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "arn:aws:kms:*:111122223333:key/*        | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:us-east-?:*:key/k1          | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:us-east-1:111122223333:*     | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:*                            | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:us-*                         | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:us-east-1                    | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "arn:aws:kms:*:*:key/K1                   | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "arn:aws:kms:us-east-1*:key/k1            | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "arn:aws:s3:::bucket/*                    | arn:aws:s3:::bucket/a:b/c                  | true",
        "arn:aws:iam::*:role/aws:ec2-infra*       | arn:aws:iam::1:role/aws:ec2-infrastructure/i-1 | true",
        "*                                        | anything                                   | true",
    })
    void arnPatternsMatchPartByPart(String pattern, String arn, boolean expected) {
        assertThat(Wildcard.compile(pattern, Wildcard.Mode.ARN_LIKE).matches(arn)).isEqualTo(expected);
    }

    /**
     * Resource element: "If the * wildcard is the last character of a resource ARN segment, it can expand to match
     * beyond the colon boundaries"
     * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
     */
    @ParameterizedTest(name = "Resource {0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "arn:aws:kms:us-east-1*:key/k1            | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:*:key/*                      | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:*:key/k2                     | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "arn:aws:kms:*:alias/*                    | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "arn:aws:kms:us-east-?:key/k1             | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "arn:aws:kms:us-*-1:key/k1                | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "arn:aws:kms:*:111122223333:key/*         | arn:aws:kms:us-east-1:444455556666:key/k1 | false",
        "arn:aws:kms:*:111122223333:key/*         | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:us-east-1                    | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "arn:aws:kms:*                            | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "arn:aws:kms:*:*:key/K1                   | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "*                                        | anything                                   | true",
    })
    void resourceStarEndingASegmentCrossesColons(String pattern, String arn, boolean expected) {
        assertThat(Wildcard.compile(pattern, Wildcard.Mode.RESOURCE).matches(arn)).isEqualTo(expected);
    }

    @Test
    void actionsMatchIgnoringCase() {
        ActionSet a = new ActionSet(List.of("KMS:Create*", "ec2:Start?nstances"));
        assertThat(a.matches("kms:creategrant")).isTrue();
        assertThat(a.matches("EC2:STARTINSTANCES")).isTrue();
        assertThat(a.matches("ec2:StartInstance")).isFalse();
        assertThat(a.matches("kms:Decrypt")).isFalse();
        assertThat(new ActionSet(List.of("*")).matches("iam:PassRole")).isTrue();
        assertThat(new ActionSet(List.of("*:Describe*")).matches("ec2:DescribeInstances")).isTrue();
    }

    @ParameterizedTest(name = "{0} contains {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "203.0.113.0/24        | 203.0.113.77    | true",
        "203.0.113.0/24        | 203.0.114.1     | false",
        "203.0.113.5           | 203.0.113.5     | true",
        "0.0.0.0/0             | 8.8.8.8         | true",
        "2001:DB8:1234:5678::/64 | 2001:db8:1234:5678:abcd::1 | true",
        "2001:DB8:1234:5678::/64 | 2001:db8:1234:5679::1      | false",
        "2001:db8::/32         | 203.0.113.1     | false",
        "203.0.113.0/24        | ::ffff:203.0.113.9 | true",
        "::/0                  | ::1             | true",
        "10.0.0.0/8            | 10.0.0.256      | false",
    })
    void ipBlocks(String block, String ip, boolean expected) {
        assertThat(IpBlock.parse(block).contains(IpBlock.parseAddress(ip))).isEqualTo(expected);
    }

    @Test
    void invalidIpTextIsRejectedWithoutLookup() {
        for (String s : List.of("", "1.2.3", "1.2.3.4.5", "300.1.1.1", "1::2::3", "fe80::1%eth0", "example.com",
                "1.2.3.4/", "1.2.3.4/x", "2001:db8::/129", "1:2:3:4:5:6:7:8:9")) {
            assertThat(IpBlock.parse(s)).as(s).isNull();
        }
    }

    @Test
    void datesInIsoAndEpochForms() {
        long t = Condition.parseDate("2020-04-01T00:00:00Z");
        assertThat(Condition.parseDate("1585699200")).isEqualTo(t);
        assertThat(Condition.parseDate("2020-04-01")).isEqualTo(t);
        assertThat(Condition.parseDate("2020-04-01T02:00:00+02:00")).isEqualTo(t);
        assertThat(Condition.parseDate("2020-04-01T00:00:00.000Z")).isEqualTo(t);
        assertThat(Condition.parseDate("2020-04-01T00:00:00")).isEqualTo(t);
        assertThat(Condition.parseDate("April 1st")).isNull();
    }

    private static DecisionKind allowIf(String condition, Context ctx, String resource) {
        Policy p = PolicyParser.parse("p", "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
                + " \"Action\": \"s3:GetObject\", \"Resource\": \"" + resource + "\""
                + (condition == null ? "" : ", \"Condition\": " + condition) + "}]}").policy();
        return Evaluator.evaluate(new Request(USER, "s3:GetObject", "arn:aws:s3:::bucket/alice/x", "111122223333", ctx),
                PrincipalInfo.fromArn(USER), PolicySet.builder().identity(p).build()).kind();
    }

    @Test
    void policyVariablesResolveFromTheRequest() {
        assertThat(allowIf(null, Context.empty(), "arn:aws:s3:::bucket/${aws:username}/*"))
                .isEqualTo(DecisionKind.ALLOWED);
        assertThat(allowIf(null, Context.empty(), "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'alice'}/*"))
                .isEqualTo(DecisionKind.ALLOWED);
        assertThat(allowIf(null, Context.empty(), "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"))
                .isEqualTo(DecisionKind.IMPLICIT_DENY);
        assertThat(allowIf(null, Context.builder().unknown("aws:PrincipalTag/team").build(),
                "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*")).isEqualTo(DecisionKind.CONDITIONAL);
        // a multi-valued variable never matches
        assertThat(allowIf(null, Context.builder().put("aws:PrincipalTag/team", List.of("alice", "bob")).build(),
                "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*")).isEqualTo(DecisionKind.IMPLICIT_DENY);
    }

    @Test
    void escapesAreLiteralCharacters() {
        Context ctx = Context.builder().put("s3:prefix", "a*b").build();
        assertThat(allowIf("{\"StringLike\": {\"s3:prefix\": \"a${*}b\"}}", ctx, "*")).isEqualTo(DecisionKind.ALLOWED);
        Context other = Context.builder().put("s3:prefix", "axxb").build();
        assertThat(allowIf("{\"StringLike\": {\"s3:prefix\": \"a${*}b\"}}", other, "*"))
                .isEqualTo(DecisionKind.IMPLICIT_DENY);
        assertThat(allowIf("{\"StringLike\": {\"s3:prefix\": \"a*b\"}}", other, "*")).isEqualTo(DecisionKind.ALLOWED);
        Context q = Context.builder().put("s3:prefix", "what?$").build();
        assertThat(allowIf("{\"StringEquals\": {\"s3:prefix\": \"what${?}${$}\"}}", q, "*"))
                .isEqualTo(DecisionKind.ALLOWED);
    }

    @Test
    void variablesArePlainTextBefore2012() {
        Policy p = PolicyParser.parse("p", "{\"Version\": \"2008-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
                + " \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::bucket/${aws:username}/*\"}]}").policy();
        assertThat(p.statements().get(0).matchesResource("arn:aws:s3:::bucket/${aws:username}/x", null)).isTrue();
        assertThat(p.statements().get(0).matchesResource("arn:aws:s3:::bucket/alice/x",
                Context.builder().put("aws:username", "alice").build())).isFalse();
    }

    @Test
    void missingKeysFollowTheOperatorsRules() {
        Context none = Context.empty();
        assertThat(allowIf("{\"StringEquals\": {\"aws:ResourceTag/x\": \"1\"}}", none, "*"))
                .isEqualTo(DecisionKind.IMPLICIT_DENY);
        assertThat(allowIf("{\"StringNotEquals\": {\"aws:ResourceTag/x\": \"1\"}}", none, "*"))
                .isEqualTo(DecisionKind.ALLOWED);
        assertThat(allowIf("{\"StringEqualsIfExists\": {\"aws:ResourceTag/x\": \"1\"}}", none, "*"))
                .isEqualTo(DecisionKind.ALLOWED);
        assertThat(allowIf("{\"ForAllValues:StringEquals\": {\"aws:TagKeys\": \"a\"}}", none, "*"))
                .isEqualTo(DecisionKind.ALLOWED);
        assertThat(allowIf("{\"ForAnyValue:StringEquals\": {\"aws:TagKeys\": \"a\"}}", none, "*"))
                .isEqualTo(DecisionKind.IMPLICIT_DENY);
        assertThat(allowIf("{\"Null\": {\"aws:TagKeys\": \"true\"}}", none, "*")).isEqualTo(DecisionKind.ALLOWED);
        assertThat(allowIf("{\"NotIpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}", none, "*"))
                .isEqualTo(DecisionKind.ALLOWED);
    }

    @Test
    void negatedOperatorsCombineValuesAsNor() {
        Context ctx = Context.builder().put("aws:RequestedRegion", "eu-west-1").build();
        assertThat(allowIf("{\"StringNotEquals\": {\"aws:RequestedRegion\": [\"us-east-1\", \"eu-west-1\"]}}", ctx,
                "*")).isEqualTo(DecisionKind.IMPLICIT_DENY);
        assertThat(allowIf("{\"StringNotEquals\": {\"aws:RequestedRegion\": [\"us-east-1\", \"us-west-2\"]}}", ctx,
                "*")).isEqualTo(DecisionKind.ALLOWED);
    }

    @Test
    void multiValuedKeysWithSetOperators() {
        Context tags = Context.builder().put("aws:TagKeys", List.of("team", "cost")).build();
        assertThat(allowIf("{\"ForAllValues:StringEquals\": {\"aws:TagKeys\": [\"team\", \"cost\", \"x\"]}}", tags,
                "*")).isEqualTo(DecisionKind.ALLOWED);
        assertThat(allowIf("{\"ForAllValues:StringEquals\": {\"aws:TagKeys\": [\"team\"]}}", tags, "*"))
                .isEqualTo(DecisionKind.IMPLICIT_DENY);
        assertThat(allowIf("{\"ForAnyValue:StringEquals\": {\"aws:TagKeys\": [\"cost\"]}}", tags, "*"))
                .isEqualTo(DecisionKind.ALLOWED);
        Context empty = Context.builder().put("aws:TagKeys", List.of()).build();
        assertThat(allowIf("{\"ForAllValues:StringEquals\": {\"aws:TagKeys\": [\"team\"]}}", empty, "*"))
                .isEqualTo(DecisionKind.ALLOWED);
    }

    @Test
    void unknownKeysGiveConditionalWithResiduals() {
        Context ctx = Context.builder().unknown("kms:EncryptionContext:*").build();
        Policy p = PolicyParser.parse("p", "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"Ctx\","
                + " \"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\", \"Condition\": "
                + "{\"StringEquals\": {\"kms:EncryptionContext:aws:ebs:id\": \"vol-1\"}}}]}").policy();
        Policy keyPolicy = PolicyParser.parse("kp", "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\":"
                + " \"Allow\", \"Principal\": {\"AWS\": \"111122223333\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}]}")
                .policy();
        Decision d = Evaluator.evaluate(new Request(USER, "kms:Decrypt", KEY, null, ctx), PrincipalInfo.fromArn(USER),
                PolicySet.builder().identity(p).resourcePolicy(keyPolicy).build());
        assertThat(d.kind()).isEqualTo(DecisionKind.CONDITIONAL);
        assertThat(d.decidedBy()).containsExactly(Layer.IDENTITY);
        assertThat(d.residual()).containsExactly(new ResidualCondition(Layer.IDENTITY, "p", "Ctx", "StringEquals",
                "kms:EncryptionContext:aws:ebs:id", List.of("vol-1"), ResidualCondition.Reason.UNKNOWN_KEY));
        assertThat(d.keyUsable()).isNull();
    }

    @Test
    void derivedPrincipalKeys() {
        String session = "arn:aws:sts::111122223333:assumed-role/app/s1";
        EvalContext ctx = new EvalContext(new Request(session, "kms:Decrypt", KEY, null, null),
                PrincipalInfo.fromArn(session));
        assertThat(ctx.lookup("aws:principalarn")).containsExactly("arn:aws:iam::111122223333:role/app");
        assertThat(ctx.lookup("aws:principalaccount")).containsExactly("111122223333");
        assertThat(ctx.lookup("kms:calleraccount")).containsExactly("111122223333");
        assertThat(ctx.lookup("aws:username")).isNull();
        assertThat(ctx.lookup("aws:principaltype")).containsExactly("AssumedRole");
        EvalContext given = new EvalContext(new Request(session, "kms:Decrypt", KEY, null,
                Context.builder().put("aws:PrincipalArn", "x").unknown("aws:PrincipalAccount").build()),
                PrincipalInfo.fromArn(session));
        assertThat(given.lookup("aws:principalarn")).containsExactly("x");
        assertThat(given.lookup("aws:principalaccount")).isSameAs(EvalContext.UNKNOWN_VALUES);
    }
}
