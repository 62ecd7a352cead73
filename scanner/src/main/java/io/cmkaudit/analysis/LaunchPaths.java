package io.cmkaudit.analysis;

import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.AutoScalingGroup;
import io.cmkaudit.snapshot.EbsSnapshot;
import io.cmkaudit.snapshot.Ec2Fleet;
import io.cmkaudit.snapshot.EksNodeGroup;
import io.cmkaudit.snapshot.FleetLaunchTemplate;
import io.cmkaudit.snapshot.IamRole;
import io.cmkaudit.snapshot.LaunchBlockDevice;
import io.cmkaudit.snapshot.LaunchConfiguration;
import io.cmkaudit.snapshot.LaunchSources;
import io.cmkaudit.snapshot.LaunchTemplateOverride;
import io.cmkaudit.snapshot.LaunchTemplateRef;
import io.cmkaudit.snapshot.LaunchTemplateVersion;
import io.cmkaudit.snapshot.MachineImage;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.SpotFleetRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The launch sources of each account and the KMS keys their new volumes use (launch-paths.md §1-§3, issue 10 item 1).
 *
 * <p>A launch source is an Auto Scaling group (also the group behind an EKS managed node group), an EKS node group
 * whose group was not read, an EC2 Fleet of type {@code maintain}/{@code request}, a Spot Fleet request, or a launch
 * template that none of those use (launched directly by a principal: CI roles, Karpenter's controller). Its
 * <b>launcher</b> is the service-linked role the group names ({@code AWSServiceRoleForAutoScaling} when it names none;
 * {@code AWSServiceRoleForEC2Spot} for a launch configuration with a Spot price), {@code AWSServiceRoleForEC2Fleet},
 * {@code AWSServiceRoleForEC2SpotFleet}, or, for a direct template, every principal allowed to launch from it
 * ({@link LaunchRule}). Sources:
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-fleet-prerequisites.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-prerequisites.html,
 * https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html.
 *
 * <p>The keys of a launch follow AWS's rules for the volumes of a launch
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AMIEncryption.html): the template merges its block device
 * mappings over the AMI's by device name; a mapping's {@code KmsKeyId} is the new volume's key; else an encrypted
 * snapshot owned by the launching account keeps its key; an encrypted snapshot of another account is re-encrypted
 * under the account's EBS default key (its own key is then the <i>source</i> key, which must be decryptable); an
 * unencrypted or absent snapshot is encrypted under the default key when the mapping asks for encryption or
 * encryption by default is on. Launch configurations can't name a key
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Ebs.html). Immutable per account once built;
 * thread-safe.
 */
final class LaunchPaths {

    /** Name of EC2 Auto Scaling's default service-linked role. */
    static final String AUTO_SCALING_SLR = "AWSServiceRoleForAutoScaling";

    /**
     * One launch source.
     *
     * @param resource    the source as a finding's affected resource
     * @param accountId   its account
     * @param region      its region
     * @param launcherArn the service-linked role that launches, or null when principals launch it directly
     * @param needs       the keys its launches use, one per device and launch specification
     * @param unresolved  what could not be resolved (a template version or AMI not in the snapshot), in words
     */
    record Source(Finding.Resource resource, String accountId, String region, String launcherArn, List<Need> needs,
                  List<String> unresolved) {
    }

    /**
     * A key a launch uses.
     *
     * @param target     the new volume's key; never null
     * @param source     the key of the snapshot it is restored from when that differs from the target (re-encryption),
     *                   or null
     * @param sourceHidden why the source snapshot's key is unknown (the snapshot of another account's AMI was not
     *                   readable), or null
     * @param viaDefault whether the target is the account's EBS default key
     * @param what       where the key comes from, in words (device, template, AMI)
     */
    record Need(KeyRef target, KeyRef source, String sourceHidden, boolean viaDefault, String what) {
    }

    /** One launch specification: an AMI and block device mappings over it. */
    private record Spec(String label, String imageId, List<LaunchBlockDevice> devices) {
    }

    private final SnapshotIndex index;
    private final Map<String, List<Source>> byAccount = new ConcurrentHashMap<>();
    private final Map<String, EbsSnapshot> snapshots = new HashMap<>();

