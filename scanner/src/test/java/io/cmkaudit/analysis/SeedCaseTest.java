package io.cmkaudit.analysis;

import static io.cmkaudit.analysis.TestOrg.A;
import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.snapshot.Snapshot;
import org.junit.jupiter.api.Test;

class SeedCaseTest {

    @Test
    void userWithOnlyEc2FullAccessIsBlockedOnItsCmkInstance() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").tag("Name", "web").volume("vol-1", k.arn());
        Snapshot s = org.build();
        Outcome o = new Analyzer().run(s);
        o.result().findings().forEach(f -> System.out.println(f));
        System.out.println(new Analyzer().explain(s, TestOrg.userArn(A, "alice"), "i-0001"));
    }
}
