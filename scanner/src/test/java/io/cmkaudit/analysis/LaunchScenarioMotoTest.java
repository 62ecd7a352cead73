package io.cmkaudit.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.collect.Collector;
import io.cmkaudit.collect.CollectorOptions;
import io.cmkaudit.collect.ProgressListener;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.snapshot.Snapshot;
import io.cmkaudit.testing.AwsProxy;
import io.cmkaudit.testing.MotoServer;
import io.cmkaudit.testing.MotoServerExtension;
import io.cmkaudit.testing.OrgSeeder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The launch-path scenario of issue 10, collected from moto_server and analyzed: an Auto Scaling group on a launch
 * template whose volume key's policy does not name the group's service-linked role ({@code blocked}), the same with
 * AWS's two statements ({@code allowed}), a group naming a custom-suffix role ({@code custom}), an EKS managed node
 * group, a role allowed {@code ec2:CreateFleet} without KMS rights (Karpenter-style, on a template no group uses), an
 * account region whose EBS default key is a disabled CMK ({@code us-east-1}, a launch configuration group), and an
 * AMI shared from another account whose snapshot key that account does not share ({@code shared}).
 *
 * <p>Where moto 5.2.1 lacks a call or a field (launch-paths.md §5) this test's {@link AwsProxy} answers or amends it,
 * and says so here: moto ignores a group's custom {@code ServiceLinkedRoleARN} (the proxy writes it into
 * {@code DescribeAutoScalingGroups}); {@code DescribeScalingActivities} is always empty (the proxy answers with two
 * failed activities: one of {@code blocked}, one of {@code allowed}); accounts never see each other's AMIs (the proxy
 * adds the shared AMI, whose snapshot is a real moto snapshot of the owner account, to {@code DescribeImages}); the node
 * group's Auto Scaling group does not exist in moto (the node group is analyzed as its own launch source).
 * {@code GetEbsDefaultKmsKeyId} is answered by {@link io.cmkaudit.testing.MotoGaps} in front of moto.
 */
