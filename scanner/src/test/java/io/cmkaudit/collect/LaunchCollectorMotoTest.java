package io.cmkaudit.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.AutoScalingGroup;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.EbsSnapshot;
import io.cmkaudit.snapshot.Ec2Fleet;
import io.cmkaudit.snapshot.EksNodeGroup;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.LaunchBlockDevice;
import io.cmkaudit.snapshot.LaunchConfiguration;
import io.cmkaudit.snapshot.LaunchSources;
import io.cmkaudit.snapshot.LaunchTemplateOverride;
import io.cmkaudit.snapshot.LaunchTemplateRef;
import io.cmkaudit.snapshot.LaunchTemplateVersion;
import io.cmkaudit.snapshot.MachineImage;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.ScalingActivity;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.snapshot.SnapshotJson;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The launch sources of a member account read against moto_server: Auto Scaling groups on launch templates
 * ({@code $Latest}, {@code $Default}, a pinned version, a mixed instances policy override naming another template), a
 * launch configuration, an EKS managed node group, an EC2 Fleet, the AMIs they name (one shared from another account
 * of the organization, whose snapshot key only that owner can see), and the EBS default key with encryption by default
 * off.
 *
 * <p>Where moto 5.2.1 lacks a call or a field (launch-paths.md §5) the loopback {@link AwsProxy} of this test answers
 * or amends it, and each place says so: moto ignores a custom {@code ServiceLinkedRoleARN} (the proxy puts the custom
 * role into the group's description), always answers {@code DescribeScalingActivities} with nothing (the proxy answers
 * with one failed and one successful activity), never reports node-group health issues (the proxy adds one), and
 * keeps every account's AMIs to itself (the proxy adds the shared AMI to the launching account's
 * {@code DescribeImages}; its snapshot is a real moto snapshot in the owner account, read through the owner's session).
 * {@code GetEbsDefaultKmsKeyId} is answered by {@link io.cmkaudit.testing.MotoGaps} in front of moto. The proxy also
 * refuses {@code eks:ListClusters} in us-east-1 to show that a failed launch read gets its own coverage row.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LaunchCollectorMotoTest {

    static final String EU = "eu-west-1";
    static final String US = "us-east-1";
    static final String MOTO_AMI = "ami-12c6146b";
    static final String SHARED_AMI = "ami-0a11ce5ba5eba11ad";

    OrgSeeder org;
    AwsProxy proxy;
    OrgSeeder.Account app;
    OrgSeeder.Account images;
    OrgSeeder.Key appKey;
    OrgSeeder.Key defaultKey;
    OrgSeeder.Key imageKey;
    String sharedSnapshot;
    String web;
    String pinned;
    String customSlr;
    String nodeRole;
    String fleetId;
    Snapshot snapshot;

    @BeforeAll
    void seedAndCollect(MotoServer moto) {
        org = new OrgSeeder(moto.endpoint()).organization();
        app = org.account("app", "");
        images = org.account("images", "");
        imageKey = images.key(EU, "golden image key");
        sharedSnapshot = imageKey.encryptedSnapshot();

        appKey = app.key(EU, "app volumes").alias("alias/app-ebs");
        defaultKey = app.key(EU, "ebs default");
        app.ec2(EU).modifyEbsDefaultKmsKeyId(r -> r.kmsKeyId(defaultKey.arn()));
        customSlr = app.autoScalingServiceLinkedRole("web");
        nodeRole = app.role("eks-nodes", OrgSeeder.TRUST_EC2).arn();

        // "web": v1 ($Default) on the alias, v2 ($Latest) on the key ARN; "pinned": three versions, v2 pinned by a
        // mixed instances override, v3 on the shared AMI.
        web = app.launchTemplate(EU, "web", MOTO_AMI, "/dev/xvdb", "alias/app-ebs");
        app.launchTemplateVersion(EU, web, MOTO_AMI, "/dev/xvdb", appKey.arn());
        pinned = app.launchTemplate(EU, "pinned", MOTO_AMI, "/dev/xvdc", null);
        app.launchTemplateVersion(EU, pinned, MOTO_AMI, "/dev/xvdc", appKey.keyId());
        app.launchTemplateVersion(EU, pinned, SHARED_AMI, "/dev/xvdc", null);

        app.autoScalingGroup(EU, "web", web, "$Latest", null)
                .autoScalingGroup(EU, "custom", web, "$Default", customSlr)
                .mixedInstancesGroup(EU, "mixed", web, pinned, "2")
                .launchConfigurationGroup(EU, "legacy", MOTO_AMI)
                .eksNodeGroup(EU, "apps", "workers", nodeRole, web, "1");
        fleetId = app.ec2Fleet(EU, web, "$Latest");

        proxy = AwsProxy.amending(moto.endpoint(), Duration.ZERO, r -> false, this::answer, this::amend);
        ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", List.of(EU, US),
                List.of(), List.of(), 2, "HIGH", Path.of("out"), proxy.endpoint(), 30, false);
        snapshot = new Collector(config, new CollectorOptions("9.9.9", false, OrgSeeder.MANAGEMENT_CREDENTIALS))
                .collect(ProgressListener.NONE);
    }

    /** The proxy's own answers: scaling activities (moto: always none) and the refused ListClusters. */
    private AwsProxy.Answer answer(AwsProxy.Request r) {
        if (r.isAction("DescribeScalingActivities") && EU.equals(r.region())) {
            return new AwsProxy.Answer(200, "text/xml", "<DescribeScalingActivitiesResponse "
                    + "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><DescribeScalingActivitiesResult>"
                    + "<Activities>"
                    + activity("a-failed", "web", "Failed", "Instance became unhealthy while waiting for instance to be "
                    + "in InService state. Termination Reason: Client.InternalError: Client error on launch")
                    + activity("a-ok", "web", "Successful", null)
                    + "</Activities></DescribeScalingActivitiesResult><ResponseMetadata><RequestId>proxy</RequestId>"
                    + "</ResponseMetadata></DescribeScalingActivitiesResponse>");
        }
        if (r.path().startsWith("/clusters") && "GET".equals(r.method()) && US.equals(r.region())
                && r.path().split("\\?")[0].equals("/clusters")) {
            return new AwsProxy.Answer(403, "application/json", "{\"__type\":\"AccessDeniedException\","
                    + "\"message\":\"not authorized to perform: eks:ListClusters (denied by the test proxy)\"}");
        }
        return null;
    }

    private static String activity(String id, String group, String status, String message) {
        return "<member><ActivityId>" + id + "</ActivityId><AutoScalingGroupName>" + group + "</AutoScalingGroupName>"
                + "<Description>Launching a new EC2 instance. Status Reason: " + (message == null ? "ok" : message)
                + "</Description><Cause>At 2026-11-30T10:00:00Z a user request update of AutoScalingGroup constraints"
                + "</Cause><StartTime>2026-11-30T10:00:00Z</StartTime><EndTime>2026-11-30T10:00:05Z</EndTime>"
                + "<StatusCode>" + status + "</StatusCode>" + (message == null ? "" : "<StatusMessage>" + message
                + "</StatusMessage>") + "<Progress>100</Progress></member>";
    }

    /** Amends moto's answers with the fields it leaves out (see the class comment). */
    private String amend(AwsProxy.Request r, String body) {
        if (r.isAction("DescribeAutoScalingGroups")) {
            Matcher m = Pattern.compile("(<AutoScalingGroupName>custom</AutoScalingGroupName>.*?<ServiceLinkedRoleARN>)"
                    + "[^<]*(</ServiceLinkedRoleARN>)", Pattern.DOTALL).matcher(body);
            return m.find() ? m.replaceFirst("$1" + Matcher.quoteReplacement(customSlr) + "$2") : body;
        }
        if (r.isAction("DescribeImages") && r.body().contains(SHARED_AMI)) {
            String item = "<item><blockDeviceMapping><item><ebs><deleteOnTermination>true</deleteOnTermination>"
                    + "<snapshotId>" + sharedSnapshot + "</snapshotId><volumeSize>8</volumeSize>"
                    + "<encrypted>true</encrypted></ebs><deviceName>/dev/xvda</deviceName></item></blockDeviceMapping>"
                    + "<name>golden</name><rootDeviceName>/dev/xvda</rootDeviceName><rootDeviceType>ebs</rootDeviceType>"
                    + "<imageId>" + SHARED_AMI + "</imageId><imageState>available</imageState><imageOwnerId>"
                    + images.id() + "</imageOwnerId><isPublic>false</isPublic></item>";
            return body.contains("<imagesSet/>") ? body.replace("<imagesSet/>", "<imagesSet>" + item + "</imagesSet>")
                    : body.replace("<imagesSet>", "<imagesSet>" + item);
        }
        if (r.path().contains("/node-groups/workers")) {
            return body.replace("\"issues\": []", "\"issues\": [{\"code\": \"AsgInstanceLaunchFailures\", \"message\": "
                    + "\"Instance became unhealthy while waiting for instance to be in InService state. Termination "
                    + "Reason: Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state\", "
                    + "\"resourceIds\": [\"eks-workers\"]}]");
        }
        return body;
    }

    @AfterAll
    void close() {
        if (proxy != null) {
            proxy.close();
        }
        if (org != null) {
            org.close();
        }
    }

    private RegionSnapshot region(String account, String region) {
        return snapshot.account(account).orElseThrow().region(region).orElseThrow();
    }

    private LaunchSources launch() {
        return region(app.id(), EU).launch();
    }

    @Test
    void groupsKeepTheirRoleTemplateAndOverrides() {
        String defaultSlr = "arn:aws:iam::" + app.id()
                + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
        assertThat(launch().autoScalingGroups()).extracting(AutoScalingGroup::name,
                AutoScalingGroup::serviceLinkedRoleArn, AutoScalingGroup::launchTemplate,
                AutoScalingGroup::launchConfigurationName).containsExactly(
                tuple("custom", customSlr, new LaunchTemplateRef(web, "web", "$Default"), null),
                tuple("legacy", defaultSlr, null, "legacy"),
                tuple("mixed", defaultSlr, null, null),
                tuple("web", defaultSlr, new LaunchTemplateRef(web, "web", "$Latest"), null));
        AutoScalingGroup mixed = launch().autoScalingGroups().get(2);
        assertThat(mixed.mixedInstancesLaunchTemplate().launchTemplateId()).isEqualTo(web);
        assertThat(mixed.mixedInstancesLaunchTemplate().effectiveVersion()).isEqualTo("$Default");
        assertThat(mixed.overrides()).extracting(LaunchTemplateOverride::instanceType,
                o -> o.launchTemplate() == null ? null : o.launchTemplate().launchTemplateId(),
                o -> o.launchTemplate() == null ? null : o.launchTemplate().version())
                .containsExactly(tuple("t3.micro", null, null), tuple("m5.large", pinned, "2"));
        assertThat(mixed.onDemandPercentageAboveBaseCapacity()).isEqualTo(50);
        assertThat(customSlr).endsWith(":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web");
    }

    @Test
    void templateVersionsAreDefaultLatestAndPinnedWithResolvedKeys() {
        assertThat(launch().launchTemplateVersions()).extracting(LaunchTemplateVersion::launchTemplateName,
                LaunchTemplateVersion::versionNumber, LaunchTemplateVersion::defaultVersion,
                LaunchTemplateVersion::latestVersion, LaunchTemplateVersion::imageId).containsExactlyInAnyOrder(
                tuple("web", 1L, true, false, MOTO_AMI), tuple("web", 2L, false, true, MOTO_AMI),
                tuple("pinned", 1L, true, false, MOTO_AMI), tuple("pinned", 2L, false, false, MOTO_AMI),
                tuple("pinned", 3L, false, true, SHARED_AMI));
        LaunchTemplateVersion webDefault = launch().version(new LaunchTemplateRef(web, null, null)).orElseThrow();
        assertThat(webDefault.blockDeviceMappings()).extracting(LaunchBlockDevice::deviceName,
                LaunchBlockDevice::encrypted, LaunchBlockDevice::kmsKeyId, LaunchBlockDevice::kmsKeyArn)
                .containsExactly(tuple("/dev/xvdb", true, "alias/app-ebs", appKey.arn()));
        LaunchTemplateVersion pinned2 = launch().version(new LaunchTemplateRef(pinned, null, "2")).orElseThrow();
        assertThat(pinned2.blockDeviceMappings()).extracting(LaunchBlockDevice::kmsKeyId, LaunchBlockDevice::kmsKeyArn)
                .containsExactly(tuple(appKey.keyId(), appKey.arn()));
    }

    @Test
    void launchConfigurationsCarryEncryptionWithoutKey() {
        assertThat(launch().launchConfigurations()).extracting(LaunchConfiguration::name, LaunchConfiguration::imageId)
                .containsExactly(tuple("legacy", MOTO_AMI));
        assertThat(launch().launchConfigurations().get(0).blockDeviceMappings())
                .extracting(LaunchBlockDevice::deviceName, LaunchBlockDevice::encrypted, LaunchBlockDevice::kmsKeyId)
                .containsExactly(tuple("/dev/xvdb", true, null));
    }

    @Test
    void failedScalingActivitiesAreKeptAndSuccessfulOnesLeftOut() {
        // moto answers DescribeScalingActivities with nothing: the proxy answered (see the class comment)
        assertThat(launch().scalingActivities()).extracting(ScalingActivity::activityId,
                ScalingActivity::autoScalingGroupName, ScalingActivity::statusCode, ScalingActivity::startTime)
                .containsExactly(tuple("a-failed", "web", "Failed", Instant.parse("2026-11-30T10:00:00Z")));
        assertThat(launch().scalingActivities().get(0).statusMessage()).endsWith("Client.InternalError: Client error on launch");
    }

    @Test
    void nodeGroupsKeepTemplateRoleGroupsAndHealth() {
        EksNodeGroup ng = launch().eksNodeGroups().get(0);
        assertThat(ng.clusterName()).isEqualTo("apps");
        assertThat(ng.nodegroupName()).isEqualTo("workers");
        assertThat(ng.nodeRole()).isEqualTo(nodeRole);
        assertThat(ng.launchTemplate()).isEqualTo(new LaunchTemplateRef(web, "web", "1"));
        // moto names an eks-<uuid> group that it never creates in Auto Scaling (launch-paths.md §5)
        assertThat(ng.autoScalingGroupNames()).singleElement().asString().startsWith("eks-");
        // moto reports no health issues: the proxy added this one
        assertThat(ng.healthIssues()).extracting(EksNodeGroup.HealthIssue::code, EksNodeGroup.HealthIssue::resourceIds)
                .containsExactly(tuple("AsgInstanceLaunchFailures", List.of("eks-workers")));
    }

    @Test
    void fleetsKeepTheirLaunchTemplates() {
        assertThat(launch().ec2Fleets()).extracting(Ec2Fleet::fleetId, Ec2Fleet::type,
                f -> f.launchTemplateConfigs().get(0).launchTemplate())
                .containsExactly(tuple(fleetId, "maintain", new LaunchTemplateRef(web, null, "$Latest")));
    }

    @Test
    void sharedAmiSnapshotKeyIsReadInTheOwnerAccount() {
        // the AMI is shared only through the proxy; its snapshot and key are real moto resources of the owner
        assertThat(launch().images()).extracting(MachineImage::imageId, MachineImage::ownerId)
                .contains(tuple(SHARED_AMI, images.id()));
        EbsSnapshot s = region(images.id(), EU).ebsSnapshot(sharedSnapshot).orElseThrow();
        assertThat(s.ownerId()).isEqualTo(images.id());
        assertThat(s.encrypted()).isTrue();
        assertThat(s.kmsKeyArn()).isEqualTo(imageKey.arn());
        assertThat(s.readError()).isNull();
        assertThat(region(images.id(), EU).kmsKeys()).extracting(KmsKey::arn).containsExactly(imageKey.arn());
    }

    @Test
    void defaultKeyIsReadWithEncryptionByDefaultOffWhenTheRegionLaunches() {
        RegionSnapshot eu = region(app.id(), EU);
        assertThat(eu.ebsEncryptionByDefault()).isFalse();
        assertThat(eu.ebsDefaultKmsKeyId()).isEqualTo(defaultKey.arn());
        assertThat(eu.ebsDefaultKmsKeyArn()).isEqualTo(defaultKey.arn());
        assertThat(eu.kmsKeys()).extracting(KmsKey::arn).containsExactlyInAnyOrder(appKey.arn(), defaultKey.arn());
        // no launch source in us-east-1: the default key id is read, the key itself is not
        RegionSnapshot us = region(app.id(), US);
        assertThat(us.ebsDefaultKmsKeyId()).isEqualTo("alias/aws/ebs");
        assertThat(us.kmsKeys()).isEmpty();
    }

    @Test
    void aFailedLaunchReadHasItsOwnCoverageRow() {
        List<Coverage> coverage = snapshot.account(app.id()).orElseThrow().coverage();
        assertThat(coverage).filteredOn(c -> c.region().startsWith(US)).extracting(Coverage::region,
                Coverage::status, Coverage::errorCode).containsExactly(tuple(US, CoverageStatus.SCANNED, null),
                tuple(US + "/EKS.ListClusters", CoverageStatus.PARTIAL, "AccessDeniedException"));
        assertThat(coverage.get(coverage.size() - 1).errorMessage()).startsWith("EKS.ListClusters: ");
        assertThat(coverage).filteredOn(c -> c.region().startsWith(EU)).extracting(Coverage::status)
                .containsExactly(CoverageStatus.SCANNED);
    }

    @Test
    void callCountsEqualTheDocumentedMinimum() {
        // root only; SCP + RCP types; FullAWSAccess + RCPFullAWSAccess; 3 accounts read, 2 through a role; 2 regions;
        // keys: app key + default key (app eu), image key (images eu); AdministratorAccess on the member roles.
        // Launch: groups in app eu; 1 cluster, 1 node group; 1 pinned template; images and snapshots named in app eu;
        // the shared AMI's snapshot read in images eu.
        Map<String, Long> expected = new java.util.TreeMap<>(MinimumCalls.of(
                new MinimumCalls.Counts(1, 2, 2, 3, 2, 6, 0, 2, 3, 1), new MinimumCalls.LaunchCounts(1, 1, 1, 1, 1, 1, 1)));
        // IAM Identity Center: moto has an (empty) instance in the first configured region.
        expected.putAll(MinimumCalls.identityCenter(1, 0, 0, 0, 0));
        // only AWS managed org policies (FullAWSAccess, RCPFullAWSAccess): their targets need no call
        expected.remove("Organizations.ListTargetsForPolicy");
        assertThat(snapshot.run().apiCalls()).isEqualTo(expected);
    }

    @Test
    void snapshotRoundTripsThroughJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotJson.write(snapshot, out);
        assertThat(SnapshotJson.read(new ByteArrayInputStream(out.toByteArray()))).isEqualTo(snapshot);
    }
}
