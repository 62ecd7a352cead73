package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@code simulate} on damaged case files, through {@link Main#run}: a file of several cases (so that some errors
 * come after cached policies and after other cases were decided) with bytes replaced, inserted or cut off. Whatever
 * the damage, the exit code is 0, 1 or 64, never 70 (an internal error), and a rejection is exactly one line on
 * stderr naming the file.
 */
class SimulateMutationPropertiesTest {

    private static final byte[] BASE;

    static {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 6; i++) {
            sb.append(i == 0 ? "" : ",\n").append(i % 2 == 0
                    ? SimulateInputTest.userCase("case " + i)
                    : SimulateInputTest.kmsCase("session " + i, "arn:aws:sts::111122223333:assumed-role/app/s" + i,
                            "assumed-role", i == 3 ? "Disabled" : "Enabled"));
        }
        BASE = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Provide
    Arbitrary<Tuple.Tuple3<Integer, Integer, byte[]>> damage() {
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 3);
        Arbitrary<Integer> at = Arbitraries.integers().between(0, BASE.length - 1);
        Arbitrary<byte[]> bytes = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4),
                Arbitraries.of("null", "{", "}", "[", "]", ",", ":", "\"", "\\", "\u00e9", "\ufeff", "1e999",
                        "\"keyState\": \"enabled\",", "\"type\": \"role\",", "[[[[[[[[", "\"name\": 1,")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
        return net.jqwik.api.Combinators.combine(kind, at, bytes).as(Tuple::of);
    }

    @Property(tries = 200)
    void damagedFilesNeverEndInAnInternalError(@ForAll("damage") Tuple.Tuple3<Integer, Integer, byte[]> d)
            throws Exception {
        byte[] file = mutate(d.get1(), d.get2(), d.get3());
        Path f = Files.createTempFile("simulate-mutated", ".json");
        try {
            Files.write(f, file);
            for (boolean explain : new boolean[] {false, true}) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = explain ? Main.run(new String[] {"simulate", f.toString(), "--explain"},
                        new PrintWriter(out), new PrintWriter(err))
                        : Main.run(new String[] {"simulate", f.toString()}, new PrintWriter(out), new PrintWriter(err));
                assertThat(code).as(err.toString()).isIn(0, 1, 64);
                if (code == 64) {
                    assertThat(err.toString()).startsWith("cmk-audit: " + f + ": ");
                    assertThat(err.toString().strip()).doesNotContain("\n");
                } else {
                    assertThat(err.toString()).isEmpty();
                }
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static byte[] mutate(int kind, int at, byte[] bytes) {
        byte[] out;
        switch (kind) {
            case 0 -> { // replace
                out = BASE.clone();
                for (int i = 0; i < bytes.length && at + i < out.length; i++) {
                    out[at + i] = bytes[i];
                }
            }
            case 1 -> { // insert
                out = new byte[BASE.length + bytes.length];
                System.arraycopy(BASE, 0, out, 0, at);
                System.arraycopy(bytes, 0, out, at, bytes.length);
                System.arraycopy(BASE, at, out, at + bytes.length, BASE.length - at);
            }
            case 2 -> out = java.util.Arrays.copyOf(BASE, at); // truncate
            default -> { // delete a stretch
                int len = Math.min(bytes.length * 7, BASE.length - at);
                out = new byte[BASE.length - len];
                System.arraycopy(BASE, 0, out, 0, at);
                System.arraycopy(BASE, at + len, out, at, BASE.length - at - len);
            }
        }
        return out;
    }
}
