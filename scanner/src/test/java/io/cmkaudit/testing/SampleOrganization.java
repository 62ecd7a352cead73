package io.cmkaudit.testing;

import java.util.List;

/**
 * The realistic organization behind {@code samples/sample-org.snapshot.json} (described in {@code samples/README.md}):
 * a management account and four members in four OUs, two regions, IAM Identity Center with two permission sets, and
 * one of each case the analysis must handle.
 * Names are stable; ids are moto's (random per run).
 */
public final class SampleOrganization {

    /** Regions of the sample. */
    public static final List<String> REGIONS = List.of("eu-west-1", "us-east-1");
    static final String EU = "eu-west-1";
    static final String US = "us-east-1";

    /** The Auto Scaling group of the launch scenario (prod-app, eu-west-1). */
    public static final String LAUNCH_GROUP = "web-asg";
    /** The reason of the launch failure the sample records (what AWS reports when a launch is denied a KMS call). */
    public static final String LAUNCH_FAILURE = "Instance became unhealthy while waiting for instance to be in "
            + "InService state. Termination Reason: Client.InternalError: Client error on launch";

    private SampleOrganization() {
    }

    /**
     * The test proxy's answer for what moto 5.2.1 never records (launch-paths.md §5): {@code DescribeScalingActivities}
     * is always empty in moto, so the proxy answers, in eu-west-1 (only prod-app has Auto Scaling groups, and the
     * collector asks only where there are groups), with one failed launch of {@link #LAUNCH_GROUP} for a KMS reason.
     *
     * @param r a request through the proxy
     * @return the answer, or null to forward the request to moto
     */
    public static AwsProxy.Answer recordedFailures(AwsProxy.Request r) {
        if (!r.isAction("DescribeScalingActivities") || !EU.equals(r.region())) {
            return null;
        }
        return new AwsProxy.Answer(200, "text/xml", "<DescribeScalingActivitiesResponse "
                + "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><DescribeScalingActivitiesResult>"
                + "<Activities><member><ActivityId>5e1c0b7a-0c1d-4b8e-9a51-7d3f0e2c9b41</ActivityId>"
                + "<AutoScalingGroupName>" + LAUNCH_GROUP + "</AutoScalingGroupName>"
                + "<Description>Launching a new EC2 instance: i-0f1e2d3c4b5a69788. Status Reason: " + LAUNCH_FAILURE
                + "</Description><Cause>At 2026-11-29T18:39:41Z an instance was started in response to a difference "
                + "between desired and actual capacity, increasing the capacity from 0 to 1.</Cause>"
                + "<StartTime>2026-11-29T18:40:02Z</StartTime><EndTime>2026-11-29T18:40:36Z</EndTime>"
                + "<StatusCode>Failed</StatusCode><StatusMessage>" + LAUNCH_FAILURE + "</StatusMessage>"
                + "<Progress>100</Progress></member></Activities></DescribeScalingActivitiesResult>"
                + "<ResponseMetadata><RequestId>sample</RequestId></ResponseMetadata>"
                + "</DescribeScalingActivitiesResponse>");
    }

