package io.cmkaudit.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.match.Wildcard.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WildcardTest {

    @ParameterizedTest(name = "{0}: {1} ~ {2} = {3}")
    @CsvSource(delimiter = '|', value = {
        "STRING_LIKE | arn:aws:iam::*:role/app-*   | arn:aws:iam::1:role/app-web           | true",
        "STRING_LIKE | arn:aws:iam::*:role/app-*   | arn:aws:iam::1:role/db                | false",
        "STRING_LIKE | role/a?c                    | role/abc                              | true",
        "STRING_LIKE | role/a?c                    | role/abbc                             | false",
        "STRING_LIKE | a*b*c                       | aXbYbZc                               | true",
        "STRING_LIKE | role/Admin                  | role/admin                            | false",
        "STRING_LIKE | *                           | ''                                    | true",
        "STRING_LIKE | ''                          | ''                                    | true",
        "STRING_LIKE | ''                          | x                                     | false",
        "ACTION      | KMS:Create*                 | kms:creategrant                       | true",
        "ACTION      | ec2:Start?nstances          | EC2:STARTINSTANCES                    | true",
        "ACTION      | ec2:Start?nstances          | ec2:StartInstance                     | false",
        "ACTION      | *:Describe*                 | ec2:DescribeInstances                 | true",
        "ACTION      | kms:*Grant*                 | kms:ListRetirableGrants               | true",
        "ACTION      | kms:*Grant*                 | kms:Decrypt                           | false",
        "ARN_LIKE    | arn:aws:kms:*:111122223333:key/* | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "ARN_LIKE    | arn:aws:kms:us-east-1*:key/k1 | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
        "ARN_LIKE    | arn:aws:kms:*               | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "RESOURCE    | arn:aws:kms:us-east-1*:key/k1 | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "RESOURCE    | arn:aws:kms:*:key/*         | arn:aws:kms:us-east-1:111122223333:key/k1 | true",
        "RESOURCE    | arn:aws:kms:us-*-1:key/k1   | arn:aws:kms:us-east-1:111122223333:key/k1 | false",
    })
    void modes(Mode mode, String pattern, String value, boolean expected) {
        assertThat(Wildcard.compile(pattern, mode).matches(value)).isEqualTo(expected);
        assertThat(Wildcard.matches(pattern, value, mode)).isEqualTo(expected);
    }

    @Test
    void escapedWildcardsAreLiteral() {
        int[] tokens = {'a', '*', Wildcard.STAR};
        Wildcard w = Wildcard.of(tokens, Mode.STRING_LIKE);
        assertThat(w.matches("a*")).isTrue();
        assertThat(w.matches("a*xyz")).isTrue();
        assertThat(w.matches("ab")).isFalse();
        assertThat(w.hasWildcard()).isTrue();
        assertThat(Wildcard.of(new int[] {'a', '?'}, Mode.STRING_LIKE).hasWildcard()).isFalse();
    }

    /**
     * The recursive matcher this core replaced took time exponential in the number of stars on such inputs
     * (30 stars against 3,000 characters would not finish); here it is one pass over the value.
     */
    @Test
    void manyStarsAgainstALongNearMissFinish() {
        String pattern = "a*".repeat(30) + "b";
        String value = "a".repeat(3000);
        for (Mode m : Mode.values()) {
            assertThat(Wildcard.compile(pattern, m).matches(value)).as(m.toString()).isFalse();
            assertThat(Wildcard.compile(pattern, m).matches(value + "b")).as(m.toString()).isTrue();
        }
        String qmarks = "*" + "?*".repeat(100) + "x";
        assertThat(Wildcard.compile(qmarks, Mode.STRING_LIKE).matches("y".repeat(5000))).isFalse();
        assertThat(Wildcard.compile(qmarks, Mode.STRING_LIKE).matches("y".repeat(5000) + "x")).isTrue();
    }

    @Test
    void splitKeepsColonsOfTheResourcePart() {
        int[] b = new int[Wildcard.ARN_PARTS + 1];
        String arn = "arn:aws:iam::1:role/aws:ec2-infrastructure";
        assertThat(Wildcard.split(arn, b)).isEqualTo(6);
        assertThat(arn.substring(b[5], b[6] - 1)).isEqualTo("role/aws:ec2-infrastructure");
        assertThat(Wildcard.split("not-an-arn", b)).isEqualTo(1);
    }

    @Test
    void equalityIsOverModeAndPattern() {
        assertThat(Wildcard.compile("a*", Mode.ACTION)).isEqualTo(Wildcard.compile("a*", Mode.ACTION))
                .hasSameHashCodeAs(Wildcard.compile("a*", Mode.ACTION))
                .isNotEqualTo(Wildcard.compile("a*", Mode.STRING_LIKE));
        assertThat(Wildcard.compile("a*?", Mode.RESOURCE)).hasToString("a*?");
    }
}
