package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The finding types are defined once, in {@link FindingType}; the tables of finding types in {@code docs/} must
 * list exactly those types with their default severity, and every type must be produced by a registered rule.
 */
class FindingTypeDocsTest {

    /** A row of a Markdown table whose first cell is a finding type: {@code | `TYPE` | meaning | severity |}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Z][A-Z0-9_]+)`\\s*\\|(.*)\\|\\s*$");

    /** @return type → last cell (the severity column) of every row of the "finding types" table in the file */
    static Map<String, String> typeTable(Path file) throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                String[] cells = m.group(2).split("\\|");
                rows.put(m.group(1), cells[cells.length - 1].strip());
            }
        }
        return rows;
    }

    @ParameterizedTest
    @ValueSource(strings = {"../docs/design/findings.md", "../docs/csv-columns.md"})
    void docsListExactlyTheTypesOfTheCodeWithTheirDefaultSeverity(String file) throws IOException {
        Map<String, String> documented = typeTable(Path.of(file));
        Set<String> code = Arrays.stream(FindingType.values()).map(Enum::name).collect(Collectors.toSet());
        assertThat(documented.keySet()).as("types documented in %s but missing in FindingType", file)
                .isSubsetOf(code);
        assertThat(code).as("types of FindingType missing in %s", file).isSubsetOf(documented.keySet());
        for (FindingType t : FindingType.values()) {
            assertThat(documented.get(t.name())).as("severity of %s in %s", t, file)
                    .contains(t.defaultSeverity().name());
        }
    }

    @Test
    void tableRowsAreRecognized() throws IOException {
        Path tmp = Files.createTempFile("types", ".md");
        Files.writeString(tmp, "| type | meaning | severity |\n|---|---|---|\n| `NOT_A_TYPE` | x | HIGH |\n"
                + "| `column` | lower case is a column, not a type | x |\n");
        assertThat(typeTable(tmp)).containsOnlyKeys("NOT_A_TYPE");
        Files.delete(tmp);
    }

    @Test
    void everyTypeHasItsWordsAndIsProducedByARule() {
        RuleContext ctx = new RuleContext(new TestOrg().build(), false);
        Set<FindingType> produced = EnumSet.noneOf(FindingType.class);
        List<Rule> rules = Rules.create(ctx);
        rules.forEach(r -> produced.addAll(r.types()));
        assertThat(produced).containsExactlyInAnyOrder(FindingType.values());
        for (FindingType t : FindingType.values()) {
            assertThat(List.of(t.title(), t.meaning(), t.fix())).as(t.name()).allMatch(s -> !s.isBlank());
        }
    }
}