    private static String doc(String statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}";
    }

    private static String rootDelegation(String account) {
        return "{\"Sid\":\"EnableIamPolicies\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + account
                + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}";
    }

    /**
     * Seeds the sample organization.
     *
     * @param org      a seeder on a freshly reset moto_server
     * @param endpoint the moto_server URL (for IAM Identity Center)
     * @return the Identity Center seeder, whose {@link IdentityCenterSeeder#answer} the test proxy must serve while
     *         collecting (moto lacks calls it answers); the caller closes it
     */
    public static IdentityCenterSeeder seed(OrgSeeder org, java.net.URI endpoint) {
        org.organization();
        String orgId = org.organizations().describeOrganization().organization().id();
        String workloads = org.ou("Workloads");
        org.ou("Workloads/Prod");
        org.ou("Workloads/Dev");
        org.ou("Security");
        org.ou("Sandbox");
        OrgSeeder.Account mgmt = org.management();
        OrgSeeder.Account security = org.account("security", "Security");
        OrgSeeder.Account prod = org.account("prod-app", "Workloads/Prod");
        OrgSeeder.Account dev = org.account("dev-app", "Workloads/Dev");
        OrgSeeder.Account sandbox = org.account("sandbox", "Sandbox");

        // Organization policies.
        org.scp("DenyKmsKeyDeletion", doc("{\"Sid\":\"DenyKeyDeletion\",\"Effect\":\"Deny\",\"Action\":"
                + "[\"kms:ScheduleKeyDeletion\",\"kms:DisableKey\"],\"Resource\":\"*\",\"Condition\":{\"ArnNotLike\":"
                + "{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/kms-admin\"}}}"), workloads);
        org.rcp("KmsOnlyFromOrganization", doc("{\"Sid\":\"DenyKmsOutsideOrg\",\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":"
                + "{\"aws:PrincipalOrgID\":\"" + orgId + "\"},\"Bool\":{\"aws:PrincipalIsAWSService\":\"false\"}}}"), workloads);

        // Management account: an administrator.
        mgmt.user("org-admin").attach("arn:aws:iam::aws:policy/AdministratorAccess");

        // Security account: a central key other accounts use (cross-account).
        OrgSeeder.Key central = security.key(EU, "central EBS key shared with workloads")
                .policy(doc(rootDelegation(security.id()) + ",{\"Sid\":\"AllowProdUseViaEc2\",\"Effect\":\"Allow\","
                        + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + prod.id() + ":root\"},\"Action\":[\"kms:Decrypt\","
                        + "\"kms:DescribeKey\",\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\",\"kms:CreateGrant\"],"
                        + "\"Resource\":\"*\"}"))
                .alias("alias/central-ebs").tag("owner", "security");

        // Prod: the seed case and its neighbours.
        OrgSeeder.Key app = prod.key(EU, "prod application data").policy(doc(rootDelegation(prod.id())))
                .alias("alias/prod-app").tag("data-class", "confidential");
        OrgSeeder.Key noDelegation = prod.key(EU, "prod database, key policy without IAM delegation")
                .policy(doc("{\"Sid\":\"OnlyKeyAdmin\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                        + prod.id() + ":role/kms-admin\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"))
                .alias("alias/prod-db");
        String startTagged = prod.managedPolicy("StartTaggedInstances", doc("{\"Sid\":\"StartOpsInstances\","
                + "\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\",\"ec2:StopInstances\"],\"Resource\":"
                + "\"arn:aws:ec2:*:" + prod.id() + ":instance/*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":\"ops\"}}}"));
        String boundary = prod.managedPolicy("AppServerBoundary", doc("{\"Sid\":\"Ec2AndDecryptOnly\",\"Effect\":\"Allow\","
                + "\"Action\":[\"ec2:*\",\"kms:Decrypt\",\"kms:DescribeKey\"],\"Resource\":\"*\"}"));
        prod.user("alice").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess").tag("team", "ops");
        prod.user("bob").inline("start-and-grant-for-ec2", doc("{\"Sid\":\"Start\",\"Effect\":\"Allow\",\"Action\":"
                + "\"ec2:StartInstances\",\"Resource\":\"*\"},{\"Sid\":\"GrantForEc2Only\",\"Effect\":\"Allow\",\"Action\":"
                + "\"kms:CreateGrant\",\"Resource\":\"" + app.arn() + "\",\"Condition\":{\"Bool\":"
                + "{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        prod.group("operators").attach(startTagged);
        prod.user("carol").inGroup("operators");
        prod.role("deploy", OrgSeeder.TRUST_MANAGEMENT).attach("arn:aws:iam::aws:policy/PowerUserAccess");
        prod.role("kms-admin", OrgSeeder.TRUST_MANAGEMENT).inline("kms-everything",
                doc("{\"Sid\":\"KmsAll\",\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        OrgSeeder.Role appServer = prod.role("app-server", OrgSeeder.TRUST_EC2)
                .inline("start-and-grant", doc("{\"Sid\":\"StartAndGrant\",\"Effect\":\"Allow\",\"Action\":"
                        + "[\"ec2:StartInstances\",\"kms:CreateGrant\"],\"Resource\":\"*\"}"))
                .boundary(boundary).tag("app", "web");
        String profile = appServer.instanceProfile();
        app.grant("bob-decrypt", "arn:aws:iam::" + prod.id() + ":user/bob", "Decrypt", "CreateGrant");
        String web1 = prod.instance(EU).tag("Name", "web-1").tag("team", "ops").profile(profile)
                .volume("/dev/xvda", app.arn()).volume("/dev/sdf", app.arn()).launch();
        prod.instance(EU).tag("Name", "db-1").tag("team", "data").volume("/dev/xvda", noDelegation.arn()).stopped().launch();
        prod.instance(EU).tag("Name", "reports-1").tag("team", "ops").volume("/dev/xvda", central.arn()).launch();
        prod.instance(US).tag("Name", "legacy-1").volume("/dev/xvda", null).launch();
        // Launch scenario: an Auto Scaling group on a launch template whose volume uses alias/prod-app. Its key policy
        // only delegates to IAM, and the group's service-linked role has no IAM KMS rights (nor can it get any): its
        // launches fail. The failure AWS recorded (a failed scaling activity) comes from the test proxy.
        prod.autoScalingServiceLinkedRole(null);
        // the account's aws/ebs key exists, as on AWS (KMS creates it on first use); the collector resolves the EBS
        // default (alias/aws/ebs) of a region with launch sources, and moto has no such key until one is made
        prod.awsEbsKey(EU);
        // the account's own AMI (an AMI of another owner, e.g. Amazon's, would add that owner's snapshot section)
        String image = prod.ec2(EU).createImage(r -> r.instanceId(web1).name("web-golden")).imageId();
        String webTemplate = prod.launchTemplate(EU, "web", image, "/dev/xvdb", app.arn());
        prod.autoScalingGroup(EU, LAUNCH_GROUP, webTemplate, "$Default", null);

        // Dev: unusable keys and a public key policy.
        OrgSeeder.Key disabled = dev.key(EU, "dev batch key, disabled").policy(doc(rootDelegation(dev.id()))).alias("alias/dev-batch");
        OrgSeeder.Key retiring = dev.key(EU, "dev key pending deletion").policy(doc(rootDelegation(dev.id()))).alias("alias/dev-old");
        OrgSeeder.Key open = dev.key(US, "dev key with a public key policy").policy(doc(rootDelegation(dev.id())
                + ",{\"Sid\":\"Everyone\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"kms:Decrypt\","
                + "\"kms:CreateGrant\"],\"Resource\":\"*\"}")).alias("alias/dev-public");
        OrgSeeder.Key devData = dev.key(EU, "dev application data").policy(doc(rootDelegation(dev.id())))
                .alias("alias/dev-app");
        dev.instance(EU).tag("Name", "dev-app-1").volume("/dev/xvda", devData.arn()).launch();
        dev.instance(EU).tag("Name", "dev-batch").volume("/dev/xvda", disabled.arn()).stopped().launch();
        dev.instance(EU).tag("Name", "dev-old").volume("/dev/xvda", retiring.arn()).stopped().launch();
        dev.instance(US).tag("Name", "dev-web").volume("/dev/xvda", open.arn()).launch();
        disabled.disable();
        retiring.scheduleDeletion(7);
        dev.user("dave").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess");

        // Sandbox: only the AWS managed aws/ebs key.
        String awsEbs = sandbox.awsEbsKey(EU);
        sandbox.instance(EU).tag("Name", "sandbox-1").volume("/dev/xvda", awsEbs).launch();
        sandbox.user("eve").attach("arn:aws:iam::aws:policy/AmazonEC2FullAccess");

        // IAM Identity Center (home region eu-west-1, administered from the management account): permission set
        // PowerUser, provisioned to prod-app and dev-app for the Developers group, lets its users start instances
        // without kms:CreateGrant (one finding for both accounts, fixed in the permission set); ReadOnly is
        // assigned in sandbox but its role is missing there (provisioning drift).
        IdentityCenterSeeder idc = new IdentityCenterSeeder(endpoint, EU);
        String developers = idc.group("Developers");
        String auditors = idc.group("Auditors");
        idc.permissionSet("PowerUser").inline(doc("{\"Sid\":\"OperateInstances\",\"Effect\":\"Allow\",\"Action\":"
                        + "[\"ec2:Describe*\",\"ec2:StartInstances\",\"ec2:StopInstances\",\"ec2:RebootInstances\"],"
                        + "\"Resource\":\"*\"}"))
                .assign(prod, "GROUP", developers).assign(dev, "GROUP", developers);
        idc.permissionSet("ReadOnly").managed("arn:aws:iam::aws:policy/ReadOnlyAccess")
                .assignWithoutRole(sandbox, "GROUP", auditors);
        return idc;
    }
}
