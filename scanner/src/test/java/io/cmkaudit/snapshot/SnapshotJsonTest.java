package io.cmkaudit.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotJsonTest {

    private static String json(Snapshot s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotJson.write(s, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Snapshot parse(String json) {
        return SnapshotJson.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void roundTripKeepsEveryField() {
        Snapshot original = SnapshotFixtures.full();
        Snapshot back = parse(json(original));
        assertThat(back).isEqualTo(original);
    }

    @Test
    void writingTwiceGivesIdenticalText() {
        String first = json(SnapshotFixtures.full());
        assertThat(json(parse(first))).isEqualTo(first);
    }

    @Test
    void schemaVersionIsTheFirstField() {
        assertThat(json(SnapshotFixtures.full())).startsWith("{\n  \"schemaVersion\" : 2,\n  \"run\" : {");
    }

    @Test
    void malformedPolicyDocumentsSurviveAsText() {
        Snapshot back = parse(json(SnapshotFixtures.full()));
        assertThat(back.organization().serviceControlPolicies().get(1).document()).isEqualTo("{not json");
        assertThat(back.account(SnapshotFixtures.MEMBER).orElseThrow().iam().roles().get(0).inlinePolicies().get(0).document())
                .isEqualTo("{\"Statement\": [");
    }

    @Test
    void timesAreIsoUtcAndNullFieldsAreOmitted() {
        String text = json(SnapshotFixtures.full());
        assertThat(text).contains("\"startedAt\" : \"2026-03-01T10:00:00Z\"", "\"finishedAt\" : \"2026-03-01T10:00:42.500Z\"");
        assertThat(text).doesNotContain("null");
    }

    @Test
    void unknownSchemaVersionIsAClearError() {
        String text = json(SnapshotFixtures.full()).replace("\"schemaVersion\" : 2", "\"schemaVersion\" : 7");
        assertThatThrownBy(() -> parse(text))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessage("snapshot: schemaVersion: unsupported snapshot schemaVersion 7 (this cmk-audit reads versions 1 and 2; "
                        + "re-collect the snapshot or use a matching cmk-audit release)");
    }

    @Test
    void missingSchemaVersionIsAClearError() {
        assertThatThrownBy(() -> parse("{\"run\": {}}"))
                .hasMessage("snapshot: top level: not a snapshot: missing required field `schemaVersion`");
    }

    @Test
    void malformedJsonNamesTheLine() {
        assertThatThrownBy(() -> parse("{\n  \"schemaVersion\": 1,\n  oops\n}"))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageStartingWith("snapshot: line 3, column 3: not valid JSON: ");
    }

    @Test
    void missingRequiredFieldNamesThePath() {
        String text = json(SnapshotFixtures.full()).replace("\"arn\" : \"arn:aws:iam::222222222222:user/ops/alice\",", "");
        assertThatThrownBy(() -> parse(text))
                .hasMessage("snapshot: accounts[1].iam.users[0] (account 222222222222): missing required field `arn`");
    }

    static String damaged(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> change)
            throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tree =
                (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(json(SnapshotFixtures.full()));
        change.accept(tree);
        return m.writeValueAsString(tree);
    }

    static com.fasterxml.jackson.databind.node.ObjectNode account(com.fasterxml.jackson.databind.node.ObjectNode t,
                                                                  int i) {
        return (com.fasterxml.jackson.databind.node.ObjectNode) t.get("accounts").get(i);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "no accounts         | top level: missing required field `accounts`",
        "accounts null       | accounts: expected a list, got null",
        "accounts object     | accounts: expected a list, got an object",
        "iam null            | accounts[1].iam (account 222222222222): expected an object, got null",
        "no iam              | accounts[1]: missing required field `iam`",
        "regions null        | accounts[1].regions (account 222222222222): expected a list, got null",
        "accountId short     | accounts[1].accountId: expected a string of 12 digits, got \"2222\"",
        "accountId number    | accounts[1].accountId: expected a string of 12 digits, got 222222222222",
        "duplicate account   | accounts[4].accountId: account 222222222222 is listed twice",
        "users string        | accounts[1].iam.users (account 222222222222): expected a list, got \"alice\"",
        "tags list           | accounts[1].iam.users[0].tags (account 222222222222): expected an object, got an empty list",
        "name object         | accounts[1].name (account 222222222222): expected a string, got an object"})
    void damagedSnapshotIsOneLineNamingThePath(String damage, String message) throws Exception {
        String text = damaged(t -> {
            switch (damage) {
                case "no accounts" -> t.remove("accounts");
                case "accounts null" -> t.putNull("accounts");
                case "accounts object" -> t.putObject("accounts");
                case "iam null" -> account(t, 1).putNull("iam");
                case "no iam" -> account(t, 1).remove("iam");
                case "regions null" -> account(t, 1).putNull("regions");
                case "accountId short" -> account(t, 1).put("accountId", "2222");
                case "accountId number" -> account(t, 1).put("accountId", 222222222222L);
                case "duplicate account" -> ((com.fasterxml.jackson.databind.node.ArrayNode) t.get("accounts"))
                        .add(account(t, 1).deepCopy());
                case "users string" -> ((com.fasterxml.jackson.databind.node.ObjectNode) account(t, 1).get("iam"))
                        .put("users", "alice");
                case "tags list" -> ((com.fasterxml.jackson.databind.node.ObjectNode) account(t, 1).get("iam")
                        .get("users").get(0)).putArray("tags");
                case "name object" -> account(t, 1).putObject("name");
                default -> throw new IllegalArgumentException(damage);
            }
        });
        assertThatThrownBy(() -> parse(text)).isInstanceOf(SnapshotFormatException.class)
                .hasMessage("snapshot: " + message);
    }

    @Test
    void unknownFieldNamesThePath() {
        String text = json(SnapshotFixtures.full()).replace("\"keyState\" : \"Enabled\",", "\"keyState\" : \"Enabled\", \"colour\": 1,");
        assertThatThrownBy(() -> parse(text))
                .hasMessage("snapshot: accounts[0].regions[0].kmsKeys[0] (account 111111111111): unknown field `colour`");
    }

    @Test
    void anUnknownFieldNameWithALineBreakIsEscapedSoTheRejectionStaysOneLine() {
        // found by MalformedInputPropertiesTest: a field name "i\nstances" (JSON escape) broke the one-line promise
        String text = json(SnapshotFixtures.full()).replace("\"keyState\" : \"Enabled\",",
                "\"keyState\" : \"Enabled\", \"col\\nour\\u001b[2J\": 1,");
        assertThatThrownBy(() -> parse(text))
                .hasMessage("snapshot: accounts[0].regions[0].kmsKeys[0] (account 111111111111): unknown field `col\\u000aour\\u001b[2J`");
    }

    @Test
    void fileWriteIsAtomicAndReadNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.json");
        SnapshotJson.write(SnapshotFixtures.full(), file);
        assertThat(SnapshotJson.read(file)).isEqualTo(SnapshotFixtures.full());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).isEqualTo(List.of("s.json"));
        }
        Files.writeString(file, "[]");
        assertThatThrownBy(() -> SnapshotJson.read(file))
                .hasMessage(file + ": top level: not a snapshot: expected a JSON object, got an empty list");
    }

    @Test
    void writingOntoAFolderFailsAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("tmp"));
        assertThatThrownBy(() -> SnapshotJson.write(SnapshotFixtures.full(), folder))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessage(folder + ": cannot write snapshot: it is a folder");
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("tmp");
        }
    }

    @Test
    void lookupHelpersFindKeysPoliciesAndTargetChains() {
        Snapshot s = SnapshotFixtures.full();
        assertThat(s.kmsKey(SnapshotFixtures.SHARED_KEY).orElseThrow().accountId()).isEqualTo(SnapshotFixtures.MGMT);
        assertThat(s.managedPolicy("arn:aws:iam::aws:policy/AmazonEC2FullAccess").orElseThrow().defaultVersionId()).isEqualTo("v8");
        assertThat(s.managedPolicy("arn:aws:iam::222222222222:policy/StartTagged").orElseThrow().name()).isEqualTo("StartTagged");
        assertThat(s.organization().targetChain(SnapshotFixtures.MEMBER))
                .containsExactly("r-ab12", "ou-ab12-11111111", "ou-ab12-22222222", SnapshotFixtures.MEMBER);
        assertThat(s.organization().targetChain(SnapshotFixtures.MGMT)).containsExactly("r-ab12", SnapshotFixtures.MGMT);
        assertThat(s.organization().targetChain("444444444444")).isEmpty();
        assertThat(IamRole.isServiceLinkedPath("/aws-service-role/autoscaling.amazonaws.com/")).isTrue();
        assertThat(IamRole.isServiceLinkedPath("/")).isFalse();
    }
}
