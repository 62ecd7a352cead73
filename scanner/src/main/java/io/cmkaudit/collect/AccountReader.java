package io.cmkaudit.collect;

import io.cmkaudit.snapshot.BlockDeviceMapping;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.EbsVolume;
import io.cmkaudit.snapshot.Ec2Instance;
import io.cmkaudit.snapshot.IamGroup;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.IamSnapshot;
import io.cmkaudit.snapshot.IamUser;
import io.cmkaudit.snapshot.InlinePolicy;
import io.cmkaudit.snapshot.ManagedPolicy;
import io.cmkaudit.snapshot.VolumeAttachment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.EntityType;
import software.amazon.awssdk.services.iam.model.GetAccountAuthorizationDetailsResponse;
import software.amazon.awssdk.services.iam.model.GroupDetail;
import software.amazon.awssdk.services.iam.model.ManagedPolicyDetail;
import software.amazon.awssdk.services.iam.model.PolicyDetail;
import software.amazon.awssdk.services.iam.model.PolicyVersion;
import software.amazon.awssdk.services.iam.model.RoleDetail;
import software.amazon.awssdk.services.iam.model.UserDetail;

/**
 * Reads one account with its session: IAM ({@code GetAccountAuthorizationDetails}, all pages, plus
 * {@code GetPolicy}/{@code GetPolicyVersion} for each attached AWS managed policy not yet fetched in this run) and,
 * per region, {@code DescribeInstances}, {@code DescribeVolumes} (all pages), {@code GetEbsEncryptionByDefault} and,
 * when that is on, {@code GetEbsDefaultKmsKeyId}. Regions come from the configuration or {@code DescribeRegions}.
 * Every failure becomes coverage; nothing here throws.
 */
final class AccountReader {

    /** An encrypted volume as read, before its key reference is resolved to an ARN. */
    record RawVolume(String volumeId, boolean encrypted, String kmsKeyId, String state, List<VolumeAttachment> attachments) {
    }

    /** One region as read. */
    record RegionScan(String region, Coverage coverage, Boolean ebsEncryptionByDefault, String ebsDefaultKmsKeyId,
                      List<Ec2Instance> instances, List<RawVolume> volumes) {
    }

    /** One account as read. */
    record AccountScan(String accountId, String name, Coverage global, IamSnapshot iam, List<RegionScan> regions) {
    }

    private final AwsClients clients;
    private final List<String> configuredRegions;
    private final Map<String, ManagedPolicy> awsManagedPolicies;
    private final Set<String> claimedAwsPolicies;
    private final java.util.concurrent.Executor parallel;

    /**
     * @param clients             client factory
     * @param configuredRegions   regions to scan; empty = {@code DescribeRegions} per account
     * @param awsManagedPolicies  run-wide store of fetched AWS managed policies (filled here)
     * @param claimedAwsPolicies  run-wide set of AWS managed policy ARNs some account has started fetching
     */
    AccountReader(AwsClients clients, List<String> configuredRegions, ConcurrentHashMap<String, ManagedPolicy> awsManagedPolicies,
                  Set<String> claimedAwsPolicies) {
        this(clients, configuredRegions, awsManagedPolicies, claimedAwsPolicies, Runnable::run);
    }

    /**
     * @param clients             client factory
     * @param configuredRegions   regions to scan; empty = {@code DescribeRegions} per account
     * @param awsManagedPolicies  run-wide store of fetched AWS managed policies (filled here)
     * @param claimedAwsPolicies  run-wide set of AWS managed policy ARNs some account has started fetching
     * @param parallel            runs an account's IAM and region reads at the same time (must not be bounded below
     *                            the reads it is given, or an account waits for itself)
     */
    AccountReader(AwsClients clients, List<String> configuredRegions, ConcurrentHashMap<String, ManagedPolicy> awsManagedPolicies,
                  Set<String> claimedAwsPolicies, java.util.concurrent.Executor parallel) {
        this.parallel = parallel;
        this.clients = clients;
        this.configuredRegions = configuredRegions;
        this.awsManagedPolicies = awsManagedPolicies;
        this.claimedAwsPolicies = claimedAwsPolicies;
    }

    /** The IAM half of an account: its coverage entry and data. */
    private record IamPart(Coverage global, IamSnapshot iam) {
    }

