package io.cmkaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Issue 14 item 3: credentials and signatures never reach the log, at any level, in text or JSON lines, from our
 * loggers or the libraries'. A sentinel token is logged in every shape the AWS SDK and the Apache HTTP client use.
 */
class LogRedactionTest {

    static final String SENTINEL = "IQoJSENTINELb3JpZ2luX2VjEHwaCXVzLWVhc3QtMSJHMEUCIQDsentinel0token";
    static final String SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    /** Every way the secret shows up in SDK, HTTP client and our own log lines. */
    static final List<String> SHAPES = List.of(
            "http-outgoing-0 >> x-amz-security-token: " + SENTINEL,
            "http-outgoing-0 >> \"X-Amz-Security-Token: " + SENTINEL + "[\\r][\\n]\"",
            "http-outgoing-0 >> Authorization: AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261204/us-east-1/sts/aws4_request, "
                    + "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=" + SIGNATURE + " " + SENTINEL,
            "GET https://bucket.s3.amazonaws.com/k?X-Amz-Security-Token=" + SENTINEL + "&X-Amz-Signature=" + SIGNATURE,
            "http-outgoing-1 << \"<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>" + SENTINEL
                    + "</SecretAccessKey><SessionToken>" + SENTINEL + "</SessionToken></Credentials>\"",
            "{\"Credentials\":{\"SecretAccessKey\":\"" + SENTINEL + "\",\"SessionToken\":\"" + SENTINEL + "\"}}",
            "aws_secret_access_key=" + SENTINEL + " aws_session_token = " + SENTINEL,
            "headers={x-amz-security-token=[" + SENTINEL + "], Authorization=[AWS4-HMAC-SHA256 Signature=" + SIGNATURE + "]}");

    private final PrintStream originalErr = System.err;

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        LoggingSetup.configure(-1, LoggingSetup.Format.text);
    }

    private String captureEveryLevel(LoggingSetup.Format format) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        LoggingSetup.configure(2, format);
        // TRACE is below -vv's DEBUG: raise the loggers to TRACE so that level is scanned too
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.TRACE);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.cmkaudit"))
                .setLevel(ch.qos.logback.classic.Level.TRACE);
        for (String logger : List.of("software.amazon.awssdk.request", "org.apache.http.wire", "io.cmkaudit.collect")) {
            Logger log = LoggerFactory.getLogger(logger);
            for (Level level : Level.values()) {
                for (String shape : SHAPES) {
                    log.atLevel(level).log("{}", shape);
                    log.atLevel(level).setCause(new IllegalStateException("call failed: " + shape)).log("failure");
                }
            }
        }
        System.err.flush();
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noLevelOfTextLogsShowsTheSentinel() {
        String log = captureEveryLevel(LoggingSetup.Format.text);
        for (String level : List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR")) {
            assertThat(log).contains(level + " ");
        }
        assertThat(log).doesNotContain(SENTINEL).doesNotContain(SIGNATURE).contains(Redaction.MASK)
                .contains("x-amz-security-token: " + Redaction.MASK).contains("AccessKeyId>ASIAEXAMPLE");
    }

    @Test
    void noLevelOfJsonLogsShowsTheSentinel() {
        String log = captureEveryLevel(LoggingSetup.Format.json);
        assertThat(log).contains("\"level\":\"TRACE\"").contains("\"level\":\"ERROR\"");
        assertThat(log).doesNotContain(SENTINEL).doesNotContain(SIGNATURE).contains(Redaction.MASK);
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        String line = "KMS.GetKeyPolicy: User arn:aws:sts::111122223333:assumed-role/audit/cmk-audit is not "
                + "authorized to perform kms:GetKeyPolicy; token bucket empty; Signature check skipped";
        assertThat(Redaction.redact(line)).isEqualTo(line);
    }

    @Test
    void theCommandLineAtVerbosity2RedactsTheScannersOwnSessionToken() {
        // -vv logs the SDK's requests; the config command needs no AWS, so this checks the wiring of Main
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        StringWriter out = new StringWriter();
        Main.run(new String[] {"-vv", "config"}, new PrintWriter(out), new PrintWriter(new StringWriter()));
        LoggerFactory.getLogger("org.apache.http.headers").debug("http-outgoing-3 >> x-amz-security-token: {}", SENTINEL);
        System.err.flush();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("x-amz-security-token: " + Redaction.MASK)
                .doesNotContain(SENTINEL);
    }
}
