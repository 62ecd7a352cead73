package io.cmkaudit.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.MatchedStatement;
import io.cmkaudit.policy.ResidualCondition;
import io.cmkaudit.policy.SimulationCase;
import io.cmkaudit.policy.SimulationCaseException;
import io.cmkaudit.policy.SimulationCaseReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.AccessDeniedException;
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
 *
 * <p><b>Streaming.</b> The file is read case by case ({@link SimulationCaseReader#open}) and each result is written
 * as soon as its case is decided, so memory does not grow with the number of cases; repeated policy documents are
 * compiled once. Output leaves in chunks of about {@value #CHUNK} characters: a file whose error comes before the
 * first chunk is complete (every small file) prints nothing but the error, as before streaming; after that, the
 * error line says which results stdout already holds, and the JSON array is left open so that the partial output
 * is not a valid document.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = "Evaluate one request (or an array of them) against the policies given in FILE, offline, and "
            + "print the decision with the deciding layers, matched statements and residual conditions. Reads and "
            + "prints case by case: any number of cases runs in constant memory.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every case with an `expected` answer matches it",
            "1:a case's decision (or decidedBy, matched, keyUsable when given) differs from `expected`",
            "64:the file cannot be read, is not JSON, or a case is malformed (the message names case and field)"})
final class SimulateCommand implements Callable<Integer> {

    /** Characters of output held before they are written to stdout. */
    static final int CHUNK = 64 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    @Parameters(index = "0", paramLabel = "FILE", description = "A case file: one case object or an array of cases.")
    Path file;

    @Option(names = "--explain", description = "Print a readable layer-by-layer explanation instead of JSON.")
    boolean explain;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Output sink = new Output(out);
        boolean mismatch = false;
        try (InputStream in = open(file); SimulationCaseReader reader = SimulationCaseReader.open(in)) {
            JsonGenerator gen = null;
            if (!explain) {
                gen = JSON.createGenerator(sink);
                gen.setPrettyPrinter(new DefaultPrettyPrinter());
                if (reader.holdsArray()) {
                    gen.writeStartArray();
                }
            }
            SimulationCase c;
            while ((c = reader.next()) != null) {
                Decision d = evaluate(c);
                List<String> diffs = c.mismatches(d);
                mismatch |= !diffs.isEmpty();
                if (explain) {
                    StringBuilder text = new StringBuilder(1024);
                    appendText(text, c, d, diffs);
                    sink.append(text);
                } else {
                    writeJson(gen, c, d, diffs);
                    gen.flush();
                }
                sink.caseDone();
            }
            if (gen != null) {
                if (reader.holdsArray()) {
                    gen.writeEndArray();
                }
                gen.flush();
                sink.write(System.lineSeparator());
            }
        } catch (SimulationCaseException e) {
            throw new UsageException(file + ": " + e.getMessage() + sink.alreadyWritten(explain), e);
        }
        sink.commit();
        return mismatch ? ExitCodes.FINDINGS : ExitCodes.OK;
    }

    private static InputStream open(Path file) {
        if (Files.isDirectory(file)) {
            throw new UsageException(file + ": is a directory, not a case file");
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UsageException(file + ": cannot read: permission denied", e);
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Evaluates one case; an engine failure names the case (it is still an internal error, exit 70). */
    private static Decision evaluate(SimulationCase c) {
        try {
            return c.evaluate();
        } catch (RuntimeException e) {
            throw new IllegalStateException("case " + c.index() + " (`" + c.name() + "`): the policy engine failed: "
                    + e, e);
        }
    }

    /**
     * Holds the output until about {@link #CHUNK} characters of complete results are there, then writes them to
     * stdout; counts the cases whose results have left. Unsynchronized: one thread writes.
     */
    static final class Output extends Writer {
        private final PrintWriter out;
        private final StringBuilder buf = new StringBuilder(CHUNK + CHUNK / 4);
        private int cases;
        private int casesWritten;

        Output(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            buf.append(cbuf, off, len);
        }

        @Override
        public void write(String str) {
            buf.append(str);
        }

        @Override
        public void write(String str, int off, int len) {
            buf.append(str, off, off + len);
        }

        @Override
        public Writer append(CharSequence csq) {
            buf.append(csq);
            return this;
        }

        /** Output leaves only at case boundaries ({@link #caseDone}) and at the end ({@link #commit}). */
        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        /** One more case's result is complete in the buffer; writes the buffer out when it is full. */
        void caseDone() {
            cases++;
            if (buf.length() >= CHUNK) {
                out.append(buf);
                out.flush();
                buf.setLength(0);
                casesWritten = cases;
            }
        }

        /** Writes everything held. */
        void commit() {
            out.append(buf);
            out.flush();
            buf.setLength(0);
            casesWritten = cases;
        }

        /** For an error line: what stdout already holds, or "" when nothing was written. */
        String alreadyWritten(boolean text) {
            if (casesWritten == 0) {
                return "";
            }
            return "; stdout already holds the results of case" + (casesWritten == 1 ? " 0" : "s 0 to "
                    + (casesWritten - 1)) + " and stops there" + (text ? "" : " (the JSON array is left open)");
        }
    }

    private static void writeJson(JsonGenerator g, SimulationCase c, Decision d, List<String> diffs)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("name", c.name());
        g.writeStringField("decision", d.kind().name());
        g.writeArrayFieldStart("decidedBy");
        for (Layer l : d.decidedBy()) {
            g.writeString(l.id());
        }
        g.writeEndArray();
        if (d.keyUsable() == null) {
            g.writeNullField("keyUsable");
        } else {
            g.writeBooleanField("keyUsable", d.keyUsable());
        }
        g.writeArrayFieldStart("matched");
        for (MatchedStatement m : d.matched()) {
            g.writeStartObject();
            g.writeStringField("layer", m.layer().id());
            g.writeStringField("policy", m.policyName());
            g.writeStringField("statement", m.statement());
            g.writeNumberField("index", m.index());
            g.writeStringField("effect", m.effect() == null ? "unknown" : m.effect().text());
            g.writeBooleanField("conditional", m.conditional());
            if (m.level() != null) {
                g.writeStringField("level", m.level());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("residual");
        for (ResidualCondition r : d.residual()) {
            g.writeStartObject();
            g.writeStringField("layer", r.layer().id());
            g.writeStringField("policy", r.policyName());
            g.writeStringField("statement", r.statement());
            g.writeStringField("operator", r.operator());
            g.writeStringField("key", r.key());
            g.writeArrayFieldStart("values");
            for (String v : r.values()) {
                g.writeString(v);
            }
            g.writeEndArray();
            g.writeStringField("reason", r.reason().name());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (!c.diagnostics().isEmpty()) {
            g.writeArrayFieldStart("diagnostics");
            for (SimulationCase.PolicyDiagnostic pd : c.diagnostics()) {
                g.writeStartObject();
                g.writeStringField("policy", pd.policyName());
                g.writeStringField("in", pd.policyPath());
                g.writeStringField("severity", pd.diagnostic().severity().name());
                g.writeStringField("code", pd.diagnostic().code());
                g.writeStringField("path", pd.diagnostic().path());
                g.writeStringField("message", pd.diagnostic().message());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (c.expected() != null) {
            g.writeBooleanField("matchesExpected", diffs.isEmpty());
            if (!diffs.isEmpty()) {
                g.writeArrayFieldStart("mismatches");
                for (String diff : diffs) {
                    g.writeString(diff);
                }
                g.writeEndArray();
            }
        }
        g.writeEndObject();
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
