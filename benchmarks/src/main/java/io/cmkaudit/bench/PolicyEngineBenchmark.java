package io.cmkaudit.bench;

import io.cmkaudit.policy.Context;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.policy.ParsedPolicy;
import io.cmkaudit.policy.Policy;
import io.cmkaudit.policy.PolicyParser;
import io.cmkaudit.policy.PolicySet;
import io.cmkaudit.policy.PrincipalInfo;
import io.cmkaudit.policy.Request;
import io.cmkaudit.policy.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the policy engine on the scanner's hot request: EC2's forward-access {@code kms:CreateGrant} for a
 * role session with 10 attached identity policies (60 statements, 20 of them with conditions), a 6-statement key
 * policy, 3 SCP levels and a permissions boundary; and, so that a speed-up is not shaped to one request, the same
 * principal denied by an SCP, an answer that is conditional (the caller's organization is unknown, so the key
 * policy's organization-perimeter Deny may apply), and a caller of another account using the key through the key
 * policy. Each case is measured twice: on the path the analysis uses ({@link Evaluator#verdict}: the answer and
 * its deciding layers) and on the full-trace path of {@code explain} and {@code simulate}
 * ({@link Evaluator#evaluate}: matched statements, residual conditions, per-layer trace; the {@code *Explained}
 * methods). Policies are parsed once in {@link #setup()}; each call is one decision. Run with
 * {@code scripts/bench-policy}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class PolicyEngineBenchmark {
    static final String ACCOUNT = "111122223333";
    static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    static final String SESSION = "arn:aws:sts::111122223333:assumed-role/app-deployer/build-42";

    static final String PARTNER = "444455556666";
    static final String PARTNER_SESSION = "arn:aws:sts::444455556666:assumed-role/app-deployer/build-7";

    Request request;
    PrincipalInfo principal;
    PolicySet policies;
    Request deniedRequest;
    Request conditionalRequest;
    Request crossAccountRequest;
    PrincipalInfo partner;
    PolicySet partnerPolicies;

    /** Parses every policy once and builds the request. */
    @Setup
    public void setup() {
        List<Policy> identity = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            identity.add(parse("identity-" + i, identityPolicy(i)));
        }
        policies = PolicySet.builder()
                .identity(identity)
                .permissionsBoundary(parse("boundary", BOUNDARY))
                .scpLevel(parse("FullAWSAccess", FULL_ACCESS))
                .scpLevel(parse("ou-guardrails", OU_SCP))
                .scpLevel(parse("account-regions", ACCOUNT_SCP))
                .resourcePolicy(parse("key-policy", KEY_POLICY))
                .keyState("Enabled")
                .build();
        Context ctx = context(ACCOUNT, "arn:aws:iam::111122223333:role/app-deployer").build();
        principal = PrincipalInfo.fromArn(SESSION);
        request = new Request(SESSION, "kms:CreateGrant", KEY, ACCOUNT, ctx);
        deniedRequest = new Request(SESSION, "kms:ScheduleKeyDeletion", KEY, ACCOUNT, ctx);
        Context unknownOrg = context(ACCOUNT, "arn:aws:iam::111122223333:role/app-deployer")
                .unknown("aws:PrincipalOrgID").build();
        conditionalRequest = new Request(SESSION, "kms:CreateGrant", KEY, ACCOUNT, unknownOrg);

        // a role session of another account of the organization: its own identity policies and SCPs, the key
        // policy naming its account
        List<Policy> partnerIdentity = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            partnerIdentity.add(parse("partner-identity-" + i, identityPolicy(i)));
        }
        partnerPolicies = PolicySet.builder()
                .identity(partnerIdentity)
                .permissionsBoundary(parse("boundary", BOUNDARY))
                .scpLevel(parse("FullAWSAccess", FULL_ACCESS))
                .scpLevel(parse("ou-guardrails", OU_SCP))
                .scpLevel(parse("account-regions", ACCOUNT_SCP))
                .resourcePolicy(parse("key-policy-shared", KEY_POLICY_SHARED))
                .keyState("Enabled")
                .build();
        Context partnerCtx = context(PARTNER, "arn:aws:iam::444455556666:role/app-deployer").build();
        partner = PrincipalInfo.fromArn(PARTNER_SESSION);
        crossAccountRequest = new Request(PARTNER_SESSION, "kms:CreateGrant", KEY, ACCOUNT, partnerCtx);

        expect(request, principal, policies, DecisionKind.ALLOWED);
        expect(deniedRequest, principal, policies, DecisionKind.EXPLICIT_DENY);
        expect(conditionalRequest, principal, policies, DecisionKind.CONDITIONAL);
        expect(crossAccountRequest, partner, partnerPolicies, DecisionKind.ALLOWED);
    }

    /** The context of EC2's forward-access CreateGrant for a role session of the account. */
    private static Context.Builder context(String callerAccount, String roleArn) {
        return Context.builder()
                .put("kms:ViaService", "ec2.us-east-1.amazonaws.com")
                .put("kms:GrantIsForAWSResource", "true")
                .put("kms:CallerAccount", callerAccount)
                .put("aws:ViaAWSService", "true")
                .put("aws:PrincipalIsAWSService", "false")
                .put("aws:PrincipalArn", roleArn)
                .put("aws:PrincipalOrgID", "o-a1b2c3d4e5")
                .put("aws:PrincipalTag/team", "payments")
                .put("aws:RequestedRegion", "us-east-1")
                .put("aws:SourceIp", "203.0.113.10")
                .put("kms:GrantOperations", List.of("Decrypt"));
    }

    private static void expect(Request r, PrincipalInfo p, PolicySet set, DecisionKind want) {
        DecisionKind kind = Evaluator.evaluate(r, p, set).kind();
        if (kind != want) {
            throw new IllegalStateException(r.action() + " by " + r.principalArn() + " should be " + want + ", is "
                    + kind);
        }
    }

    /**
     * The forward-access CreateGrant (ALLOWED through identity + key-policy delegation, all layers evaluated), on
     * the analysis's path.
     */
    @Benchmark
    public Verdict forwardAccessCreateGrant() {
        return Evaluator.verdict(request, principal, policies);
    }

    /** The same on the full-trace path. */
    @Benchmark
    public Decision forwardAccessCreateGrantExplained() {
        return Evaluator.evaluate(request, principal, policies);
    }

    /** The same principal asking for a denied action (explicit Deny in an SCP). */
    @Benchmark
    public Verdict deniedScheduleKeyDeletion() {
        return Evaluator.verdict(deniedRequest, principal, policies);
    }

    /** The same on the full-trace path. */
    @Benchmark
    public Decision deniedScheduleKeyDeletionExplained() {
        return Evaluator.evaluate(deniedRequest, principal, policies);
    }

    /** The forward-access CreateGrant when the caller's organization is unknown: CONDITIONAL. */
    @Benchmark
    public Verdict conditionalCreateGrant() {
        return Evaluator.verdict(conditionalRequest, principal, policies);
    }

    /** The same on the full-trace path (with the residual conditions). */
    @Benchmark
    public Decision conditionalCreateGrantExplained() {
        return Evaluator.evaluate(conditionalRequest, principal, policies);
    }

    /** The forward-access CreateGrant by a role session of another account (ALLOWED by both sides). */
    @Benchmark
    public Verdict crossAccountCreateGrant() {
        return Evaluator.verdict(crossAccountRequest, partner, partnerPolicies);
    }

    /** The same on the full-trace path. */
    @Benchmark
    public Decision crossAccountCreateGrantExplained() {
        return Evaluator.evaluate(crossAccountRequest, partner, partnerPolicies);
    }

    private static Policy parse(String name, String json) {
        ParsedPolicy p = PolicyParser.parse(name, json);
        if (!p.diagnostics().isEmpty()) {
            throw new IllegalStateException(name + ": " + p.diagnostics());
        }
        return p.policy();
    }

    /** Six statements; two of them (three in every third policy) with conditions. */
    static String identityPolicy(int i) {
        String extraCondition = i % 3 == 0
                ? ",\"Condition\":{\"StringEquals\":{\"aws:RequestedRegion\":[\"us-east-1\",\"eu-west-1\"]}}" : "";
        String kmsStatement = i == 7
                ? "{\"Sid\":\"LetEc2AttachCmkVolumes\",\"Effect\":\"Allow\",\"Action\":\"kms:CreateGrant\","
                    + "\"Resource\":\"arn:aws:kms:us-east-1:111122223333:key/*\",\"Condition\":{\"Bool\":"
                    + "{\"kms:GrantIsForAWSResource\":\"true\"},\"StringEquals\":{\"kms:ViaService\":"
                    + "\"ec2.us-east-1.amazonaws.com\"}}}"
                : "{\"Sid\":\"UseOtherKey" + i + "\",\"Effect\":\"Allow\",\"Action\":[\"kms:Decrypt\",\"kms:Encrypt\","
                    + "\"kms:GenerateDataKey*\"],\"Resource\":\"arn:aws:kms:us-east-1:111122223333:key/other-" + i + "\"}";
        return "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Sid\":\"Describe" + i + "\",\"Effect\":\"Allow\",\"Action\":[\"ec2:Describe*\",\"ec2:Get*\"],"
                + "\"Resource\":\"*\"" + extraCondition + "},"
                + "{\"Sid\":\"Bucket" + i + "\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
                + "\"Resource\":\"arn:aws:s3:::team-bucket-" + i + "/*\",\"Condition\":{\"StringEquals\":"
                + "{\"aws:PrincipalTag/team\":\"payments\"}}},"
                + kmsStatement + ","
                + "{\"Sid\":\"StartOwn" + i + "\",\"Effect\":\"Allow\",\"Action\":[\"ec2:StartInstances\","
                + "\"ec2:StopInstances\"],\"Resource\":\"arn:aws:ec2:*:111122223333:instance/*\",\"Condition\":"
                + "{\"StringEquals\":{\"aws:ResourceTag/Owner\":\"${aws:username}\"}}},"
                + "{\"Sid\":\"NoIam" + i + "\",\"Effect\":\"Deny\",\"Action\":[\"iam:Create*\",\"iam:Delete*\","
                + "\"iam:Put*\"],\"Resource\":\"*\"},"
                + "{\"Sid\":\"Logs" + i + "\",\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogStream\","
                + "\"logs:PutLogEvents\",\"cloudwatch:PutMetricData\"],\"Resource\":\"*\"}"
                + "]}";
    }

    static final String BOUNDARY = "{\"Version\":\"2012-10-17\",\"Statement\":["
            + "{\"Sid\":\"Services\",\"Effect\":\"Allow\",\"Action\":[\"ec2:*\",\"s3:*\",\"kms:*\",\"logs:*\","
            + "\"cloudwatch:*\"],\"Resource\":\"*\"},"
            + "{\"Sid\":\"NoBoundaryEdit\",\"Effect\":\"Deny\",\"Action\":[\"iam:DeleteRolePermissionsBoundary\","
            + "\"iam:PutRolePermissionsBoundary\"],\"Resource\":\"*\"}]}";

    static final String FULL_ACCESS = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"*\",\"Resource\":\"*\"}]}";

    static final String OU_SCP = "{\"Version\":\"2012-10-17\",\"Statement\":["
            + "{\"Sid\":\"AllowAll\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
            + "{\"Sid\":\"NoLeaving\",\"Effect\":\"Deny\",\"Action\":\"organizations:LeaveOrganization\","
            + "\"Resource\":\"*\"},"
            + "{\"Sid\":\"ProtectKeys\",\"Effect\":\"Deny\",\"Action\":[\"kms:ScheduleKeyDeletion\",\"kms:DisableKey\"],"
            + "\"Resource\":\"*\",\"Condition\":{\"ArnNotLike\":{\"aws:PrincipalArn\":"
            + "\"arn:aws:iam::*:role/security-admin\"}}}]}";

    static final String ACCOUNT_SCP = "{\"Version\":\"2012-10-17\",\"Statement\":["
            + "{\"Sid\":\"AllowAll\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
            + "{\"Sid\":\"RegionFence\",\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\",\"organizations:*\","
            + "\"sts:*\",\"support:*\"],\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":"
            + "{\"aws:RequestedRegion\":[\"us-east-1\",\"eu-west-1\"]}}}]}";

    static final String KEY_POLICY = "{\"Version\":\"2012-10-17\",\"Id\":\"key-consolepolicy-3\",\"Statement\":["
            + "{\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::111122223333:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},"
            + "{\"Sid\":\"Allow access for Key Administrators\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::111122223333:role/security-admin\"},\"Action\":[\"kms:Create*\",\"kms:Describe*\","
            + "\"kms:Enable*\",\"kms:List*\",\"kms:Put*\",\"kms:Update*\",\"kms:Revoke*\",\"kms:Disable*\","
            + "\"kms:Get*\",\"kms:Delete*\",\"kms:ScheduleKeyDeletion\",\"kms:CancelKeyDeletion\"],\"Resource\":\"*\"},"
            + "{\"Sid\":\"Allow use of the key\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["
            + "\"arn:aws:iam::111122223333:role/app-runtime\",\"arn:aws:iam::111122223333:role/batch\"]},"
            + "\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\","
            + "\"kms:DescribeKey\"],\"Resource\":\"*\"},"
            + "{\"Sid\":\"Allow attachment of persistent resources\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["
            + "\"arn:aws:iam::111122223333:role/app-runtime\",\"arn:aws:iam::111122223333:role/batch\"]},"
            + "\"Action\":[\"kms:CreateGrant\",\"kms:ListGrants\",\"kms:RevokeGrant\"],\"Resource\":\"*\","
            + "\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}},"
            + "{\"Sid\":\"DenyOutsideOrg\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"},"
            + "\"Bool\":{\"aws:PrincipalIsAWSService\":\"false\"}}},"
            + "{\"Sid\":\"AllowEbsService\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
            + "\"Action\":[\"kms:Decrypt\",\"kms:DescribeKey\"],\"Resource\":\"*\"}]}";

    /** {@link #KEY_POLICY} with a statement that lets the partner account use the key and attach it to resources. */
    static final String KEY_POLICY_SHARED = KEY_POLICY.substring(0, KEY_POLICY.length() - 2)
            + ",{\"Sid\":\"Allow use by the partner account\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::444455556666:root\"},\"Action\":[\"kms:Decrypt\",\"kms:DescribeKey\","
            + "\"kms:CreateGrant\"],\"Resource\":\"*\",\"Condition\":{\"Bool\":"
            + "{\"kms:GrantIsForAWSResource\":\"true\"}}}]}";
}
