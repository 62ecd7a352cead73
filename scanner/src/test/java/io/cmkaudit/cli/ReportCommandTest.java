package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report} and {@code explain} on the embedded sample organization and on files. */
class ReportCommandTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static Snapshot sample() throws Exception {
        try (InputStream in = ReportCommandTest.class.getResourceAsStream(SnapshotSource.SAMPLE)) {
            return SnapshotJson.read(in);
        }
    }

    @Test
    void reportWithoutSnapshotAnalyzesTheSampleAndWritesEveryFormat(@TempDir Path dir) throws Exception {
        Result r = run("report", "--out", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.err()).isEmpty();
        List<Path> folders;
        try (Stream<Path> s = Files.list(dir)) {
            folders = s.toList();
        }
        assertThat(folders).hasSize(1);
        Path run = folders.get(0);
        assertThat(run.getFileName().toString()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z");
        try (Stream<Path> s = Files.list(run)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("coverage.csv", "findings.csv", "findings.json", "findings.xlsx", "manifest.json",
                            "report.html");
        }
        String nl = System.lineSeparator();
        assertThat(r.out()).startsWith("cmk-audit report: " + run + nl);
        assertThat(r.out()).contains("  accounts          5 (5 fully scanned)" + nl);
        assertThat(r.out()).contains("  instances         9 (7 with customer managed keys, 1 AWS managed key only, "
                + "1 unencrypted)" + nl);
        assertThat(r.out()).contains("  open findings     40 (CRITICAL 1, HIGH 29, MEDIUM 10, LOW 0, INFO 0); "
                + "suppressed 0" + nl);
        // the count column is aligned after the longest type name (IDENTITY_CENTER_PROVISIONING_DRIFT, 34)
        assertThat(r.out()).contains("    START_BLOCKED_KMS_DENIED           8" + nl,
                "    IDENTITY_CENTER_PROVISIONING_DRIFT 1" + nl);
        assertThat(r.out()).contains("    LAUNCH_BLOCKED_KMS_DENIED          1" + nl);
        assertThat(r.out()).contains("  coverage          complete" + nl);
        assertThat(r.out()).endsWith("  report            " + run.resolve("report.html") + nl);
        JsonNode doc = new ObjectMapper().readTree(run.resolve("findings.json").toFile());
        assertThat(doc.get("schemaVersion").asInt()).isEqualTo(3);
        // the launch scenario's finding, confirmed by the failure AWS recorded: JSON, CSV and HTML say so
        JsonNode launch = null;
        for (JsonNode f : doc.get("findings")) {
            if ("LAUNCH_BLOCKED_KMS_DENIED".equals(f.get("type").asText())) {
                launch = f;
            }
        }
        assertThat(launch).isNotNull();
        assertThat(launch.get("launchSources").get(0).get("id").asText()).isEqualTo("web-asg");
        assertThat(launch.get("confirmed").get("code").asText()).isEqualTo("Client.InternalError");
        assertThat(launch.get("confirmed").get("time").asText()).isEqualTo("2026-11-29T18:40:02Z");
        try (org.apache.commons.csv.CSVParser csv = org.apache.commons.csv.CSVFormat.RFC4180.builder().setHeader()
                .setSkipHeaderRecord(true).get().parse(Files.newBufferedReader(run.resolve("findings.csv")))) {
            var records = csv.getRecords();
            var row = records.stream().filter(x -> x.get("type").equals("LAUNCH_BLOCKED_KMS_DENIED"))
                    .findFirst().orElseThrow();
            // the permission set PowerUser's finding is one row for its two accounts: each instance's account
            var ps = records.stream().filter(x -> x.get("permission_set_name").equals("PowerUser")
                    && x.get("deciding_layer").equals("identity")).findFirst().orElseThrow();
            java.util.List<String> ids = java.util.List.of(ps.get("instance_id").split("; "));
            java.util.List<String> accounts = java.util.List.of(ps.get("instance_account_id").split("; "));
            assertThat(accounts).hasSameSizeAs(ids).hasSize(3).doesNotContain(ps.get("account_id"));
            assertThat(new java.util.TreeSet<>(accounts)).hasSize(2);
            for (JsonNode f : doc.get("findings")) {
                if ("PowerUser".equals(f.path("permissionSetName").asText())
                        && f.get("type").asText().equals(ps.get("type"))
                        && f.get("findingId").asText().equals(ps.get(0))) {
                    for (JsonNode i : f.get("instances")) {
                        assertThat(accounts.get(ids.indexOf(i.get("instanceId").asText())))
                                .isEqualTo(i.get("accountId").asText());
                    }
                }
            }
            assertThat(row.get("confirmed")).isEqualTo("true");
            assertThat(row.get("confirmed_event")).startsWith("Client.InternalError: Instance became unhealthy")
                    .contains("2026-11-29T18:40:02Z, scaling activity ");
            assertThat(row.get("launch_sources")).isEqualTo("auto_scaling_group:web-asg");
        }
        String html = Files.readString(run.resolve("report.html"));
        assertThat(html).contains("<span class=\"confirmed\"", "<code class=\"launch-source\">auto_scaling_group:web-asg</code>");
        // the badge is in the finding's summary row of the open findings, not only in its collapsed details
        int at = html.indexOf("<tr class=\"summary", html.indexOf("data-fid=\"" + launch.get("findingId").asText()
                + "\""));
        assertThat(html.substring(at, html.indexOf("</tr>", at))).contains("<span class=\"confirmed\"");
        assertThat(doc.get("findings").size()).isEqualTo(40);
        // an explanation that counts "N principals (listed)" points to a principals list of N; fewer are named
        java.util.regex.Pattern counted = java.util.regex.Pattern.compile("(\\d+) principals \\(listed\\)");
        int named = 0;
        for (JsonNode f : doc.get("findings")) {
            String why = f.get("explanation").asText();
            var m = counted.matcher(why);
            if (m.find()) {
                assertThat(f.get("principals").size()).as(why).isEqualTo(Integer.parseInt(m.group(1)));
            }
            if (f.path("permissionSet").path("roleArns").size() > 1) {
                // the merged permission-set finding names its roles (its principals[] is the permission set)
                for (JsonNode role : f.get("permissionSet").get("roleArns")) {
                    if (why.contains(role.asText())) {
                        named++;
                    }
                }
            }
        }
        assertThat(named).isGreaterThan(0);
        // the permission-set fix grants exactly on the keys its finding lists (least privilege), not on every key of
        // the provisioned accounts
        int permissionSetFixes = 0;
        for (JsonNode f : doc.get("findings")) {
            if (f.path("permissionSetArn").isTextual() && f.path("remediationPolicy").isTextual()) {
                List<String> keys = f.get("keys").findValuesAsText("keyArn");
                for (JsonNode st : new ObjectMapper().readTree(f.get("remediationPolicy").asText()).get("Statement")) {
                    // identity statements (a key-policy statement's Resource "*" is its key)
                    if (st.path("Action").asText().equals("kms:CreateGrant") && !st.has("Principal")) {
                        List<String> resources = new java.util.ArrayList<>();
                        if (st.get("Resource").isArray()) {
                            st.get("Resource").forEach(k -> resources.add(k.asText()));
                        } else {
                            resources.add(st.get("Resource").asText());
                        }
                        assertThat(resources).as(f.get("findingId").asText()).containsExactlyInAnyOrderElementsOf(keys);
                        permissionSetFixes++;
                    }
                }
            }
        }
        assertThat(permissionSetFixes).isPositive();
        // every instance a finding lists names the account it is in, as the snapshot has it: a permission set's
        // finding (whose own account is the Identity Center administrator's) lists instances of two other accounts
        java.util.Map<String, String> accountOfInstance = new java.util.HashMap<>();
        sample().accounts().forEach(a -> a.regions().forEach(rg -> rg.instances().forEach(i ->
                accountOfInstance.put(i.instanceId(), a.accountId()))));
        java.util.Set<String> blockedIds = new java.util.TreeSet<>();
        java.util.Set<String> elsewhere = new java.util.TreeSet<>();
        for (JsonNode f : doc.get("findings")) {
            for (JsonNode i : f.get("instances")) {
                String id = i.get("instanceId").asText();
                assertThat(i.get("accountId").asText()).as(id).isEqualTo(accountOfInstance.get(id));
                if (!i.get("accountId").asText().equals(f.get("accountId").asText())) {
                    elsewhere.add(id);
                }
                if (f.get("type").asText().startsWith("START_BLOCKED")) {
                    blockedIds.add(id);
                }
            }
        }
        assertThat(elsewhere).isNotEmpty();
        // the tile counts each instance once, wherever findings list it (instance ids are unique)
        String tile = html.substring(0, html.indexOf("tile-label\">instances will fail to start"));
        tile = tile.substring(tile.lastIndexOf("tile-num\">") + "tile-num\">".length());
        assertThat(tile.substring(0, tile.indexOf('<'))).isEqualTo(String.valueOf(blockedIds.size()));
        assertThat(doc.get("summary").get("instancesInScope").asInt()).isEqualTo(7);
        // one row per account coverage entry, plus the run-wide IAM Identity Center row (the sample has its data)
        int identityCenter = 0;
        for (JsonNode c : doc.get("coverage")) {
            identityCenter += "identity-center".equals(c.get("region").asText()) ? 1 : 0;
        }
        assertThat(sample().identityCenter()).isNotNull();
        assertThat(identityCenter).isEqualTo(1);
        assertThat(doc.get("coverage").size()).isEqualTo(sample().accounts().stream()
                .mapToInt(a -> a.coverage().size()).sum() + identityCenter);
        assertThat(doc.get("run").get("organizationId").asText()).isEqualTo(sample().organization().id());
    }

    @Test
    void anEntryInvalidInTwoFieldsCountsAsOneInvalidEntry(@TempDir Path dir) throws Exception {
        Path sup = Files.writeString(dir.resolve("sup.yaml"), """
                suppressions:
                  - type: NOT_A_TYPE
                    reason: r
                    owner: o
                    expires: tomorrow
                  - type: KMS_DECRYPT_ALL_KEYS
                    reason: r
                    owner: o
                    expires: 2099-01-01
                """);
        Result r = run("report", "--out", dir.resolve("out").toString(), "--fail-on", "NONE", "--suppressions",
                sup.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        // two warnings (one per field), one invalid entry
        assertThat(r.err().lines().filter(l -> l.contains("entry 1 (line 2)"))).hasSize(2);
        assertThat(r.out()).contains("  suppressions      1 invalid, 0 expired entries ignored");
        // the sample's 7 KMS_DECRYPT_ALL_KEYS findings are suppressed: the per-type counts under "open findings"
        // leave them out (they add up to the open count)
        assertThat(r.out()).contains("  open findings     33 (", "; suppressed 7");
        assertThat(r.out()).doesNotContain("    KMS_DECRYPT_ALL_KEYS ");
        assertThat(r.out().lines().filter(l -> l.matches("    [A-Z_]+ +\\d+"))
                .mapToInt(l -> Integer.parseInt(l.trim().replaceAll(".* ", ""))).sum()).isEqualTo(33);
        Path run;
        try (Stream<Path> s = Files.list(dir.resolve("out"))) {
            run = s.findFirst().orElseThrow();
        }
        String html = Files.readString(run.resolve("report.html"));
        assertThat(html).contains("Suppressions file needs attention: 0 expired, 1 invalid, 0 unused.",
                "0 expired, 1 invalid, 0 unused</span>");
        assertThat(html).doesNotContain("2 invalid");
    }

    @Test
    void previousLatestDiffsAgainstTheNewestRunFolder(@TempDir Path dir) {
        run("report", "--sample", "--out", dir.toString(), "--fail-on", "NONE");
        Result second = run("report", "--sample", "--out", dir.toString(), "--previous", "latest");

        assertThat(second.out()).contains("  since previous    new 0, changed 0, unchanged 40, resolved 0"
                + System.lineSeparator());
    }

    @Test
    void failOnNoneExitsZeroAndEveryRunGetsItsOwnFolder(@TempDir Path dir) throws Exception {
        Result first = run("report", "--sample", "--out", dir.toString(), "--fail-on", "NONE");
        Result second = run("report", "--sample", "--out", dir.toString(), "--fail-on", "NONE");

        assertThat(first.code()).isEqualTo(ExitCodes.OK);
        assertThat(second.code()).isEqualTo(ExitCodes.OK);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(2);
        }
    }

    @Test
    void failOnCriticalCountsOnlyCriticalFindings(@TempDir Path dir) {
        assertThat(run("report", "--out", dir.toString(), "--fail-on", "critical").code())
                .isEqualTo(ExitCodes.FINDINGS);
    }

    @Test
    void reportOnASnapshotFileAnalyzesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("org.json");
        SnapshotJson.write(sample(), file);

        Result r = run("report", file.toString(), "--out", dir.resolve("out").toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.out()).contains("  open findings     40 (CRITICAL 1, HIGH 29, MEDIUM 10, LOW 0, INFO 0)");
    }

    @Test
    void htmlMaxRowsLimitsThePageAndTheSummarySaysSo(@TempDir Path dir) throws Exception {
        Result r = run("report", "--sample", "--out", dir.toString(), "--fail-on", "NONE", "--html-max-rows", "2");

        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        Path runDir;
        try (Stream<Path> s = Files.list(dir)) {
            runDir = s.findFirst().orElseThrow();
        }
        String html = Files.readString(runDir.resolve("report.html"));
        // the sample's 40 open findings (one per fix) fall into 20 (type, account) groups: 13 of 1, 4 of 2, then 3, 6
        // and 10; at most 2 of each: 13 + 8 + 3 x 2 = 27 rows
        assertThat(html.split("<tbody class=\"finding\"", -1).length - 1).isEqualTo(27);
        assertThat(r.out()).endsWith("  report            " + runDir.resolve("report.html") + System.lineSeparator()
                + "                    lists 27 of 40 findings (--html-max-rows, --html-max-total-rows); all are "
                + "in findings.csv / findings.json" + System.lineSeparator());
        JsonNode doc = new ObjectMapper().readTree(runDir.resolve("findings.json").toFile());
        assertThat(doc.get("findings").size()).isEqualTo(40);
        try (org.apache.commons.csv.CSVParser csv = org.apache.commons.csv.CSVFormat.RFC4180.builder().setHeader()
                .setSkipHeaderRecord(true).get().parse(Files.newBufferedReader(runDir.resolve("findings.csv")))) {
            assertThat(csv.getRecords()).hasSize(40);
        }

        Result total = run("report", "--sample", "--out", dir.toString(), "--fail-on", "NONE",
                "--html-max-total-rows", "5");
        assertThat(total.out()).contains("lists 5 of 40 findings");
        Result unlimited = run("report", "--sample", "--out", dir.toString(), "--fail-on", "NONE",
                "--html-max-rows", "0", "--html-max-total-rows", "0");
        assertThat(unlimited.out()).doesNotContain("lists ");
    }

    @Test
    void negativeHtmlRowLimitIsAUsageError(@TempDir Path dir) {
        Result r = run("report", "--sample", "--out", dir.toString(), "--html-max-rows", "-1");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: --html-max-rows: must be 0 (no limit) or a positive number, got -1"
                + System.lineSeparator());
        assertThat(run("report", "--sample", "--out", dir.toString(), "--html-max-total-rows", "-5").err())
                .isEqualTo("cmk-audit: --html-max-total-rows: must be 0 (no limit) or a positive number, got -5"
                        + System.lineSeparator());
    }

    @Test
    void missingSnapshotIsAUsageError(@TempDir Path dir) {
        Result r = run("report", dir.resolve("nope.json").toString(), "--out", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: SNAPSHOT: no such file: `" + dir.resolve("nope.json") + "`"
                + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void malformedSnapshotIsAOneLineUsageError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"schemaVersion\": 7}");

        Result r = run("report", file.toString(), "--out", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("cmk-audit: " + file + ": schemaVersion: unsupported snapshot schemaVersion 7");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void sampleAndSnapshotTogetherIsAUsageError(@TempDir Path dir) {
        Result r = run("report", "x.json", "--sample", "--out", dir.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: give either SNAPSHOT or --sample, not both" + System.lineSeparator());
    }

    @Test
    void explainTellsWhyTheSeedUserCannotStartItsInstance() throws Exception {
        Snapshot s = sample();
        String alice = s.accounts().stream().flatMap(a -> a.iam().users().stream())
                .filter(u -> u.name().equals("alice")).findFirst().orElseThrow().arn();
        String web1 = s.accounts().stream().flatMap(a -> a.regions().stream()).flatMap(x -> x.instances().stream())
                .filter(i -> "web-1".equals(i.name())).findFirst().orElseThrow().instanceId();

        Result r = run("explain", "--sample", "--principal", alice, "--instance", web1);

        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith("principal: " + alice + " (user, account ");
        assertThat(r.out()).contains("1. ec2:StartInstances on ");
        assertThat(r.out()).contains("   decision: IMPLICIT_DENY (decided by identity)");
        assertThat(r.out()).contains("START_BLOCKED_KMS_DENIED - " + alice + " can start the instance");
        assertThat(r.out()).contains("\"Sid\": \"AllowEc2AttachCmkVolumes\"");
        // FullAWSAccess is attached at every level of the organization: each matched SCP statement says where, so
        // no two lines of a layer are the same
        List<String> scp = r.out().lines().filter(l -> l.contains("Allow SCP FullAWSAccess")).toList();
        assertThat(scp).isNotEmpty().anyMatch(l -> l.endsWith("(at root)"))
                .anyMatch(l -> l.endsWith("(at account)"));
        List<String> firstLayer = scp.subList(0, scp.indexOf(scp.stream().filter(l -> l.endsWith("(at account)"))
                .findFirst().orElseThrow()) + 1);
        assertThat(firstLayer).doesNotHaveDuplicates();
    }

    @Test
    void explainOfAnIdentityCenterRoleNamesThePermissionSetAndItsInstanceAsWhereToChange() throws Exception {
        Snapshot s = sample();
        String role = s.accounts().stream().flatMap(a -> a.iam().roles().stream())
                .filter(x -> x.name().startsWith("AWSReservedSSO_PowerUser_")).findFirst().orElseThrow().arn();
        String account = role.split(":")[4];
        String web1 = s.accounts().stream().filter(a -> a.accountId().equals(account))
                .flatMap(a -> a.regions().stream()).flatMap(x -> x.instances().stream())
                .filter(i -> "web-1".equals(i.name())).findFirst().orElseThrow().instanceId();

        Result r = run("explain", "--principal", role, "--instance", web1);

        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).containsPattern("\n     change: IAM Identity Center permission set `PowerUser` "
                + "\\(arn:aws:sso:::instance/ssoins-\\w+/ps-\\w+\\) of instance arn:aws:sso:::instance/ssoins-\\w+, "
                + "not its AWSReservedSSO_PowerUser_\\* roles in IAM\n     accounts \\(2\\): ");
        assertThat(r.out()).contains("     keys (3): ", "put-inline-policy-to-permission-set")
                .doesNotContain("cmk-audit-ec2-attach");
    }

    @Test
    void explainHelpSaysTheFixIsTheReports() {
        Result r = run("explain", "--help");

        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out().replaceAll("\\s+", " ")).contains("The fix is the report's: the finding that lists this "
                + "principal, key and instance", "once the key is Enabled");
    }

    @Test
    void explainOfAnUnknownInstanceIsAUsageError() throws Exception {
        String alice = sample().accounts().stream().flatMap(a -> a.iam().users().stream())
                .filter(u -> u.name().equals("alice")).findFirst().orElseThrow().arn();

        Result r = run("explain", "--principal", alice, "--instance", "i-nope");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: instance `i-nope` is not in the snapshot" + System.lineSeparator());
    }

    @Test
    void explainOfAnS3SnapshotSaysItReadsLocalFilesOnly() {
        Result r = run("explain", "s3://b/k.json", "--principal", "arn:aws:iam::111111111111:user/x", "--instance",
                "i-1");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: SNAPSHOT: `s3://b/k.json`: explain reads local files only; copy it "
                + "to a file first (aws s3 cp s3://b/k.json .)" + System.lineSeparator());
    }

    @Test
    void explainTakesTheSessionArnOfARole() throws Exception {
        Snapshot s = sample();
        var role = s.accounts().stream().flatMap(a -> a.iam().roles().stream())
                .filter(x -> x.name().startsWith("AWSReservedSSO_PowerUser_")).findFirst().orElseThrow();
        String account = role.arn().split(":")[4];
        String web1 = s.accounts().stream().filter(a -> a.accountId().equals(account))
                .flatMap(a -> a.regions().stream()).flatMap(x -> x.instances().stream())
                .filter(i -> "web-1".equals(i.name())).findFirst().orElseThrow().instanceId();
        String session = "arn:aws:sts::" + account + ":assumed-role/" + role.name() + "/alice@example.com";

        Result r = run("explain", "--principal", session, "--instance", web1);

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith("principal: " + role.arn() + " (role, account " + account + ")\ngiven as:  "
                + session + " (a session of this role)\n");
    }
}
