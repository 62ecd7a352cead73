package io.cmkaudit.collect;

import io.cmkaudit.snapshot.AutoScalingGroup;
import io.cmkaudit.snapshot.EbsSnapshot;
import io.cmkaudit.snapshot.Ec2Fleet;
import io.cmkaudit.snapshot.EksNodeGroup;
import io.cmkaudit.snapshot.FleetLaunchTemplate;
import io.cmkaudit.snapshot.LaunchBlockDevice;
import io.cmkaudit.snapshot.LaunchConfiguration;
import io.cmkaudit.snapshot.LaunchSources;
import io.cmkaudit.snapshot.LaunchTemplateOverride;
import io.cmkaudit.snapshot.LaunchTemplateRef;
import io.cmkaudit.snapshot.LaunchTemplateVersion;
import io.cmkaudit.snapshot.MachineImage;
import io.cmkaudit.snapshot.ScalingActivity;
import io.cmkaudit.snapshot.SpotFleetRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeLaunchConfigurationsResponse;
import software.amazon.awssdk.services.autoscaling.model.DescribeScalingActivitiesResponse;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeFleetsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotFleetRequestsResponse;
import software.amazon.awssdk.services.ec2.model.FleetData;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.SpotFleetRequestConfig;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.eks.model.ListClustersResponse;
import software.amazon.awssdk.services.eks.model.ListNodegroupsResponse;
import software.amazon.awssdk.services.eks.model.Nodegroup;

/**
 * Reads the launch sources of one account and region (launch-paths.md §3): Auto Scaling groups and launch
 * configurations, the failed scaling activities of the region, EKS managed node groups, EC2 Fleets and Spot Fleet
 * requests, the launch template versions they use, the AMIs those name, and the EBS snapshots of those AMIs that
 * this account can see. One call per page wherever a batch call exists:
 * <ul>
 *   <li>{@code autoscaling:DescribeAutoScalingGroups}, {@code DescribeLaunchConfigurations} (100 per page) and, when
 *       the region has groups, {@code DescribeScalingActivities} for all groups ({@code IncludeDeletedGroups}, newest
 *       first, at most {@value #ACTIVITY_PAGES} pages of 100)
 *       (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeScalingActivities.html);</li>
 *   <li>{@code eks:ListClusters}, per cluster {@code ListNodegroups}, per node group {@code DescribeNodegroup} (EKS has
 *       no batch describe);</li>
 *   <li>{@code ec2:DescribeFleets} and {@code DescribeSpotFleetRequests} (1,000 per page);</li>
 *   <li>{@code ec2:DescribeLaunchTemplateVersions} once for {@code $Latest} and {@code $Default} of every template
 *       (no template named: AWS's batch form), then once per template with pinned versions a source names
 *       (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html);
 *       {@code ResolveAlias} turns {@code resolve:ssm:} image parameters into AMI ids;</li>
 *   <li>{@code ec2:DescribeImages} and {@code DescribeSnapshots} with {@code image-id} / {@code snapshot-id} filters,
 *       200 ids per call (a filter leaves out an id the account can't see instead of failing the call).</li>
 * </ul>
 * A failed call is recorded by operation and the rest goes on; nothing here throws.
 */
final class LaunchReader {

    /** Pages of scaling activities read per region (100 each, newest first). */
    static final int ACTIVITY_PAGES = 5;
    /** Ids per {@code image-id} / {@code snapshot-id} filter. */
    static final int IDS_PER_FILTER = 200;

    /**
     * What was read.
     *
     * @param launch    the launch sources (key ARNs not yet resolved)
     * @param snapshots snapshots of the referenced AMIs and mappings visible to this account
     * @param failures  failed calls by operation, in call order: operation → first failure and how many failed
     */
    record Result(LaunchSources launch, List<EbsSnapshot> snapshots, Map<String, Failures> failures) {
    }

    /** The failures of one operation in one region. */
    record Failures(AwsFailure first, int count) {
    }

    private final Map<String, Failures> failures = new LinkedHashMap<>();

    private LaunchReader() {
    }

