package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistakes of the user give exit code 64 and one line naming what is wrong, never a Java exception name. */
class UserErrorsTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static void copyTemplates(Path to) throws IOException {
        Path from = Path.of("..", "report-templates");
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    @Test
    void outUnderAFileIsAUsageError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("afile"), "x");
        Result r = run("report", "--out", dir.resolve("afile/sub").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: --out: cannot create folder `" + dir.resolve("afile/sub")
                + "`: Not a directory" + System.lineSeparator());
    }

    @Test
    void outInProcIsAUsageError() {
        Result r = run("report", "--out", "/proc/nope");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: --out: cannot create folder `/proc/nope`: the file system refused "
                + "it" + System.lineSeparator());
    }

    @Test
    void aTemplatesFolderWithoutAnyTemplateFileIsAUsageError(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectories(dir.resolve("tpl"));
        Files.writeString(empty.resolve("report.htm"), "<html></html>");

        Result r = run("-q", "report", "--out", dir.resolve("out").toString(), "--templates", empty.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: " + empty + ": templates directory has none of report.html, "
                + "report.css, report.js (each one found there replaces the built-in one; start from a copy of "
                + "report-templates/)" + System.lineSeparator());
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void templateSyntaxErrorIsAUsageErrorNamingFileAndLine(@TempDir Path dir) throws IOException {
        Path t = dir.resolve("tpl");
        copyTemplates(t);
        String html = Files.readString(t.resolve("report.html"));
        int at = html.indexOf("</body>");
        Files.writeString(t.resolve("report.html"), html.substring(0, at) + "<div th:text=\"${foo.bar(}\">x</div>\n"
                + html.substring(at));

        Result r = run("-q", "report", "--out", dir.resolve("out").toString(), "--templates", t.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("cmk-audit: " + t.resolve("report.html") + ":");
        assertThat(r.err()).contains(": template error: ").doesNotContain("Exception:");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void collectToAFolderIsAUsageErrorAndWritesNothing(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("out"));
        Result r = run("collect", "-o", folder.toString(), "--endpoint-url", "http://127.0.0.1:9");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: -o: `" + folder + "` is a folder; name the snapshot file, e.g. `"
                + folder.resolve("snapshot.json") + "`" + System.lineSeparator());
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("out");
        }
    }

    @Test
    void collectToTheRootFolderIsAUsageError() {
        Result r = run("collect", "-o", "/", "--endpoint-url", "http://127.0.0.1:9");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: -o: `/` is a folder; name the snapshot file, e.g. `/snapshot.json`"
                + System.lineSeparator());
    }

    @Test
    void collectUnderAFileIsAUsageError(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "x");
        Result r = run("collect", "-o", file.resolve("x.json").toString(), "--endpoint-url", "http://127.0.0.1:9");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: -o: `" + file + "` is a file, not a folder" + System.lineSeparator());
    }

    @Test
    void reportAcceptsAScanRunFolderAndUsesItsSnapshot(@TempDir Path dir) throws IOException {
        Path runDir = Files.createDirectories(dir.resolve("2026-11-29T20-03-01Z"));
        try (java.io.InputStream in = UserErrorsTest.class.getResourceAsStream(SnapshotSource.SAMPLE)) {
            Files.copy(in, runDir.resolve("snapshot.json"));
        }
        Result r = run("-q", "report", runDir.toString(), "--out", dir.resolve("out").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.out()).contains("  accounts          5 (5 fully scanned)");

        Path empty = Files.createDirectories(dir.resolve("empty"));
        Result e = run("-q", "report", empty.toString(), "--out", dir.resolve("out").toString());
        assertThat(e.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(e.err()).isEqualTo("cmk-audit: SNAPSHOT: `" + empty + "` is a folder without snapshot.json (a "
                + "scan run folder keeps one unless run with --no-snapshot)" + System.lineSeparator());
    }

    @Test
    void invalidAndExpiredSuppressionsAreOneWarningEachAndCounted(@TempDir Path dir) throws IOException {
        Path sup = dir.resolve("sup.yaml");
        Files.writeString(sup, """
                suppressions:
                  - type: KMS_DECRYPT_ALL_KEYS
                    reason: r
                    owner: o
                    expires: 2020-01-01
                  - type: KMS_DECRYPT_ALL_KEYS
                    reason: r
                    owner: o
                    expires: 2099-02-30
                """);
        Result r = run("-q", "report", "--out", dir.resolve("out").toString(), "--suppressions", sup.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        List<String> err = r.err().lines().toList();
        assertThat(err).hasSize(2);
        assertThat(err.get(0)).isEqualTo("cmk-audit: warning: suppressions " + sup + ": entry 2 (line 6): field "
                + "`expires`: not a date YYYY-MM-DD: `2099-02-30` (entry ignored)");
        assertThat(err.get(1)).isEqualTo("cmk-audit: warning: suppressions " + sup + ": entry 1 (line 2) expired on "
                + "2020-01-01 (no longer suppresses; 7 finding(s) match it)");
        assertThat(r.out()).contains("  suppressions      1 invalid, 1 expired entries ignored (see the warnings)"
                + System.lineSeparator());
    }

    @Test
    void entriesThatMatchNoFindingAreOneWarningWithTheirCountAndTheFirstFive(@TempDir Path dir) throws IOException {
        Path sup = dir.resolve("sup.yaml");
        StringBuilder yaml = new StringBuilder("suppressions:\n");
        for (int i = 0; i < 7; i++) {
            yaml.append("  - account_id: \"99999999999").append(i).append("\"\n    reason: r\n    owner: o\n"
                    + "    expires: 2099-01-01\n");
        }
        Files.writeString(sup, yaml.toString());
        Result r = run("-q", "report", "--out", dir.resolve("out").toString(), "--suppressions", sup.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.err().lines().toList()).containsExactly("cmk-audit: warning: suppressions " + sup + ": 7 entries "
                + "match no finding: entry 1 (line 2), entry 2 (line 6), entry 3 (line 10), entry 4 (line 14), "
                + "entry 5 (line 18) and 2 more (findings.json lists them)");
    }
}
