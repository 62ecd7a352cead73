package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launch finding's launch sources and the failure that confirms it survive findings.json: the next run's
 * {@code --previous} reads back exactly what was written (docs/findings-json.md).
 */
class LaunchFindingsRoundTripTest {

    @TempDir
    Path out;

    @Test
    void launchSourcesAndConfirmedEventRoundTrip() throws IOException {
        Finding launch = new Finding("0123456789abcdef", FindingType.LAUNCH_BLOCKED_KMS_DENIED, Severity.HIGH,
                new Finding.Account("111122223333", "prod", "Root/Prod"), "eu-west-1",
                List.of(Finding.Resource.launchSource(Finding.ResourceKind.AUTO_SCALING_GROUP, "web", null,
                                "eu-west-1"),
                        Finding.Resource.launchSource(Finding.ResourceKind.AUTO_SCALING_GROUP, "eks-ng-1",
                                "EKS node group prod/ng-1", "eu-west-1"),
                        Finding.Resource.launchSource(Finding.ResourceKind.LAUNCH_TEMPLATE, "lt-0a1b", "ci",
                                "eu-west-1"),
                        // a group of another account than the finding's (one fix over several accounts)
                        new Finding.Resource(Finding.ResourceKind.AUTO_SCALING_GROUP, "batch", null, "eu-west-1",
                                List.of(), "444455556666")),
                new Finding.Key("arn:aws:kms:eu-west-1:111122223333:key/1", "111122223333", "Enabled"),
                new Finding.Principal("arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/"
                        + "AWSServiceRoleForAutoScaling", "service-linked-role"),
                new Finding.Details(List.of("resource"), List.of("e"), "x", "y", null),
                new Finding.Confirmed("scaling activity a1 of web", "Client.InvalidKMSKey.InvalidState",
                        "The KMS key provided is in an incorrect state", Instant.parse("2026-11-29T18:40:02Z")));
        List<Finding> findings = new ArrayList<>(ReportFixtures.sampleFindings());
        findings.add(launch);
        RunOutput run = new ReportWriter().write(ReportFixtures.result(findings, ReportFixtures.sampleCoverage()),
                new ReportOptions(out, null, null, null, ReportFixtures.CLOCK));
        PreviousRun back = PreviousRun.read(run.findingsJson());
        Finding read = back.findings().stream().map(ReportedFinding::finding)
                .filter(f -> f.findingId().equals(launch.findingId())).findFirst().orElseThrow();
        assertThat(read).isEqualTo(launch);
        assertThat(read.launchSources()).hasSize(4);
        assertThat(read.launchSources()).extracting(r -> r.accountIdOr("111122223333"))
                .containsExactly("111122223333", "111122223333", "111122223333", "444455556666");
        assertThat(read.instances()).isEmpty();
    }
}