    /**
     * Reads one account and region.
     *
     * @param ec2         EC2 client of the account and region
     * @param autoScaling Auto Scaling client of the account and region
     * @param eks         EKS client of the account and region
     * @param accountId   the account
     * @param region      the region
     * @return what was read, with the failures
     */
    static Result read(Ec2Client ec2, AutoScalingClient autoScaling, EksClient eks, String accountId, String region) {
        return new LaunchReader().run(ec2, autoScaling, eks, accountId, region);
    }

    private Result run(Ec2Client ec2, AutoScalingClient as, EksClient eks, String accountId, String region) {
        List<AutoScalingGroup> groups = call("AutoScaling.DescribeAutoScalingGroups", () -> groups(as), List.of());
        List<LaunchConfiguration> configs = call("AutoScaling.DescribeLaunchConfigurations",
                () -> launchConfigurations(as), List.of());
        List<ScalingActivity> activities = groups.isEmpty() ? List.of()
                : call("AutoScaling.DescribeScalingActivities", () -> activities(as), List.of());
        List<EksNodeGroup> nodeGroups = nodeGroups(eks);
        List<Ec2Fleet> fleets = call("EC2.DescribeFleets", () -> fleets(ec2), List.of());
        List<SpotFleetRequest> spotFleets = call("EC2.DescribeSpotFleetRequests", () -> spotFleets(ec2), List.of());

        List<LaunchTemplateRef> refs = new ArrayList<>();
        for (AutoScalingGroup g : groups) {
            add(refs, g.launchTemplate());
            add(refs, g.mixedInstancesLaunchTemplate());
            g.overrides().forEach(o -> add(refs, o.launchTemplate()));
        }
        nodeGroups.forEach(n -> add(refs, n.launchTemplate()));
        fleets.forEach(f -> f.launchTemplateConfigs().forEach(c -> add(refs, c.launchTemplate())));
        spotFleets.forEach(f -> f.launchTemplateConfigs().forEach(c -> add(refs, c.launchTemplate())));
        List<LaunchTemplateVersion> versions = versions(ec2, refs);

        Set<String> imageIds = new TreeSet<>();
        versions.forEach(v -> addId(imageIds, v.imageId()));
        configs.forEach(c -> addId(imageIds, c.imageId()));
        groups.forEach(g -> g.overrides().forEach(o -> addId(imageIds, o.imageId())));
        fleets.forEach(f -> f.launchTemplateConfigs().forEach(c -> c.overrides().forEach(o -> addId(imageIds, o.imageId()))));
        spotFleets.forEach(f -> f.launchSpecifications().forEach(s -> addId(imageIds, s.imageId())));
        List<MachineImage> images = imageIds.isEmpty() ? List.of()
                : call("EC2.DescribeImages", () -> images(ec2, imageIds), List.of());

        Set<String> snapshotIds = new TreeSet<>();
        // An AMI mapping that says it is unencrypted has no key to find (encrypted snapshots can't be public).
        images.forEach(i -> i.blockDeviceMappings().stream().filter(m -> !Boolean.FALSE.equals(m.encrypted()))
                .forEach(m -> addId(snapshotIds, m.snapshotId())));
        versions.forEach(v -> v.blockDeviceMappings().forEach(m -> addId(snapshotIds, m.snapshotId())));
        configs.forEach(c -> c.blockDeviceMappings().forEach(m -> addId(snapshotIds, m.snapshotId())));
        spotFleets.forEach(f -> f.launchSpecifications().forEach(s ->
                s.blockDeviceMappings().forEach(m -> addId(snapshotIds, m.snapshotId()))));
        List<EbsSnapshot> snapshots = snapshotIds.isEmpty() ? List.of()
                : call("EC2.DescribeSnapshots", () -> snapshots(ec2, region, snapshotIds), List.of());

        return new Result(new LaunchSources(groups, activities, configs, versions, images, nodeGroups, fleets,
                spotFleets), snapshots, failures);
    }

    private <T> T call(String operation, Supplier<T> read, T fallback) {
        try {
            return read.get();
        } catch (SdkException e) {
            fail(operation, e);
            return fallback;
        }
    }

    private void fail(String operation, SdkException e) {
        failures.merge(operation, new Failures(AwsFailure.of(operation, e), 1),
                (a, b) -> new Failures(a.first(), a.count() + 1));
    }

    private static void add(List<LaunchTemplateRef> refs, LaunchTemplateRef ref) {
        if (ref != null && !refs.contains(ref)) {
            refs.add(ref);
        }
    }

