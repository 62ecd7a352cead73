package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Issue 14: generated malformed snapshots ({@code report}) and simulate case files ({@code simulate}), in-process
 * through {@link Main#run} with the exit code returned. Each input is the sample organization's snapshot (or a file of
 * valid simulate cases) with one to three damages: a value replaced by another type, {@code null}, an empty or deep
 * structure, a huge number, a string holding terminal control sequences; a field or element removed; an unknown field
 * or a {@code null} element added; or bytes replaced, inserted, cut off or deleted (invalid UTF-8, a byte-order mark,
 * broken JSON). Whatever the damage:
 * <ul>
 *   <li>never exit 70 (an internal error): 0–3 or 64 for {@code report}, 0, 1 or 64 for {@code simulate};</li>
 *   <li>never a hang: each run has {@value #TIMEOUT_SECONDS} s;</li>
 *   <li>a rejection (64) is exactly one line on stderr: {@code cmk-audit: FILE: LOCATION: what}, the location being a
 *       line and column, a JSON path ({@code accounts[1].iam.roles}, {@code top level}) or, for simulate, the case
 *       and field;</li>
 *   <li>nothing printed (stdout or stderr, accepted or rejected) holds a control character but line feed and tab:
 *       data reaches the terminal escaped.</li>
 * </ul>
 * The counts and the time of each property are printed when the class ends (figures in docs/RELIABILITY.md).
 */
class MalformedInputPropertiesTest {

    static final int TIMEOUT_SECONDS = 60;
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final JsonNode SNAPSHOT;
    static final JsonNode CASES;

    /**
     * A JSON path of the snapshot format (inside an account followed by {@code (account ID)}), a line/column, or
     * `top level`, then a colon.
     */
    static final Pattern SNAPSHOT_LOCATION = Pattern.compile("^(line \\d+, column \\d+|top level|[A-Za-z_][A-Za-z0-9_]*"
            + "(\\.[A-Za-z_][A-Za-z0-9_]*|\\[\\d+\\]|\\[\"([^\"\\\\]|\\\\.)*\"\\])*( \\(account \\d{12}\\))?): .+");
    /** simulate: the case (index, name) and field, the line, or the file as a whole ("file holds an empty array"). */
    static final Pattern SIMULATE_LOCATION = Pattern.compile("^(case \\d+\\b.*|.*\\bline \\d+\\b.*|file (is|holds|must) .*)$");

    static final Map<String, Map<Integer, LongAdder>> EXITS = new ConcurrentHashMap<>();
    static final Map<String, AtomicLong> NANOS = new ConcurrentHashMap<>();
    static final ExecutorService RUNNER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "malformed-input");
        t.setDaemon(true);
        return t;
    });

    static {
        try (InputStream in = MalformedInputPropertiesTest.class.getResourceAsStream("/samples/sample-org.snapshot.json")) {
            SNAPSHOT = JSON.readTree(in);
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < 4; i++) {
                sb.append(i == 0 ? "" : ",").append(i % 2 == 0
                        ? SimulateInputTest.userCase("case " + i)
                        : SimulateInputTest.kmsCase("session " + i, "arn:aws:sts::111122223333:assumed-role/app/s" + i,
                                "assumed-role", i == 3 ? "Disabled" : "Enabled"));
            }
            CASES = JSON.readTree(sb.append("]").toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One damage: its kind, where (an index into the input's nodes or bytes, taken modulo their number) and a choice
     * of replacement value.
     */
    record Damage(int kind, int where, int what) {
    }

    @Provide
    Arbitrary<List<Damage>> damages() {
        Arbitrary<Damage> one = Combinators.combine(Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, 1 << 20))
                .as(Damage::new);
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    /** The replacement values: other types, nulls, empty and deep structures, extremes, control sequences. */
    static JsonNode value(int what, JsonNode old) {
        String oldText = old != null && old.isTextual() ? old.asText() : "x";
        return switch (what % 22) {
            case 0 -> F.nullNode();
            case 1 -> F.numberNode(0);
            case 2 -> F.numberNode(-1);
            case 3 -> F.numberNode(1.5);
            case 4 -> F.booleanNode(true);
            case 5 -> F.textNode("");
            case 6 -> F.arrayNode();
            case 7 -> F.objectNode();
            case 8 -> F.arrayNode().add(F.nullNode());
            case 9 -> F.objectNode().put("unexpected", 1);
            case 10 -> F.numberNode(new java.math.BigInteger("9".repeat(40)));
            case 11 -> F.textNode(oldText + "\u001b]0;retitled\u0007\u001b[2J\r\u0000\u009b");
            case 12 -> F.textNode("2026-13-45T99:99:99Z");
            case 13 -> F.textNode("x".repeat(5000));
            case 14 -> F.textNode("ou-zzzz-zzzzzzzz");
            case 15 -> F.textNode("12345678901");
            case 16 -> F.textNode("\u202e" + oldText + "\ud800");
            case 17 -> {
                JsonNode deep = F.arrayNode();
                for (int i = 0; i < 40; i++) {
                    deep = F.arrayNode().add(deep);
                }
                yield deep;
            }
            case 18 -> F.textNode(oldText.toLowerCase(java.util.Locale.ROOT));
            case 19 -> F.textNode(oldText.toUpperCase(java.util.Locale.ROOT));
            case 20 -> F.numberNode(Long.MAX_VALUE);
            default -> F.textNode("arn:aws:iam::999999999999:policy/missing");
        };
    }

    /** Every node below the root, with its parent and its key (field name or index). */
    record Place(JsonNode parent, Object key, JsonNode node) {
    }

    static List<Place> places(JsonNode root) {
        List<Place> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(JsonNode n, List<Place> out) {
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
                out.add(new Place(n, e.getKey(), e.getValue()));
                collect(e.getValue(), out);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                out.add(new Place(n, i, n.get(i)));
                collect(n.get(i), out);
            }
        }
    }

    /** Applies the damages: kinds 0–7 to the JSON tree, 8 and 9 to the bytes of the result. */
    static byte[] damage(JsonNode base, List<Damage> damages) throws IOException {
        JsonNode tree = base.deepCopy();
        List<Damage> bytes = new ArrayList<>();
        for (Damage d : damages) {
            if (d.kind() >= 8) {
                bytes.add(d);
                continue;
            }
            List<Place> places = places(tree);
            Place p = places.get(Math.floorMod(d.where(), places.size()));
            switch (d.kind()) {
                case 0, 1, 2, 3 -> set(p, value(d.what(), p.node())); // the most common damage: a wrong value
                case 4 -> remove(p);
                case 5 -> {
                    if (p.node().isObject()) {
                        ((ObjectNode) p.node()).set("unknown" + d.what() % 3, value(d.what() / 22, null));
                    } else if (p.node().isArray()) {
                        ((ArrayNode) p.node()).add(value(d.what(), null));
                    } else {
                        set(p, value(d.what(), p.node()));
                    }
                }
                case 6 -> {
                    if (p.parent().isArray()) { // a duplicate element
                        ((ArrayNode) p.parent()).add(p.node().deepCopy());
                    } else {
                        set(p, value(d.what(), p.node()));
                    }
                }
                default -> { // a string with terminal controls (often accepted: then it reaches the output)
                    if (p.node().isTextual()) {
                        set(p, value(11, p.node()));
                    } else {
                        set(p, value(d.what(), p.node()));
                    }
                }
            }
        }
        byte[] out = JSON.writeValueAsBytes(tree);
        for (Damage d : bytes) {
            out = mutateBytes(out, d);
        }
        return out;
    }

    private static void set(Place p, JsonNode v) {
        if (p.parent() instanceof ObjectNode o) {
            o.set((String) p.key(), v);
        } else {
            ((ArrayNode) p.parent()).set((Integer) p.key(), v);
        }
    }

    private static void remove(Place p) {
        if (p.parent() instanceof ObjectNode o) {
            o.remove((String) p.key());
        } else {
            ((ArrayNode) p.parent()).remove((int) (Integer) p.key());
        }
    }

    static final byte[][] BYTES = {
        {(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xe9}, {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, {0}, {'{'}, {'}'},
        {'['}, {']'}, {','}, {':'}, {'"'}, {'\\'}, "null".getBytes(StandardCharsets.UTF_8),
        "1e999999".getBytes(StandardCharsets.UTF_8), "[[[[[[[[[[[[[[[[".getBytes(StandardCharsets.UTF_8),
        "\u001b[2J".getBytes(StandardCharsets.UTF_8), {'\r'}};

    static byte[] mutateBytes(byte[] in, Damage d) {
        if (in.length == 0) {
            return BYTES[d.what() % BYTES.length];
        }
        int at = Math.floorMod(d.where(), in.length);
        byte[] b = BYTES[d.what() % BYTES.length];
        switch ((d.what() / BYTES.length) % 4) {
            case 0 -> { // replace
                byte[] out = in.clone();
                for (int i = 0; i < b.length && at + i < out.length; i++) {
                    out[at + i] = b[i];
                }
                return out;
            }
            case 1 -> { // insert
                byte[] out = new byte[in.length + b.length];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(b, 0, out, at, b.length);
                System.arraycopy(in, at, out, at + b.length, in.length - at);
                return out;
            }
            case 2 -> {
                return java.util.Arrays.copyOf(in, at); // cut off
            }
            default -> { // delete a stretch
                int len = Math.min(1 + d.what() % 200, in.length - at);
                byte[] out = new byte[in.length - len];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + len, out, at, in.length - at - len);
                return out;
            }
        }
    }

    record Result(int code, String out, String err) {
    }

    /** Runs the command line with a timeout; a run past it is a hang and fails the property. */
    static Result run(String property, String... args) throws Exception {
        long t0 = System.nanoTime();
        Future<Result> f = RUNNER.submit(() -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
            return new Result(code, out.toString(), err.toString());
        });
        try {
            Result r = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            EXITS.computeIfAbsent(property, k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(r.code(), k -> new LongAdder()).increment();
            return r;
        } catch (TimeoutException e) {
            f.cancel(true);
            return fail("no answer within " + TIMEOUT_SECONDS + " s (a hang): " + String.join(" ", args));
        } finally {
            NANOS.computeIfAbsent(property, k -> new AtomicLong()).addAndGet(System.nanoTime() - t0);
        }
    }

    /** No C0 control but LF and tab, no DEL, no C1 control, no bidi override reaches the terminal. */
    static void assertNoControlCharacters(Result r) {
        String all = r.out() + r.err();
        for (int i = 0; i < all.length(); i++) {
            char c = all.charAt(i);
            boolean control = c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f
                    || c >= '\u202a' && c <= '\u202e' || c >= '\u2066' && c <= '\u2069';
            if (control) {
                fail("control character U+%04X at %d printed: %s", (int) c, i, all.substring(Math.max(0, i - 80),
                        Math.min(all.length(), i + 40)));
            }
        }
    }

    static void assertOneLineRejection(Result r, Path file, Pattern location) {
        String err = r.err().strip();
        assertThat(err).as("one line").doesNotContain("\n");
        String prefix = "cmk-audit: " + file + ": ";
        assertThat(err).startsWith(prefix);
        assertThat(err.substring(prefix.length())).as("names the location").matches(location);
    }

    @Property(tries = 2000)
    void malformedSnapshotsAreRejectedInOneLineWithALocationOrReportedNeverAnInternalError(
            @ForAll("damages") List<Damage> damages) throws Exception {
        Path dir = Files.createTempDirectory("cmk-audit-malformed");
        try {
            Path file = dir.resolve("snap.json");
            Files.write(file, damage(SNAPSHOT, damages));
            Result r = run("report", "report", file.toString(), "--out", dir.resolve("out").toString(), "--format",
                    "json", "--fail-on", "NONE", "-q");
            assertThat(r.code()).as(r.err()).isIn(0, 1, 2, 3, 64);
            if (r.code() == ExitCodes.USAGE) {
                assertOneLineRejection(r, file, SNAPSHOT_LOCATION);
            }
            assertNoControlCharacters(r);
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 8000)
    void malformedSimulateCasesAreRejectedInOneLineWithALocationOrDecidedNeverAnInternalError(
            @ForAll("damages") List<Damage> damages) throws Exception {
        Path file = Files.createTempFile("cmk-audit-malformed-cases", ".json");
        try {
            Files.write(file, damage(CASES, damages));
            Result r = run("simulate", "simulate", file.toString());
            assertThat(r.code()).as(r.err()).isIn(0, 1, 64);
            if (r.code() == ExitCodes.USAGE) {
                assertOneLineRejection(r, file, SIMULATE_LOCATION);
            }
            assertNoControlCharacters(r);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Found by the property above: a {@code run.callerArn} that is no ARN ended in exit 70 (the manifest's partition). */
    @Example
    void aCallerArnThatIsNoArnIsReportedNotAnInternalError() throws Exception {
        for (String arn : List.of("", "x", "arn:", "arn::")) {
            ObjectNode tree = SNAPSHOT.deepCopy();
            ((ObjectNode) tree.get("run")).put("callerArn", arn);
            Path dir = Files.createTempDirectory("cmk-audit-caller-arn");
            try {
                Path file = dir.resolve("snap.json");
                Files.write(file, JSON.writeValueAsBytes(tree));
                Result r = run("example", "report", file.toString(), "--out", dir.resolve("out").toString(),
                        "--format", "json", "--fail-on", "NONE", "-q");
                assertThat(r.code()).as(arn + ": " + r.err()).isZero();
            } finally {
                deleteTree(dir);
            }
        }
    }

    @AfterContainer
    static void figures() {
        Map<String, Map<Integer, Long>> exits = new TreeMap<>();
        EXITS.forEach((k, v) -> {
            Map<Integer, Long> m = new TreeMap<>();
            v.forEach((c, n) -> m.put(c, n.sum()));
            exits.put(k, m);
        });
        System.out.printf("malformed inputs: exit codes %s; seconds %s%n", exits, new TreeMap<>(NANOS.entrySet()
                .stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get() / 1e9))));
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