    LaunchPaths(SnapshotIndex index) {
        this.index = index;
        for (AccountSnapshot a : index.snapshot.accounts()) {
            for (RegionSnapshot r : a.regions()) {
                r.ebsSnapshots().forEach(s -> snapshots.putIfAbsent(s.snapshotId(), s));
            }
        }
    }

    /** @return the launch sources of an account, in region then kind then id order */
    List<Source> sources(String accountId) {
        return byAccount.computeIfAbsent(accountId, this::build);
    }

    private List<Source> build(String accountId) {
        AccountSnapshot a = index.account(accountId);
        if (a == null) {
            return List.of();
        }
        List<Source> out = new ArrayList<>();
        for (RegionSnapshot r : a.regions()) {
            LaunchSources ls = r.launch();
            Set<String> usedTemplates = new HashSet<>();
            Map<String, EksNodeGroup> nodeGroupOf = new HashMap<>();
            for (EksNodeGroup ng : ls.eksNodeGroups()) {
                ng.autoScalingGroupNames().forEach(g -> nodeGroupOf.put(g, ng));
            }
            Set<String> groups = new HashSet<>();
            for (AutoScalingGroup g : ls.autoScalingGroups()) {
                groups.add(g.name());
                List<Spec> specs = new ArrayList<>();
                List<String> unresolved = new ArrayList<>();
                String launcher = slrArn(a, r.region(), g.serviceLinkedRoleArn());
                if (g.launchConfigurationName() != null) {
                    LaunchConfiguration lc = ls.launchConfigurations().stream()
                            .filter(c -> c.name().equals(g.launchConfigurationName())).findFirst().orElse(null);
                    if (lc == null) {
                        unresolved.add("launch configuration " + g.launchConfigurationName() + " was not read");
                    } else {
                        specs.add(new Spec("launch configuration " + lc.name(), lc.imageId(),
                                lc.blockDeviceMappings()));
                        if (lc.spotPrice() != null) {
                            // Spot launch configurations launch as the Spot role (key-policy-requirements page)
                            launcher = serviceRole(a, "AWSServiceRoleForEC2Spot", "spot.amazonaws.com");
                        }
                    }
                }
                templateSpecs(ls, g.launchTemplate(), g.overrides(), specs, unresolved, usedTemplates);
                templateSpecs(ls, g.mixedInstancesLaunchTemplate(), g.overrides(), specs, unresolved, usedTemplates);
                EksNodeGroup ng = nodeGroupOf.get(g.name());
                String label = ng == null ? null : "EKS node group " + ng.clusterName() + "/" + ng.nodegroupName();
                out.add(source(Finding.Resource.launchSource(Finding.ResourceKind.AUTO_SCALING_GROUP, g.name(),
                        label, r.region()), a, r, launcher, specs, unresolved));
            }
            for (EksNodeGroup ng : ls.eksNodeGroups()) {
                if (ng.autoScalingGroupNames().stream().anyMatch(groups::contains)) {
                    continue;
                }
                List<Spec> specs = new ArrayList<>();
                List<String> unresolved = new ArrayList<>();
                templateSpecs(ls, ng.launchTemplate(), List.of(), specs, unresolved, usedTemplates);
                out.add(source(Finding.Resource.launchSource(Finding.ResourceKind.EKS_NODE_GROUP,
                        ng.clusterName() + "/" + ng.nodegroupName(), null, r.region()), a, r,
                        slrArn(a, r.region(), null), specs, unresolved));
            }
            for (Ec2Fleet f : ls.ec2Fleets()) {
                if ("instant".equals(f.type())) {
                    continue;
                }
                List<Spec> specs = new ArrayList<>();
                List<String> unresolved = new ArrayList<>();
                for (FleetLaunchTemplate c : f.launchTemplateConfigs()) {
                    templateSpecs(ls, c.launchTemplate(), c.overrides(), specs, unresolved, usedTemplates);
                }
                out.add(source(Finding.Resource.launchSource(Finding.ResourceKind.EC2_FLEET, f.fleetId(), null,
                        r.region()), a, r, serviceRole(a, "AWSServiceRoleForEC2Fleet", "ec2fleet.amazonaws.com"),
                        specs, unresolved));
            }
            for (SpotFleetRequest f : ls.spotFleetRequests()) {
                List<Spec> specs = new ArrayList<>();
                List<String> unresolved = new ArrayList<>();
                for (FleetLaunchTemplate c : f.launchTemplateConfigs()) {
                    templateSpecs(ls, c.launchTemplate(), c.overrides(), specs, unresolved, usedTemplates);
                }
                for (SpotFleetRequest.LaunchSpecification s : f.launchSpecifications()) {
                    specs.add(new Spec("launch specification", s.imageId(), s.blockDeviceMappings()));
                }
                out.add(source(Finding.Resource.launchSource(Finding.ResourceKind.SPOT_FLEET,
                        f.spotFleetRequestId(), null, r.region()), a, r,
                        serviceRole(a, "AWSServiceRoleForEC2SpotFleet", "spotfleet.amazonaws.com"), specs, unresolved));
            }
            for (LaunchTemplateVersion v : ls.launchTemplateVersions()) {
                if (!v.defaultVersion() || usedTemplates.contains(v.launchTemplateId())) {
                    continue;
                }
                List<Spec> specs = List.of(new Spec("launch template " + v.launchTemplateId() + " version "
                        + v.versionNumber(), v.imageId(), v.blockDeviceMappings()));
                out.add(source(Finding.Resource.launchSource(Finding.ResourceKind.LAUNCH_TEMPLATE,
                        v.launchTemplateId(), v.launchTemplateName(), r.region()), a, r, null, specs, List.of()));
            }
        }
        return List.copyOf(out);
    }

