package io.cmkaudit.collect;

import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * A failed AWS call reduced to what coverage and read errors record: the operation, the AWS error code and one line.
 *
 * @param operation {@code Service.Operation}, e.g. {@code KMS.GetKeyPolicy}
 * @param code      AWS error code (e.g. {@code AccessDenied}), {@code HTTP <status>} when the service gave none,
 *                  {@code Timeout}, {@code ConnectionError} (the connection broke after it was made: reset, closed
 *                  without an answer) or {@code ClientError} for other failures on the client side
 * @param message   one line: the operation, then the service's message
 * @param denied    whether the service answered with HTTP 4xx (denied, not found, bad request) other than throttling:
 *                  a definite answer, not a transient failure
 */
record AwsFailure(String operation, String code, String message, boolean denied) {

    static AwsFailure of(String operation, Throwable t) {
        Throwable cause = t;
        for (int i = 0; cause != null && i < 10; i++, cause = cause.getCause()) {
            if (cause instanceof AwsServiceException e) {
                String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
                if (code == null || code.isBlank()) {
                    code = "HTTP " + e.statusCode();
                }
                String msg = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
                boolean throttled = e.isThrottlingException() || THROTTLING_CODES.contains(code);
                return new AwsFailure(operation, code, operation + ": " + oneLine(msg == null ? code : msg)
                        + (throttled || e.statusCode() >= 500 ? " (" + code + ", HTTP " + e.statusCode()
                        + ", still failing after the retries)" : ""),
                        e.statusCode() >= 400 && e.statusCode() < 500 && !throttled);
            }
            if (cause instanceof ApiCallTimeoutException || cause instanceof ApiCallAttemptTimeoutException) {
                return new AwsFailure(operation, "Timeout", operation + ": " + oneLine(cause.getMessage()), false);
            }
        }
        if (droppedConnection(t)) {
            // the request was sent but the connection broke (reset, closed without an answer, cut short): the SDK
            // retries these as transient, and a failure left after its retries is transient as well
            return new AwsFailure(operation, "ConnectionError", operation + ": " + oneLine(String.valueOf(t.getMessage()))
                    + " (connection dropped, still failing after the retries)", false);
        }
        return new AwsFailure(operation, "ClientError", operation + ": " + oneLine(String.valueOf(t.getMessage())), false);
    }

    /**
     * Whether {@code t} is a connection that broke after it was made: an {@link java.io.IOException} in the cause
     * chain other than the ones meaning the endpoint can't be reached at all (connection refused, unknown host, a
     * connect timeout), which are a configuration or network problem rather than a passing one.
     */
    static boolean droppedConnection(Throwable t) {
        boolean io = false;
        for (int i = 0; t != null && i < 10; i++, t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException
                    || t instanceof org.apache.http.conn.ConnectTimeoutException) {
                return false;
            }
            io |= t instanceof java.io.IOException;
        }
        return io;
    }

    /**
     * Throttling error codes of the services the collector calls, beside what the SDK recognizes itself (HTTP 429
     * and its own list): query-protocol {@code Throttling} (IAM, STS), EC2's {@code RequestLimitExceeded}, JSON
     * {@code ThrottlingException} (KMS) and {@code TooManyRequestsException} (Organizations)
     * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html,
     * https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html).
     */
    static final java.util.Set<String> THROTTLING_CODES = java.util.Set.of("Throttling", "ThrottlingException",
            "ThrottledException", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
            "RequestLimitExceeded", "EC2ThrottledException", "SlowDown", "PriorRequestNotComplete",
            "BandwidthLimitExceeded", "ProvisionedThroughputExceededException", "IDPCommunicationError");

    /**
     * @return whether the failure is transient (throttling, an HTTP 5xx answer, a timeout or a dropped connection):
     *         worth running again later, never a denial and never a configuration error
     */
    boolean transientFailure() {
        return !denied && !code.equals("AccessDenied") && !code.startsWith("HTTP 4")
                && (THROTTLING_CODES.contains(code) || code.startsWith("HTTP 5") || code.equals("Timeout")
                || code.equals("ConnectionError")
                || message.contains("still failing"));
    }

    /** Whether the error means the region is not enabled for the account. */
    boolean regionNotEnabled() {
        String c = code.toLowerCase(Locale.ROOT);
        return c.equals("optinrequired") || c.equals("unrecognizedclientexception") && message.contains("region");
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String flat = s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        return flat.length() > 300 ? flat.substring(0, 297) + "..." : flat;
    }
}
