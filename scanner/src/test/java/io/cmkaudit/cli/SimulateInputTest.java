package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simulate} on awkward input, through {@link Main#run}: encodings, deep nesting, null elements, trailing and
 * duplicate content, values that contradict each other (key state, principal type), and errors after the
 * streaming output has begun. Every rejection is exit 64 with exactly one line on stderr that names the file and
 * the case and says where.
 */
class SimulateInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    private Path file(String name, byte[] content) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }

    private Path file(String name, String content) throws Exception {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A KMS case, ALLOWED through the identity policy and the key policy's delegation. */
    static String kmsCase(String name, String principalArn, String principalType, String keyState) {
        return """
                {"name": "%s",
                 "request": {"principal": "%s", "action": "kms:Decrypt",
                             "resource": "arn:aws:kms:us-east-1:111122223333:key/k1",
                             "context": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
                 "principal": {"type": "%s"},
                 "policies": {
                   "identity": [{"name": "UseKey", "document": {"Version": "2012-10-17", "Statement": [
                     {"Sid": "Use", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}}],
                   "resource": {"name": "key-policy", "document": {"Version": "2012-10-17", "Statement": [
                     {"Sid": "Delegate", "Effect": "Allow",
                      "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}},
                   "keyState": "%s"},
                 "expected": {"decision": "ALLOWED"}}""".formatted(name, principalArn, principalType, keyState);
    }

    static String userCase(String name) {
        return kmsCase(name, "arn:aws:iam::111122223333:user/john", "user", "Enabled");
    }

    private static String oneLine(String err) {
        assertThat(err).endsWith(System.lineSeparator());
        assertThat(err.strip()).doesNotContain("\n").doesNotContain("\r");
        return err.strip();
    }

    @Test
    void aUtf8ByteOrderMarkIsAcceptedAsTheSnapshotReaderAcceptsIt() throws Exception {
        String text = "[" + userCase("one") + "," + userCase("two") + "]";
        Path plain = file("plain.json", text);
        ByteArrayOutputStream bom = new ByteArrayOutputStream();
        bom.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        bom.write(text.getBytes(StandardCharsets.UTF_8));
        Path withBom = file("bom.json", bom.toByteArray());
        Result a = run("simulate", plain.toString());
        Result b = run("simulate", withBom.toString());
        assertThat(b.err()).isEmpty();
        assertThat(b.code()).isEqualTo(0);
        assertThat(b.out()).isEqualTo(a.out());
        assertThat(JSON.readTree(b.out()).get(1).get("decision").asText()).isEqualTo("ALLOWED");
    }

    @Test
    void utf16IsReadLikeUtf8() throws Exception {
        String text = "[" + userCase("un été") + "," + userCase("two") + "]";
        Result a = run("simulate", file("utf8.json", text).toString());
        Result b = run("simulate", file("utf16.json", text.getBytes(StandardCharsets.UTF_16BE)).toString());
        assertThat(b.err()).isEmpty();
        assertThat(b.code()).isEqualTo(0);
        assertThat(b.out()).isEqualTo(a.out());
        assertThat(JSON.readTree(b.out()).get(0).get("name").asText()).isEqualTo("un été");
    }

    @Test
    void aLatin1FileIsOneLineNamingFileCaseAndPlace() throws Exception {
        String text = "[" + userCase("first") + ",\n" + userCase("caf\u00e9 au lait") + "]";
        Path f = file("latin1.json", text.getBytes(StandardCharsets.ISO_8859_1));
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        String line = oneLine(r.err());
        assertThat(line).startsWith("cmk-audit: " + f + ": not valid UTF-8 text at line 14, column ")
                .contains("(case 1, starting at line 14, at `name`)")
                .contains("save the file as UTF-8")
                .doesNotContain("Input length")
                .doesNotContain("Source:");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aLatin1ByteThatCannotStartUtf8IsNamed() throws Exception {
        // 0xB5 (Latin-1 micro sign) is a UTF-8 continuation byte: it cannot start a character
        Path f = file("latin1-micro.json", userCase("5 \u00b5s").getBytes(StandardCharsets.ISO_8859_1));
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).startsWith("cmk-audit: " + f + ": not valid UTF-8 text at line 1, column ")
                .contains("(case 0, at `name`) (byte 0xB5); save the file as UTF-8");
    }

    @Test
    void nestingDeeperThanAThousandLevelsIsOneLineWithThePath() throws Exception {
        String deep = "[".repeat(1200) + "]".repeat(1200);
        String c = userCase("deep").replace("\"kms:ViaService\": \"ec2.us-east-1.amazonaws.com\"",
                "\"kms:ViaService\": \"ec2.us-east-1.amazonaws.com\", \"deep\": " + deep);
        Path f = file("deep.json", "[" + userCase("fine") + "," + c + "]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        String line = oneLine(r.err());
        assertThat(line).startsWith("cmk-audit: " + f + ": json nested deeper than 1,000 levels at line ")
                .contains("(case 1, starting at line 13, at `request.context.deep[0][0][0][0][0]…(990 more levels)…"
                        + "[0][0]`)")
                .endsWith("simulate reads at most 1,000 levels of arrays and objects")
                .doesNotContain("StreamReadConstraints");
        assertThat(line.length()).isLessThan(400);
    }

    @Test
    void deepNestingInsideAPolicyIsCaughtToo() throws Exception {
        String deep = "[".repeat(1100) + "]".repeat(1100);
        String c = userCase("deep policy").replace("\"Resource\": \"*\"}]}}],", "\"Resource\": " + deep + "}]}}],");
        Path f = file("deep-policy.json", c);
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).contains("json nested deeper than 1,000 levels")
                .contains("(case 0, at `policies.identity[0].document.Statement[0].Resource[0]");
    }

    @Test
    void aNullCaseIsOneLineNamingItsIndexAndLine() throws Exception {
        Path f = file("null.json", "[" + userCase("first") + ",\nnull]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).isEqualTo("cmk-audit: " + f + ": case 1: is null (line 14); every element of "
                + "the top-level array must be a case object");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void nullElementsInsideACaseNameTheField() throws Exception {
        String[][] variants = {
            {"\"identity\": [{\"name\": \"UseKey\"", "\"identity\": [null, {\"name\": \"UseKey\"",
                "field `policies.identity[0]` must be an object {name, document}"},
            {"\"keyState\": \"Enabled\"", "\"keyState\": \"Enabled\", \"grants\": [null]",
                "field `policies.grants[0]` must be an object"},
            {"\"keyState\": \"Enabled\"", "\"keyState\": \"Enabled\", \"scpLevels\": [null]",
                "field `policies.scpLevels[0]` must be an array of policies (one level)"},
            {"\"kms:ViaService\": \"ec2.us-east-1.amazonaws.com\"", "\"kms:ViaService\": null",
                "field `request.context.kms:ViaService` must be a string or an array of strings"},
            {"\"kms:ViaService\": \"ec2.us-east-1.amazonaws.com\"", "\"kms:ViaService\": [\"a\", null]",
                "field `request.context.kms:ViaService[1]` must be a string"},
            {"\"expected\": {\"decision\": \"ALLOWED\"}", "\"expected\": {\"decision\": \"ALLOWED\", "
                + "\"decidedBy\": [null]}", "field `expected.decidedBy[0]` must be one of identity"},
        };
        for (String[] v : variants) {
            String c = userCase("nulls").replace(v[0], v[1]);
            assertThat(c).as(v[1]).isNotEqualTo(userCase("nulls"));
            Path f = file("nulls.json", "[" + c + "]");
            Result r = run("simulate", f.toString());
            assertThat(r.code()).as(v[1]).isEqualTo(64);
            assertThat(oneLine(r.err())).as(v[1]).startsWith("cmk-audit: " + f + ": case 0 (`nulls`): " + v[2]);
        }
    }

    @Test
    void contentAfterTheTopLevelValueIsRejected() throws Exception {
        Path f = file("trailing.json", "[" + userCase("one") + "]\n{\"name\": \"stray\"}");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).isEqualTo("cmk-audit: " + f + ": unexpected an object after the top-level array"
                + " at line 14, column 2; a file holds one case object or one array of cases");
        assertThat(r.out()).isEmpty();
        Path g = file("trailing-object.json", userCase("one") + " 42");
        r = run("simulate", g.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).contains("unexpected a number after the top-level case object");
    }

    @Test
    void aDuplicateFieldNamesTheField() throws Exception {
        String c = userCase("dup").replace("\"action\": \"kms:Decrypt\",",
                "\"action\": \"kms:Decrypt\", \"action\": \"kms:Encrypt\",");
        Path f = file("dup.json", "[" + c + "]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).startsWith("cmk-audit: " + f + ": invalid json at line 2, column ")
                .endsWith("(case 0, starting at line 1, at `request.action`): field `action` appears twice in one "
                        + "object");
    }

    @Test
    void aDuplicateFieldInsidePoliciesIsFoundWhereItIs() throws Exception {
        String c = userCase("dup in policy").replace("\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\"",
                "\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Effect\": \"Deny\"");
        Path f = file("dup-policy.json", "[" + userCase("fine") + "," + c + "]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        // the Sid line of case 1 is line 13 + 7
        assertThat(oneLine(r.err())).startsWith("cmk-audit: " + f + ": invalid json at line 20, column ")
                .endsWith("(case 1, starting at line 13, at `policies.identity[0].document.Statement[0].Effect`): "
                        + "field `Effect` appears twice in one object");
    }

    @Test
    void aDuplicateCaseFieldIsFound() throws Exception {
        String c = userCase("first name").replace("\"request\":", "\"name\": \"second name\", \"request\":");
        Path f = file("dup-name.json", c);
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).startsWith("cmk-audit: " + f + ": invalid json at line 2, column ")
                .endsWith("(case 0, at `name`): field `name` appears twice in one object");
        String twice = userCase("twice").replace("\"expected\":", "\"policies\": {}, \"expected\":");
        r = run("simulate", file("dup-policies.json", twice).toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).endsWith("(case 0, at `policies`): field `policies` appears twice in one object");
    }

    @Test
    void latin1InsideAPolicyIsFoundWhereItIs() throws Exception {
        String c = userCase("latin policy").replace("\"Sid\": \"Use\"", "\"Sid\": \"Caf\u00e9\"");
        Path f = file("latin1-policy.json", ("[" + userCase("fine") + "," + c + "]")
                .getBytes(StandardCharsets.ISO_8859_1));
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).startsWith("cmk-audit: " + f + ": not valid UTF-8 text at line 20, column ")
                .contains("(case 1, starting at line 13, at `policies.identity[0].document.Statement[0].Sid`)");
    }

    @Test
    void invalidJsonInsideALaterCaseNamesTheCase() throws Exception {
        String broken = userCase("broken").replace("\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\"",
                "\"Effect\": \"Allow\" \"Action\": \"kms:Decrypt\"");
        Path f = file("broken.json", "[" + userCase("one") + "," + userCase("two") + "," + broken + "]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).startsWith("cmk-audit: " + f + ": invalid json at line ")
                .contains("(case 2, starting at line 25, at `policies.identity[0].document.Statement[0].Effect`)")
                .doesNotContain("Source:");
    }

    @Test
    void aMisspeltKeyStateIsAnErrorListingTheValidStates() throws Exception {
        Path f = file("state.json", "[" + userCase("fine") + ","
                + kmsCase("lower-case state", "arn:aws:iam::111122223333:user/john", "user", "enabled") + "]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).isEqualTo("cmk-audit: " + f + ": case 1 (`lower-case state`): field "
                + "`policies.keyState` must be one of Creating, Enabled, Disabled, PendingDeletion, PendingImport, "
                + "PendingReplicaDeletion, Unavailable, Updating (case-sensitive, as KMS names key states) or null, "
                + "not `enabled` (did you mean `Enabled`?)");
        Path g = file("state2.json", kmsCase("unknown state", "arn:aws:iam::111122223333:user/john", "user",
                "Deleted"));
        r = run("simulate", g.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).contains("case 0 (`unknown state`): field `policies.keyState` must be one of")
                .endsWith("not `Deleted`");
    }

    @Test
    void everyKmsKeyStateIsAccepted() throws Exception {
        for (String state : new String[] {"Creating", "Enabled", "Disabled", "PendingDeletion", "PendingImport",
            "PendingReplicaDeletion", "Unavailable", "Updating"}) {
            Path f = file("ok.json", kmsCase(state, "arn:aws:iam::111122223333:user/john", "user", state));
            Result r = run("simulate", f.toString());
            assertThat(r.err()).as(state).isEmpty();
            assertThat(r.code()).as(state).isEqualTo(0);
            assertThat(JSON.readTree(r.out()).get("keyUsable").asBoolean()).as(state).isEqualTo(state.equals("Enabled"));
        }
    }

    @Test
    void aPrincipalTypeThatContradictsTheArnIsAUsageErrorNamingTheCase() throws Exception {
        Path f = file("type.json", "[" + userCase("fine") + ","
                + kmsCase("session called a role", "arn:aws:sts::111122223333:assumed-role/app/i-0123", "role",
                        "Enabled") + "]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).isEqualTo("cmk-audit: " + f + ": case 1 (`session called a role`): field "
                + "`principal.type` is `role`, but `arn:aws:sts::111122223333:assumed-role/app/i-0123` is a role "
                + "session (`assumed-role`); give `assumed-role` or leave `principal.type` out to derive it from the "
                + "ARN");
        assertThat(r.out()).isEmpty();
        String[][] contradictions = {
            {"arn:aws:iam::111122223333:role/app", "user", "is an IAM role (`role`)"},
            {"arn:aws:iam::111122223333:user/john", "root", "is an IAM user (`user`)"},
            {"arn:aws:iam::111122223333:root", "user", "is an account root user (`root`)"},
            {"arn:aws:sts::111122223333:federated-user/bob", "assumed-role", "is a federated user session"},
            {"ec2.amazonaws.com", "role", "is a service principal (`service`)"},
        };
        for (String[] c : contradictions) {
            Path g = file("type2.json", kmsCase("contradiction", c[0], c[1], "Enabled"));
            r = run("simulate", g.toString());
            assertThat(r.code()).as(c[0]).isEqualTo(64);
            assertThat(oneLine(r.err())).as(c[0]).contains("case 0 (`contradiction`): field `principal.type` is `"
                    + c[1] + "`, but `" + c[0] + "` " + c[2]);
        }
    }

    @Test
    void typeSpellingsThatAgreeWithTheArnAreAccepted() throws Exception {
        String[][] agree = {
            {"arn:aws:sts::111122223333:assumed-role/app/i-0123", "roleSession"},
            {"arn:aws:sts::111122223333:assumed-role/app/i-0123", "assumed-role"},
            {"arn:aws:iam::111122223333:role/app", "role"},
            {"arn:aws-cn:iam::111122223333:user/john", "iam-user"},
            {"arn:aws:iam::111122223333:root", "account"},
        };
        for (String[] a : agree) {
            Path f = file("agree.json", kmsCase("agrees", a[0], a[1], "Enabled").replace("arn:aws:iam::111122223333:root\"},",
                    a[0].contains("aws-cn") ? "arn:aws-cn:iam::111122223333:root\"}," : "arn:aws:iam::111122223333:root\"},"));
            Result r = run("simulate", f.toString());
            assertThat(r.err()).as(a[1]).isEmpty();
            assertThat(r.code()).as(a[1]).isIn(0, 1);
        }
    }

    @Test
    void otherPrincipalFieldsThatContradictTheArnAreUsageErrors() throws Exception {
        String session = "arn:aws:sts::111122223333:assumed-role/app/i-0123";
        Path f = file("account.json", kmsCase("account", session, "assumed-role", "Enabled")
                .replace("\"principal\": {\"type\": \"assumed-role\"}",
                        "\"principal\": {\"type\": \"assumed-role\", \"accountId\": \"444455556666\"}"));
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).contains("case 0 (`account`): field `principal.accountId` is `444455556666`, "
                + "but the principal `" + session + "` belongs to account `111122223333`");
        Path g = file("role.json", kmsCase("role arn", session, "assumed-role", "Enabled")
                .replace("\"principal\": {\"type\": \"assumed-role\"}",
                        "\"principal\": {\"type\": \"assumed-role\", \"roleArn\": "
                                + "\"arn:aws:iam::111122223333:role/other\"}"));
        r = run("simulate", g.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).contains("case 0 (`role arn`): field `principal.roleArn` is "
                + "`arn:aws:iam::111122223333:role/other`, but the session `" + session + "` is of the role "
                + "`arn:aws:iam::111122223333:role/app`");
        Path h = file("path.json", kmsCase("role path", session, "assumed-role", "Enabled")
                .replace("\"principal\": {\"type\": \"assumed-role\"}",
                        "\"principal\": {\"type\": \"assumed-role\", \"roleArn\": "
                                + "\"arn:aws:iam::111122223333:role/team/app\"}"));
        r = run("simulate", h.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isEqualTo(0);
        Path u = file("slr.json", userCase("slr user").replace("\"principal\": {\"type\": \"user\"}",
                "\"principal\": {\"type\": \"user\", \"isServiceLinkedRole\": true}"));
        r = run("simulate", u.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).contains("case 0 (`slr user`): field `principal.isServiceLinkedRole` is true, "
                + "but only a role or a session of one can be service-linked, and the principal is an IAM user");
    }

    /** Enough cases that their results fill more than one output chunk before the bad case. */
    private static String manyCasesThenABadOne(int good) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < good; i++) {
            sb.append(userCase("good " + i)).append(",\n");
        }
        sb.append(userCase("bad one").replace("\"action\": \"kms:Decrypt\",", "")).append("]");
        return sb.toString();
    }

    @Test
    void anErrorAfterOutputBeganNamesTheCaseAndWhatStdoutHolds() throws Exception {
        int good = 400;
        Path f = file("long.json", manyCasesThenABadOne(good));
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        String line = oneLine(r.err());
        assertThat(line).startsWith("cmk-audit: " + f + ": case " + good + " (`bad one`): field `request.action` is "
                + "missing; stdout already holds the results of cases 0 to ");
        assertThat(line).endsWith(" and stops there (the JSON array is left open)");
        int last = Integer.parseInt(line.replaceAll(".*results of cases 0 to (\\d+) and stops there.*", "$1"));
        assertThat(last).isBetween(1, good - 1);
        // stdout: an open array holding exactly the results of cases 0..last, each complete
        assertThat(r.out()).startsWith("[");
        assertThat(r.out().strip()).doesNotEndWith("]");
        JsonNode closed = JSON.readTree(r.out() + "]");
        assertThat(closed.size()).isEqualTo(last + 1);
        for (int i = 0; i <= last; i++) {
            assertThat(closed.get(i).get("name").asText()).isEqualTo("good " + i);
            assertThat(closed.get(i).get("decision").asText()).isEqualTo("ALLOWED");
        }
    }

    @Test
    void explainSaysTheSameWithoutTheArrayNote() throws Exception {
        Path f = file("long.json", manyCasesThenABadOne(400));
        Result r = run("simulate", f.toString(), "--explain");
        assertThat(r.code()).isEqualTo(64);
        String line = oneLine(r.err());
        assertThat(line).contains("case 400 (`bad one`): field `request.action` is missing; stdout already holds the "
                + "results of cases 0 to ").endsWith(" and stops there");
        int last = Integer.parseInt(line.replaceAll(".*results of cases 0 to (\\d+) and stops there.*", "$1"));
        assertThat(r.out()).contains("case " + last + ": good " + last + "\n")
                .doesNotContain("case " + (last + 1) + ": good");
    }

    @Test
    void aLongFileStreamsToTheSameOutputAsOneCaseAtATime() throws Exception {
        StringBuilder sb = new StringBuilder("[");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            String c = i % 3 == 0 ? userCase("u" + i)
                    : kmsCase("s" + i, "arn:aws:sts::111122223333:assumed-role/app/s" + i, "assumed-role",
                            i % 3 == 1 ? "Enabled" : "Disabled");
            sb.append(i == 0 ? "" : ",").append(c);
            Result one = run("simulate", file("one.json", c).toString());
            assertThat(one.code()).isEqualTo(0);
            expected.append(expected.length() == 0 ? "" : ",").append(one.out().strip());
        }
        Result all = run("simulate", file("all.json", sb.append("]").toString()).toString());
        assertThat(all.err()).isEmpty();
        assertThat(all.code()).isEqualTo(0);
        assertThat(JSON.readTree(all.out())).isEqualTo(JSON.readTree("[" + expected + "]"));
    }

    @Test
    void aDirectoryIsAUsageError() throws Exception {
        Result r = run("simulate", dir.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).isEqualTo("cmk-audit: " + dir + ": is a directory, not a case file");
    }

    @Test
    void emptyAndNonCaseFilesSayWhatTheyHold() throws Exception {
        Result r = run("simulate", file("empty.json", "  \n").toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).endsWith(": file is empty");
        r = run("simulate", file("array.json", "[ ]").toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).endsWith(": file holds an empty array; expected at least one case");
        r = run("simulate", file("string.json", "\"hello\"").toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(oneLine(r.err())).endsWith(": file must hold a case object or an array of them, not a string "
                + "(line 1)");
    }
}