    private void templateSpecs(LaunchSources ls, LaunchTemplateRef ref, List<LaunchTemplateOverride> overrides,
                               List<Spec> specs, List<String> unresolved, Set<String> used) {
        List<LaunchTemplateRef> refs = new ArrayList<>();
        if (ref != null) {
            refs.add(ref);
        }
        for (LaunchTemplateOverride o : overrides) {
            if (o.launchTemplate() != null) {
                refs.add(o.launchTemplate());
            }
        }
        for (LaunchTemplateRef t : refs) {
            LaunchTemplateVersion v = ls.version(t).orElse(null);
            if (v == null) {
                String id = t.launchTemplateId() != null ? t.launchTemplateId() : t.launchTemplateName();
                unresolved.add("launch template " + id + " version " + t.effectiveVersion() + " was not read");
                if (t.launchTemplateId() != null) {
                    used.add(t.launchTemplateId());
                }
                continue;
            }
            used.add(v.launchTemplateId());
            String label = "launch template " + v.launchTemplateId() + " version " + v.versionNumber();
            specs.add(new Spec(label, v.imageId(), v.blockDeviceMappings()));
            if (t == ref) {
                // overrides may replace the template's AMI
                for (LaunchTemplateOverride o : overrides) {
                    if (o.imageId() != null && o.launchTemplate() == null && !o.imageId().equals(v.imageId())) {
                        specs.add(new Spec(label + " with AMI " + o.imageId(), o.imageId(),
                                v.blockDeviceMappings()));
                    }
                }
            }
        }
    }

    private Source source(Finding.Resource res, AccountSnapshot a, RegionSnapshot r, String launcher,
                          List<Spec> specs, List<String> unresolved) {
        List<Need> needs = new ArrayList<>();
        List<String> notes = new ArrayList<>(unresolved);
        Set<String> seen = new HashSet<>();
        for (Spec s : specs) {
            for (Need n : needs(a.accountId(), r, s, notes)) {
                String k = n.target().arn() + "|" + (n.source() == null ? "" : n.source().arn()) + "|"
                        + n.sourceHidden();
                if (seen.add(k)) {
                    needs.add(n);
                }
            }
        }
        return new Source(res, a.accountId(), r.region(), launcher, List.copyOf(needs), List.copyOf(notes));
    }

