package io.cmkaudit.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.match.Wildcard.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Wildcard = regex reference, in every {@link Mode}: the matcher agrees with a regular expression written directly
 * from the rule each mode documents, on short patterns over a small alphabet (every combination of wildcards, colons
 * and escaped literal {@code *} / {@code ?}) and on long ones (over 64 tokens, the multi-word automaton). Inputs are
 * drawn both at random and by filling in the pattern's wildcards and then perhaps changing one character, so that
 * matches and near-misses are both frequent.
 */
class WildcardPropertiesTest {
    /** Literal characters of the patterns and inputs ({@code É}/{@code é} exercise case folding beyond ASCII). */
    private static final int[] LITERALS = {'a', 'A', 'b', ':', '/', '*', '?', 'É', 'é'};
    private static final char[] INPUT_CHARS = {'a', 'A', 'b', 'B', ':', '/', '*', '?', 'É', 'é'};

    @Property(tries = 4000)
    void wildcardEqualsRegexReference(@ForAll Mode mode, @ForAll("shortTokens") List<Integer> tokens,
            @ForAll Random random) {
        check(mode, toArray(tokens), random);
    }

    @Property(tries = 600)
    void longPatternsEqualRegexReference(@ForAll Mode mode, @ForAll("longTokens") List<Integer> tokens,
            @ForAll Random random) {
        check(mode, toArray(tokens), random);
    }

    /** The same through {@link Wildcard#compile} from text, where every {@code *} and {@code ?} is a wildcard. */
    @Property(tries = 1500)
    void compiledTextEqualsRegexReference(@ForAll Mode mode, @ForAll("text") String pattern, @ForAll Random random) {
        int[] tokens = Wildcard.tokens(pattern);
        String input = input(tokens, random);
        assertThat(Wildcard.compile(pattern, mode).matches(input)).as("%s %s ~ %s", mode, pattern, input)
                .isEqualTo(reference(tokens, mode).matcher(input).matches());
    }

    private static void check(Mode mode, int[] tokens, Random random) {
        Wildcard w = Wildcard.of(tokens, mode);
        Pattern re = reference(tokens, mode);
        for (int k = 0; k < 4; k++) {
            String input = input(tokens, random);
            boolean expected = re.matcher(input).matches();
            assertThat(w.matches(input)).as("%s %s ~ %s (regex %s)", mode, w, input, re).isEqualTo(expected);
            int[] bounds = new int[Wildcard.ARN_PARTS + 1];
            int n = Wildcard.split(input, bounds);
            assertThat(w.matches(input, bounds, n)).as("pre-split %s %s ~ %s", mode, w, input).isEqualTo(expected);
        }
    }

    /** The regular expression each mode's documentation describes. */
    static Pattern reference(int[] tokens, Mode mode) {
        if (mode == Mode.STRING_LIKE || mode == Mode.ACTION) {
            StringBuilder re = new StringBuilder();
            for (int t : tokens) {
                re.append(piece(t, true));
            }
            return Pattern.compile(re.toString(), Pattern.DOTALL
                    | (mode == Mode.ACTION ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
        }
        // split at the literal colons into at most six parts
        List<int[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < tokens.length && parts.size() < Wildcard.ARN_PARTS - 1; i++) {
            if (tokens[i] == ':') {
                parts.add(java.util.Arrays.copyOfRange(tokens, start, i));
                start = i + 1;
            }
        }
        parts.add(java.util.Arrays.copyOfRange(tokens, start, tokens.length));
        int k = parts.size();
        List<String> res = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int[] part = parts.get(i);
            // ARN_LIKE: the sixth part, and a shorter pattern's last part ending in *, are matched as a whole
            boolean whole = i == 5 || (i == k - 1 && k < 6 && part.length > 0 && part[part.length - 1] == Wildcard.STAR);
            StringBuilder re = new StringBuilder();
            for (int j = 0; j < part.length; j++) {
                // RESOURCE: a * that is the last character of a segment may expand beyond the colon boundaries
                boolean crossing = whole
                        || (mode == Mode.RESOURCE && part[j] == Wildcard.STAR && j == part.length - 1);
                re.append(piece(part[j], crossing));
            }
            res.add(re.toString());
        }
        return Pattern.compile(String.join(":", res), Pattern.DOTALL);
    }

    private static String piece(int t, boolean crossing) {
        if (t == Wildcard.STAR) {
            return crossing ? ".*" : "[^:]*";
        }
        if (t == Wildcard.QMARK) {
            return crossing ? "." : "[^:]";
        }
        return Pattern.quote(String.valueOf((char) t));
    }

    /** A random string, or the pattern with its wildcards filled in and perhaps one character changed. */
    private static String input(int[] tokens, Random random) {
        StringBuilder sb = new StringBuilder();
        if (random.nextInt(4) == 0) {
            int n = random.nextInt(16);
            for (int i = 0; i < n; i++) {
                sb.append(INPUT_CHARS[random.nextInt(INPUT_CHARS.length)]);
            }
            return sb.toString();
        }
        for (int t : tokens) {
            if (t == Wildcard.STAR) {
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    sb.append(INPUT_CHARS[random.nextInt(INPUT_CHARS.length)]);
                }
            } else if (t == Wildcard.QMARK) {
                sb.append(INPUT_CHARS[random.nextInt(INPUT_CHARS.length)]);
            } else {
                char c = (char) t;
                sb.append(random.nextInt(6) == 0 ? (Character.isUpperCase(c) ? Character.toLowerCase(c)
                        : Character.toUpperCase(c)) : c);
            }
        }
        if (sb.length() > 0 && random.nextInt(3) == 0) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(3)) {
                case 0 -> sb.setCharAt(at, INPUT_CHARS[random.nextInt(INPUT_CHARS.length)]);
                case 1 -> sb.deleteCharAt(at);
                default -> sb.insert(at, INPUT_CHARS[random.nextInt(INPUT_CHARS.length)]);
            }
        }
        return sb.toString();
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @Provide
    Arbitrary<List<Integer>> shortTokens() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of(LITERALS[0], LITERALS[1], LITERALS[2], LITERALS[3],
                        LITERALS[4], LITERALS[5], LITERALS[6], LITERALS[7], LITERALS[8])),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Wildcard.STAR)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Wildcard.QMARK)))
                .list().ofMaxSize(16);
    }

    /** Over 64 tokens, at most three stars (the regular expressions stay quick). */
    @Provide
    Arbitrary<List<Integer>> longTokens() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, Arbitraries.of((int) 'a', (int) 'b', (int) ':', (int) '/', (int) 'É')),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Wildcard.QMARK)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Wildcard.STAR)))
                .list().ofMinSize(60).ofMaxSize(150)
                .filter(l -> l.stream().filter(t -> t == Wildcard.STAR).count() <= 3);
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.strings().withChars("aAb:/*?É").ofMaxLength(14);
    }
}
