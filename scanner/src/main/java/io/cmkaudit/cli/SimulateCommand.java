package io.cmkaudit.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.MatchedStatement;
import io.cmkaudit.policy.ResidualCondition;
import io.cmkaudit.policy.SimulationCase;
import io.cmkaudit.policy.SimulationCaseException;
import io.cmkaudit.policy.SimulationCaseReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cmk-audit simulate FILE [--explain]}: evaluates the cases of a file in the format of
 * {@code docs/design/simulate-format.md} with the policy engine, without AWS. Prints JSON (an object for a file
 * with one case object, an array for an array), or with {@code --explain} a layer-by-layer text. Exit 0 when every
 * case with an {@code expected} answer matches it, 1 when one differs, 64 for an unreadable or malformed file.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Evaluate one request (or an array of them) against the policies given in FILE, offline, and "
            + "print the decision with the deciding layers, matched statements and residual conditions.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every case with an `expected` answer matches it",
            "1:a case's decision (or decidedBy, matched, keyUsable when given) differs from `expected`",
            "64:the file cannot be read, is not JSON, or a case is malformed (the message names case and field)"})
final class SimulateCommand implements Callable<Integer> {

    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper WRITER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    @Parameters(index = "0", paramLabel = "FILE", description = "A case file: one case object or an array of cases.")
    Path file;

    @Option(names = "--explain", description = "Print a readable layer-by-layer explanation instead of JSON.")
    boolean explain;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        JsonNode root = readFile(file);
        List<SimulationCase> cases;
        try {
            cases = SimulationCaseReader.read(root);
        } catch (SimulationCaseException e) {
            throw new UsageException(file + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean mismatch = false;
        ArrayNode results = WRITER.createArrayNode();
        StringBuilder text = new StringBuilder();
        for (SimulationCase c : cases) {
            Decision d = c.evaluate();
            List<String> diffs = c.mismatches(d);
            mismatch |= !diffs.isEmpty();
            if (explain) {
                appendText(text, c, d, diffs);
            } else {
                results.add(toJson(c, d, diffs));
            }
        }
        if (explain) {
            out.print(text);
        } else {
            out.println(WRITER.writeValueAsString(root.isArray() ? results : results.get(0)));
        }
        out.flush();
        return mismatch ? ExitCodes.FINDINGS : ExitCodes.OK;
    }

    static JsonNode readFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file");
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            JsonNode root = READER.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new UsageException(file + ": file is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new UsageException(file + ": invalid json" + where + ": " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode toJson(SimulationCase c, Decision d, List<String> diffs) {
        ObjectNode o = WRITER.createObjectNode();
        o.put("name", c.name());
        o.put("decision", d.kind().name());
        ArrayNode by = o.putArray("decidedBy");
        for (Layer l : d.decidedBy()) {
            by.add(l.id());
        }
        if (d.keyUsable() == null) {
            o.putNull("keyUsable");
        } else {
            o.put("keyUsable", d.keyUsable());
        }
        ArrayNode matched = o.putArray("matched");
        for (MatchedStatement m : d.matched()) {
            ObjectNode mo = matched.addObject();
            mo.put("layer", m.layer().id());
            mo.put("policy", m.policyName());
            mo.put("statement", m.statement());
            mo.put("index", m.index());
            mo.put("effect", m.effect() == null ? "unknown" : m.effect().text());
            mo.put("conditional", m.conditional());
        }
        ArrayNode residual = o.putArray("residual");
        for (ResidualCondition r : d.residual()) {
            ObjectNode ro = residual.addObject();
            ro.put("layer", r.layer().id());
            ro.put("policy", r.policyName());
            ro.put("statement", r.statement());
            ro.put("operator", r.operator());
            ro.put("key", r.key());
            ArrayNode values = ro.putArray("values");
            r.values().forEach(values::add);
            ro.put("reason", r.reason().name());
        }
        if (!c.diagnostics().isEmpty()) {
            ArrayNode diags = o.putArray("diagnostics");
            for (SimulationCase.PolicyDiagnostic pd : c.diagnostics()) {
                ObjectNode dn = diags.addObject();
                dn.put("policy", pd.policyName());
                dn.put("in", pd.policyPath());
                dn.put("severity", pd.diagnostic().severity().name());
                dn.put("code", pd.diagnostic().code());
                dn.put("path", pd.diagnostic().path());
                dn.put("message", pd.diagnostic().message());
            }
        }
        if (c.expected() != null) {
            o.put("matchesExpected", diffs.isEmpty());
            if (!diffs.isEmpty()) {
                ArrayNode m = o.putArray("mismatches");
                diffs.forEach(m::add);
            }
        }
        return o;
    }

    private static void appendText(StringBuilder sb, SimulationCase c, Decision d, List<String> diffs) {
        sb.append("case ").append(c.index()).append(": ").append(c.name()).append('\n');
        sb.append("  request: ").append(c.request().principalArn()).append(" -> ").append(c.request().action())
                .append(" on ").append(c.request().resourceArn()).append('\n');
        for (String line : d.explain().split("\n")) {
            sb.append("  ").append(line).append('\n');
        }
        if (d.keyUsable() != null) {
            sb.append("  key usable: ").append(d.keyUsable() ? "yes" : "no").append('\n');
        }
        for (SimulationCase.PolicyDiagnostic pd : c.diagnostics()) {
            sb.append("  ").append(pd.diagnostic().severity().name().toLowerCase(java.util.Locale.ROOT))
                    .append(" in ").append(pd.policyName()).append(" (").append(pd.policyPath()).append("): ")
                    .append(pd.diagnostic().toLine()).append('\n');
        }
        if (c.expected() != null) {
            if (diffs.isEmpty()) {
                sb.append("  expected: matches\n");
            } else {
                for (String diff : diffs) {
                    sb.append("  MISMATCH ").append(diff).append('\n');
                }
            }
        }
        sb.append('\n');
    }
}
