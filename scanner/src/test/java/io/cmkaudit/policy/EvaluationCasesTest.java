package io.cmkaudit.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every case of {@code src/test/resources/evaluation-cases/**}{@code /*.json} (the {@code simulate} format) as
 * one named test: the decision, and when the case gives them, the deciding layers, the matched statements and
 * {@code keyUsable} must equal the expectation. Each case is also explained, and the explanation must name the
 * decision.
 */
class EvaluationCasesTest {
    static final Path ROOT = Paths.get("src/test/resources/evaluation-cases");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    static List<Path> caseFiles() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
    }

    @TestFactory
    Stream<DynamicTest> evaluationCases() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : caseFiles()) {
            String rel = ROOT.relativize(file).toString();
            List<SimulationCase> cases;
            try {
                JsonNode root = JSON.readTree(file.toFile());
                cases = SimulationCaseReader.read(root);
            } catch (IOException | SimulationCaseException e) {
                String message = e.getMessage();
                tests.add(DynamicTest.dynamicTest(rel + " is a valid case file", () -> {
                    throw new AssertionError(rel + ": " + message);
                }));
                continue;
            }
            for (SimulationCase c : cases) {
                tests.add(DynamicTest.dynamicTest(rel + " #" + c.index() + " " + c.name(), () -> {
                    Decision d = c.evaluate();
                    assertThat(c.expected()).as("case has an expected answer").isNotNull();
                    assertEquals(List.of(), c.mismatches(d), () -> d.explain());
                    assertThat(d.explain()).startsWith("decision: " + d.kind());
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void thereAreAtLeast250Cases() throws Exception {
        int n = 0;
        for (Path file : caseFiles()) {
            n += SimulationCaseReader.read(JSON.readTree(file.toFile())).size();
        }
        assertThat(n).isGreaterThanOrEqualTo(250);
    }
}