    /**
     * Reads one account: IAM and each region run at the same time (on {@code parallel}; they don't depend on each
     * other), so an account's critical path is its slowest part, not the sum.
     */
    AccountScan read(String accountId, String name, AwsCredentialsProvider credentials) {
        java.util.concurrent.CompletableFuture<IamPart> iamPart = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> readIamPart(accountId, credentials), parallel);
        List<java.util.concurrent.CompletableFuture<RegionScan>> regionParts = new ArrayList<>();
        List<RegionScan> scans = new ArrayList<>();
        List<String> regions = regions(accountId, credentials, scans);
        for (String region : regions) {
            regionParts.add(java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> readRegion(accountId, region, credentials), parallel));
        }
        regionParts.forEach(f -> scans.add(f.join()));
        IamPart iam = iamPart.join();
        return new AccountScan(accountId, name, iam.global(), iam.iam(), scans);
    }

    private IamPart readIamPart(String accountId, AwsCredentialsProvider credentials) {
        Coverage global;
        IamSnapshot iam = IamSnapshot.EMPTY;
        try (IamClient client = clients.iam(credentials, accountId)) {
            try {
                iam = readIam(client);
                AwsFailure f = fetchAwsManaged(client, iam);
                global = f == null ? Coverage.scanned(Coverage.GLOBAL)
                        : new Coverage(Coverage.GLOBAL, CoverageStatus.PARTIAL, f.code(), f.message());
            } catch (SdkException e) {
                AwsFailure f = AwsFailure.of("IAM.GetAccountAuthorizationDetails", e);
                global = new Coverage(Coverage.GLOBAL, CoverageStatus.ERROR, f.code(), f.message());
            }
        }
        return new IamPart(global, iam);
    }

    /** The regions to read: configured, or DescribeRegions (a failure is reported in {@code scans}). */
    private List<String> regions(String accountId, AwsCredentialsProvider credentials, List<RegionScan> scans) {
        List<String> regions = configuredRegions;
        if (regions.isEmpty()) {
            try (Ec2Client ec2 = clients.ec2(credentials, accountId, clients.home().id())) {
                regions = ec2.describeRegions(r -> { }).regions().stream()
                        .filter(r -> !"not-opted-in".equals(r.optInStatus()))
                        .map(software.amazon.awssdk.services.ec2.model.Region::regionName).sorted().toList();
            } catch (SdkException e) {
                AwsFailure f = AwsFailure.of("EC2.DescribeRegions", e);
                scans.add(new RegionScan(clients.home().id(),
                        new Coverage(clients.home().id(), CoverageStatus.ERROR, f.code(),
                                f.message() + " (regions unknown: only this region reported)"),
                        null, null, List.of(), List.of()));
                regions = List.of();
            }
        }
        return regions;
    }

    private IamSnapshot readIam(IamClient client) {
        List<IamUser> users = new ArrayList<>();
        List<IamGroup> groups = new ArrayList<>();
        List<IamRole> roles = new ArrayList<>();
        List<ManagedPolicy> policies = new ArrayList<>();
        for (GetAccountAuthorizationDetailsResponse page : client.getAccountAuthorizationDetailsPaginator(r -> r
                .filter(EntityType.USER, EntityType.GROUP, EntityType.ROLE, EntityType.LOCAL_MANAGED_POLICY)
                .maxItems(1000))) {
            for (UserDetail u : page.userDetailList()) {
                users.add(new IamUser(u.arn(), u.userName(), u.userId(), path(u.path()), sorted(u.groupList()),
                        inline(u.userPolicyList()), attached(u.attachedManagedPolicies()),
                        u.permissionsBoundary() == null ? null : u.permissionsBoundary().permissionsBoundaryArn(),
                        iamTags(u.tags())));
            }
            for (GroupDetail g : page.groupDetailList()) {
                groups.add(new IamGroup(g.arn(), g.groupName(), g.groupId(), path(g.path()),
                        inline(g.groupPolicyList()), attached(g.attachedManagedPolicies())));
            }
            for (RoleDetail r : page.roleDetailList()) {
                List<String> profiles = r.instanceProfileList().stream()
                        .map(software.amazon.awssdk.services.iam.model.InstanceProfile::arn).sorted().toList();
                roles.add(new IamRole(r.arn(), r.roleName(), r.roleId(), path(r.path()),
                        PolicyText.decode(r.assumeRolePolicyDocument() == null ? "" : r.assumeRolePolicyDocument()),
                        inline(r.rolePolicyList()), attached(r.attachedManagedPolicies()),
                        r.permissionsBoundary() == null ? null : r.permissionsBoundary().permissionsBoundaryArn(),
                        iamTags(r.tags()), profiles, IamRole.isServiceLinkedPath(r.path())));
            }
            for (ManagedPolicyDetail p : page.policies()) {
                String doc = p.policyVersionList().stream()
                        .filter(v -> Boolean.TRUE.equals(v.isDefaultVersion())
                                || v.versionId() != null && v.versionId().equals(p.defaultVersionId()))
                        .map(PolicyVersion::document).findFirst().orElse("");
                policies.add(new ManagedPolicy(p.arn(), p.policyName() != null ? p.policyName() : Arns.lastSegment(p.arn()),
                        p.path() != null ? p.path() : Arns.policyPath(p.arn()),
                        p.defaultVersionId() == null ? "" : p.defaultVersionId(), PolicyText.decode(doc)));
            }
        }
        users.sort(Comparator.comparing(IamUser::name));
        groups.sort(Comparator.comparing(IamGroup::name));
        roles.sort(Comparator.comparing(IamRole::name));
        policies.sort(Comparator.comparing(ManagedPolicy::arn));
        return new IamSnapshot(users, groups, roles, policies);
    }

    /** Fetches attached AWS managed policies this run has not fetched yet; returns the first failure, or null. */
    private AwsFailure fetchAwsManaged(IamClient client, IamSnapshot iam) {
        Set<String> needed = new TreeSet<>();
        iam.users().forEach(u -> {
            needed.addAll(u.attachedManagedPolicyArns());
            if (u.permissionsBoundaryArn() != null) {
                needed.add(u.permissionsBoundaryArn());
            }
        });
        iam.groups().forEach(g -> needed.addAll(g.attachedManagedPolicyArns()));
        iam.roles().forEach(r -> {
            needed.addAll(r.attachedManagedPolicyArns());
            if (r.permissionsBoundaryArn() != null) {
                needed.add(r.permissionsBoundaryArn());
            }
        });
        AwsFailure first = null;
        for (String arn : needed) {
            if (!arn.contains(":iam::aws:policy/") || !claimedAwsPolicies.add(arn)) {
                continue;
            }
            String op = "IAM.GetPolicy";
            try {
                var policy = client.getPolicy(r -> r.policyArn(arn)).policy();
                op = "IAM.GetPolicyVersion";
                String doc = client.getPolicyVersion(r -> r.policyArn(arn).versionId(policy.defaultVersionId()))
                        .policyVersion().document();
                awsManagedPolicies.put(arn, new ManagedPolicy(arn,
                        policy.policyName() != null ? policy.policyName() : Arns.lastSegment(arn),
                        policy.path() != null ? policy.path() : Arns.policyPath(arn),
                        policy.defaultVersionId(), PolicyText.decode(doc == null ? "" : doc)));
            } catch (SdkException e) {
                claimedAwsPolicies.remove(arn);
                if (first == null) {
                    AwsFailure f = AwsFailure.of(op, e);
                    first = new AwsFailure(f.operation(), f.code(), f.message() + " (" + arn + ")", f.denied());
                }
            }
        }
        return first;
    }

    private RegionScan readRegion(String accountId, String region, AwsCredentialsProvider credentials) {
        List<AwsFailure> failures = new ArrayList<>();
        int ok = 0;
        List<Ec2Instance> instances = new ArrayList<>();
        List<RawVolume> volumes = new ArrayList<>();
        Boolean byDefault = null;
        String defaultKey = null;
        try (Ec2Client ec2 = clients.ec2(credentials, accountId, region)) {
            try {
                for (DescribeInstancesResponse page : ec2.describeInstancesPaginator(r -> r.maxResults(1000))) {
                    for (Reservation res : page.reservations()) {
                        for (Instance i : res.instances()) {
                            instances.add(instance(accountId, region, i));
                        }
                    }
                }
                ok++;
            } catch (SdkException e) {
                AwsFailure f = AwsFailure.of("EC2.DescribeInstances", e);
                if (f.regionNotEnabled()) {
                    return new RegionScan(region, new Coverage(region, CoverageStatus.SKIPPED, f.code(), f.message()),
                            null, null, List.of(), List.of());
                }
                failures.add(f);
            }
            try {
                for (DescribeVolumesResponse page : ec2.describeVolumesPaginator(r -> r.maxResults(500))) {
                    for (Volume v : page.volumes()) {
                        List<VolumeAttachment> att = v.attachments().stream()
                                .map(a -> new VolumeAttachment(a.instanceId(), a.device()))
                                .sorted(Comparator.comparing(VolumeAttachment::instanceId)).toList();
                        volumes.add(new RawVolume(v.volumeId(), Boolean.TRUE.equals(v.encrypted()),
                                Boolean.TRUE.equals(v.encrypted()) ? v.kmsKeyId() : null, v.stateAsString(), att));
                    }
                }
                ok++;
            } catch (SdkException e) {
                failures.add(AwsFailure.of("EC2.DescribeVolumes", e));
            }
            try {
                byDefault = ec2.getEbsEncryptionByDefault(r -> { }).ebsEncryptionByDefault();
                ok++;
            } catch (SdkException e) {
                failures.add(AwsFailure.of("EC2.GetEbsEncryptionByDefault", e));
            }
            if (Boolean.TRUE.equals(byDefault)) {
                try {
                    defaultKey = ec2.getEbsDefaultKmsKeyId(r -> { }).kmsKeyId();
                    ok++;
                } catch (SdkException e) {
                    failures.add(AwsFailure.of("EC2.GetEbsDefaultKmsKeyId", e));
                }
            }
        }
        instances.sort(Comparator.comparing(Ec2Instance::instanceId));
        volumes.sort(Comparator.comparing(RawVolume::volumeId));
        Coverage coverage;
        if (failures.isEmpty()) {
            coverage = Coverage.scanned(region);
        } else {
            AwsFailure f = failures.get(0);
            String more = failures.size() > 1 ? " (and " + (failures.size() - 1) + " more failed calls)" : "";
            coverage = new Coverage(region, ok == 0 ? CoverageStatus.ERROR : CoverageStatus.PARTIAL, f.code(), f.message() + more);
        }
        return new RegionScan(region, coverage, byDefault, defaultKey, instances, volumes);
    }

    private static Ec2Instance instance(String accountId, String region, Instance i) {
        Map<String, String> tags = new LinkedHashMap<>();
        i.tags().forEach(t -> tags.put(t.key(), t.value()));
        List<BlockDeviceMapping> bdm = i.blockDeviceMappings().stream()
                .filter(m -> m.ebs() != null && m.ebs().volumeId() != null)
                .map(m -> new BlockDeviceMapping(m.deviceName(), m.ebs().volumeId())).toList();
        var placement = i.placement();
        String group = placement == null || placement.groupName() == null || placement.groupName().isEmpty()
                ? null : placement.groupName();
        return new Ec2Instance(i.instanceId(), Arns.instance(region, accountId, i.instanceId()),
                i.state() == null ? "unknown" : i.state().nameAsString(),
                i.stateReason() == null ? null : blankToNull(i.stateReason().code()),
                i.stateReason() == null ? null : blankToNull(i.stateReason().message()),
                tags, i.instanceTypeAsString(),
                placement == null ? null : placement.availabilityZone(),
                placement == null ? null : placement.tenancyAsString(),
                i.ebsOptimized(), group,
                i.iamInstanceProfile() == null ? null : i.iamInstanceProfile().arn(),
                i.rootDeviceTypeAsString(), i.rootDeviceName(), bdm);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String path(String p) {
        return p == null || p.isEmpty() ? "/" : p;
    }

    private static List<String> sorted(List<String> in) {
        return in.stream().sorted().toList();
    }

    private static List<InlinePolicy> inline(List<PolicyDetail> in) {
        return in.stream().map(p -> new InlinePolicy(p.policyName(), PolicyText.decode(p.policyDocument() == null ? "" : p.policyDocument())))
                .sorted(Comparator.comparing(InlinePolicy::name)).toList();
    }

    private static List<String> attached(List<AttachedPolicy> in) {
        return in.stream().map(AttachedPolicy::policyArn).sorted().toList();
    }

    private static Map<String, String> iamTags(List<software.amazon.awssdk.services.iam.model.Tag> tags) {
        Map<String, String> m = new LinkedHashMap<>();
        tags.forEach(t -> m.put(t.key(), t.value()));
        return m;
    }
}