@ExtendWith(MotoServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LaunchScenarioMotoTest {

    static final String EU = "eu-west-1";
    static final String US = "us-east-1";
    static final String MOTO_AMI = "ami-12c6146b";
    static final String SHARED_AMI = "ami-0a11ce5ba5eba11ad";

    OrgSeeder org;
    AwsProxy proxy;
    OrgSeeder.Account app;
    OrgSeeder.Account images;
    String defaultSlr;
    String customSlr;
    String sharedSnapshot;
    OrgSeeder.Key plainKey;
    OrgSeeder.Key namedKey;
    OrgSeeder.Key imageKey;
    OrgSeeder.Key usDefault;
    String karpenter;
    List<Finding> findings;

    @BeforeAll
    void seedCollectAnalyze(MotoServer moto) {
        org = new OrgSeeder(moto.endpoint()).organization();
        app = org.account("app", "");
        images = org.account("images", "");
        imageKey = images.key(EU, "golden image key");
        sharedSnapshot = imageKey.encryptedSnapshot();

        defaultSlr = app.autoScalingServiceLinkedRole(null);
        customSlr = app.autoScalingServiceLinkedRole("web");
        plainKey = app.key(EU, "volumes, root delegation only");
        namedKey = app.key(EU, "volumes, names the Auto Scaling role").policy("{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                + app.id() + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},"
                + "{\"Sid\":\"Allow service-linked role use of the customer managed key\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + defaultSlr + "\"},\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\","
                + "\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\",\"kms:DescribeKey\"],\"Resource\":\"*\"},"
                + "{\"Sid\":\"Allow attachment of persistent resources\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + defaultSlr + "\"},\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":{\"Bool\":"
                + "{\"kms:GrantIsForAWSResource\":true}}}]}");

        String blockedLt = app.launchTemplate(EU, "blocked", MOTO_AMI, "/dev/xvdb", plainKey.arn());
        String namedLt = app.launchTemplate(EU, "named", MOTO_AMI, "/dev/xvdb", namedKey.arn());
        String sharedLt = app.launchTemplate(EU, "shared", SHARED_AMI, "/dev/xvdb", null);
        String karpenterLt = app.launchTemplate(EU, "karpenter.k8s.aws/0123", MOTO_AMI, "/dev/xvdb", plainKey.arn());
        app.autoScalingGroup(EU, "blocked", blockedLt, "$Default", null)
                .autoScalingGroup(EU, "allowed", namedLt, "$Default", null)
                .autoScalingGroup(EU, "custom", namedLt, "$Default", customSlr)
                .autoScalingGroup(EU, "shared", sharedLt, "$Default", null)
                .eksNodeGroup(EU, "apps", "workers", app.role("eks-nodes", OrgSeeder.TRUST_EC2).arn(), blockedLt, "1");
        karpenter = app.role("karpenter", OrgSeeder.TRUST_EC2).inline("launch", "{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"ec2:CreateFleet\",\"ec2:RunInstances\","
                + "\"ec2:CreateLaunchTemplate\"],\"Resource\":\"*\"}]}").arn();
        assertThat(karpenterLt).startsWith("lt-");

        // us-east-1: encryption by default on, the default key a disabled CMK, a launch configuration group
        usDefault = app.key(US, "ebs default");
        app.ec2(US).modifyEbsDefaultKmsKeyId(r -> r.kmsKeyId(usDefault.arn()));
        app.ebsEncryptionByDefault(US, true);
        usDefault.disable();
        app.launchConfigurationGroup(US, "legacy", MOTO_AMI);

        proxy = AwsProxy.amending(moto.endpoint(), Duration.ZERO, r -> false, this::answer, this::amend);
        ScannerConfig config = new ScannerConfig("OrganizationAccountAccessRole", null, "cmk-audit", List.of(EU, US),
                List.of(), List.of(), 2, "HIGH", Path.of("out"), proxy.endpoint(), 30, false);
        Snapshot snapshot = new Collector(config, new CollectorOptions("9.9.9", false,
                OrgSeeder.MANAGEMENT_CREDENTIALS)).collect(ProgressListener.NONE);
        findings = new Analyzer().analyze(snapshot).findings();
    }

    /** The proxy's answer moto lacks: failed scaling activities (moto: always none). */
    private AwsProxy.Answer answer(AwsProxy.Request r) {
        if (r.isAction("DescribeScalingActivities") && EU.equals(r.region())) {
            return new AwsProxy.Answer(200, "text/xml", "<DescribeScalingActivitiesResponse "
                    + "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><DescribeScalingActivitiesResult>"
                    + "<Activities>"
                    + activity("a-blocked", "blocked", "Instance became unhealthy while waiting for instance to be in "
                    + "InService state. Termination Reason: Client.InternalError: Client error on launch")
                    + activity("a-allowed", "allowed", "Client.InvalidKMSKey.InvalidState: The KMS key provided is in "
                    + "an incorrect state")
                    + "</Activities></DescribeScalingActivitiesResult><ResponseMetadata><RequestId>proxy</RequestId>"
                    + "</ResponseMetadata></DescribeScalingActivitiesResponse>");
        }
        return null;
    }

    private static String activity(String id, String group, String message) {
        return "<member><ActivityId>" + id + "</ActivityId><AutoScalingGroupName>" + group + "</AutoScalingGroupName>"
                + "<Description>Launching a new EC2 instance. Status Reason: " + message + "</Description>"
                + "<Cause>At 2026-11-30T10:00:00Z an instance was started in response to a difference between desired "
                + "and actual capacity</Cause><StartTime>2026-11-30T10:00:00Z</StartTime>"
                + "<EndTime>2026-11-30T10:00:05Z</EndTime><StatusCode>Failed</StatusCode><StatusMessage>" + message
                + "</StatusMessage><Progress>100</Progress></member>";
    }

    /** Amends moto's answers with what it leaves out (see the class comment). */
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

    private List<Finding> of(FindingType type) {
        return findings.stream().filter(f -> f.type() == type).toList();
    }

    private static List<String> sources(Finding f) {
        return f.launchSources().stream().map(r -> r.kind() + ":" + r.id()).toList();
    }

    @Test
    void aGroupWhoseRoleTheKeyPolicyDoesNotNameIsBlockedByTheKeyPolicy() {
        Finding f = of(FindingType.LAUNCH_BLOCKED_KMS_DENIED).stream()
                .filter(x -> defaultSlr.equals(x.principalArn()) && plainKey.arn().equals(x.keyArn())).findFirst()
                .orElseThrow();
        assertThat(f.decidingLayers()).containsExactly("resource");
        assertThat(f.principalType()).isEqualTo("service-linked-role");
        // the node group launches as the same role with the same key: the same fix, the same finding
        assertThat(sources(f)).containsExactlyInAnyOrder("AUTO_SCALING_GROUP:blocked", "EKS_NODE_GROUP:apps/workers");
        assertThat(f.remediationPolicy()).contains("\"AWS\": \"" + defaultSlr + "\"", "\"kms:GenerateDataKey*\"",
                "kms:GrantIsForAWSResource");
        // AWS already saw it fail: confirmed by the scaling activity
        assertThat(f.confirmed()).isNotNull();
        assertThat(f.confirmed().code()).isEqualTo("Client.InternalError");
        assertThat(f.confirmed().source()).isEqualTo("scaling activity a-blocked of blocked");
    }

    @Test
    void theGroupWhoseRoleTheKeyPolicyNamesLaunchesAndOnlyTheNamedRoleIsJudged() {
        assertThat(findings).noneMatch(f -> f.type() != FindingType.FAILURE_UNEXPLAINED
                && f.launchSources().stream().anyMatch(r -> r.id().equals("allowed")));
        Finding custom = of(FindingType.LAUNCH_BLOCKED_KMS_DENIED).stream()
                .filter(x -> customSlr.equals(x.principalArn())).findFirst().orElseThrow();
        assertThat(custom.keyArn()).isEqualTo(namedKey.arn());
        assertThat(sources(custom)).containsExactly("AUTO_SCALING_GROUP:custom");
        assertThat(custom.decidingLayers()).containsExactly("resource");
    }

    @Test
    void aRoleAllowedCreateFleetWithoutKmsRightsIsBlockedByItsIdentityPolicies() {
        Finding f = of(FindingType.LAUNCH_BLOCKED_KMS_DENIED).stream()
                .filter(x -> karpenter.equals(x.principalArn())).findFirst().orElseThrow();
        assertThat(f.keyArn()).isEqualTo(plainKey.arn());
        assertThat(f.decidingLayers()).containsExactly("identity");
        assertThat(f.launchSources()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Finding.ResourceKind.LAUNCH_TEMPLATE);
            assertThat(r.name()).isEqualTo("karpenter.k8s.aws/0123");
        });
        assertThat(f.remediationPolicy()).contains(plainKey.arn(), "kms:ViaService", "kms:GrantIsForAWSResource")
                .doesNotContain("\"Resource\": \"*\"");
    }

    @Test
    void theDisabledDefaultKeyListsTheLaunchSourcesItBreaks() {
        Finding f = of(FindingType.EBS_DEFAULT_KEY_UNUSABLE).stream()
                .filter(x -> usDefault.arn().equals(x.keyArn())).findFirst().orElseThrow();
        assertThat(f.region()).isEqualTo(US);
        assertThat(sources(f)).containsExactly("AUTO_SCALING_GROUP:legacy");
    }

    @Test
    void theSharedAmisSnapshotKeyInAnotherAccountNeedsAGrantForTheRole() {
        Finding f = of(FindingType.LAUNCH_BLOCKED_KMS_DENIED).stream()
                .filter(x -> imageKey.arn().equals(x.keyArn())).findFirst().orElseThrow();
        assertThat(f.principalArn()).isEqualTo(defaultSlr);
        assertThat(f.keyAccountId()).isEqualTo(images.id());
        assertThat(sources(f)).containsExactly("AUTO_SCALING_GROUP:shared");
        assertThat(f.remediation()).contains("run in account " + app.id(), "aws kms create-grant --key-id "
                + imageKey.arn() + " --grantee-principal " + defaultSlr);
    }

    @Test
    void aRecordedFailureNoFindingExplainsIsReported() {
        assertThat(of(FindingType.FAILURE_UNEXPLAINED)).singleElement().satisfies(f -> {
            assertThat(sources(f)).containsExactly("AUTO_SCALING_GROUP:allowed");
            assertThat(f.confirmed().code()).isEqualTo("Client.InvalidKMSKey.InvalidState");
        });
    }
}
