package io.cmkaudit.analysis;

import static io.cmkaudit.analysis.TestOrg.A;
import static io.cmkaudit.analysis.TestOrg.B;
import static io.cmkaudit.analysis.TestOrg.MGMT;
import static io.cmkaudit.analysis.TestOrg.doc;
import static io.cmkaudit.analysis.TestOrg.keyArn;
import static io.cmkaudit.analysis.TestOrg.roleArn;
import static io.cmkaudit.analysis.TestOrg.userArn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.cmkaudit.snapshot.Snapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The join, the classification, every deciding layer and every exemption, on small snapshots built in Java. */
class AnalyzerTest {

    static final String ATTACH = "{\"Sid\":\"Attach\",\"Effect\":\"Allow\",\"Action\":\"kms:CreateGrant\","
            + "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}";

    static List<Finding> analyze(TestOrg org) {
        return new Analyzer().analyze(org.build()).findings();
    }

    static List<Finding> of(List<Finding> fs, FindingType t) {
        return fs.stream().filter(f -> f.type() == t).toList();
    }

    static List<Finding> about(List<Finding> fs, String principalArn) {
        return fs.stream().filter(f -> principalArn.equals(f.principalArn())).toList();
    }

    // ------------------------------------------------------------------ the seed case

    @Test
    void seedUserWithOnlyEc2FullAccessIsBlockedOnItsCmkInstances() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").tag("Name", "web").volume("vol-1", k.arn());
        org.instance(A, "i-0002").tag("Name", "db").volume("vol-2", k.arn()).volume("vol-3", k.arn());

        List<Finding> fs = analyze(org);

