package io.cmkaudit.analysis;

import static io.cmkaudit.analysis.TestOrg.A;
import static io.cmkaudit.analysis.TestOrg.doc;
import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.analysis.InstanceClasses.InstanceClass;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Instances share a StartInstances decision only when no policy can tell them apart. */
class InstanceClassesTest {

    static List<List<String>> classes(Set<String> referenced, String... policies) {
        TestOrg org = new TestOrg();
        String k = org.key(A, "k1").arn();
        org.instance(A, "i-1").tag("Name", "a").tag("team", "blue").volume("v1", k);
        org.instance(A, "i-2").tag("Name", "b").tag("team", "blue").volume("v2", k);
        org.instance(A, "i-3").tag("Name", "c").tag("team", "red").volume("v3", k);
        org.instance(A, "i-4").tag("Name", "d").tag("team", "red").type("m5.large").volume("v4", k);
        SnapshotIndex index = new SnapshotIndex(org.build());
        PolicyLibrary lib = new PolicyLibrary();
        List<PolicyLibrary.Entry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < policies.length; i++) {
            entries.add(lib.get(new PolicySource("p" + i, PolicySource.Origin.CUSTOMER_MANAGED, A, "p" + i, "p" + i,
                    policies[i])));
        }
        List<InstanceClass> cs = new InstanceClasses(referenced, entries).group(index.instances(A));
        return cs.stream().map(c -> c.members().stream().map(m -> m.instance().instanceId()).toList()).toList();
    }

    @Test
    void instancesNoPolicyCanTellApartShareOneClass() {
        assertThat(classes(Set.of(), doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}")))
                .containsExactly(List.of("i-1", "i-2", "i-3", "i-4"));
    }

    @Test
    void aTagKeyAConditionReadsSplitsTheClassesByItsValue() {
        assertThat(classes(Set.of("aws:resourcetag/team"))).containsExactly(List.of("i-1", "i-2"),
                List.of("i-3", "i-4"));
        assertThat(classes(Set.of("aws:resourcetag/team", "ec2:instancetype"))).containsExactly(
                List.of("i-1", "i-2"), List.of("i-3"), List.of("i-4"));
    }

    @Test
    void aResourcePatternNamingAnInstanceSplitsItOff() {
        assertThat(classes(Set.of(), doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":"
                + "\"arn:aws:ec2:eu-west-1:222222222222:instance/i-3\"}"))).containsExactly(
                List.of("i-1", "i-2", "i-4"), List.of("i-3"));
    }

    @Test
    void aPolicyVariableInTheResourceMakesEveryInstanceItsOwnClass() {
        assertThat(classes(Set.of(), doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":"
                + "\"arn:aws:ec2:*:*:instance/${aws:PrincipalTag/instance}\"}"))).containsExactly(
                List.of("i-1"), List.of("i-2"), List.of("i-3"), List.of("i-4"));
    }

    @Test
    void patternsOfStatementsThatCannotStartInstancesAreIgnored() {
        assertThat(classes(Set.of(), doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:StopInstances\",\"Resource\":"
                + "\"arn:aws:ec2:eu-west-1:222222222222:instance/i-3\"}"))).containsExactly(
                List.of("i-1", "i-2", "i-3", "i-4"));
    }

    @Test
    void arnGlobMatchesStarsAndQuestionMarks() {
        assertThat(InstanceClasses.arnGlob("arn:aws:ec2:*:*:instance/i-?", "arn:aws:ec2:eu-west-1:1:instance/i-3"))
                .isTrue();
        assertThat(InstanceClasses.arnGlob("arn:aws:ec2:*:*:instance/i-?", "arn:aws:ec2:eu-west-1:1:instance/i-33"))
                .isFalse();
        assertThat(InstanceClasses.arnGlob("*", "anything")).isTrue();
    }
}
