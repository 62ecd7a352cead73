package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.analysis.AnalysisResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14 item 1: a run whose API call counts hold a null no longer crashes findings.json. */
class FindingsJsonApiCallsTest {

    @Test
    void aNullCallCountIsLeftOutInsteadOfCrashing(@TempDir Path out) throws IOException {
        AnalysisResult sample = ReportFixtures.sample();
        Map<String, Long> calls = new HashMap<>();
        calls.put("KMS.DescribeKey", 3L);
        calls.put("EC2.DescribeVolumes", null);
        AnalysisResult.RunInfo r = sample.run();
        AnalysisResult withNull = new AnalysisResult(new AnalysisResult.RunInfo(r.scannerVersion(), r.startedAt(),
                r.finishedAt(), r.organizationId(), r.managementAccountId(), r.regions(), calls), sample.findings(),
                sample.coverage(), sample.summary());
        RunOutput run = new ReportWriter().write(withNull, new ReportOptions(out, null, null, null,
                ReportFixtures.CLOCK));
        JsonNode api = new ObjectMapper().readTree(run.findingsJson().toFile()).path("run").path("apiCalls");
        assertThat(api.get("KMS.DescribeKey").asLong()).isEqualTo(3);
        assertThat(api.has("EC2.DescribeVolumes")).isFalse();
    }
}
