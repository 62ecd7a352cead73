package io.cmkaudit.report;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hand-made analysis results for the report tests: a realistic organization with every finding type and every
 * kind of hostile value (a role named like a script, a formula in a Name tag, commas, quotes and newlines, an account
 * id with a leading zero), and a generator for large results.
 */
final class ReportFixtures {

    static final Instant STARTED = Instant.parse("2026-11-29T19:02:11Z");
    static final Instant FINISHED = Instant.parse("2026-11-29T19:04:02Z");
    static final Instant NOW = Instant.parse("2026-11-29T19:04:05Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static final String PAYMENTS = "012345678901";
    static final String DATA = "111122223333";
    static final String SHARED = "222233334444";
    static final String ANALYTICS = "333344445555";
    static final String SANDBOX = "444455556666";
    static final String LOGS = "555566667777";

    static final String SCRIPT_ROLE = "arn:aws:iam::111122223333:role/<script>alert(1)</script>";
    static final String FORMULA_NAME = "=HYPERLINK(\"http://x\",\"y\")";
    static final String TRICKY_NAME = "batch, \"nightly\"\nrun";

    static final String SHARED_KEY = "arn:aws:kms:eu-west-1:222233334444:key/6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";
    static final String PAYMENTS_KEY = "arn:aws:kms:eu-west-1:012345678901:key/0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e";
    static final String DATA_KEY = "arn:aws:kms:us-east-1:111122223333:key/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    static final String DATA_KEY_DELETING =
            "arn:aws:kms:us-east-1:111122223333:key/d4c3b2a1-f6e5-4b7a-9d8c-5c4b3a2f1e0d";
    static final String ANALYTICS_KEY = "arn:aws:kms:us-east-1:333344445555:key/77aa66bb-55cc-44dd-83ee-22ff11aa00bb";

    private ReportFixtures() {
    }

    /** A mutable builder for findings in tests. */
    static final class F {
        FindingType type;
        Severity severity;
        String accountId;
        String accountName;
        String ouPath;
        String region;
        String instanceId;
        String instanceName;
        List<String> volumeIds = List.of();
        String keyArn;
        String keyAccountId;
        String keyState = "Enabled";
        String principalArn;
        String principalType;
        List<String> layers = List.of();
        List<String> evidence = List.of();
        String explanation = "explanation";
        String remediation = "remediation";
        String policy;

        F(FindingType type) {
            this.type = type;
            this.severity = type.defaultSeverity();
        }

        F account(String id, String name, String ou) {
            accountId = id;
            accountName = name;
            ouPath = ou;
            return this;
        }

        F instance(String region, String id, String name, String... volumes) {
            this.region = region;
            instanceId = id;
            instanceName = name;
            volumeIds = List.of(volumes);
            return this;
        }

        F key(String arn, String state) {
            keyArn = arn;
            keyAccountId = arn.split(":")[4];
            keyState = state;
            if (region == null) {
                region = arn.split(":")[3];
            }
            return this;
        }

        F principal(String arn, String type) {
            principalArn = arn;
            principalType = type;
            return this;
        }

        F decided(String... layers) {
            this.layers = List.of(layers);
            return this;
        }

        F evidence(String... evidence) {
            this.evidence = List.of(evidence);
            return this;
        }

        F text(String explanation, String remediation, String policy) {
            this.explanation = explanation;
            this.remediation = remediation;
            this.policy = policy;
            return this;
        }

        F severity(Severity s) {
            severity = s;
            return this;
        }

        F region(String r) {
            region = r;
            return this;
        }

        Finding build() {
            String id = Finding.stableId(type, accountId, region, instanceId, principalArn, keyArn);
            return new Finding(id, type, severity, new Finding.Account(accountId, accountName, ouPath), region,
                    instanceId == null ? List.of() : List.of(Finding.Resource.instance(instanceId, instanceName,
                            region, volumeIds)),
                    keyArn == null ? null : new Finding.Key(keyArn, keyAccountId, keyState),
                    principalArn == null ? null : new Finding.Principal(principalArn, principalType),
                    new Finding.Details(layers, evidence, explanation, remediation, policy));
        }
    }

    /** @return each finding OPEN, as the report phases receive them */
    static List<ReportedFinding> reported(List<Finding> findings) {
        return findings.stream().map(ReportedFinding::open).toList();
    }

    static F f(FindingType type) {
        return new F(type);
    }

    static String identityFix(String keyArn, String region) {
        return "{\n  \"Sid\": \"AllowEc2ToUseKeyForStart\",\n  \"Effect\": \"Allow\",\n  \"Action\": \"kms:CreateGrant\",\n"
                + "  \"Resource\": \"" + keyArn + "\",\n  \"Condition\": {\n    \"Bool\": {\"kms:GrantIsForAWSResource\": "
                + "\"true\"},\n    \"StringEquals\": {\"kms:ViaService\": \"ec2." + region + ".amazonaws.com\"}\n  }\n}";
    }

    static String keyPolicyFix(String principalArn) {
        return "{\n  \"Sid\": \"AllowEc2StartForWorkloadRole\",\n  \"Effect\": \"Allow\",\n  \"Principal\": {\"AWS\": \""
                + principalArn + "\"},\n  \"Action\": \"kms:CreateGrant\",\n  \"Resource\": \"*\",\n"
                + "  \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}\n}";
    }

    /** The sample organization: six accounts, one not readable, one partial; every finding type. */
    static List<Finding> sampleFindings() {
        List<Finding> out = new ArrayList<>();
        String paymentsOu = "Root/Workloads/Prod";
        String dataOu = "Root/Workloads/Prod";
        String devOu = "Root/Workloads/Dev";
        out.add(f(FindingType.KEY_POLICY_PUBLIC).account(SHARED, "shared-services", "Root/Infrastructure")
                .key(SHARED_KEY, "Enabled").decided("resource")
                .evidence("key policy of " + SHARED_KEY + "#Sid:PublicDescribeAndDecrypt")
                .text("The key policy lets any AWS principal (\"*\") call kms:Decrypt and kms:CreateGrant without a "
                                + "condition on aws:PrincipalOrgID.",
                        "Restrict the statement to the organization with aws:PrincipalOrgID.",
                        "Before:\n{\n  \"Sid\": \"PublicDescribeAndDecrypt\",\n  \"Effect\": \"Allow\",\n  \"Principal\": "
                                + "\"*\",\n  \"Action\": [\"kms:Decrypt\", \"kms:CreateGrant\"],\n  \"Resource\": \"*\"\n}\n"
                                + "After:\n{\n  \"Sid\": \"PublicDescribeAndDecrypt\",\n  \"Effect\": \"Allow\",\n  "
                                + "\"Principal\": \"*\",\n  \"Action\": [\"kms:Decrypt\", \"kms:CreateGrant\"],\n  "
                                + "\"Resource\": \"*\",\n  \"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": "
                                + "\"o-7h3x9k2m4q\"}}\n}")
                .build());
        out.add(f(FindingType.START_BLOCKED_KEY_UNUSABLE).severity(Severity.CRITICAL)
                .account(DATA, "data-platform-prod", dataOu)
                .instance("us-east-1", "i-0d1e2f3a4b5c6d7e8", "etl-nightly-2", "vol-0aa11bb22cc33dd44")
                .key(DATA_KEY_DELETING, "PendingDeletion").principal("arn:aws:iam::111122223333:role/etl-scheduler",
                        "role").decided("keyState")
                .evidence("kms:DescribeKey " + DATA_KEY_DELETING + " KeyState=PendingDeletion (deletion 2026-12-06)")
                .text("The volume's KMS key is pending deletion: every start of i-0d1e2f3a4b5c6d7e8 fails, and the "
                                + "data becomes unrecoverable on 2026-12-06.",
                        "Cancel the key deletion (kms:CancelKeyDeletion) and enable the key, or re-encrypt the volume.",
                        null)
                .build());
        out.add(f(FindingType.START_BLOCKED_KMS_DENIED).account(PAYMENTS, "payments-prod", paymentsOu)
                .instance("eu-west-1", "i-0a1b2c3d4e5f60718", "payments-api-1", "vol-0123456789abcdef0",
                        "vol-0fedcba9876543210")
                .key(SHARED_KEY, "Enabled").principal("arn:aws:iam::012345678901:role/ops/payments-operator", "role")
                .decided("resource")
                .evidence("key policy of " + SHARED_KEY + " (no statement allows 012345678901)",
                        "arn:aws:iam::012345678901:policy/payments-operator-ec2#Sid:StartStopPayments")
                .text("payments-operator may start i-0a1b2c3d4e5f60718, but the cross-account key policy in "
                                + "222233334444 does not allow its kms:CreateGrant: the start fails.",
                        "Add this statement to the key policy of the shared key (account 222233334444).",
                        keyPolicyFix("arn:aws:iam::012345678901:role/ops/payments-operator"))
                .build());
        out.add(f(FindingType.START_BLOCKED_KMS_DENIED).account(PAYMENTS, "payments-prod", paymentsOu)
                .instance("eu-west-1", "i-0a1b2c3d4e5f60718", "payments-api-1", "vol-0123456789abcdef0",
                        "vol-0fedcba9876543210")
                .key(SHARED_KEY, "Enabled")
                .principal("arn:aws:iam::012345678901:role/aws-service-role/autoscaling.amazonaws.com/"
                        + "AWSServiceRoleForAutoScaling", "service-linked-role")
                .decided("resource")
                .evidence("key policy of " + SHARED_KEY + " (no statement allows the service-linked role)")
                .text("Auto Scaling launches and starts i-0a1b2c3d4e5f60718 with its service-linked role, which the "
                                + "cross-account key policy does not allow to create grants.",
                        "Service-linked role policies cannot be edited: allow the role in the key policy.",
                        keyPolicyFix("arn:aws:iam::012345678901:role/aws-service-role/autoscaling.amazonaws.com/"
                                + "AWSServiceRoleForAutoScaling"))
                .build());
        out.add(f(FindingType.START_BLOCKED_KMS_DENIED).account(DATA, "data-platform-prod", dataOu)
                .instance("us-east-1", "i-0b2c3d4e5f6a7b8c9", TRICKY_NAME, "vol-0bb22cc33dd44ee55")
                .key(DATA_KEY, "Enabled").principal("arn:aws:iam::111122223333:user/alice", "user")
                .decided("identity")
                .evidence("arn:aws:iam::111122223333:policy/DataEngineers#Sid:Ec2Operate",
                        "no identity policy of alice allows kms:CreateGrant on " + DATA_KEY)
                .text("alice may start the instance (policy DataEngineers), but no identity policy allows "
                                + "kms:CreateGrant on its volume key; the key policy delegates to IAM.",
                        "Add this statement to alice's policy DataEngineers.", identityFix(DATA_KEY, "us-east-1"))
                .build());
        out.add(f(FindingType.START_BLOCKED_KMS_DENIED).account(ANALYTICS, "analytics-dev", devOu)
                .instance("us-east-1", "i-0c3d4e5f6a7b8c9d0", "notebook-gpu", "vol-0cc33dd44ee55ff66")
                .key(ANALYTICS_KEY, "Enabled").principal("arn:aws:iam::333344445555:role/dev-deployer", "role")
                .decided("scp")
                .evidence("SCP p-4kq9x2lm DenyKmsOutsideApprovedRegions#Sid:DenyKms (OU Root/Workloads/Dev)")
                .text("The SCP DenyKmsOutsideApprovedRegions explicitly denies kms:CreateGrant for dev-deployer: "
                                + "its starts of notebook-gpu fail.",
                        "Exempt requests with kms:GrantIsForAWSResource = true from the SCP's deny.",
                        "{\n  \"Sid\": \"DenyKms\",\n  \"Effect\": \"Deny\",\n  \"Action\": \"kms:*\",\n  \"Resource\": "
                                + "\"*\",\n  \"Condition\": {\n    \"StringNotEquals\": {\"aws:RequestedRegion\": "
                                + "[\"eu-west-1\"]},\n    \"Bool\": {\"kms:GrantIsForAWSResource\": \"false\"}\n  }\n}")
                .build());
        out.add(f(FindingType.START_BLOCKED_KEY_UNUSABLE).account(PAYMENTS, "payments-prod", paymentsOu)
                .instance("eu-west-1", "i-0e4f5a6b7c8d9e0f1", FORMULA_NAME, "vol-0dd44ee55ff66aa77")
                .key(PAYMENTS_KEY, "Disabled").principal("arn:aws:iam::012345678901:role/ops/payments-operator", "role")
                .decided("keyState").evidence("kms:DescribeKey " + PAYMENTS_KEY + " KeyState=Disabled")
                .text("The volume's KMS key is disabled: every start of the instance fails.",
                        "Enable the key (kms:EnableKey) if the instance is still needed.", null)
                .build());
        out.add(f(FindingType.KMS_CREATEGRANT_UNCONSTRAINED).account(PAYMENTS, "payments-prod", paymentsOu)
                .key(PAYMENTS_KEY, "Disabled").principal("arn:aws:iam::012345678901:role/ci-deploy", "role")
                .decided("identity").evidence("arn:aws:iam::012345678901:policy/ci-deploy-kms#Sid:KmsForDeploys")
                .text("ci-deploy may call kms:CreateGrant on the key without kms:GrantIsForAWSResource = true.",
                        "Replace the statement with this one.", identityFix(PAYMENTS_KEY, "eu-west-1"))
                .build());
        out.add(f(FindingType.KMS_FULL_ACCESS).account(DATA, "data-platform-prod", dataOu)
                .key(DATA_KEY, "Enabled").principal(SCRIPT_ROLE, "role").decided("identity", "resource")
                .evidence("arn:aws:iam::111122223333:policy/<img src=x onerror=alert(2)>#0")
                .text("The role may perform every KMS action (kms:*) on the key.",
                        "Replace kms:* with the actions the workload uses.",
                        "{\n  \"Effect\": \"Allow\",\n  \"Action\": [\"kms:Decrypt\", \"kms:GenerateDataKey*\"],\n"
                                + "  \"Resource\": \"" + DATA_KEY + "\"\n}")
                .build());
        out.add(f(FindingType.KMS_DECRYPT_ALL_KEYS).account(ANALYTICS, "analytics-dev", devOu).region(null)
                .principal("arn:aws:iam::333344445555:role/data-scientist", "role").decided("identity")
                .evidence("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess#3")
                .text("data-scientist may call kms:Decrypt on Resource \"*\": every key that trusts the account.",
                        "Limit kms:Decrypt to the key ARNs the notebooks use.",
                        "{\n  \"Effect\": \"Allow\",\n  \"Action\": \"kms:Decrypt\",\n  \"Resource\": \"" + ANALYTICS_KEY
                                + "\"\n}")
                .build());
        out.add(f(FindingType.KMS_DECRYPT_ALL_KEYS).account(ANALYTICS, "analytics-dev", devOu).region(null)
                .principal("arn:aws:iam::333344445555:role/backup-operator", "role").decided("identity")
                .evidence("arn:aws:iam::333344445555:policy/BackupRestore#Sid:RestoreAnyVault")
                .text("backup-operator may call kms:Decrypt on Resource \"*\".",
                        "Name the vault keys.", null)
                .build());
        out.add(f(FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL).account(SHARED, "shared-services", "Root/Infrastructure")
                .key(SHARED_KEY, "Enabled").principal("arn:aws:iam::012345678901:role/legacy-batch", "role")
                .decided("grant")
                .evidence("grant 0c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d "
                        + "(Decrypt, CreateGrant; created 2024-03-02)")
                .text("A grant on the shared key gives legacy-batch Decrypt and CreateGrant outside the key policy.",
                        "Retire the grant if it is not needed: aws kms revoke-grant --key-id ... --grant-id ...", null)
                .build());
        out.add(f(FindingType.START_ACCESS_CONDITIONAL).account(ANALYTICS, "analytics-dev", devOu)
                .instance("us-east-1", "i-0f5a6b7c8d9e0f1a2", "jupyter-hub", "vol-0ee55ff66aa77bb88")
                .key(ANALYTICS_KEY, "Enabled").principal("arn:aws:iam::333344445555:role/analyst", "role")
                .decided("identity").evidence("arn:aws:iam::333344445555:policy/AnalystKms#Sid:OfficeOnly "
                        + "(IpAddress aws:SourceIp 203.0.113.0/24)")
                .text("The CreateGrant is allowed only from 203.0.113.0/24 (aws:SourceIp); EC2's request on the "
                                + "caller's behalf comes from an AWS address, so starts may fail.",
                        "Exempt AWS service requests: add aws:ViaAWSService = true as an alternative condition.",
                        null)
                .build());
        out.add(f(FindingType.POLICY_UNPARSEABLE).account(DATA, "data-platform-prod", dataOu).region(null)
                .principal("arn:aws:iam::111122223333:role/legacy-import", "role")
                .evidence("arn:aws:iam::111122223333:policy/legacy-import-inline#Statement[2]: unknown condition "
                        + "operator `StringEqualsIfExistz`")
                .text("A policy of legacy-import could not be parsed; its findings are uncertain.",
                        "Fix the condition operator and scan again.", null)
                .build());
        return out;
    }

    static List<AnalysisResult.CoverageRow> sampleCoverage() {
        List<AnalysisResult.CoverageRow> rows = new ArrayList<>();
        String[][] accounts = {{PAYMENTS, "payments-prod"}, {DATA, "data-platform-prod"}, {SHARED, "shared-services"},
                {ANALYTICS, "analytics-dev"}, {LOGS, "log-archive"}};
        for (String[] a : accounts) {
            rows.add(new AnalysisResult.CoverageRow(a[0], a[1], "global", "SCANNED", null, null, 0, 0, 0, 41));
            rows.add(new AnalysisResult.CoverageRow(a[0], a[1], "eu-west-1", "SCANNED", null, null, 6, 9, 2, 0));
            if (a[0].equals(ANALYTICS)) {
                rows.add(new AnalysisResult.CoverageRow(a[0], a[1], "us-east-1", "PARTIAL", "AccessDeniedException",
                        "kms:ListGrants denied on 2 keys: grants of those keys were not read", 7, 8, 2, 0));
            } else {
                rows.add(new AnalysisResult.CoverageRow(a[0], a[1], "us-east-1", "SCANNED", null, null, 4, 5, 1, 0));
            }
        }
        rows.add(new AnalysisResult.CoverageRow(SANDBOX, "sandbox-legacy", "global", "ASSUME_ROLE_DENIED",
                "AccessDenied", "not authorized to perform sts:AssumeRole on arn:aws:iam::444455556666:role/"
                        + "CmkAuditRole", 0, 0, 0, 0));
        return rows;
    }

    static AnalysisResult sample() {
        return result(sampleFindings(), sampleCoverage());
    }

    static AnalysisResult result(List<Finding> findings, List<AnalysisResult.CoverageRow> coverage) {
        AnalysisResult.RunInfo run = new AnalysisResult.RunInfo("0.1.0", STARTED, FINISHED, "o-7h3x9k2m4q",
                "999988887777", List.of("eu-west-1", "us-east-1"),
                Map.of("EC2.DescribeInstances", 12L, "KMS.DescribeKey", 9L, "IAM.GetAccountAuthorizationDetails", 6L));
        AnalysisResult.Summary summary = new AnalysisResult.Summary(6, 4, 52, 17, 21, 14, 214, 9);
        return new AnalysisResult(run, findings, coverage, summary);
    }

    /**
     * {@code n} distinct findings spread over 50 accounts, with remediation snippets. Nine types, a number coprime
     * with the 50 accounts, so every type meets every account (450 groups) whatever types are added later.
     */
    static List<Finding> generated(int n) {
        List<Finding> out = new ArrayList<>(n);
        FindingType[] types = {FindingType.START_BLOCKED_KMS_DENIED, FindingType.START_BLOCKED_KEY_UNUSABLE,
            FindingType.START_ACCESS_CONDITIONAL, FindingType.KMS_CREATEGRANT_UNCONSTRAINED,
            FindingType.KMS_FULL_ACCESS, FindingType.KMS_DECRYPT_ALL_KEYS, FindingType.KEY_POLICY_PUBLIC,
            FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL, FindingType.POLICY_UNPARSEABLE};
        for (int i = 0; i < n; i++) {
            FindingType t = types[i % types.length];
            String account = String.format("%012d", 100000000000L + (i % 50));
            String key = "arn:aws:kms:eu-west-1:" + account + ":key/" + String.format("%08x", i)
                    + "-0000-4000-8000-000000000000";
            out.add(f(t).account(account, "account-" + (i % 50), "Root/Generated")
                    .instance("eu-west-1", String.format("i-%017x", i), "=host-" + i, "vol-" + i)
                    .key(key, "Enabled").principal("arn:aws:iam::" + account + ":role/role-" + i, "role")
                    .decided("identity").evidence("arn:aws:iam::" + account + ":policy/p-" + i + "#0")
                    .text("finding " + i + ", with a comma", "fix " + i, identityFix(key, "eu-west-1"))
                    .build());
        }
        return out;
    }
}
