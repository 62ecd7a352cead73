package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
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

    private Path file(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    private static String kmsCase(String name, String identityAction, String expectedDecision) {
        return """
                {"name": "%s",
                 "request": {"principal": "arn:aws:iam::111122223333:user/john", "action": "kms:CreateGrant",
                             "resource": "arn:aws:kms:us-east-1:111122223333:key/k1",
                             "context": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"},
                             "unknownKeys": ["aws:SourceIp"]},
                 "principal": {"type": "user", "isServiceLinkedRole": false, "inManagementAccount": false},
                 "policies": {
                   "identity": [{"name": "Ec2AndKms", "document": {"Version": "2012-10-17", "Statement": [
                     {"Sid": "Use", "Effect": "Allow", "Action": "%s", "Resource": "*"}]}}],
                   "scpLevels": [[{"name": "FullAWSAccess", "document": {"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]],
                   "resource": {"name": "key-policy", "document": {"Version": "2012-10-17", "Statement": [
                     {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                      "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}},
                   "grants": [], "keyState": "Enabled"},
                 "expected": {"decision": "%s"}}""".formatted(name, identityAction, expectedDecision);
    }

    @Test
    void oneCasePrintsOneJsonObject() throws Exception {
        Path f = file("one.json", kmsCase("allowed", "kms:CreateGrant", "ALLOWED"));
        Result r = run("simulate", f.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isEqualTo(0);
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.isObject()).isTrue();
        assertThat(o.get("name").asText()).isEqualTo("allowed");
        assertThat(o.get("decision").asText()).isEqualTo("ALLOWED");
        assertThat(o.get("decidedBy").toString()).isEqualTo("[\"identity\",\"resource\"]");
        assertThat(o.get("keyUsable").asBoolean()).isTrue();
        assertThat(o.get("matched").toString()).isEqualTo("[{\"layer\":\"identity\",\"policy\":\"Ec2AndKms\","
                + "\"statement\":\"Use\",\"index\":0,\"effect\":\"Allow\",\"conditional\":false},"
                + "{\"layer\":\"scp\",\"policy\":\"FullAWSAccess\",\"statement\":\"Statement[0]\",\"index\":0,"
                + "\"effect\":\"Allow\",\"conditional\":false,\"level\":\"root\"},"
                + "{\"layer\":\"resource\",\"policy\":\"key-policy\",\"statement\":\"Enable IAM User Permissions\","
                + "\"index\":0,\"effect\":\"Allow\",\"conditional\":false}]");
        assertThat(o.get("residual").size()).isEqualTo(0);
        assertThat(o.get("matchesExpected").asBoolean()).isTrue();
    }

    @Test
    void anArrayPrintsAnArrayAndAMismatchExitsOne() throws Exception {
        Path f = file("two.json", "[" + kmsCase("allowed", "kms:CreateGrant", "ALLOWED") + ","
                + kmsCase("wrong expectation", "ec2:*", "ALLOWED") + "]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(1);
        JsonNode a = JSON.readTree(r.out());
        assertThat(a.isArray()).isTrue();
        assertThat(a.size()).isEqualTo(2);
        assertThat(a.get(0).get("matchesExpected").asBoolean()).isTrue();
        assertThat(a.get(1).get("decision").asText()).isEqualTo("IMPLICIT_DENY");
        assertThat(a.get(1).get("decidedBy").toString()).isEqualTo("[\"identity\"]");
        assertThat(a.get(1).get("matchesExpected").asBoolean()).isFalse();
        assertThat(a.get(1).get("mismatches").toString())
                .isEqualTo("[\"decision: expected ALLOWED, got IMPLICIT_DENY\"]");
    }

    @Test
    void explainPrintsLayerByLayerText() throws Exception {
        Path f = file("one.json", kmsCase("allowed", "kms:CreateGrant", "ALLOWED"));
        Result r = run("simulate", f.toString(), "--explain");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).isEqualTo("""
                case 0: allowed
                  request: arn:aws:iam::111122223333:user/john -> kms:CreateGrant on arn:aws:kms:us-east-1:111122223333:key/k1
                  decision: ALLOWED (decided by identity, resource)
                    identity  allow=yes deny=no
                        Allow Ec2AndKms#Use
                    boundary  not applied: no permissions boundary
                    session   not applied: no session policy
                    scp       allow=yes deny=no  (every level must allow)
                        Allow FullAWSAccess#0  (at root)
                    rcp       not applied: no resource control policies apply
                    resource  allow=yes deny=no  (delegates to the account's iam policies)
                        Allow key-policy#Enable IAM User Permissions
                    grant     not applied: no grants
                    keyState  `Enabled`: key usable
                  key usable: yes
                  expected: matches

                """);
    }

    @Test
    void malformedCaseExits64NamingCaseAndField() throws Exception {
        String bad = kmsCase("second", "kms:CreateGrant", "ALLOWED").replace("\"action\": \"kms:CreateGrant\",", "");
        Path f = file("bad.json", "[" + kmsCase("first", "kms:CreateGrant", "ALLOWED") + "," + bad + "]");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("cmk-audit: " + f + ": case 1 (`second`): field `request.action` is missing"
                + System.lineSeparator());
    }

    @Test
    void misspeltFieldsAndBadValuesAreMalformed() throws Exception {
        Path f = file("typo.json", kmsCase("typo", "kms:CreateGrant", "ALLOWED")
                .replace("\"expected\": {\"decision\": \"ALLOWED\"}", "\"expected\": {\"decison\": \"ALLOWED\"}"));
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(r.err()).contains("case 0 (`typo`): field `expected.decison` is not a field of the simulate format");
        Path g = file("layer.json", kmsCase("layer", "kms:CreateGrant", "ALLOWED")
                .replace("\"expected\": {\"decision\": \"ALLOWED\"}",
                        "\"expected\": {\"decision\": \"ALLOWED\", \"decidedBy\": [\"iam\"]}"));
        r = run("simulate", g.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(r.err()).contains("case 0 (`layer`): field `expected.decidedBy[0]` must be one of identity, "
                + "boundary, session, scp, rcp, resource, grant, keyState, not `iam`");
    }

    @Test
    void invalidJsonAndMissingFilesExit64() throws Exception {
        Path f = file("broken.json", "{\"name\": ");
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(64);
        assertThat(r.err()).startsWith("cmk-audit: " + f + ": invalid json at line 1, column ");
        Result missing = run("simulate", dir.resolve("nope.json").toString());
        assertThat(missing.code()).isEqualTo(64);
        assertThat(missing.err()).isEqualTo("cmk-audit: " + dir.resolve("nope.json") + ": no such file"
                + System.lineSeparator());
    }

    @Test
    void malformedPolicyDocumentIsNotAMalformedCase() throws Exception {
        Path f = file("policy.json", kmsCase("typo in policy", "kms:CreateGrant", "CONDITIONAL")
                .replace("\"Action\": \"kms:CreateGrant\", \"Resource\": \"*\"}",
                        "\"Action\": \"kms:CreateGrant\", \"Resource\": \"*\", "
                                + "\"Condition\": {\"StringEqualz\": {\"aws:username\": \"john\"}}}"));
        Result r = run("simulate", f.toString());
        assertThat(r.code()).isEqualTo(0);
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("decision").asText()).isEqualTo("CONDITIONAL");
        assertThat(o.get("diagnostics").get(0).get("code").asText()).isEqualTo("UNKNOWN_OPERATOR");
        assertThat(o.get("diagnostics").get(0).get("path").asText()).isEqualTo("Statement[0].Condition.StringEqualz");
        assertThat(o.get("residual").get(0).get("reason").asText()).isEqualTo("UNPARSEABLE");
    }

    @Test
    void theDesignExampleFileRuns() throws Exception {
        Path f = Path.of("src/test/resources/evaluation-cases/engine-basics/kms-same-account.json");
        Result r = run("simulate", f.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isEqualTo(0);
        assertThat(JSON.readTree(r.out()).size()).isEqualTo(6);
    }
}
