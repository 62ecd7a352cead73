package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --profile}, {@code --region} and {@code --regions}: bad values are usage errors (64, one line) before any
 * AWS call. The endpoint is a closed loopback port, so a call would fail with "cannot reach", not with these lines.
 */
class CredentialOptionsTest {

    static final String CLOSED = "http://127.0.0.1:9";

    @Test
    void anUnknownRegionInRegionsIsAUsageErrorBeforeAnyCall(@TempDir Path dir) {
        ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("collect", "-o", dir.resolve("s.json").toString(),
                "--endpoint-url", CLOSED, "--regions", "us-east-1,us-east-9");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("cmk-audit: --regions: unknown region `us-east-9` (known: us-east-1, us-east-2")
                .doesNotContain("reach").hasLineCount(1);
    }

    @Test
    void scanRefusesAnUnknownHomeRegionAndMixedPartitions(@TempDir Path dir) {
        ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("scan", "--out", dir.toString(),
                "--endpoint-url", CLOSED, "--region", "us-gov-west-9");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("cmk-audit: --region: unknown region `us-gov-west-9`").hasLineCount(1);

        r = ScanEndToEndMotoTest.run("scan", "--out", dir.toString(), "--endpoint-url", CLOSED,
                "--region", "us-gov-west-1", "--regions", "us-east-1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: --regions: us-east-1 is in partition aws, the home region "
                + "us-gov-west-1 in aws-us-gov; scan one partition per run\n");

        r = ScanEndToEndMotoTest.run("scan", "--out", dir.toString(), "--endpoint-url", CLOSED,
                "--regions", "cn-north-1,eu-west-1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("regions of different partitions [aws, aws-cn]").hasLineCount(1);
    }

    @Test
    void anUnreachableEndpointUrlIsAConfigurationErrorButAnUnreachableAwsEndpointIsTemporary(@TempDir Path dir) {
        // --endpoint-url that nothing answers: most likely a wrong URL, exit 64
        ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("collect", "-o", dir.resolve("s.json").toString(),
                "--endpoint-url", CLOSED, "--regions", "us-east-1");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("cmk-audit: cannot reach AWS STS in us-east-1 at " + CLOSED + ": ")
                .contains("check --endpoint-url").hasLineCount(1);

        // AWS's own endpoint unreachable (a network blip in an ECS task): exit 75, run again later. The SDK's
        // documented endpoint setting (system property aws.endpointUrl, as AWS_ENDPOINT_URL) stands in for an
        // unreachable AWS endpoint without --endpoint-url; credentials come from the SDK's system properties.
        String[] props = {"aws.endpointUrl", "aws.accessKeyId", "aws.secretAccessKey"};
        String[] values = {CLOSED, "AKIDEXAMPLE", "secret"};
        String[] saved = new String[props.length]; // other tests of this JVM set the credentials properties too
        try {
            for (int i = 0; i < props.length; i++) {
                saved[i] = System.setProperty(props[i], values[i]);
            }
            r = ScanEndToEndMotoTest.run("collect", "-o", dir.resolve("s2.json").toString(), "--regions",
                    "us-east-1", "--region", "us-east-1");
        } finally {
            for (int i = 0; i < props.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(props[i]);
                } else {
                    System.setProperty(props[i], saved[i]);
                }
            }
        }
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.TEMPORARY_FAILURE);
        assertThat(r.err()).startsWith("cmk-audit: cannot reach AWS STS in us-east-1: ")
                .contains("then run again").hasLineCount(1);
    }

    @Test
    void aNetworkFailureInsideTheSsoProviderIsTold() {
        // the SDK's IAM Identity Center provider failing to reach the portal is recognised by where it failed
        Exception portal = new Exception("Unable to execute HTTP request: portal.sso.us-east-1.amazonaws.com");
        portal.setStackTrace(new StackTraceElement[] {new StackTraceElement(
                "software.amazon.awssdk.services.sso.DefaultSsoClient", "getRoleCredentials", null, 1)});
        assertThat(io.cmkaudit.collect.Collector.fromSsoPortal(new RuntimeException("wrapped", portal))).isTrue();
        Exception sts = new Exception("Unable to execute HTTP request: sts.us-east-1.amazonaws.com");
        sts.setStackTrace(new StackTraceElement[] {new StackTraceElement(
                "software.amazon.awssdk.services.sts.DefaultStsClient", "getCallerIdentity", null, 1)});
        assertThat(io.cmkaudit.collect.Collector.fromSsoPortal(sts)).isFalse();
    }

    @Test
    void configPrintsProfileRegionSeverityAndFormats() {
        ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("config", "--profile", "gov-audit", "--region",
                "us-gov-west-1", "--regions", "us-gov-west-1,us-gov-east-1", "--severity", "medium",
                "--format", "csv,JSON");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("roleName: \"cmk-audit-read\"", "profile: \"gov-audit\"",
                "region: \"us-gov-west-1\"", "severity: \"MEDIUM\"", "formats:\n- \"csv\"\n- \"json\"\n");
    }

    @Test
    void badSeverityAndFormatAreUsageErrors() {
        ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("config", "--severity", "NONE");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: --severity: must be one of CRITICAL, HIGH, MEDIUM, LOW, INFO, got "
                + "`NONE`\n");
        r = ScanEndToEndMotoTest.run("config", "--format", "html,pdf");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("cmk-audit: --format: must be among "
                + String.join(", ", io.cmkaudit.config.ScannerConfig.FORMATS) + ", got `pdf`\n");
    }

    @Test
    void aMissingProfileIsOneLineNamingIt(@TempDir Path dir) {
        System.setProperty("aws.configFile", dir.resolve("none").toString());
        System.setProperty("aws.sharedCredentialsFile", dir.resolve("none2").toString());
        try {
            ScanEndToEndMotoTest.Result r = ScanEndToEndMotoTest.run("collect", "-o",
                    dir.resolve("s.json").toString(), "--endpoint-url", CLOSED, "--profile", "audit",
                    "--regions", "us-east-1");
            assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).startsWith("cmk-audit: --profile audit: no such profile in the AWS config or "
                    + "credentials file").hasLineCount(1);
        } finally {
            System.clearProperty("aws.configFile");
            System.clearProperty("aws.sharedCredentialsFile");
        }
    }
}
