package io.cmkaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The evaluator is stateless: evaluating shared, once-parsed policies from several threads gives the same decisions. */
class EvaluatorConcurrencyTest {

    @Test
    void sharedPoliciesEvaluatedConcurrentlyGiveTheSameDecisions() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<SimulationCase> cases = new ArrayList<>();
        for (Path f : EvaluationCasesTest.caseFiles()) {
            cases.addAll(SimulationCaseReader.read(json.readTree(f.toFile())));
        }
        List<Decision> expected = new ArrayList<>();
        for (SimulationCase c : cases) {
            expected.add(c.evaluate());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < cases.size(); i++) {
                        order.add(i);
                    }
                    int checked = 0;
                    Random r = new Random(seed);
                    for (int round = 0; round < 5; round++) {
                        Collections.shuffle(order, r);
                        for (int i : order) {
                            assertThat(cases.get(i).evaluate()).isEqualTo(expected.get(i));
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(5 * cases.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
