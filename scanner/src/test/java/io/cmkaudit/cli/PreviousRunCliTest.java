package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --previous} through the real {@code report} command on the embedded sample: runs of another organization or
 * partition (refused, or skipped by {@code latest}), findings left out by {@code --severity}, CHANGED when a fix grows,
 * paths shown as typed (newcomer review items 1, 2, 3, 13, 19).
 */
class PreviousRunCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SAMPLE_ORG = "o-23sz997f6a";
    private static final String NL = System.lineSeparator();

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static List<Path> runFolders(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** A copy of a run folder's findings.json under {@code out/name}, edited by {@code edit}. */
    static Path copyRun(Path findingsJson, Path out, String name, java.util.function.Consumer<ObjectNode> edit)
            throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(findingsJson.toFile());
        edit.accept(root);
        Path dir = Files.createDirectories(out.resolve(name));
        Path f = dir.resolve("findings.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), root);
        return f;
    }

    static Path firstRun(Path out) throws Exception {
        Result r = run("report", "--sample", "--out", out.toString(), "-q");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS);
        return runFolders(out).get(0).resolve("findings.json");
    }

    @Test
    void findingsJsonRecordsOrganizationAndPartition(@TempDir Path dir) throws Exception {
        JsonNode run = JSON.readTree(firstRun(dir).toFile()).get("run");
        assertThat(run.get("organizationId").asText()).isEqualTo(SAMPLE_ORG);
        assertThat(run.get("partition").asText()).isEqualTo("aws");
    }

    @Test
    void aPreviousRunOfAnotherOrganizationIsAUsageErrorNamingBoth(@TempDir Path dir) throws Exception {
        Path mine = firstRun(dir.resolve("out"));
        Path gov = copyRun(mine, dir, "gov", root -> {
            ((ObjectNode) root.get("run")).put("organizationId", "o-6kjibesm0j").put("partition", "aws-us-gov");
        });
        Result r = run("report", "--sample", "--out", dir.resolve("out").toString(), "--previous", gov.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("o-6kjibesm0j (partition aws-us-gov)").contains(SAMPLE_ORG + " (partition aws)")
                .contains("--previous `" + gov + "`");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(runFolders(dir.resolve("out"))).hasSize(1); // nothing written
        // the same organization in another partition (an older file: partition from its regions) is refused too
        Path otherPartition = copyRun(mine, dir, "cn", root -> {
            ObjectNode run = (ObjectNode) root.get("run");
            run.remove("partition");
            run.putArray("regions").add("cn-north-1");
        });
        Result cn = run("report", "--sample", "--out", dir.resolve("out").toString(), "--previous",
                otherPartition.toString());
        assertThat(cn.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(cn.err()).contains(SAMPLE_ORG + " (partition aws-cn)");
    }

    @Test
    void latestPicksTheNewestRunOfTheSameOrganization(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path mine = firstRun(out);
        // a newer run folder of another organization in the same --out (two scheduled jobs sharing it)
        copyRun(mine, out, "2099-01-01T00-00-00Z", root -> {
            ((ObjectNode) root.get("run")).put("organizationId", "o-6kjibesm0j").put("partition", "aws-us-gov");
            ((ArrayNode) root.get("findings")).removeAll();
        });
        // and one whose run could not read its organization: not taken by a run that could
        copyRun(mine, out, "2098-01-01T00-00-00Z", root -> {
            ((ObjectNode) root.get("run")).putNull("organizationId");
            ((ArrayNode) root.get("findings")).removeAll();
        });
        Result r = run("report", "--sample", "--out", out.toString(), "--previous", "latest");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.out()).contains("  since previous    new 0, changed 0, unchanged 40, resolved 0" + NL);
        assertThat(r.err()).isEmpty();
        JsonNode json = JSON.readTree(newest(out, "209").resolve("findings.json").toFile());
        assertThat(json.at("/previousRun/source").asText()).isEqualTo(mine.toString());
        JsonNode manifest = JSON.readTree(newest(out, "209").resolve("manifest.json").toFile());
        assertThat(manifest.at("/configuration/previous").asText()).isEqualTo("latest");
        assertThat(manifest.at("/configuration/previousUsed").asText()).isEqualTo(mine.toString());
    }

    @Test
    void latestWithOnlyOtherOrganizationsSaysSoInTheSummaryAndManifest(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path mine = firstRun(dir.resolve("elsewhere"));
        copyRun(mine, out, "2026-01-01T00-00-00Z", root ->
                ((ObjectNode) root.get("run")).put("organizationId", "o-6kjibesm0j"));
        Result r = run("report", "--sample", "--out", out.toString(), "--previous", "latest");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.out()).contains("  since previous    none: no earlier run of organization " + SAMPLE_ORG
                + " (partition aws) in `" + out + "` (1 of other organizations skipped)" + NL);
        Path written = newest(out, "2026-01-01");
        assertThat(JSON.readTree(written.resolve("findings.json").toFile()).get("previousRun").isNull()).isTrue();
        JsonNode manifest = JSON.readTree(written.resolve("manifest.json").toFile());
        assertThat(manifest.at("/configuration/previous").asText()).isEqualTo("latest");
        assertThat(manifest.at("/configuration/previousUsed").asText()).startsWith("none: no earlier run");
        // and with no run at all
        Result empty = run("report", "--sample", "--out", dir.resolve("empty").toString(), "--previous", "latest");
        assertThat(empty.out()).contains("  since previous    none: no earlier run of organization " + SAMPLE_ORG);
    }

    @Test
    void anOlderFindingsJsonWithoutOrganizationDiffsWithOneWarning(@TempDir Path dir) throws Exception {
        Path mine = firstRun(dir.resolve("out"));
        Path old = copyRun(mine, dir, "old", root -> ((ObjectNode) root.get("run")).remove("organizationId"));
        Result r = run("report", "--sample", "--out", dir.resolve("out").toString(), "--previous", old.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.out()).contains("  since previous    new 0, changed 0, unchanged 40, resolved 0" + NL);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("cmk-audit: warning: --previous `" + old + "`: the previous run records no "
                + "organization id");
    }

    @Test
    void findingsLeftOutBySeverityAreNotNewInTheNextRun(@TempDir Path dir) throws Exception {
        String out = dir.toString();
        assertThat(run("report", "--sample", "--out", out, "-q", "--format", "json").code())
                .isEqualTo(ExitCodes.FINDINGS);
        Result high = run("report", "--sample", "--out", out, "--format", "json,csv", "--severity", "HIGH",
                "--previous", "latest");
        assertThat(high.out()).contains("  since previous    new 0, changed 0, unchanged 30, resolved 0" + NL);
        JsonNode below = JSON.readTree(runFolders(dir).get(1).resolve("findings.json").toFile()).get("belowSeverity");
        assertThat(below.get("minSeverity").asText()).isEqualTo("HIGH");
        assertThat(below.get("findings")).hasSize(10);
        Result all = run("report", "--sample", "--out", out, "--format", "json", "--previous", "latest");
        assertThat(all.out()).contains("  since previous    new 0, changed 0, unchanged 40, resolved 0" + NL);
    }

    @Test
    void anOlderFindingsJsonOfASeverityRunWarnsThatItsLeftOutFindingsShowAsNew(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        assertThat(run("report", "--sample", "--out", out.toString(), "-q", "--severity", "HIGH").code())
                .isEqualTo(ExitCodes.FINDINGS);
        Path folder = runFolders(out).get(0);
        // as written before belowSeverity existed
        ObjectNode root = (ObjectNode) JSON.readTree(folder.resolve("findings.json").toFile());
        root.remove("belowSeverity");
        JSON.writeValue(folder.resolve("findings.json").toFile(), root);
        Result r = run("report", "--sample", "--out", out.toString(), "--previous", "latest", "--format", "json");
        assertThat(r.out()).contains("  since previous    new 10, changed 0, unchanged 30, resolved 0" + NL);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("cmk-audit: warning: --previous `" + folder.resolve("findings.json")
                + "`: that run wrote only findings of --severity HIGH and up");
    }

    @Test
    void aFindingWithAnotherInstanceListIsChanged(@TempDir Path dir) throws Exception {
        Path mine = firstRun(dir.resolve("out"));
        String[] id = new String[1];
        Path edited = copyRun(mine, dir, "edited", root -> {
            for (JsonNode f : root.get("findings")) {
                if (f.get("instances").size() > 1) {
                    ((ArrayNode) f.get("instances")).remove(0);
                    id[0] = f.get("findingId").asText();
                    return;
                }
            }
        });
        assertThat(id[0]).isNotNull();
        Result r = run("report", "--sample", "--out", dir.resolve("out").toString(), "--previous", edited.toString(),
                "--format", "json");
        assertThat(r.out()).contains("  since previous    new 0, changed 1, unchanged 39, resolved 0" + NL);
        JsonNode now = JSON.readTree(newest(dir.resolve("out"), "").resolve("findings.json").toFile());
        for (JsonNode f : now.get("findings")) {
            assertThat(f.get("change").asText()).as(f.get("findingId").asText())
                    .isEqualTo(f.get("findingId").asText().equals(id[0]) ? "CHANGED" : "UNCHANGED");
        }
    }

    @Test
    void aMissingPreviousFileIsShownAsTyped(@TempDir Path dir) {
        String typed = dir + "/runs//r1/findings.json";
        Result r = run("report", "--sample", "--out", dir.resolve("out").toString(), "--previous", typed);
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--previous: no such file: `" + typed + "`");
    }

    @Test
    void anS3OutIsRefusedWithWhatToDoInstead(@TempDir Path dir) {
        Result r = run("report", "--sample", "--out", "s3://runs/cmk-audit");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--out: must be a local folder, got `s3://runs/cmk-audit`")
                .contains("--upload s3://BUCKET/PREFIX").contains("--previous s3://BUCKET/PREFIX/");
    }

    /** The newest run folder of {@code out} whose name is not {@code except}'s (a hand-made one). */
    static Path newest(Path out, String except) throws Exception {
        List<Path> all = runFolders(out).stream()
                .filter(p -> except.isEmpty() || !p.getFileName().toString().startsWith(except)).toList();
        return all.get(all.size() - 1);
    }

    @Test
    void latestSaysWhichFolderItUsedWhenNewerOnesHaveNoFindingsJson(@TempDir Path dir) throws Exception {
        String out = dir.toString();
        assertThat(run("report", "--sample", "--out", out, "-q", "--format", "json").code())
                .isEqualTo(ExitCodes.FINDINGS);
        Path first = runFolders(dir).get(0);
        assertThat(run("report", "--sample", "--out", out, "-q", "--format", "ocsf,asff").code())
                .isEqualTo(ExitCodes.FINDINGS);
        Result r = run("report", "--sample", "--out", out, "--format", "json", "--previous", "latest");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(r.err()).isEqualTo("cmk-audit: warning: --previous latest: diffing against " + first
                + "; skipped 1 newer run folder without findings.json (written with a --format that has no json)"
                + NL);
        assertThat(r.out()).contains("  since previous    new 0, changed 0, unchanged 40, resolved 0" + NL);
    }

    @Test
    void latestWithOnlyFoldersWithoutFindingsJsonSaysSo(@TempDir Path dir) throws Exception {
        String out = dir.toString();
        assertThat(run("report", "--sample", "--out", out, "-q", "--format", "asff").code())
                .isEqualTo(ExitCodes.FINDINGS);
        Result r = run("report", "--sample", "--out", out, "--format", "json", "--previous", "latest");
        assertThat(r.out()).contains("(1 run folder without findings.json skipped)");
    }
}
