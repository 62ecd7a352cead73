package io.cmkaudit.collect;

import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * A failed AWS call reduced to what coverage and read errors record: the operation, the AWS error code and one line.
 *
 * @param operation {@code Service.Operation}, e.g. {@code KMS.GetKeyPolicy}
 * @param code      AWS error code (e.g. {@code AccessDenied}), {@code HTTP <status>} when the service gave none, or
 *                  {@code Timeout} / {@code ClientError} for failures on the client side
 * @param message   one line: the operation, then the service's message
 * @param denied    whether the service answered with HTTP 4xx (denied, not found, bad request), not a transient
 *                  failure
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
                return new AwsFailure(operation, code, operation + ": " + oneLine(msg == null ? code : msg),
                        e.statusCode() >= 400 && e.statusCode() < 500);
            }
            if (cause instanceof ApiCallTimeoutException || cause instanceof ApiCallAttemptTimeoutException) {
                return new AwsFailure(operation, "Timeout", operation + ": " + oneLine(cause.getMessage()), false);
            }
        }
        return new AwsFailure(operation, "ClientError", operation + ": " + oneLine(String.valueOf(t.getMessage())), false);
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
