package io.cmkaudit.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Projects the wall time of a collection on real AWS from the API calls a measured run made (per
 * {@code Service.Operation}), the per-call latency, the requests in flight and the quota rows that bind one caller.
 * The model of {@code docs/PERFORMANCE.md} ("Collector"): a run cannot be faster than
 * <ul>
 *   <li>its calls spread over the requests in flight: {@code calls × latency / inFlight};</li>
 *   <li>any per-caller token bucket: {@code max(0, calls − burst) / rate} for each quota row (Organizations rows, STS,
 *       IAM reads at an assumed rate; EC2, KMS, Auto Scaling and EKS buckets are per target account and region and
 *       never bind at a few calls each);</li>
 * </ul>
 * plus the critical path of one account ({@code depth × latency}). Projecting to another organization size scales
 * every per-account and per-OU call linearly (OUs in proportion to accounts) and keeps the run-wide calls
 * (caller identity, DescribeOrganization, ListRoots, ListPolicies, DescribePolicy, AWS managed policies) as they are.
 */
public final class CollectProjection {

    /**
     * A per-caller quota row.
     *
     * @param name       row name
     * @param operations the {@code Service.Operation}s drawing from it
     * @param rate       refill, requests per second
     * @param burst      bucket size
     */
    public record Row(String name, Set<String> operations, double rate, double burst) {
    }

    /** Calls that do not grow with the organization. */
    static final Set<String> RUN_WIDE = Set.of("STS.GetCallerIdentity", "Organizations.DescribeOrganization",
            "Organizations.ListRoots", "Organizations.ListPolicies", "Organizations.DescribePolicy",
            "IAM.GetPolicy", "IAM.GetPolicyVersion");

    /**
     * The per-caller rows (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html,
     * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); IAM at an assumed rate.
     *
     * @param iamRate assumed IAM read rate of the source account, requests per second
     * @return the rows
     */
    public static List<Row> rows(double iamRate) {
        return List.of(
                new Row("Organizations tree (ListParents, ListAccountsForParent, ListOrganizationalUnitsForParent)",
                        Set.of("Organizations.ListParents", "Organizations.ListAccountsForParent",
                                "Organizations.ListOrganizationalUnitsForParent"), 5, 8),
                new Row("Organizations policies (ListPolicies, ListPoliciesForTarget, ListTargetsForPolicy)",
                        Set.of("Organizations.ListPolicies", "Organizations.ListPoliciesForTarget",
                                "Organizations.ListTargetsForPolicy"), 5, 8),
                new Row("Organizations ListAccounts", Set.of("Organizations.ListAccounts"), 8, 12),
                new Row("Organizations ListChildren", Set.of("Organizations.ListChildren"), 6, 10),
                new Row("Organizations ListRoots", Set.of("Organizations.ListRoots"), 1, 2),
                new Row("Organizations DescribePolicy", Set.of("Organizations.DescribePolicy"), 2, 2),
                new Row("STS (one regional endpoint)", Set.of("STS.AssumeRole", "STS.GetCallerIdentity"), 600, 600),
                new Row("IAM reads (assumed " + fmt(iamRate) + " req/s)", Set.of("IAM.GetAccountAuthorizationDetails",
                        "IAM.GetPolicy", "IAM.GetPolicyVersion"), iamRate, iamRate));
    }

    /**
     * @param measured     calls per {@code Service.Operation} of the measured run
     * @param fromAccounts accounts scanned in the measured run
     * @param toAccounts   accounts to project to
     * @return calls per operation at {@code toAccounts}
     */
    public static Map<String, Long> scale(Map<String, Long> measured, int fromAccounts, int toAccounts) {
        Map<String, Long> out = new TreeMap<>();
        measured.forEach((op, n) -> out.put(op, RUN_WIDE.contains(op) ? n
                : Math.round((double) n * toAccounts / fromAccounts)));
        return out;
    }

    /**
     * The projection for one latency and concurrency.
     *
     * @param calls      calls per operation
     * @param latencySec seconds per call
     * @param inFlight   requests in flight
     * @param depth      round trips on one account's critical path
     * @param iamRate    assumed IAM read rate
     * @return seconds, and which bound decided, e.g. {@code 41.2 s (throughput)}
     */
    public static Result project(Map<String, Long> calls, double latencySec, int inFlight, int depth, double iamRate) {
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Double> bounds = new LinkedHashMap<>();
        bounds.put("throughput: " + total + " calls × " + fmt(latencySec * 1000) + " ms / " + inFlight + " in flight",
                total * latencySec / inFlight);
        for (Row row : rows(iamRate)) {
            long n = calls.entrySet().stream().filter(e -> row.operations().contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
            bounds.put(row.name() + ": " + n + " calls", Math.max(0, n - row.burst()) / row.rate());
        }
        Map.Entry<String, Double> worst = bounds.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        return new Result(worst.getValue() + depth * latencySec, worst.getKey(), bounds);
    }

    /**
     * @param seconds projected wall time
     * @param binding the bound that decides it
     * @param bounds  every bound, seconds
     */
    public record Result(double seconds, String binding, Map<String, Double> bounds) {
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(java.util.Locale.ROOT, "%.1f", d);
    }

    private CollectProjection() {
    }
}
