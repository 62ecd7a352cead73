package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code report --previous s3://…} against moto: an object (where {@code --upload} put an earlier run folder), and a
 * prefix ending in {@code /} (the newest run folder under it of this run's organization).
 */
@ExtendWith(MotoServerExtension.class)
class PreviousRunS3Test {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NL = System.lineSeparator();

    @Test
    void previousIsReadFromAnS3ObjectOrTheNewestRunUnderAPrefix(MotoServer moto, @TempDir Path dir) throws Exception {
        Path first = PreviousRunCliTest.firstRun(dir.resolve("local"));
        byte[] mine = Files.readAllBytes(first);
        ObjectNode other = (ObjectNode) JSON.readTree(mine);
        ((ObjectNode) other.get("run")).put("organizationId", "o-6kjibesm0j");
        try (S3Client s3 = S3Client.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(OrgSeeder.MANAGEMENT_CREDENTIALS).build()) {
            s3.createBucket(r -> r.bucket("prev-runs"));
            s3.putObject(r -> r.bucket("prev-runs").key("cmk-audit/2026-12-01T06-00-00Z/findings.json"),
                    RequestBody.fromBytes(mine));
            // newer, of another organization: skipped
            s3.putObject(r -> r.bucket("prev-runs").key("cmk-audit/2026-12-02T06-00-00Z/findings.json"),
                    RequestBody.fromBytes(JSON.writeValueAsBytes(other)));
            s3.putObject(r -> r.bucket("prev-runs").key("cmk-audit/2026-12-02T06-00-00Z/report.html"),
                    RequestBody.fromString("<html/>"));
        }
        String endpoint = moto.endpoint().toString();
        String object = "s3://prev-runs/cmk-audit/2026-12-01T06-00-00Z/findings.json";

        PreviousRunCliTest.Result byObject = PreviousRunCliTest.run("report", "--sample", "--out",
                dir.resolve("a").toString(), "--previous", object, "--endpoint-url", endpoint, "--format", "json");
        assertThat(byObject.code()).as(byObject.err()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(byObject.out()).contains("  since previous    new 0, changed 0, unchanged 40, resolved 0" + NL);
        JsonNode json = JSON.readTree(PreviousRunCliTest.newest(dir.resolve("a"), "").resolve("findings.json")
                .toFile());
        assertThat(json.at("/previousRun/source").asText()).isEqualTo(object);

        PreviousRunCliTest.Result byPrefix = PreviousRunCliTest.run("report", "--sample", "--out",
                dir.resolve("b").toString(), "--previous", "s3://prev-runs/cmk-audit/", "--endpoint-url", endpoint,
                "--format", "json");
        assertThat(byPrefix.code()).as(byPrefix.err()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(byPrefix.out()).contains("  since previous    new 0, changed 0, unchanged 40, resolved 0" + NL);
        json = JSON.readTree(PreviousRunCliTest.newest(dir.resolve("b"), "").resolve("findings.json").toFile());
        assertThat(json.at("/previousRun/source").asText()).isEqualTo(object);

        // the other organization's object named directly: refused
        PreviousRunCliTest.Result refused = PreviousRunCliTest.run("report", "--sample", "--out",
                dir.resolve("c").toString(), "--previous", "s3://prev-runs/cmk-audit/2026-12-02T06-00-00Z/findings.json",
                "--endpoint-url", endpoint);
        assertThat(refused.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(refused.err()).contains("o-6kjibesm0j");

        // a missing object: one line, exit 64, before any report is written
        PreviousRunCliTest.Result missing = PreviousRunCliTest.run("report", "--sample", "--out",
                dir.resolve("d").toString(), "--previous", "s3://prev-runs/cmk-audit/nope/findings.json",
                "--endpoint-url", endpoint);
        assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).isEqualTo("cmk-audit: --previous: s3://prev-runs/cmk-audit/nope/findings.json: "
                + "no such object" + NL);
    }
}
