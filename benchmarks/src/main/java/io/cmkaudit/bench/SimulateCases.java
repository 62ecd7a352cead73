package io.cmkaudit.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Generates a large {@code simulate} case file (docs/design/simulate-format.md) for {@code scripts/bench-simulate}
 * from the evaluation cases under {@code scanner/src/test/resources/evaluation-cases/}: the cases are taken in file
 * order, and copy {@code k} (k = 0, 1, 2, ...) of every case is written before copy {@code k + 1} of any, until
 * {@code N} cases are written. Copy 0 is the case as it is (with its {@code expected} answer); every later copy is
 * varied so that no request is repeated while the policy sets stay the ~600 of the evaluation cases:
 * <ul>
 *   <li>principal: the user, role, session or federated-user name gets the suffix {@code -cK} (a session keeps its
 *       role; service principals and account roots stay as they are);</li>
 *   <li>resource: the last segment of the resource ARN gets the suffix {@code -cK} (a {@code *} resource stays);</li>
 *   <li>context: the key {@code cmkaudit:benchCopy} = {@code K} is added;</li>
 *   <li>{@code expected} is dropped (a renamed principal or key can change the answer) and the name gets
 *       {@code #K}.</li>
 * </ul>
 * The output is pretty-printed like a hand-written case file. Deterministic for a given {@code N}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.cmkaudit.bench.SimulateCases N OUT [CASES_DIR]}
 */
public final class SimulateCases {

    private SimulateCases() {
    }

    /**
     * @param args {@code N OUT [CASES_DIR]}
     * @throws IOException when the cases cannot be read or the output cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SimulateCases N OUT [CASES_DIR]");
            System.exit(64);
        }
        int n = Integer.parseInt(args[0]);
        Path out = Path.of(args[1]);
        Path dir = Path.of(args.length > 2 ? args[2] : "scanner/src/test/resources/evaluation-cases");
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> cases = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
        for (Path f : files) {
            JsonNode root = json.readTree(f.toFile());
            if (root.isArray()) {
                root.forEach(c -> cases.add((ObjectNode) c));
            } else {
                cases.add((ObjectNode) root);
            }
        }
        try (JsonGenerator g = json.getFactory().createGenerator(out.toFile(), JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (int i = 0; i < n; i++) {
                int k = i / cases.size();
                ObjectNode c = cases.get(i % cases.size());
                json.writeTree(g, k == 0 ? c : vary(c, k));
            }
            g.writeEndArray();
        }
        System.out.println(n + " cases from " + cases.size() + " evaluation cases in " + files.size() + " files -> "
                + out + " (" + Files.size(out) + " bytes)");
    }

    static ObjectNode vary(ObjectNode original, int k) {
        ObjectNode c = original.deepCopy();
        c.remove("expected");
        String name = c.path("name").asText("case");
        c.put("name", name + " #" + k);
        ObjectNode rq = (ObjectNode) c.get("request");
        String suffix = "-c" + k;
        rq.put("principal", varyPrincipal(rq.get("principal").asText(), suffix));
        String resource = rq.get("resource").asText();
        if (!resource.equals("*") && !resource.endsWith("*")) {
            rq.put("resource", resource + suffix);
        }
        JsonNode ctx = rq.get("context");
        ObjectNode context = ctx instanceof ObjectNode o ? o : rq.putObject("context");
        context.put("cmkaudit:benchCopy", String.valueOf(k));
        return c;
    }

    private static String varyPrincipal(String arn, String suffix) {
        if (!arn.startsWith("arn:")) {
            return arn; // service principal
        }
        String[] p = arn.split(":", 6);
        if (p.length != 6) {
            return arn;
        }
        String res = p[5];
        if (res.startsWith("user/") || res.startsWith("role/") || res.startsWith("assumed-role/")
                || res.startsWith("federated-user/")) {
            return arn + suffix; // the last segment: user / role / session / federated-user name
        }
        return arn;
    }
}