    /** The keys of one launch specification's volumes (AMIEncryption rules, launch-paths.md §1.2). */
    private List<Need> needs(String accountId, RegionSnapshot r, Spec s, List<String> notes) {
        MachineImage image = s.imageId() == null ? null : r.launch().images().stream()
                .filter(i -> i.imageId().equals(s.imageId())).findFirst().orElse(null);
        if (s.imageId() != null && image == null) {
            notes.add("AMI " + s.imageId() + " of " + s.label() + " was not read");
        }
        Map<String, LaunchBlockDevice[]> devices = new LinkedHashMap<>();
        if (image != null) {
            image.blockDeviceMappings().forEach(d -> devices.computeIfAbsent(d.deviceName(),
                    k -> new LaunchBlockDevice[2])[0] = d);
        }
        s.devices().forEach(d -> devices.computeIfAbsent(d.deviceName(), k -> new LaunchBlockDevice[2])[1] = d);
        boolean byDefault = Boolean.TRUE.equals(r.ebsEncryptionByDefault());
        KeyRef defaultKey = index.launchKeyRef(r.ebsDefaultKmsKeyArn(), r.ebsDefaultKmsKeyId());
        List<Need> out = new ArrayList<>();
        for (Map.Entry<String, LaunchBlockDevice[]> e : devices.entrySet()) {
            LaunchBlockDevice ami = e.getValue()[0];
            LaunchBlockDevice mine = e.getValue()[1];
            if (mine != null && (mine.noDevice() || !mine.ebs()) || mine == null && (ami == null || !ami.ebs())) {
                continue;
            }
            String what = s.label() + " device " + e.getKey();
            String snapshotId = mine != null && mine.snapshotId() != null ? mine.snapshotId()
                    : ami != null ? ami.snapshotId() : null;
            EbsSnapshot snap = snapshotId == null ? null : snapshots.get(snapshotId);
            Boolean snapEncrypted = snap != null && snap.encrypted() != null ? snap.encrypted()
                    : ami != null && Objects.equals(snapshotId, ami.snapshotId()) ? ami.encrypted() : null;
            boolean owned = snap != null ? accountId.equals(snap.ownerId())
                    : image == null || accountId.equals(image.ownerId());
            KeyRef snapKey = snap == null ? null : index.launchKeyRef(snap.kmsKeyArn(), snap.kmsKeyId());
            String hidden = Boolean.TRUE.equals(snapEncrypted) && snapKey == null
                    ? "the key of snapshot " + snapshotId + (image == null ? "" : " (AMI " + image.imageId()
                    + " of account " + image.ownerId() + ")") + " could not be read"
                    + (snap != null && snap.readError() != null ? " (" + snap.readError().code() + ")" : "")
                    : null;
            KeyRef requested = mine == null ? null : index.launchKeyRef(mine.kmsKeyArn(), mine.kmsKeyId());
            if (requested != null) {
                KeyRef src = Boolean.TRUE.equals(snapEncrypted) && snapKey != null
                        && !snapKey.arn().equals(requested.arn()) ? snapKey : null;
                out.add(new Need(requested, src, src == null && !owned ? hidden : null, false, what));
            } else if (Boolean.TRUE.equals(snapEncrypted)) {
                if (owned && snapKey != null) {
                    out.add(new Need(snapKey, null, null, false, what + " (snapshot " + snapshotId + ")"));
                } else if (defaultKey != null) {
                    // an encrypted snapshot of another account is re-encrypted under the default key
                    out.add(new Need(defaultKey, owned ? null : snapKey, owned ? null : hidden, true,
                            what + " (snapshot " + snapshotId + " re-encrypted under the EBS default key)"));
                }
            } else if ((mine != null && Boolean.TRUE.equals(mine.encrypted()) || byDefault) && defaultKey != null) {
                out.add(new Need(defaultKey, null, null, true, what + " (EBS default key)"));
            }
        }
        return out;
    }

    /**
     * @return the ARN of the Auto Scaling service-linked role a group names, or of the default one when it names
     *         none (taken from the account's IAM roles when present)
     */
    private String slrArn(AccountSnapshot a, String region, String named) {
        if (named != null) {
            return named;
        }
        return serviceRole(a, AUTO_SCALING_SLR, "autoscaling.amazonaws.com");
    }

    /** @return the ARN of a service-linked role of the account: the collected role's, else the documented form */
    String serviceRole(AccountSnapshot a, String name, String service) {
        for (IamRole r : a.iam().roles()) {
            if (r.name().equals(name)) {
                return r.arn();
            }
        }
        return "arn:" + index.partition() + ":iam::" + a.accountId() + ":role/aws-service-role/" + service + "/" + name;
    }

    /**
     * @return the launch sources of the account and region whose volumes use the key through the EBS default
     */
    List<Finding.Resource> usingDefault(String accountId, String region, String keyArn) {
        return sources(accountId).stream().filter(s -> s.region().equals(region) && s.needs().stream()
                .anyMatch(n -> n.viaDefault() && n.target().arn().equals(keyArn))).map(Source::resource).toList();
    }
}
