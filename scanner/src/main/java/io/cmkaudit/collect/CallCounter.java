package io.cmkaudit.collect;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts SDK API executions per {@code Service.Operation} (e.g. {@code KMS.DescribeKey}). One execution is one call
 * or one page of a paginator; retries of the same execution are not counted. Thread-safe; one instance per run,
 * installed on every client the run builds.
 */
final class CallCounter implements ExecutionInterceptor {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        counts.computeIfAbsent(serviceName(service) + "." + operation, k -> new LongAdder()).increment();
    }

    /** The SDK's service names ({@code Ec2}, {@code Kms}) as AWS writes them ({@code EC2}, {@code KMS}). */
    static String serviceName(String sdkName) {
        return switch (sdkName) {
            case "Ec2" -> "EC2";
            case "Iam" -> "IAM";
            case "Kms" -> "KMS";
            case "Sts" -> "STS";
            case "SsoAdmin" -> "SSOAdmin";
            case "Identitystore" -> "IdentityStore";
            default -> sdkName;
        };
    }

    /**
     * @return the counts so far, sorted by name
     */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
