package io.cmkaudit.analysis;

import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.match.Wildcard;
import io.cmkaudit.policy.Statement;
import io.cmkaudit.policy.StatementElement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Groups instances that no policy of the snapshot can tell apart for {@code ec2:StartInstances}: same account and
 * region, the same values of every instance condition key some policy reads (tags by key, instance type, profile,
 * ...), and the same set of {@code Resource}/{@code NotResource} patterns matching their ARN. One StartInstances
 * decision per principal and class then stands for every instance of the class. Thread-safe after construction.
 */
final class InstanceClasses {

    /**
     * Instances that are equivalent for StartInstances.
     *
     * @param representative the first member (its ARN and context are evaluated)
     * @param members        all members, sorted as given
     */
    record InstanceClass(InstanceRef representative, List<InstanceRef> members) {
    }

    private static final List<String> ATTRIBUTE_KEYS = List.of("ec2:instancetype", "ec2:instanceprofile",
            "ec2:rootdevicetype", "ec2:instanceid", "ec2:availabilityzone", "ec2:tenancy", "ec2:ebsoptimized",
            "ec2:placementgroup");

    private final Set<String> tagKeys = new TreeSet<>();
    private final List<String> attributes = new ArrayList<>();
    private final Map<String, List<String>> patternsByAccount = new HashMap<>();
    private final List<String> globalPatterns = new ArrayList<>();

    /**
     * @param referenced lower-case condition keys any policy reads
     * @param entries    every identity, boundary and SCP policy of the snapshot
     */
    InstanceClasses(Set<String> referenced, Iterable<Entry> entries) {
        for (String r : referenced) {
            if (r.startsWith("aws:resourcetag/")) {
                tagKeys.add(r.substring("aws:resourcetag/".length()));
            } else if (r.startsWith("ec2:resourcetag/")) {
                tagKeys.add(r.substring("ec2:resourcetag/".length()));
            }
        }
        for (String a : ATTRIBUTE_KEYS) {
            if (referenced.contains(a)) {
                attributes.add(a);
            }
        }
        Set<String> seen = new java.util.HashSet<>();
        for (Entry e : entries) {
            for (Statement s : e.policy().statements()) {
                if (!s.unparsed().contains(StatementElement.ACTION) && !s.matchesAction("ec2:StartInstances")) {
                    continue;
                }
                List<String> pats = new ArrayList<>();
                if (s.resource() != null) {
                    pats.addAll(s.resource().patterns());
                }
                if (s.notResource() != null) {
                    pats.addAll(s.notResource().patterns());
                }
                for (String p : pats) {
                    if (p.equals("*") || !seen.add(p)) {
                        continue;
                    }
                    String[] parts = p.split(":", 6);
                    if (parts.length == 6 && parts[4].matches("\\d{12}")) {
                        patternsByAccount.computeIfAbsent(parts[4], k -> new ArrayList<>()).add(p);
                    } else {
                        globalPatterns.add(p);
                    }
                }
            }
        }
    }

    /** @return the classes of the instances (all of one account), in the order of their first members */
    List<InstanceClass> group(List<InstanceRef> instances) {
        Map<String, List<InstanceRef>> groups = new LinkedHashMap<>();
        for (InstanceRef i : instances) {
            groups.computeIfAbsent(signature(i), k -> new ArrayList<>()).add(i);
        }
        List<InstanceClass> out = new ArrayList<>();
        groups.values().forEach(m -> out.add(new InstanceClass(m.get(0), List.copyOf(m))));
        return out;
    }

    String signature(InstanceRef i) {
        StringBuilder sb = new StringBuilder(i.accountId()).append('|').append(i.region());
        Map<String, String> tags = new HashMap<>();
        i.instance().tags().forEach((k, v) -> tags.put(k.toLowerCase(Locale.ROOT), v));
        for (String t : tagKeys) {
            String v = tags.get(t);
            sb.append("|t:").append(t).append('=').append(v == null ? "\u0000" : v);
        }
        var in = i.instance();
        for (String a : attributes) {
            String v = switch (a) {
                case "ec2:instancetype" -> in.instanceType();
                case "ec2:instanceprofile" -> in.iamInstanceProfileArn();
                case "ec2:rootdevicetype" -> in.rootDeviceType();
                case "ec2:instanceid" -> in.instanceId();
                case "ec2:availabilityzone" -> in.availabilityZone();
                case "ec2:tenancy" -> in.tenancy();
                case "ec2:ebsoptimized" -> String.valueOf(in.ebsOptimized());
                case "ec2:placementgroup" -> in.placementGroup();
                default -> null;
            };
            sb.append("|a:").append(a).append('=').append(v == null ? "\u0000" : v);
        }
        String arn = in.arn();
        for (List<String> bucket : List.of(globalPatterns,
                patternsByAccount.getOrDefault(i.accountId(), List.of()))) {
            for (String p : bucket) {
                if (p.contains("${")) {
                    // a policy variable may resolve to anything: only the instance itself is equivalent to itself
                    if (arnGlob(p.replaceAll("\\$\\{[^}]*}", "*"), arn)) {
                        sb.append("|arn=").append(arn);
                    }
                } else if (arnGlob(p, arn)) {
                    sb.append("|r:").append(p);
                }
            }
        }
        return sb.toString();
    }

    /** Whether a {@code Resource} pattern of a policy covers the ARN, as IAM matches the Resource element. */
    static boolean arnGlob(String pattern, String value) {
        return Wildcard.matches(pattern, value, Wildcard.Mode.RESOURCE);
    }
}
