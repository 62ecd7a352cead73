package io.cmkaudit.collect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * AWS partitions ({@code aws}, {@code aws-us-gov}, {@code aws-cn}, {@code aws-iso}, {@code aws-iso-b}, ...) and the
 * regions of the global services in each. The partition of a run is the one of the scanner's own caller identity
 * ({@code sts:GetCallerIdentity}); IAM, Organizations and the regions list are then called in that partition:
 * <ul>
 *   <li>IAM: {@code us-east-1} in {@code aws}, {@code us-gov-west-1} in {@code aws-us-gov}, {@code cn-north-1} in
 *       {@code aws-cn} (https://docs.aws.amazon.com/general/latest/gr/iam-service.html);</li>
 *   <li>Organizations: {@code us-east-1} for commercial organizations, {@code us-gov-west-1} for AWS GovCloud (US)
 *       organizations, {@code cn-northwest-1} (Ningxia) for China organizations
 *       (https://docs.aws.amazon.com/organizations/latest/userguide/region-support.html);</li>
 *   <li>STS: the home region's regional endpoint (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html).</li>
 * </ul>
 * Region names are checked against the regions the AWS SDK knows (its endpoint metadata), so a typo such as
 * {@code us-east-9} is a usage error before any call.
 */
public final class Partitions {

    private Partitions() {
    }

    /**
     * @param region a region name, e.g. {@code us-gov-west-1}
     * @return its partition id, e.g. {@code aws-us-gov}; {@code aws} for a name the SDK can't place
     */
    public static String ofRegion(String region) {
        PartitionMetadata p = PartitionMetadata.of(Region.of(region));
        return p == null ? Arns.partition(region) : p.id();
    }

    /**
     * @return every region name the SDK knows, without the {@code *-global} pseudo-regions, sorted
     */
    public static Set<String> knownRegions() {
        Set<String> out = new TreeSet<>();
        for (Region r : Region.regions()) {
            if (!r.isGlobalRegion() && !r.id().contains("global") && !r.id().startsWith("fips-")
                    && !r.id().endsWith("-fips") && !r.id().contains("-fips-")) {
                out.add(r.id());
            }
        }
        return out;
    }

    /**
     * Checks region names.
     *
     * @param regions region names, e.g. from {@code --regions}; may be empty
     * @return one problem per unknown region, or the mix of partitions, as a short sentence; empty when all are fine
     */
    public static List<String> problems(Collection<String> regions) {
        Set<String> known = knownRegions();
        List<String> out = new ArrayList<>();
        Set<String> partitions = new TreeSet<>();
        for (String r : regions) {
            if (!known.contains(r)) {
                out.add("unknown region `" + r + "`" + suggestion(r, known));
            } else {
                partitions.add(ofRegion(r));
            }
        }
        if (partitions.size() > 1) {
            out.add("regions of different partitions " + partitions + " can't be scanned in one run (an "
                    + "organization and its credentials belong to one partition)");
        }
        return out;
    }

    private static String suggestion(String r, Set<String> known) {
        String prefix = r.replaceAll("-\\d+$", "-");
        List<String> near = known.stream().filter(k -> k.startsWith(prefix)).limit(6).toList();
        return near.isEmpty() ? " (e.g. us-east-1, us-gov-west-1, cn-north-1)" : " (known: " + String.join(", ", near) + ")";
    }

    /**
     * @param partition partition id
     * @return the region IAM is called in
     */
    static Region iamRegion(String partition, Region home) {
        return switch (partition) {
            case "aws" -> Region.US_EAST_1;
            case "aws-us-gov" -> Region.US_GOV_WEST_1;
            case "aws-cn" -> Region.CN_NORTH_1;
            case "aws-iso" -> Region.US_ISO_EAST_1;
            case "aws-iso-b" -> Region.US_ISOB_EAST_1;
            default -> home;
        };
    }

    /**
     * @param partition partition id
     * @return the region Organizations is called in
     */
    static Region organizationsRegion(String partition, Region home) {
        return switch (partition) {
            case "aws" -> Region.US_EAST_1;
            case "aws-us-gov" -> Region.US_GOV_WEST_1;
            case "aws-cn" -> Region.CN_NORTHWEST_1;
            case "aws-iso" -> Region.US_ISO_EAST_1;
            case "aws-iso-b" -> Region.US_ISOB_EAST_1;
            default -> home;
        };
    }
}
