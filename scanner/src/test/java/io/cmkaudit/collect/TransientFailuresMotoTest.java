package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14 items 4 and 5 against moto_server, the faults answered by the test proxy in each protocol's error
 * shape (moto never throttles): throttling that outlasts the retries is ERROR with its cause, never
 * ASSUME_ROLE_DENIED; GetCallerIdentity failing with HTTP 503 is a temporary failure, not a credentials problem;
 * one failed DescribeOrganization does not shrink the scan to the management account.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransientFailuresMotoTest {

    static final String EU = "eu-west-1";
    static final RetryBudget FAST = new RetryBudget(4, Duration.ofMillis(10), Duration.ofMillis(40));

    /** STS / IAM (query protocol) throttling: HTTP 400, code Throttling. */
    static final AwsProxy.Answer QUERY_THROTTLING = new AwsProxy.Answer(400, "text/xml",
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
            + "<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>proxy</RequestId>"
            + "</ErrorResponse>");
    static final AwsProxy.Answer QUERY_503 = new AwsProxy.Answer(503, "text/xml",
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Receiver</Type>"
            + "<Code>ServiceUnavailable</Code><Message>Service unavailable</Message></Error>"
            + "<RequestId>proxy</RequestId></ErrorResponse>");
    /** Organizations (JSON protocol) server error. */
    static final AwsProxy.Answer JSON_503 = new AwsProxy.Answer(503, "application/x-amz-json-1.1",
            "{\"__type\":\"ServiceException\",\"Message\":\"AWS Organizations can't complete your request\"}");

    OrgSeeder org;
    OrgSeeder.Account alpha;
    OrgSeeder.Account beta;
    MotoServer moto;

    @BeforeAll
    void seed(MotoServer moto) {
        this.moto = moto;
        org = new OrgSeeder(moto.endpoint()).organization();
        alpha = org.account("alpha", "Workloads");
        beta = org.account("beta", "Workloads");
    }

    @AfterAll
    void close() {
        if (org != null) {
            org.close();
        }
    }

    Snapshot collect(Function<AwsProxy.Request, AwsProxy.Answer> answer) {
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint(), Duration.ZERO, r -> false, answer)) {
            ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", List.of(EU),
                    List.of(), List.of(), 2, "HIGH", Path.of("out"), proxy.endpoint(), 30, false);
            return new Collector(config, new CollectorOptions("9.9.9", false, OrgSeeder.MANAGEMENT_CREDENTIALS, FAST))
                    .collect(ProgressListener.NONE);
        }
    }

    @Test
    void throttledAssumeRoleIsAnErrorWithItsCauseNotADenial() {
        Snapshot s = collect(r -> r.assumesRoleIn(Set.of(beta.id())) ? QUERY_THROTTLING : null);
        AccountSnapshot b = s.account(beta.id()).orElseThrow();
        assertThat(b.coverage()).allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(CoverageStatus.ERROR);
            assertThat(c.errorCode()).isEqualTo("Throttling");
            assertThat(c.errorMessage()).contains("STS.AssumeRole").contains("Rate exceeded")
                    .contains("still failing after the retries");
        });
        assertThat(s.account(alpha.id()).orElseThrow().coverage()).extracting(Coverage::status)
                .containsOnly(CoverageStatus.SCANNED);
    }

    @Test
    void getCallerIdentityFailingWith503IsATemporaryFailure() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> collect(r -> {
            if (r.isAction("GetCallerIdentity")) {
                calls.incrementAndGet();
                return QUERY_503;
            }
            return null;
        })).isInstanceOfSatisfying(CollectException.class, e -> {
            assertThat(e.transientFailure()).isTrue();
            assertThat(e.getMessage()).startsWith("AWS STS is throttling or failing (ServiceUnavailable) beyond 4 "
                    + "attempts").doesNotContain("credentials").endsWith("run again later");
        });
        assertThat(calls.get()).isEqualTo(FAST.attempts());
    }

    /**
     * A connection dropped without an answer (found by the fault injection of FaultInjectionMotoTest): transient like
     * a 503, retried within the budget, then "run again later", never "cannot use the scanner's own credentials".
     */
    @Test
    void getCallerIdentityWhoseConnectionIsDroppedIsATemporaryFailure() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> collect(r -> {
            if (r.isAction("GetCallerIdentity")) {
                calls.incrementAndGet();
                return AwsProxy.RESET;
            }
            return null;
        })).isInstanceOfSatisfying(CollectException.class, e -> {
            assertThat(e.transientFailure()).isTrue();
            assertThat(e.getMessage()).startsWith("AWS STS is throttling or failing (ConnectionError) beyond 4 "
                    + "attempts").doesNotContain("credentials").endsWith("run again later");
        });
        // retried within the budget (before, a dropped connection was not transient: one call, then exit 64)
        assertThat(calls.get()).isEqualTo(FAST.attempts());
    }

    @Test
    void oneFailedDescribeOrganizationDoesNotShrinkTheScan() {
        AtomicInteger failures = new AtomicInteger();
        Snapshot s = collect(r -> r.target() != null && r.target().endsWith(".DescribeOrganization")
                && failures.getAndIncrement() == 0 ? JSON_503 : null);
        assertThat(failures.get()).isEqualTo(2);
        assertThat(s.organization().readable()).isTrue();
        assertThat(s.accounts()).extracting(AccountSnapshot::accountId)
                .contains(OrgSeeder.MANAGEMENT_ACCOUNT_ID, alpha.id(), beta.id());
    }

    @Test
    void organizationsFailingBeyondTheBudgetStopsTheRunAsTemporary() {
        assertThatThrownBy(() -> collect(r -> r.target() != null && r.target().endsWith(".DescribeOrganization")
                ? JSON_503 : null))
                .isInstanceOfSatisfying(CollectException.class, e -> {
                    assertThat(e.transientFailure()).isTrue();
                    assertThat(e.getMessage()).startsWith("AWS Organizations is throttling or failing");
                });
    }

    @Test
    void failuresAreClassified() {
        var throttled = software.amazon.awssdk.awscore.exception.AwsServiceException.builder().statusCode(400)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("Throttling").errorMessage("Rate exceeded").build()).build();
        var denied = software.amazon.awssdk.awscore.exception.AwsServiceException.builder().statusCode(403)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("AccessDenied").errorMessage("not authorized").build()).build();
        assertThat(AwsFailure.of("STS.AssumeRole", throttled).denied()).isFalse();
        assertThat(AwsFailure.of("STS.AssumeRole", throttled).transientFailure()).isTrue();
        assertThat(AwsFailure.of("STS.AssumeRole", denied).denied()).isTrue();
        assertThat(AwsFailure.of("STS.AssumeRole", denied).transientFailure()).isFalse();
        var dropped = software.amazon.awssdk.core.exception.SdkClientException.create("Unable to execute HTTP request",
                new org.apache.http.NoHttpResponseException("127.0.0.1:1 failed to respond"));
        assertThat(AwsFailure.of("KMS.ListGrants", dropped).code()).isEqualTo("ConnectionError");
        assertThat(AwsFailure.of("KMS.ListGrants", dropped).transientFailure()).isTrue();
        var refused = software.amazon.awssdk.core.exception.SdkClientException.create("Unable to execute HTTP request",
                new java.net.ConnectException("Connection refused"));
        assertThat(AwsFailure.of("KMS.ListGrants", refused).code()).isEqualTo("ClientError");
        assertThat(AwsFailure.of("KMS.ListGrants", refused).transientFailure()).isFalse();
    }
}
