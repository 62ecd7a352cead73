package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void versionPrintsTheProjectVersion() {
        Result r = run("--version");
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith("cmk-audit " + VersionProvider.version() + System.lineSeparator());
        assertThat(VersionProvider.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"scan", "collect", "report", "explain", "simulate",
        "config"})
    void everySubcommandPrintsTheVersion(String command) {
        for (String flag : new String[] {"-V", "--version"}) {
            Result r = run(command, flag);
            assertThat(r.code()).isEqualTo(ExitCodes.OK);
            assertThat(r.out()).startsWith("cmk-audit " + VersionProvider.version() + System.lineSeparator());
        }
    }

    @Test
    void helpListsExitCodesAndSucceeds() {
        Result r = run("--help");
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("Usage: cmk-audit").contains("64   usage or configuration error");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result r = run("--no-such-option");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: Unknown option: '--no-such-option'" + System.lineSeparator()
                + "Try 'cmk-audit --help' for more information." + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMistypedOptionOfASubcommandIsOneLineWithTheSuggestionNotTheWholeHelp() {
        Result r = run("report", "--previus", "latest");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        String[] lines = r.err().split(System.lineSeparator());
        assertThat(lines[0]).isEqualTo("cmk-audit: Unknown option: '--previus'");
        assertThat(r.err()).contains("--previous").doesNotContain("Usage:");
        assertThat(lines[lines.length - 1]).isEqualTo("Try 'cmk-audit report --help' for more information.");
        assertThat(lines.length).isLessThanOrEqualTo(4);
    }

    @Test
    void reportHelpNamesEveryFileItWritesByDefault() {
        Result r = run("report", "--help");
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        String help = r.out().replaceAll("\\s+", " ");
        assertThat(help).contains("report.html", "findings.csv", "findings.xlsx", "coverage.csv", "findings.json",
                "manifest.json");
    }

    /**
     * Every {@code -o/--output} accepts an S3 object ({@code S3Objects.S3Url}), and the help says so: {@code collect
     * -o} showed {@code FILE} only (newcomer review item 15).
     */
    @Test
    void everyOutputOptionThatTakesAnS3ObjectSaysSoInItsHelp() {
        picocli.CommandLine cl = new picocli.CommandLine(new Main());
        int checked = 0;
        for (picocli.CommandLine sub : cl.getSubcommands().values()) {
            picocli.CommandLine.Model.OptionSpec o = sub.getCommandSpec().findOption("--output");
            if (o != null) {
                checked++;
                assertThat(o.paramLabel()).as(sub.getCommandName() + " -o").endsWith("|s3://BUCKET/KEY");
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(4);
        Result r = run("collect", "--help");
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("-o, --output=FILE|s3://BUCKET/KEY");
    }

    @Test
    void badConfigFileGivesOneLineAndExit64(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("scanner.yaml");
        Files.writeString(f, "roleName: Audit\nconcurrency: lots\n");
        Result r = run("config", "--config", f.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: " + f + ":2: concurrency: wrong type: expected a whole number"
                + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void commandLineOverridesTheConfigFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("scanner.yaml");
        Files.writeString(f, "roleName: FromFile\nconcurrency: 4\nregions: [eu-west-1]\n");
        Result r = run("config", "--config", f.toString(), "--concurrency", "16", "--role-name", "FromCli");
        assertThat(r.code()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("roleName: \"FromCli\"").contains("concurrency: 16")
                .contains("- \"eu-west-1\"");
    }

    @Test
    void badOptionValueIsAUsageError() {
        Result r = run("config", "--fail-on", "SEVERE");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("cmk-audit: --fail-on: must be one of");
    }

    @Test
    void jsonLogFormatWritesUsageErrorsAsJsonLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("scanner.yaml");
        Files.writeString(f, "concurrency: lots\n");
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        Result r;
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            r = run("--log-format", "json", "config", "--config", f.toString());
        } finally {
            System.setErr(saved);
        }
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEmpty();
        String line = captured.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("ERROR");
        assertThat(json.get("formattedMessage").asText())
                .isEqualTo(f + ":1: concurrency: wrong type: expected a whole number");
        // ISO-8601 UTC to the millisecond, not epoch milliseconds
        assertThat(json.get("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z");
        java.time.Instant.parse(json.get("timestamp").asText());
    }

    @Test
    void jsonLogFormatWritesWarningsAsJsonLinesToo(@TempDir Path dir) throws Exception {
        // newcomer review: the suppressions warnings were plain text under --log-format json
        Path sup = Files.writeString(dir.resolve("sup.yaml"), """
                suppressions:
                  - type: KMS_DECRYPT_ALL_KEYS
                    reason: r
                    expires: 2099-01-01
                """);
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        Result r;
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            r = run("--log-format", "json", "report", "--out", dir.resolve("out").toString(), "--fail-on", "NONE",
                    "--suppressions", sup.toString());
        } finally {
            System.setErr(saved);
            LoggingSetup.configure(0, LoggingSetup.Format.text);
        }
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).as("nothing plain on the command's stderr").isEmpty();
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.List<com.fasterxml.jackson.databind.JsonNode> events = new java.util.ArrayList<>();
        for (String line : captured.toString(java.nio.charset.StandardCharsets.UTF_8).strip().split("\n")) {
            events.add(m.readTree(line)); // every line is a JSON object
        }
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("level").asText()).isEqualTo("WARN");
            assertThat(e.get("formattedMessage").asText()).startsWith("warning: suppressions ")
                    .contains("owner");
        });
    }
}