        // one fix (alice, k1, identity): one finding listing both instances
        assertThat(fs).hasSize(1);
        Finding f = fs.get(0);
        assertThat(f.type()).isEqualTo(FindingType.START_BLOCKED_KMS_DENIED);
        assertThat(f.severity()).isEqualTo(Severity.HIGH);
        // the fix is alice's new inline policy: its id hashes type, account, cause and what the fix edits
        assertThat(f.findingId()).isEqualTo(Finding.fixId(FindingType.START_BLOCKED_KMS_DENIED, A,
                List.of("identity"), List.of("inline|" + userArn(A, "alice"))));
        assertThat(f.instances()).extracting(Finding.Resource::id, Finding.Resource::name, Finding.Resource::region,
                Finding.Resource::volumeIds).containsExactly(
                        tuple("i-0001", "web", "eu-west-1", List.of("vol-1")),
                        tuple("i-0002", "db", "eu-west-1", List.of("vol-2", "vol-3")));
        assertThat(f.accountId()).isEqualTo(A);
        assertThat(f.accountName()).isEqualTo("app-a");
        assertThat(f.ouPath()).isEqualTo("Root/Workloads");
        assertThat(f.region()).isEqualTo("eu-west-1");
        assertThat(f.instanceId()).isEqualTo("i-0001");
        assertThat(f.instanceName()).isEqualTo("web");
        assertThat(f.volumeIds()).containsExactly("vol-1", "vol-2", "vol-3");
        assertThat(f.keyArn()).isEqualTo(k.arn());
        assertThat(f.keyAccountId()).isEqualTo(A);
        assertThat(f.keyState()).isEqualTo("Enabled");
        assertThat(f.principalArn()).isEqualTo(userArn(A, "alice"));
        assertThat(f.principalType()).isEqualTo("user");
        assertThat(f.decidingLayers()).containsExactly("identity");
        assertThat(f.evidence()).containsExactly(
                "identity: no statement allows the request in arn:aws:iam::aws:policy/AmazonEC2FullAccess");
        // two instances: the words say so (not "the instance")
        assertThat(f.explanation()).isEqualTo("arn:aws:iam::222222222222:user/alice can start the 2 instances, but "
                + "EC2's kms:CreateGrant on arn:aws:kms:eu-west-1:222222222222:key/k1 with its credentials is denied "
                + "(no identity policy allows kms:CreateGrant on the key): the 2 instances will go pending -> stopped "
                + "with Client.InternalError.");
        assertThat(f.remediation()).isEqualTo("Let EC2 create its attach grant on "
                + "arn:aws:kms:eu-west-1:222222222222:key/k1 for arn:aws:iam::222222222222:user/alice: attach the "
                + "snippet as inline policy `cmk-audit-ec2-attach-k1` to arn:aws:iam::222222222222:user/alice.");
        assertThat(f.remediationPolicy()).isEqualTo("""
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Sid": "AllowEc2AttachCmkVolumes",
                      "Effect": "Allow",
                      "Action": "kms:CreateGrant",
                      "Resource": "arn:aws:kms:eu-west-1:222222222222:key/k1",
                      "Condition": {
                        "Bool": {
                          "kms:GrantIsForAWSResource": "true"
                        },
                        "StringEquals": {
                          "kms:ViaService": "ec2.eu-west-1.amazonaws.com"
                        }
                      }
                    }
                  ]
                }""");
    }

    @Test
    void seedPolicyOnTheKeyArnRemovesTheFindingAndIsNotAnUnconstrainedGrant() {
        TestOrg org = new TestOrg();
        TestOrg.Key k = org.key(A, "k1");
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN).inline("seed", doc("{\"Effect\":\"Allow\","
                + "\"Action\":\"kms:CreateGrant\",\"Resource\":\"" + k.arn() + "\",\"Condition\":{\"Bool\":"
                + "{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        assertThat(analyze(org)).isEmpty();
    }

    // ------------------------------------------------------------------ scope of the join

    @Test
    void principalThatCannotStartTheInstanceGetsNoStartFinding() {
        TestOrg org = new TestOrg();
        org.user(A, "bob").attach(TestOrg.S3_READ_ARN);
        org.user(A, "tagged").inline("start-tagged", doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":\"blue\"}}}"));
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-red").tag("team", "red").volume("vol-1", k.arn());

        assertThat(analyze(org)).isEmpty();
    }

    @Test
    void tagScopedStartIsJoinedOnlyWithTheMatchingInstances() {
        TestOrg org = new TestOrg();
        org.user(A, "tagged").inline("start-tagged", doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":\"blue\"}}}"));
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-blue").tag("team", "blue").volume("vol-1", k.arn());
        org.instance(A, "i-red").tag("team", "red").volume("vol-2", k.arn());

        List<Finding> fs = analyze(org);

        assertThat(fs).extracting(Finding::instanceId).containsExactly("i-blue");
    }

    @Test
    void instancesWithOnlyAwsManagedKeysOrUnencryptedVolumesAreCountedNotJoined() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        org.key(A, "aws-ebs-" + A).awsManaged("alias/aws/ebs");
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-ebs").volume("vol-1", "aws/ebs");
        org.instance(A, "i-plain").volume("vol-2", null);
        org.instance(A, "i-mixed").volume("vol-3", "aws/ebs").volume("vol-4", null);
        org.instance(A, "i-cmk").volume("vol-5", null).volume("vol-6", k.arn());

        AnalysisResult r = new Analyzer().analyze(org.build());

        assertThat(r.findings()).extracting(Finding::instanceId).containsExactly("i-cmk");
        assertThat(r.findings().get(0).volumeIds()).containsExactly("vol-6");
        assertThat(r.summary()).isEqualTo(new AnalysisResult.Summary(3, 3, 4, 1, 2, 1, 1, 1));
    }

    // ------------------------------------------------------------------ malformed policies

    @Test
    void malformedPolicyIsReportedAndEverythingElseIsStillAnalyzed() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN).inline("broken", "{\"Version\":\"2012-10-17\","
                + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"");
        org.user(A, "zed").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = analyze(org);

        List<Finding> bad = of(fs, FindingType.POLICY_UNPARSEABLE);
        assertThat(bad).hasSize(1);
        Finding p = bad.get(0);
        assertThat(p.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(p.accountId()).isEqualTo(A);
        assertThat(p.principalArn()).isEqualTo(userArn(A, "alice"));
        assertThat(p.principalType()).isEqualTo("user");
        assertThat(p.decidingLayers()).containsExactly("identity");
        assertThat(p.evidence()).hasSize(1);
        assertThat(p.evidence().get(0)).startsWith("arn:aws:iam::222222222222:user/alice:inline/broken (document): "
                + "invalid json");
        assertThat(p.explanation()).startsWith("The inline policy arn:aws:iam::222222222222:user/alice:inline/broken "
                + "could not be parsed (document: invalid json");
        assertThat(p.remediationPolicy()).isNull();
        // nothing of alice's broken document is known: it might allow the CreateGrant, so her start is conditional
        List<Finding> cond = of(fs, FindingType.START_ACCESS_CONDITIONAL);
        assertThat(cond).extracting(Finding::principalArn).containsExactly(userArn(A, "alice"));
        assertThat(cond.get(0).explanation()).startsWith("Uncertain (policy "
                + "arn:aws:iam::222222222222:user/alice:inline/broken could not be parsed): "
                + "arn:aws:iam::222222222222:user/alice can start the instance, but whether EC2's kms:CreateGrant on "
                + k.arn() + " is allowed depends on an unparseable part of "
                + "arn:aws:iam::222222222222:user/alice:inline/broken.");
        List<Finding> blocked = of(fs, FindingType.START_BLOCKED_KMS_DENIED);
        assertThat(blocked).extracting(Finding::principalArn).containsExactly(userArn(A, "zed"));
        assertThat(blocked.get(0).explanation()).startsWith("arn:aws:iam::222222222222:user/zed can start");
    }

    @Test
    void malformedKeyPolicyIsOneFindingNamingTheKey() {
        TestOrg org = new TestOrg();
        TestOrg.Key k = org.key(A, "k1").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\","
                + "\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":[]}}}]}");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> bad = of(analyze(org), FindingType.POLICY_UNPARSEABLE);

        assertThat(bad).hasSize(1);
        assertThat(bad.get(0).keyArn()).isEqualTo(k.arn());
        assertThat(bad.get(0).keyAccountId()).isEqualTo(A);
        assertThat(bad.get(0).region()).isEqualTo("eu-west-1");
        assertThat(bad.get(0).decidingLayers()).containsExactly("resource");
        assertThat(bad.get(0).evidence().get(0)).startsWith(k.arn() + ":policy/default Statement[0].Condition");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "\"just a string\"", "{bad", "[]"})
    void unreadableKeyPolicyIsUnparseableAndConditionalWithATextRemediation(String keyPolicy) {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1").policy(keyPolicy);
        TestOrg.Key ok = org.key(A, "k2");
        org.instance(A, "i-0001").volume("vol-1", k.arn());
        org.instance(A, "i-0002").volume("vol-2", ok.arn());

        List<Finding> fs = analyze(org);

        List<Finding> bad = of(fs, FindingType.POLICY_UNPARSEABLE);
        assertThat(bad).extracting(Finding::keyArn).containsExactly(k.arn());
        assertThat(bad.get(0).remediationPolicy()).isNull();
        List<Finding> cond = about(of(fs, FindingType.START_ACCESS_CONDITIONAL), userArn(A, "alice"));
        assertThat(cond).extracting(Finding::instanceId).containsExactly("i-0001");
        assertThat(cond.get(0).remediationPolicy()).isNull();
        assertThat(cond.get(0).remediation()).startsWith("No automatic least-privilege fix was found");
        // the other key is still analyzed
        assertThat(about(of(fs, FindingType.START_BLOCKED_KMS_DENIED), userArn(A, "alice")))
                .extracting(Finding::instanceId).containsExactly("i-0002");
    }

    @Test
    void unreadablePermissionsBoundaryIsUnparseableAndConditionalWithATextRemediation() {
        TestOrg org = new TestOrg();
        org.customerPolicy(A, "Boundary", "{bad");
        org.role(A, "bounded").attach(TestOrg.ADMIN_ARN).boundary("arn:aws:iam::222222222222:policy/Boundary");
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = analyze(org);

        assertThat(of(fs, FindingType.POLICY_UNPARSEABLE)).hasSize(1).extracting(Finding::evidence)
                .allSatisfy(e -> assertThat(e.get(0)).startsWith("arn:aws:iam::222222222222:policy/Boundary"));
        List<Finding> cond = about(of(fs, FindingType.START_ACCESS_CONDITIONAL), roleArn(A, "bounded"));
        assertThat(cond).extracting(Finding::instanceId).containsExactly("i-0001");
        assertThat(cond.get(0).remediationPolicy()).isNull();
    }

    @Test
    void anUnexpectedFailureOfOnePrincipalIsACoverageErrorAndTheRestIsAnalyzed() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        org.user(A, "zed").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        AnalysisResult r = new Analyzer().analyze(org.build(), unit -> {
            if (unit.equals("principal " + userArn(A, "alice"))) {
                throw new IllegalStateException("boom\nsecond line");
            }
        });

        assertThat(of(r.findings(), FindingType.START_BLOCKED_KMS_DENIED)).extracting(Finding::principalArn)
                .containsExactly(userArn(A, "zed"));
        assertThat(r.coverage()).filteredOn(c -> c.region().equals(Analyzer.ANALYSIS_REGION))
                .extracting(AnalysisResult.CoverageRow::accountId, AnalysisResult.CoverageRow::accountName,
                        AnalysisResult.CoverageRow::status, AnalysisResult.CoverageRow::errorCode,
                        AnalysisResult.CoverageRow::errorMessage)
                .containsExactly(tuple(A, "app-a", "ERROR", "AnalysisFailed", "analysis of principal "
                        + userArn(A, "alice") + " failed (IllegalStateException: boom); its findings are missing"));
    }

    @Test
    void anUnexpectedFailureOfOneKeyIsACoverageErrorAndTheRestIsAnalyzed() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        AnalysisResult r = new Analyzer().analyze(org.build(), unit -> {
            if (unit.startsWith("key ")) {
                throw new NullPointerException();
            }
        });

        assertThat(of(r.findings(), FindingType.START_BLOCKED_KMS_DENIED)).hasSize(1);
        assertThat(r.coverage()).filteredOn(c -> c.region().equals(Analyzer.ANALYSIS_REGION))
                .extracting(AnalysisResult.CoverageRow::errorMessage)
                .containsExactly("analysis of key " + k.arn() + " failed (NullPointerException); its findings are "
                        + "missing", "analysis of key " + k.arn() + " of instance i-0001 failed "
                        + "(NullPointerException); its findings are missing");
    }

    // ------------------------------------------------------------------ deciding layers

    @Test
    void keyPolicyThatNeitherNamesNorDelegatesDecidesAsResource() {
        TestOrg org = new TestOrg();
        org.user(A, "carol").attach(TestOrg.ADMIN_ARN);
        TestOrg.Key k = org.key(A, "k1").policy(doc("{\"Sid\":\"Admin\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::222222222222:role/keyadmin\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        Finding f = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED).get(0);

        assertThat(f.decidingLayers()).containsExactly("resource");
        assertThat(f.evidence()).containsExactly("resource: no statement allows the request in " + k.arn()
                + ":policy/default");
        assertThat(f.remediation()).endsWith("add the snippet's statement to the key policy of " + k.arn() + ".");
        assertThat(f.remediationPolicy()).contains("\"AWS\": \"arn:aws:iam::222222222222:user/carol\"");
    }

    @Test
    void keyOfAnotherAccountNeedsBothTheKeyPolicyAndTheIdentityPolicy() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(B, "kb");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        Finding f = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED).get(0);

        assertThat(f.accountId()).isEqualTo(A);
        assertThat(f.keyAccountId()).isEqualTo(B);
        assertThat(f.decidingLayers()).containsExactly("identity", "resource");
        assertThat(f.explanation()).contains("(no identity policy allows kms:CreateGrant on the key; the key policy of "
                + "account 333333333333 does not allow this principal or its account)");
        Remediation r = new Analyzer().run(org.build()).remediations().get(f.findingId());
        assertThat(r.changes()).hasSize(2);
        assertThat(r.changes().get(0)).isInstanceOf(Change.AddInlinePolicy.class);
        assertThat(r.changes().get(1)).isInstanceOf(Change.AddStatements.class);
        assertThat(f.remediation()).contains("Also: add the snippet's statement to the key policy of " + k.arn()
                + ". {\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"AllowEc2AttachForNamedPrincipal\"");
    }

    @Test
    void keySharedWithTheAccountNeedsOnlyTheIdentityPolicy() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        org.user(A, "allowed").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc(ATTACH));
        TestOrg.Key k = org.key(B, "kb").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::333333333333:root\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"ShareWithA\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"222222222222\"},"
                        + "\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\"}"));
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED);

        assertThat(fs).extracting(Finding::principalArn).containsExactly(userArn(A, "alice"));
        assertThat(fs.get(0).decidingLayers()).containsExactly("identity");
    }

    @Test
    void explicitDenyInAnIdentityPolicyIsNamedWithItsSid() {
        TestOrg org = new TestOrg();
        org.role(A, "ops").attach(TestOrg.ADMIN_ARN).inline("guard", doc("{\"Sid\":\"NoKms\",\"Effect\":\"Deny\","
                + "\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        Finding f = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED).get(0);

        assertThat(f.principalType()).isEqualTo("role");
        assertThat(f.decidingLayers()).containsExactly("identity");
        assertThat(f.evidence()).containsExactly("arn:aws:iam::222222222222:role/ops:inline/guard#NoKms");
        assertThat(f.explanation()).contains("(explicit Deny in identity "
                + "arn:aws:iam::222222222222:role/ops:inline/guard#NoKms)");
        assertThat(f.remediation()).contains("in inline policy arn:aws:iam::222222222222:role/ops:inline/guard, "
                + "replace statement `NoKms` by the snippet's statement.");
        assertThat(f.remediationPolicy()).contains("\"StringNotEqualsIfExists\": {\n"
                + "          \"kms:ViaService\": \"ec2.eu-west-1.amazonaws.com\"");
    }

    @Test
    void explicitDenyInAnScpDecidesAsScp() {
        TestOrg org = new TestOrg();
        org.scp("p-guard", doc("{\"Sid\":\"TaggedOnly\",\"Effect\":\"Deny\",\"Action\":\"kms:CreateGrant\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalTag/kms\":\"yes\"}}}"), A);
        org.user(A, "erin").attach(TestOrg.ADMIN_ARN);
        org.user(A, "tagged").attach(TestOrg.ADMIN_ARN).tag("kms", "yes");
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED);

        assertThat(fs).extracting(Finding::principalArn).containsExactly(userArn(A, "erin"));
        assertThat(fs.get(0).decidingLayers()).containsExactly("scp");
        // a Deny with a negated operator: the explanation says when it is allowed, the evidence cites the Allow too
        assertThat(fs.get(0).evidence()).containsExactly("SCP p-guard (p-guard)#TaggedOnly",
                "arn:aws:iam::aws:policy/AdministratorAccess#0 (Allow)",
                k.arn() + ":policy/default#Enable IAM User Permissions (Allow)");
        assertThat(fs.get(0).explanation()).endsWith(" It is allowed only when aws:PrincipalTag/kms equals yes "
                + "(Deny SCP p-guard (p-guard)#TaggedOnly).");
        assertThat(fs.get(0).remediation()).contains("in SCP p-guard (p-guard), replace statement `TaggedOnly`");
    }

    @Test
    void scpLevelWithoutAnAllowForKmsDecidesAsScp() {
        TestOrg org = new TestOrg().withoutFullAwsAccess();
        String allowAll = doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}");
        org.scp("p-root-all", allowAll, TestOrg.ROOT, TestOrg.OU, MGMT, B);
        org.scp("p-only-ec2", doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}"), A);
        org.user(A, "carol").attach(TestOrg.ADMIN_ARN);
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        Outcome o = new Analyzer().run(org.build());
        Finding f = of(o.result().findings(), FindingType.START_BLOCKED_KMS_DENIED).get(0);

        assertThat(f.decidingLayers()).containsExactly("scp");
        Change c = o.remediations().get(f.findingId()).changes().get(0);
        assertThat(c).isInstanceOf(Change.AddStatements.class);
        assertThat(((Change.AddStatements) c).target().name()).isEqualTo("SCP p-only-ec2 (p-only-ec2)");
    }

    @Test
    void rcpOfTheKeysAccountCanBlockTheGrant() {
        TestOrg org = new TestOrg();
        org.rcp("p-rcp", doc("{\"Sid\":\"OrgOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:PrincipalTag/team\":\"x\"}}}"), B);
        org.user(A, "alice").attach(TestOrg.ADMIN_ARN);
        TestOrg.Key k = org.key(B, "kb").policy(doc(
                "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"333333333333\",\"222222222222\"]},\"Action\":\"kms:*\","
                        + "\"Resource\":\"*\"}"));
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        Finding f = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED).get(0);

        assertThat(f.decidingLayers()).containsExactly("rcp");
        assertThat(f.evidence()).containsExactly("RCP p-rcp (p-rcp)#OrgOnly");
    }

    @Test
    void permissionsBoundaryWithoutKmsDecidesAsBoundary() {
        TestOrg org = new TestOrg();
        org.customerPolicy(A, "Boundary", Scenarios.START_ONLY);
        org.role(A, "bounded").attach(TestOrg.ADMIN_ARN).boundary("arn:aws:iam::222222222222:policy/Boundary");
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        Finding f = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED).get(0);

        assertThat(f.decidingLayers()).containsExactly("boundary");
        assertThat(f.evidence()).containsExactly("boundary: no statement allows the request in "
                + "arn:aws:iam::222222222222:policy/Boundary");
        assertThat(f.remediation()).endsWith("add the snippet's statement to the customer managed policy "
                + "arn:aws:iam::222222222222:policy/Boundary (the permissions boundary).");
    }

    @Test
    void grantToThePrincipalAllowsTheCreateGrant() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1").grant("g-1", userArn(A, "alice"), "CreateGrant");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = analyze(org);

        assertThat(of(fs, FindingType.START_BLOCKED_KMS_DENIED)).isEmpty();
        assertThat(of(fs, FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL)).hasSize(1);
    }

    @Test
    void keyStateDecidesForEveryPrincipalWithOneFindingPerInstanceAndKey() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.ADMIN_ARN);
        org.user(A, "bob").attach(TestOrg.ADMIN_ARN);
        TestOrg.Key pending = org.key(A, "k-pending").state("PendingDeletion");
        TestOrg.Key disabled = org.key(A, "k-disabled").state("Disabled");
        TestOrg.Key gone = org.key(A, "k-gone").unreadable("KMS.DescribeKey", "NotFoundException");
        org.instance(A, "i-0001").volume("vol-1", pending.arn());
        org.instance(A, "i-0002").volume("vol-2", disabled.arn());
        org.instance(A, "i-0003").volume("vol-3", gone.arn());

        List<Finding> fs = of(analyze(org), FindingType.START_BLOCKED_KEY_UNUSABLE);

        assertThat(fs).extracting(Finding::instanceId, Finding::severity, Finding::keyState, Finding::principalArn)
                .containsExactly(
                        tuple("i-0001", Severity.CRITICAL, "PendingDeletion", null),
                        tuple("i-0003", Severity.CRITICAL, "NotFound", null),
                        tuple("i-0002", Severity.HIGH, "Disabled", null));
        assertThat(fs.get(2).decidingLayers()).containsExactly("keyState");
        assertThat(fs.get(2).remediation()).isEqualTo("Enable the key: aws kms enable-key --key-id " + disabled.arn()
                + ".");
        assertThat(of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED)).isEmpty();
    }

    @Test
    void unreadableKeyMakesTheStartConditional() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.ADMIN_ARN);
        TestOrg.Key k = org.key(B, "kb").unreadable("KMS.DescribeKey", "AccessDeniedException");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = of(analyze(org), FindingType.START_ACCESS_CONDITIONAL);

        assertThat(fs).hasSize(1);
        assertThat(fs.get(0).explanation()).isEqualTo("arn:aws:iam::222222222222:user/alice can start the instance, "
                + "but whether EC2's kms:CreateGrant on " + k.arn() + " is allowed is unknown: the key could not be "
                + "read (AccessDeniedException on KMS.DescribeKey).");
        assertThat(fs.get(0).keyState()).isNull();
    }

    @Test
    void conditionUnknownOfflineGivesAConditionalStartWithTheResidualCondition() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc("{\"Sid\":\"FromOffice\","
                + "\"Effect\":\"Allow\",\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":{"
                + "\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}"));
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = of(analyze(org), FindingType.START_ACCESS_CONDITIONAL);

        assertThat(fs).hasSize(1);
        Finding f = fs.get(0);
        assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(f.explanation()).isEqualTo("arn:aws:iam::222222222222:user/alice can start the instance, but "
                + "whether EC2's kms:CreateGrant on " + k.arn() + " is allowed depends on Bool "
                + "aws:MultiFactorAuthPresent [true] (arn:aws:iam::222222222222:user/alice:inline/attach#FromOffice).");
        assertThat(f.evidence()).containsExactly("arn:aws:iam::222222222222:user/alice:inline/attach#FromOffice");
        assertThat(f.remediationPolicy()).contains("\"Sid\": \"AllowEc2AttachCmkVolumes\"");
    }

    @Test
    void networkDenyOnTheEc2InfrastructureRoleBlocksEveryStart() {
        TestOrg org = new TestOrg();
        TestOrg.Key k = org.key(A, "k1").policy(doc(
                "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},\"Action\":\"kms:*\","
                        + "\"Resource\":\"*\"}",
                "{\"Sid\":\"OnlyFromVpc\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
                        + "\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:SourceVpc\":\"vpc-1\"}}}"));
        TestOrg.Key exempt = org.key(A, "k2").policy(doc(
                "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},\"Action\":\"kms:*\","
                        + "\"Resource\":\"*\"}",
                "{\"Sid\":\"OnlyFromVpc\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
                        + "\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:SourceVpc\":\"vpc-1\"},"
                        + "\"ArnNotLikeIfExists\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/aws:ec2-infrastructure\"},"
                        + "\"BoolIfExists\":{\"aws:ViaAWSService\":\"false\"}}}"));
        org.instance(A, "i-0001").volume("vol-1", k.arn());
        org.instance(A, "i-0002").volume("vol-2", exempt.arn());

        List<Finding> fs = analyze(org);

        assertThat(fs).hasSize(1);
        Finding f = fs.get(0);
        assertThat(f.type()).isEqualTo(FindingType.START_BLOCKED_KMS_DENIED);
        assertThat(f.instanceId()).isEqualTo("i-0001");
        assertThat(f.principalArn()).isNull();
        assertThat(f.decidingLayers()).containsExactly("resource");
        assertThat(f.evidence()).containsExactly(k.arn() + ":policy/default#OnlyFromVpc");
        assertThat(f.remediationPolicy()).contains("\"arn:aws:iam::*:role/aws:ec2-infrastructure\"");
    }

    // ------------------------------------------------------------------ exemptions

    @Test
    void scpsDoNotRestrictPrincipalsOfTheManagementAccount() {
        TestOrg org = new TestOrg();
        org.scp("p-deny", doc("{\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"), TestOrg.ROOT);
        org.user(MGMT, "root-ops").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc(ATTACH));
        org.user(A, "member").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc(ATTACH));
        org.instance(MGMT, "i-m").volume("vol-m", org.key(MGMT, "km").arn());
        org.instance(A, "i-a").volume("vol-a", org.key(A, "ka").arn());

        List<Finding> fs = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED);

        // the member's CreateGrant, and the Decrypt of i-a's aws:ec2-infrastructure role (SCPs apply to it too)
        assertThat(fs).extracting(Finding::instanceId, Finding::principalArn)
                .containsExactly(tuple("i-a", null), tuple("i-a", userArn(A, "member")));
    }

    @Test
    void scpsAndRcpsDoNotRestrictServiceLinkedRoles() {
        TestOrg org = new TestOrg();
        org.scp("p-deny", doc("{\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"), A);
        org.rcp("p-rdeny", doc("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"), A);
        org.awsManagedPolicy("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy",
                doc("{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":\"*\"}"));
        String slr = "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/"
                + "AWSServiceRoleForAutoScaling";
        org.serviceLinkedRole(A, "AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com")
                .attach("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy");
        TestOrg.Key k = org.key(A, "k1").policy(doc(
                "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},\"Action\":\"kms:*\","
                        + "\"Resource\":\"*\"}",
                "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + slr + "\"},\"Action\":\"kms:CreateGrant\","
                        + "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}"));
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = analyze(org);

        assertThat(about(fs, slr)).isEmpty();
    }

    @Test
    void rcpsDoNotApplyToKeysOfTheManagementAccount() {
        TestOrg org = new TestOrg();
        org.rcp("p-rdeny", doc("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"),
                TestOrg.ROOT);
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN).inline("attach", doc(ATTACH));
        TestOrg.Key km = org.key(MGMT, "km").policy(doc("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "[\"111111111111\",\"222222222222\"]},\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        TestOrg.Key kb = org.key(B, "kb").policy(doc("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "[\"333333333333\",\"222222222222\"]},\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        org.instance(A, "i-m").volume("vol-1", km.arn());
        org.instance(A, "i-b").volume("vol-2", kb.arn());

        List<Finding> fs = of(analyze(org), FindingType.START_BLOCKED_KMS_DENIED);

        assertThat(fs).extracting(Finding::instanceId, Finding::principalArn, Finding::decidingLayers)
                .containsExactly(tuple("i-b", null, List.of("rcp")),
                        tuple("i-b", userArn(A, "alice"), List.of("rcp")));
    }

    @Test
    void grantsToEc2InfrastructureAndServiceLinkedRolesAreNotFindings() {
        TestOrg org = new TestOrg();
        TestOrg.Key k = org.key(A, "k1")
                .grant("g-ec2", "arn:aws:sts::222222222222:assumed-role/aws:ec2-infrastructure/i-0001",
                        Map.of("aws:ebs:id", "vol-1"), "Decrypt")
                .grant("g-asg", "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/"
                        + "AWSServiceRoleForAutoScaling", "Decrypt", "CreateGrant")
                .grant("g-svc", "logs.eu-west-1.amazonaws.com", "Decrypt")
                .grant("g-enc", roleArn(A, "writer"), "Encrypt", "GenerateDataKey")
                .grant("g-app", roleArn(A, "app"), "Decrypt", "Encrypt")
                .grant("g-app2", roleArn(A, "app"), "ReEncryptFrom");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = of(analyze(org), FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL);

        assertThat(fs).hasSize(1);
        Finding f = fs.get(0);
        assertThat(f.principalArn()).isEqualTo(roleArn(A, "app"));
        assertThat(f.principalType()).isEqualTo("role");
        assertThat(f.evidence()).containsExactly("grant g-app: Decrypt, Encrypt", "grant g-app2: ReEncryptFrom");
        assertThat(f.decidingLayers()).containsExactly("grant");
        assertThat(f.instanceId()).isNull();
        assertThat(f.remediation()).contains("revoke the grant: aws kms revoke-grant --key-id " + k.arn()
                + " --grant-id g-app.");
    }

    @Test
    void principalsOfOtherAccountsAreNotJoinedWithTheInstance() {
        TestOrg org = new TestOrg();
        org.user(B, "outsider").attach(TestOrg.EC2_FULL_ARN);
        org.instance(A, "i-0001").volume("vol-1", org.key(A, "k1").arn());

        assertThat(analyze(org)).isEmpty();
    }

    // ------------------------------------------------------------------ breadth

    @Test
    void administratorGetsFullAccessUnconstrainedCreateGrantAndDecryptAllKeys() {
        TestOrg org = new TestOrg();
        org.user(A, "carol").attach(TestOrg.ADMIN_ARN);
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = analyze(org);

        assertThat(fs).extracting(Finding::type).containsExactly(FindingType.KMS_CREATEGRANT_UNCONSTRAINED,
                FindingType.KMS_FULL_ACCESS, FindingType.KMS_DECRYPT_ALL_KEYS);
        Finding full = of(fs, FindingType.KMS_FULL_ACCESS).get(0);
        assertThat(full.severity()).isEqualTo(Severity.HIGH);
        assertThat(full.instanceId()).isNull();
        assertThat(full.keyArn()).isEqualTo(k.arn());
        assertThat(full.principalArn()).isEqualTo(userArn(A, "carol"));
        assertThat(full.evidence()).contains("arn:aws:iam::aws:policy/AdministratorAccess#0");
        assertThat(full.remediation()).startsWith(Remediator.FULL_ACCESS_LEAD + "arn:aws:iam::aws:policy/"
                + "AdministratorAccess is AWS managed and can't be edited: create a customer managed copy (the "
                + "snippet) in which you replace statement #0 by the snippet's statements, attach it to "
                + "arn:aws:iam::222222222222:user/carol and detach arn:aws:iam::aws:policy/AdministratorAccess.");
        Finding all = of(fs, FindingType.KMS_DECRYPT_ALL_KEYS).get(0);
        assertThat(all.keyArn()).isNull();
        assertThat(all.region()).isNull();
        assertThat(all.evidence()).containsExactly("arn:aws:iam::aws:policy/AdministratorAccess#0");
    }

    @Test
    void keyPolicyNamingTheRoleWithKmsStarIsFullAccessDecidedByTheKeyPolicy() {
        TestOrg org = new TestOrg();
        org.role(A, "keyadmin");
        TestOrg.Key k = org.key(A, "k1").policy(doc("{\"Sid\":\"Admins\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::222222222222:role/keyadmin\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
        org.instance(A, "i-0001").volume("vol-1", k.arn());

        List<Finding> fs = analyze(org);

        assertThat(fs).extracting(Finding::type, Finding::decidingLayers).containsExactly(
                tuple(FindingType.KMS_CREATEGRANT_UNCONSTRAINED, List.of("resource")),
                tuple(FindingType.KMS_FULL_ACCESS, List.of("resource")));
        assertThat(fs.get(1).evidence()).containsExactly(k.arn() + ":policy/default#Admins");
    }

    @Test
    void createGrantWithGrantIsForAwsResourceIsNotUnconstrained() {
        TestOrg org = new TestOrg();
        org.user(A, "ok").inline("attach", doc(ATTACH));
        org.user(A, "wide").inline("grants", doc("{\"Sid\":\"Grants\",\"Effect\":\"Allow\",\"Action\":"
                + "[\"kms:CreateGrant\",\"kms:ListGrants\"],\"Resource\":\"*\"}"));
        org.user(A, "ops").inline("grants", doc("{\"Sid\":\"GrantOps\",\"Effect\":\"Allow\",\"Action\":"
                + "\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:StringEquals\":"
                + "{\"kms:GrantOperations\":[\"Decrypt\"]}}}"));
        org.instance(A, "i-0001").volume("vol-1", org.key(A, "k1").arn());

        List<Finding> fs = of(analyze(org), FindingType.KMS_CREATEGRANT_UNCONSTRAINED);

        assertThat(fs).extracting(Finding::principalArn).containsExactly(userArn(A, "wide"));
        assertThat(fs.get(0).evidence()).containsExactly("arn:aws:iam::222222222222:user/wide:inline/grants#Grants",
                keyArn(A, "k1") + ":policy/default#Enable IAM User Permissions");
        assertThat(fs.get(0).remediationPolicy()).isEqualTo("""
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Sid": "Grants",
                      "Effect": "Allow",
                      "Action": "kms:ListGrants",
                      "Resource": "*"
                    },
                    {
                      "Sid": "GrantsAwsResourceOnly",
                      "Effect": "Allow",
                      "Action": "kms:CreateGrant",
                      "Resource": "*",
                      "Condition": {
                        "Bool": {
                          "kms:GrantIsForAWSResource": "true"
                        }
                      }
                    }
                  ]
                }""");
    }

    @Test
    void theFixOfAnUnconstrainedCreateGrantOnEveryKeyNamesTheKeysThePrincipalNeeds() {
        TestOrg org = new TestOrg();
        org.user(A, "starter").inline("ops", doc("{\"Sid\":\"Start\",\"Effect\":\"Allow\",\"Action\":"
                + "\"ec2:StartInstances\",\"Resource\":\"*\"}", "{\"Sid\":\"Grants\",\"Effect\":\"Allow\","
                + "\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\"}"));
        org.key(A, "k2");
        org.instance(A, "i-0001").volume("vol-1", org.key(A, "k1").arn());

        List<Finding> fs = of(analyze(org), FindingType.KMS_CREATEGRANT_UNCONSTRAINED);

        // it starts only i-0001 (key k1): the attach grant it keeps is on k1 alone, not on "*"
        assertThat(fs).isNotEmpty().allSatisfy(f -> assertThat(f.remediationPolicy())
                .contains("\"Resource\": \"" + keyArn(A, "k1") + "\"", "kms:GrantIsForAWSResource")
                .doesNotContain("\"Resource\": \"*\""));
    }

    @Test
    void decryptOnEveryKeyIsConditionAware() {
        TestOrg org = new TestOrg();
        org.role(A, "wide").inline("d", doc("{\"Sid\":\"All\",\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\","
                + "\"Resource\":\"*\"}"));
        org.role(A, "mfa").inline("d", doc("{\"Sid\":\"Mfa\",\"Effect\":\"Allow\",\"Action\":\"kms:ReEncrypt*\","
                + "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}"));
        org.role(A, "via").inline("d", doc("{\"Sid\":\"ViaS3\",\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:ViaService\":\"s3.eu-west-1.amazonaws.com\"}}}"));
        org.role(A, "narrow").inline("d", doc("{\"Sid\":\"One\",\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\","
                + "\"Resource\":\"" + keyArn(A, "k1") + "\"}"));
        org.role(A, "guarded").inline("d", doc("{\"Sid\":\"All\",\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\","
                + "\"Resource\":\"*\"}", "{\"Effect\":\"Deny\",\"Action\":\"kms:Decrypt\",\"NotResource\":\""
                + keyArn(A, "k1") + "\"}"));

        List<Finding> fs = of(analyze(org), FindingType.KMS_DECRYPT_ALL_KEYS);

        assertThat(fs).extracting(Finding::principalArn).containsExactly(roleArn(A, "mfa"), roleArn(A, "wide"));
        assertThat(fs.get(1).remediationPolicy()).isEqualTo("""
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Sid": "AllKeys",
                      "Effect": "Allow",
                      "Action": "kms:Decrypt",
                      "Resource": "arn:aws:kms:*:222222222222:key/*"
                    }
                  ]
                }""");
    }

    @Test
    void keyPolicyOpenToEveryoneIsPublicUnlessLimitedToTheOrganization() {
        TestOrg org = new TestOrg();
        TestOrg.Key open = org.key(A, "k-open").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"222222222222\"},\"Action\":\"kms:*\","
                        + "\"Resource\":\"*\"}",
                "{\"Sid\":\"Everyone\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\","
                        + "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"198.51.100.0/24\"}}}"));
        TestOrg.Key orgOnly = org.key(A, "k-org").policy(doc(
                "{\"Sid\":\"Org\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:Decrypt\","
                        + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-testorg123\"}}}"));
        TestOrg.Key ebsLike = org.key(A, "k-ebs").policy(doc(
                "{\"Sid\":\"Ebs\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:Decrypt\","
                        + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":\"222222222222\","
                        + "\"kms:ViaService\":\"ec2.eu-west-1.amazonaws.com\"}}}"));
        org.instance(A, "i-1").volume("vol-1", open.arn());
        org.instance(A, "i-2").volume("vol-2", orgOnly.arn());
        org.instance(A, "i-3").volume("vol-3", ebsLike.arn());

        List<Finding> fs = of(analyze(org), FindingType.KEY_POLICY_PUBLIC);

        assertThat(fs).hasSize(1);
        Finding f = fs.get(0);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.keyArn()).isEqualTo(open.arn());
        assertThat(f.principalArn()).isNull();
        assertThat(f.evidence()).containsExactly(open.arn() + ":policy/default#Everyone");
        assertThat(f.explanation()).isEqualTo("The key policy of " + open.arn() + " lets principals outside the "
                + "organization call kms:Decrypt (Principal \"*\" without a condition limiting callers to known "
                + "accounts or the organization).");
        assertThat(f.remediationPolicy()).contains("\"aws:PrincipalOrgID\": \"o-testorg123\"");
    }

    /**
     * An RCP of the key's account that denies callers outside the organization closes a public key policy today: the
     * finding stays (the key policy alone is open: detaching the RCP, or moving the account, opens the key) but is
     * MEDIUM and says which RCP holds it; an RCP that leaves an opened action allowed changes nothing
     * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
     */
    @Test
    void aPublicKeyPolicyThatOnlyAnRcpClosesIsMediumAndNamesTheRcp() {
        String everyone = "{\"Sid\":\"Everyone\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":"
                + "[\"kms:Decrypt\",\"kms:DescribeKey\"],\"Resource\":\"*\"}";
        TestOrg org = new TestOrg();
        TestOrg.Key key = org.key(A, "k-open").policy(doc(everyone));
        org.instance(A, "i-1").volume("vol-1", key.arn());
        org.rcp("p-orgonly", doc("{\"Sid\":\"OrgOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:PrincipalOrgID\":"
                + "\"o-testorg123\"},\"BoolIfExists\":{\"aws:PrincipalIsAWSService\":\"false\"}}}"), A);
        Finding f = of(analyze(org), FindingType.KEY_POLICY_PUBLIC).get(0);
        assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(f.explanation()).contains("would let principals outside the organization call kms:Decrypt, "
                + "kms:DescribeKey").contains("today only RCP p-orgonly (p-orgonly) of the key's account denies them");
        assertThat(f.remediationPolicy()).contains("\"aws:PrincipalOrgID\": \"o-testorg123\"");

        // an RCP that denies only kms:Decrypt leaves DescribeKey open: CRITICAL as without it
        TestOrg partly = new TestOrg();
        TestOrg.Key key2 = partly.key(A, "k-open").policy(doc(everyone));
        partly.instance(A, "i-1").volume("vol-1", key2.arn());
        partly.rcp("p-decrypt", doc("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:PrincipalOrgID\":"
                + "\"o-testorg123\"}}}"), A);
        Finding g = of(analyze(partly), FindingType.KEY_POLICY_PUBLIC).get(0);
        assertThat(g.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(g.explanation()).startsWith("The key policy of " + key2.arn() + " lets principals outside");
    }

    @Test
    void breadthOnlyFromAStatementOpenToEveryoneIsTheKeyPolicyPublicFindingOnce() {
        // issue 9 item 10: a key policy allowing kms:* to Principal "*" gives every principal of the organization
        // full access and unconstrained CreateGrant on the key; the one fix is the statement, so that is one
        // KEY_POLICY_PUBLIC finding naming how many principals it exposes, not one breadth finding per principal
        TestOrg org = new TestOrg();
        org.user(A, "alice").inline("start", Scenarios.START_ONLY);
        org.role(A, "ops").inline("start", Scenarios.START_ONLY);
        org.user(A, "admin").attach(TestOrg.ADMIN_ARN);
        TestOrg.Key open = org.key(A, "k-open").policy(doc(
                "{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
                "{\"Sid\":\"Everyone\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\","
                        + "\"Resource\":\"*\"}"));
        org.instance(A, "i-1").volume("vol-1", open.arn());

        List<Finding> fs = analyze(org);

        // the administrator's rights come from its own AdministratorAccess too: still its findings
        assertThat(of(fs, FindingType.KMS_FULL_ACCESS)).flatExtracting(Finding::principals)
                .extracting(Finding.Principal::arn).containsExactly(userArn(A, "admin"));
        assertThat(of(fs, FindingType.KMS_CREATEGRANT_UNCONSTRAINED)).flatExtracting(Finding::principals)
                .extracting(Finding.Principal::arn).containsExactly(userArn(A, "admin"));
        List<Finding> pub = of(fs, FindingType.KEY_POLICY_PUBLIC);
        assertThat(pub).hasSize(1);
        assertThat(pub.get(0).explanation()).endsWith(" Through it alone, 2 principals of the scanned accounts have "
                + "every KMS action, and 2 principals of the scanned accounts have kms:CreateGrant without "
                + "kms:GrantIsForAWSResource on the key: they are counted here rather than reported one finding "
                + "each, as the statement is the one thing to change.");
    }

    // ------------------------------------------------------------------ determinism, explain

    @Test
    void findingsAreSortedAndIdenticalAcrossRuns() {
        Snapshot s = Scenarios.everything();
        List<Finding> first = new Analyzer().analyze(s).findings();
        List<Finding> second = new Analyzer().analyze(s).findings();

        assertThat(second).isEqualTo(first);
        assertThat(first).isSortedAccordingTo(Analyzer.ORDER);
        assertThat(first.get(0).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(first.stream().map(Finding::findingId).distinct().count()).isEqualTo(first.size());
    }

    @Test
    void explainWalksTheLayersAndGivesTheFix() {
        TestOrg org = new TestOrg();
        org.user(A, "alice").attach(TestOrg.EC2_FULL_ARN);
        TestOrg.Key k = org.key(A, "k1");
        org.instance(A, "i-0001").tag("Name", "web").volume("vol-1", k.arn());

        String text = new Analyzer().explain(org.build(), userArn(A, "alice"), "i-0001");

        assertThat(text).startsWith("principal: arn:aws:iam::222222222222:user/alice (user, account 222222222222)\n"
                + "instance:  i-0001 (web, stopped, account 222222222222, eu-west-1)\n\n"
                + "1. ec2:StartInstances on arn:aws:ec2:eu-west-1:222222222222:instance/i-0001\n"
                + "   decision: ALLOWED (decided by identity)\n");
        assertThat(text).contains("2. key " + k.arn() + " (volumes vol-1)\n   key state: Enabled\n"
                + "   kms:CreateGrant made by EC2 with the caller's credentials (forward access session):\n"
                + "   decision: IMPLICIT_DENY (decided by identity)\n");
        // the fix is the report's: its finding's id, what it covers, its remediation
        Finding f = new Analyzer().analyze(org.build()).findings().stream()
                .filter(x -> x.type() == FindingType.START_BLOCKED_KMS_DENIED).findFirst().orElseThrow();
        assertThat(text).contains("   fix (report finding " + f.findingId() + ", START_BLOCKED_KMS_DENIED, HIGH; one "
                + "edit fixes all it covers):\n     key: " + k.arn() + "\n     instance: i-0001 (web)\n"
                + "     Let EC2 create its attach grant on " + k.arn());
        assertThat(text).endsWith("result:\n  - key " + k.arn() + ": START_BLOCKED_KMS_DENIED - "
                + "arn:aws:iam::222222222222:user/alice can start the instance, but EC2's kms:CreateGrant on " + k.arn()
                + " with its credentials is denied (no identity policy allows kms:CreateGrant on the key): the "
                + "instance will go pending -> stopped with Client.InternalError. (report finding " + f.findingId()
                + ")\n");
    }

    @Test
    void explainRejectsUnknownPrincipalsAndInstances() {
        Snapshot s = new TestOrg().build();
        assertThatThrownBy(() -> new Analyzer().explain(s, userArn(A, "nobody"), "i-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("principal `arn:aws:iam::222222222222:user/nobody` is not a user or role of the snapshot");
    }
}