    private static void addId(Set<String> ids, String id) {
        if (id != null && !id.isBlank()) {
            ids.add(id);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    // ---- Auto Scaling ----

    private static List<AutoScalingGroup> groups(AutoScalingClient as) {
        List<AutoScalingGroup> out = new ArrayList<>();
        for (DescribeAutoScalingGroupsResponse page : as.describeAutoScalingGroupsPaginator(r -> r.maxRecords(100))) {
            for (var g : page.autoScalingGroups()) {
                var mip = g.mixedInstancesPolicy();
                LaunchTemplateRef mixed = null;
                List<LaunchTemplateOverride> overrides = List.of();
                Integer onDemandPercent = null;
                if (mip != null) {
                    if (mip.launchTemplate() != null) {
                        mixed = asRef(mip.launchTemplate().launchTemplateSpecification());
                        overrides = mip.launchTemplate().overrides().stream()
                                .map(o -> new LaunchTemplateOverride(blankToNull(o.instanceType()),
                                        blankToNull(o.imageId()), asRef(o.launchTemplateSpecification())))
                                .toList();
                    }
                    onDemandPercent = mip.instancesDistribution() == null ? null
                            : mip.instancesDistribution().onDemandPercentageAboveBaseCapacity();
                    if (mip.instancesDistribution() != null && onDemandPercent == null) {
                        onDemandPercent = 100; // AWS's default when the distribution leaves it out
                    }
                }
                out.add(new AutoScalingGroup(g.autoScalingGroupName(), blankToNull(g.autoScalingGroupARN()),
                        blankToNull(g.serviceLinkedRoleARN()), blankToNull(g.launchConfigurationName()),
                        asRef(g.launchTemplate()), mixed, overrides, onDemandPercent,
                        g.warmPoolConfiguration() != null,
                        g.instances().stream().map(software.amazon.awssdk.services.autoscaling.model.Instance::instanceId)
                                .sorted().toList(),
                        blankToNull(g.status())));
            }
        }
        out.sort(Comparator.comparing(AutoScalingGroup::name));
        return out;
    }

    private static LaunchTemplateRef asRef(software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification s) {
        if (s == null || blankToNull(s.launchTemplateId()) == null && blankToNull(s.launchTemplateName()) == null) {
            return null;
        }
        return new LaunchTemplateRef(blankToNull(s.launchTemplateId()), blankToNull(s.launchTemplateName()),
                blankToNull(s.version()));
    }

    private static List<LaunchConfiguration> launchConfigurations(AutoScalingClient as) {
        List<LaunchConfiguration> out = new ArrayList<>();
        for (DescribeLaunchConfigurationsResponse page : as.describeLaunchConfigurationsPaginator(r -> r.maxRecords(100))) {
            for (var c : page.launchConfigurations()) {
                List<LaunchBlockDevice> bdm = c.blockDeviceMappings().stream()
                        .map(m -> new LaunchBlockDevice(m.deviceName(), m.ebs() != null,
                                Boolean.TRUE.equals(m.noDevice()), m.ebs() == null ? null : m.ebs().encrypted(), null,
                                null, m.ebs() == null ? null : blankToNull(m.ebs().snapshotId())))
                        .toList();
                out.add(new LaunchConfiguration(c.launchConfigurationName(), blankToNull(c.launchConfigurationARN()),
                        blankToNull(c.imageId()), blankToNull(c.spotPrice()), bdm));
            }
        }
        out.sort(Comparator.comparing(LaunchConfiguration::name));
        return out;
    }

    private static List<ScalingActivity> activities(AutoScalingClient as) {
        List<ScalingActivity> out = new ArrayList<>();
        int pages = 0;
        for (DescribeScalingActivitiesResponse page : as.describeScalingActivitiesPaginator(r -> r
                .includeDeletedGroups(true).maxRecords(100))) {
            for (Activity a : page.activities()) {
                String status = a.statusCodeAsString();
                if ("Failed".equals(status) || "Cancelled".equals(status)) {
                    out.add(new ScalingActivity(a.activityId(), a.autoScalingGroupName(), status,
                            blankToNull(a.statusMessage()), blankToNull(a.description()), blankToNull(a.cause()),
                            a.startTime(), a.endTime()));
                }
            }
            if (++pages >= ACTIVITY_PAGES) {
                break;
            }
        }
        return out;
    }

    // ---- EKS ----

    private List<EksNodeGroup> nodeGroups(EksClient eks) {
        List<String> clusters = call("EKS.ListClusters", () -> {
            List<String> names = new ArrayList<>();
            for (ListClustersResponse page : eks.listClustersPaginator(r -> r.maxResults(100))) {
                names.addAll(page.clusters());
            }
            return names;
        }, List.of());
        List<EksNodeGroup> out = new ArrayList<>();
        for (String cluster : new TreeSet<>(clusters)) {
            List<String> names = call("EKS.ListNodegroups", () -> {
                List<String> n = new ArrayList<>();
                for (ListNodegroupsResponse page : eks.listNodegroupsPaginator(r -> r.clusterName(cluster).maxResults(100))) {
                    n.addAll(page.nodegroups());
                }
                return n;
            }, List.of());
            for (String name : new TreeSet<>(names)) {
                EksNodeGroup g = call("EKS.DescribeNodegroup", () -> nodeGroup(
                        eks.describeNodegroup(r -> r.clusterName(cluster).nodegroupName(name)).nodegroup(), cluster, name),
                        null);
                if (g != null) {
                    out.add(g);
                }
            }
        }
        return out;
    }

    private static EksNodeGroup nodeGroup(Nodegroup n, String cluster, String name) {
        var lt = n.launchTemplate();
        LaunchTemplateRef ref = lt == null || blankToNull(lt.id()) == null && blankToNull(lt.name()) == null ? null
                : new LaunchTemplateRef(blankToNull(lt.id()), blankToNull(lt.name()), blankToNull(lt.version()));
        List<String> asgs = n.resources() == null ? List.of() : n.resources().autoScalingGroups().stream()
                .map(software.amazon.awssdk.services.eks.model.AutoScalingGroup::name).filter(s -> s != null)
                .sorted().toList();
        List<EksNodeGroup.HealthIssue> issues = n.health() == null ? List.of() : n.health().issues().stream()
                .map(i -> new EksNodeGroup.HealthIssue(i.codeAsString() == null ? "Unknown" : i.codeAsString(),
                        blankToNull(i.message()), i.resourceIds()))
                .toList();
        return new EksNodeGroup(cluster, name, blankToNull(n.nodegroupArn()), blankToNull(n.statusAsString()),
                blankToNull(n.capacityTypeAsString()), blankToNull(n.nodeRole()), ref, asgs, issues);
    }

    // ---- Fleets ----

    private static List<Ec2Fleet> fleets(Ec2Client ec2) {
        List<Ec2Fleet> out = new ArrayList<>();
        for (DescribeFleetsResponse page : ec2.describeFleetsPaginator(r -> r.maxResults(1000))) {
            for (FleetData f : page.fleets()) {
                if (blankToNull(f.fleetId()) == null) {
                    continue; // AWS lists instant fleets only by id; an entry without one can't be referred to
                }
                List<FleetLaunchTemplate> configs = f.launchTemplateConfigs().stream()
                        .map(c -> new FleetLaunchTemplate(asRef(c.launchTemplateSpecification()),
                                c.overrides().stream().map(o -> new LaunchTemplateOverride(
                                        blankToNull(o.instanceTypeAsString()), blankToNull(o.imageId()), null)).toList()))
                        .toList();
                List<Ec2Fleet.LaunchError> errors = f.errors().stream()
                        .filter(e -> blankToNull(e.errorCode()) != null)
                        .map(e -> new Ec2Fleet.LaunchError(e.errorCode(), blankToNull(e.errorMessage()), null))
                        .toList();
                out.add(new Ec2Fleet(f.fleetId(), blankToNull(f.typeAsString()), blankToNull(f.fleetStateAsString()),
                        f.targetCapacitySpecification() == null ? null
                                : blankToNull(f.targetCapacitySpecification().defaultTargetCapacityTypeAsString()),
                        configs, errors));
            }
        }
        out.sort(Comparator.comparing(Ec2Fleet::fleetId));
        return out;
    }

    private static LaunchTemplateRef asRef(software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateSpecification s) {
        if (s == null || blankToNull(s.launchTemplateId()) == null && blankToNull(s.launchTemplateName()) == null) {
            return null;
        }
        return new LaunchTemplateRef(blankToNull(s.launchTemplateId()), blankToNull(s.launchTemplateName()),
                blankToNull(s.version()));
    }

    private static List<SpotFleetRequest> spotFleets(Ec2Client ec2) {
        List<SpotFleetRequest> out = new ArrayList<>();
        for (DescribeSpotFleetRequestsResponse page : ec2.describeSpotFleetRequestsPaginator(r -> r.maxResults(1000))) {
            for (SpotFleetRequestConfig c : page.spotFleetRequestConfigs()) {
                var data = c.spotFleetRequestConfig();
                List<FleetLaunchTemplate> configs = data == null ? List.of() : data.launchTemplateConfigs().stream()
                        .map(t -> new FleetLaunchTemplate(asRef(t.launchTemplateSpecification()),
                                t.overrides().stream().map(o -> new LaunchTemplateOverride(
                                        blankToNull(o.instanceTypeAsString()), null, null)).toList()))
                        .toList();
                List<SpotFleetRequest.LaunchSpecification> specs = data == null ? List.of()
                        : data.launchSpecifications().stream().map(s -> new SpotFleetRequest.LaunchSpecification(
                                blankToNull(s.imageId()), blankToNull(s.instanceTypeAsString()),
                                s.blockDeviceMappings().stream().map(LaunchReader::device).toList()))
                        .toList();
                out.add(new SpotFleetRequest(c.spotFleetRequestId(), blankToNull(c.spotFleetRequestStateAsString()),
                        data == null ? null : blankToNull(data.iamFleetRole()), configs, specs));
            }
        }
        out.sort(Comparator.comparing(SpotFleetRequest::spotFleetRequestId));
        return out;
    }

    private static LaunchBlockDevice device(software.amazon.awssdk.services.ec2.model.BlockDeviceMapping m) {
        var e = m.ebs();
        return new LaunchBlockDevice(m.deviceName(), e != null, m.noDevice() != null,
                e == null ? null : e.encrypted(), e == null ? null : blankToNull(e.kmsKeyId()), null,
                e == null ? null : blankToNull(e.snapshotId()));
    }

    // ---- Launch templates ----

    private List<LaunchTemplateVersion> versions(Ec2Client ec2, List<LaunchTemplateRef> refs) {
        // template id -> version number -> version as read
        Map<String, Map<Long, software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion>> read = new TreeMap<>();
        Map<String, Long> latest = new HashMap<>();
        call("EC2.DescribeLaunchTemplateVersions", () -> {
            for (DescribeLaunchTemplateVersionsResponse page : ec2.describeLaunchTemplateVersionsPaginator(r -> r
                    .versions(LaunchTemplateRef.LATEST, LaunchTemplateRef.DEFAULT).resolveAlias(true).maxResults(200))) {
                for (var v : page.launchTemplateVersions()) {
                    read.computeIfAbsent(v.launchTemplateId(), k -> new TreeMap<>()).put(v.versionNumber(), v);
                    // Asked for $Latest and $Default only: the highest number read is $Latest.
                    latest.merge(v.launchTemplateId(), v.versionNumber(), Math::max);
                }
            }
            return null;
        }, null);
        Map<String, String> idByName = new HashMap<>();
        read.values().forEach(m -> m.values().forEach(v -> idByName.put(v.launchTemplateName(), v.launchTemplateId())));

        // Pinned versions not read yet, per template (by id, else by name).
        Map<String, Set<String>> pinned = new TreeMap<>();
        Map<String, LaunchTemplateRef> firstRef = new HashMap<>();
        for (LaunchTemplateRef ref : refs) {
            if (!ref.pinned()) {
                continue;
            }
            String id = ref.launchTemplateId() != null ? ref.launchTemplateId() : idByName.get(ref.launchTemplateName());
            long number = Long.parseLong(ref.effectiveVersion());
            if (id != null && read.getOrDefault(id, Map.of()).containsKey(number)) {
                continue;
            }
            String key = id != null ? "id:" + id : "name:" + ref.launchTemplateName();
            pinned.computeIfAbsent(key, k -> new TreeSet<>()).add(ref.effectiveVersion());
            firstRef.putIfAbsent(key, ref);
        }
        for (Map.Entry<String, Set<String>> e : pinned.entrySet()) {
            String key = e.getKey();
            call("EC2.DescribeLaunchTemplateVersions", () -> {
                DescribeLaunchTemplateVersionsRequest.Builder b = DescribeLaunchTemplateVersionsRequest.builder()
                        .versions(e.getValue()).resolveAlias(true);
                if (key.startsWith("id:")) {
                    b.launchTemplateId(key.substring(3));
                } else {
                    b.launchTemplateName(key.substring(5));
                }
                for (DescribeLaunchTemplateVersionsResponse page : ec2.describeLaunchTemplateVersionsPaginator(b.build())) {
                    for (var v : page.launchTemplateVersions()) {
                        read.computeIfAbsent(v.launchTemplateId(), k -> new TreeMap<>()).put(v.versionNumber(), v);
                    }
                }
                return null;
            }, null);
        }
        List<LaunchTemplateVersion> out = new ArrayList<>();
        read.forEach((id, byNumber) -> byNumber.forEach((n, v) -> out.add(version(v,
                n.equals(latest.get(id))))));
        return out;
    }

    private static LaunchTemplateVersion version(software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion v,
                                                 boolean latest) {
        var data = v.launchTemplateData();
        List<LaunchBlockDevice> bdm = data == null ? List.of() : data.blockDeviceMappings().stream()
                .map(m -> {
                    var e = m.ebs();
                    return new LaunchBlockDevice(m.deviceName(), e != null, m.noDevice() != null,
                            e == null ? null : e.encrypted(), e == null ? null : blankToNull(e.kmsKeyId()), null,
                            e == null ? null : blankToNull(e.snapshotId()));
                })
                .toList();
        String market = data == null || data.instanceMarketOptions() == null ? null
                : blankToNull(data.instanceMarketOptions().marketTypeAsString());
        return new LaunchTemplateVersion(v.launchTemplateId(), blankToNull(v.launchTemplateName()), v.versionNumber(),
                Boolean.TRUE.equals(v.defaultVersion()), latest, data == null ? null : blankToNull(data.imageId()),
                market, bdm);
    }

    // ---- AMIs and snapshots ----

    private static List<MachineImage> images(Ec2Client ec2, Set<String> ids) {
        List<MachineImage> out = new ArrayList<>();
        for (List<String> chunk : chunks(ids)) {
            for (DescribeImagesResponse page : ec2.describeImagesPaginator(r -> r
                    .filters(Filter.builder().name("image-id").values(chunk).build())
                    .includeDeprecated(true).includeDisabled(true))) {
                for (Image i : page.images()) {
                    out.add(new MachineImage(i.imageId(), i.ownerId(), blankToNull(i.name()), blankToNull(i.stateAsString()),
                            blankToNull(i.rootDeviceName()),
                            i.blockDeviceMappings().stream().map(LaunchReader::device).toList()));
                }
            }
        }
        out.sort(Comparator.comparing(MachineImage::imageId));
        return out;
    }

    private static List<EbsSnapshot> snapshots(Ec2Client ec2, String region, Set<String> ids) {
        List<EbsSnapshot> out = new ArrayList<>();
        for (List<String> chunk : chunks(ids)) {
            for (DescribeSnapshotsResponse page : ec2.describeSnapshotsPaginator(r -> r
                    .filters(Filter.builder().name("snapshot-id").values(chunk).build()))) {
                for (var s : page.snapshots()) {
                    out.add(new EbsSnapshot(s.snapshotId(), s.ownerId(), region, s.encrypted(),
                            Boolean.TRUE.equals(s.encrypted()) ? blankToNull(s.kmsKeyId()) : null, null, null));
                }
            }
        }
        out.sort(Comparator.comparing(EbsSnapshot::snapshotId));
        return out;
    }

    static List<List<String>> chunks(Set<String> ids) {
        List<List<String>> out = new ArrayList<>();
        List<String> all = new ArrayList<>(ids);
        for (int i = 0; i < all.size(); i += IDS_PER_FILTER) {
            out.add(all.subList(i, Math.min(all.size(), i + IDS_PER_FILTER)));
        }
        return out;
    }
}
