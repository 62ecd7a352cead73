package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import io.cmkaudit.collect.SecurityHubImporter;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;

/**
 * The ASFF and OCSF mappings and ASFF's limits: 32 resources (the rest counted and pointed to findings.json), 240 KB
 * per finding, the string lengths, 100 findings and 6 MB per BatchImportFindings call, and the conversion into the
 * SDK's model (every field we write is one Security Hub knows).
 */
class AsffOcsfTest {

    static final Instant STARTED = Instant.parse("2026-11-29T19:02:11Z");
    static final Instant NOW = Instant.parse("2026-11-29T19:04:05Z");
    static final Asff.Target TARGET = new Asff.Target("999988887777", "us-gov-west-1");
    static final String KEY = "arn:aws-us-gov:kms:us-gov-west-1:222233334444:key/6f1e0000-0000-4000-8000-000000000001";
    static final String ROLE = "arn:aws-us-gov:iam::012345678901:role/ops/payments-operator";

    static Finding finding(int instances, String explanation, String idSuffix) {
        List<Finding.Resource> rs = IntStream.range(0, instances).mapToObj(i -> Finding.Resource.instance(
                "i-" + String.format("%017x", i) + idSuffix, "web-" + i, "us-gov-west-1",
                List.of("vol-" + String.format("%017x", i)))).toList();
        return new Finding("6a8ea1c67c354ccf", FindingType.START_BLOCKED_KMS_DENIED, Severity.HIGH,
                new Finding.Account("012345678901", "payments-prod", "Root/Workloads/Prod"), "us-gov-west-1", rs,
                new Finding.Key(KEY, "222233334444", "Enabled"), new Finding.Principal(ROLE, "role"),
                new Finding.Details(List.of("identity"), List.of("arn:aws-us-gov:iam::aws:policy/PowerUserAccess#0"),
                        explanation, "Allow kms:CreateGrant with kms:GrantIsForAWSResource", "{\"Sid\":\"x\"}"));
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Map<String, Object> m, String... path) {
        Object o = m;
        for (String p : path) {
            o = ((Map<String, Object>) o).get(p);
        }
        return (T) o;
    }

    @Test
    void filedUnderTheScannerAccountAboutTheAffectedAccountAndResources() {
        ReportedFinding f = ReportedFinding.open(finding(2, "payments-operator may start web-0 but ...", ""))
                .withChange(ReportedFinding.Change.NEW);
        Map<String, Object> a = Asff.finding(f, TARGET, STARTED, NOW, false);
        assertThat(a.get("SchemaVersion")).isEqualTo("2018-10-08");
        assertThat(a.get("Id")).isEqualTo("cmk-audit/6a8ea1c67c354ccf");
        assertThat(a.get("AwsAccountId")).isEqualTo("999988887777");
        assertThat(a.get("Region")).isEqualTo("us-gov-west-1");
        assertThat(a.get("ProductArn"))
                .isEqualTo("arn:aws-us-gov:securityhub:us-gov-west-1:999988887777:product/999988887777/default");
        assertThat(a.get("RecordState")).isEqualTo("ACTIVE");
        assertThat(at(a, "Severity", "Label").toString()).isEqualTo("HIGH");
        assertThat(at(a, "FindingProviderFields", "Severity", "Label").toString()).isEqualTo("HIGH");
        assertThat(a.get("LastObservedAt")).isEqualTo("2026-11-29T19:02:11Z");
        assertThat(a.get("UpdatedAt")).isEqualTo("2026-11-29T19:04:05Z");
        List<Map<String, Object>> res = at(a, "Resources");
        assertThat(res).extracting(r -> r.get("Type") + " " + r.get("Id")).containsExactly(
                "AwsAccount AWS::::Account:012345678901",
                "AwsIamRole " + ROLE,
                "AwsKmsKey " + KEY,
                "AwsEc2Instance arn:aws-us-gov:ec2:us-gov-west-1:012345678901:instance/i-00000000000000000",
                "AwsEc2Instance arn:aws-us-gov:ec2:us-gov-west-1:012345678901:instance/i-00000000000000001");
        assertThat(res).allSatisfy(r -> assertThat(r.get("Partition")).isEqualTo("aws-us-gov"));
        Map<String, String> pf = at(a, "ProductFields");
        assertThat(pf).containsEntry("cmk-audit/AccountId", "012345678901")
                .containsEntry("cmk-audit/Region", "us-gov-west-1")
                .containsEntry("cmk-audit/FindingId", "6a8ea1c67c354ccf")
                .containsEntry("cmk-audit/Change", "NEW")
                .containsEntry("cmk-audit/ResourcesListed", "5")
                .doesNotContainKey("cmk-audit/ResourcesNotListed");

        Map<String, Object> archived = Asff.finding(f.withChange(ReportedFinding.Change.RESOLVED), TARGET, STARTED,
                NOW, true);
        assertThat(archived.get("RecordState")).isEqualTo("ARCHIVED");
        assertThat(archived.get("Id")).isEqualTo(a.get("Id"));
    }

    @Test
    void aFindingThatIsOneFixForSeveralPrincipalsAndKeysListsEachOfThemAndItsLaunchSources() {
        // one key-policy edit for two roles on two keys, affecting an instance and an Auto Scaling group
        String role2 = "arn:aws-us-gov:iam::012345678901:role/ops/batch";
        String key2 = "arn:aws-us-gov:kms:us-gov-west-1:222233334444:key/6f1e0000-0000-4000-8000-000000000002";
        Finding one = finding(1, "why", "");
        List<Finding.Resource> rs = new ArrayList<>(one.resources());
        rs.add(Finding.Resource.principal(new Finding.Principal(ROLE, "role")));
        rs.add(Finding.Resource.principal(new Finding.Principal(role2, "role")));
        rs.add(new Finding.Resource(Finding.ResourceKind.KEY, KEY, null, "us-gov-west-1", List.of()));
        rs.add(new Finding.Resource(Finding.ResourceKind.KEY, key2, "Enabled", "us-gov-west-1", List.of()));
        rs.add(Finding.Resource.launchSource(Finding.ResourceKind.AUTO_SCALING_GROUP, "web", null, "us-gov-west-1"));
        rs.add(Finding.Resource.launchSource(Finding.ResourceKind.LAUNCH_TEMPLATE, "lt-0123456789abcdef0", "web-lt",
                "us-gov-west-1"));
        ReportedFinding f = ReportedFinding.open(one.withResources(one.findingId(), rs));

        List<Map<String, Object>> res = at(Asff.finding(f, TARGET, STARTED, NOW, false), "Resources");
        assertThat(res).extracting(r -> r.get("Type") + " " + r.get("Id")).containsExactly(
                "AwsAccount AWS::::Account:012345678901",
                "AwsIamRole " + ROLE,
                "AwsIamRole " + role2,
                "AwsKmsKey " + KEY,
                "AwsKmsKey " + key2,
                "AwsAutoScalingAutoScalingGroup web",
                "AwsEc2LaunchTemplate arn:aws-us-gov:ec2:us-gov-west-1:012345678901:launch-template/lt-0123456789abcdef0",
                "AwsEc2Instance arn:aws-us-gov:ec2:us-gov-west-1:012345678901:instance/i-00000000000000000");

        List<Map<String, Object>> ocsf = at(Ocsf.event(f, "0.1.0", "o-abc123", STARTED, NOW), "resources");
        assertThat(ocsf).extracting(r -> r.get("type") + " " + r.get("uid")).containsExactly(
                "AWS::IAM::Role " + ROLE, "AWS::IAM::Role " + role2, "AWS::KMS::Key " + KEY, "AWS::KMS::Key " + key2,
                "AWS::AutoScaling::AutoScalingGroup web", "AWS::EC2::LaunchTemplate lt-0123456789abcdef0",
                "AWS::EC2::Instance i-00000000000000000");
        assertThat(ocsf.get(1)).extracting(r -> at(r, "owner", "account", "uid")).isEqualTo("012345678901");
    }

    @Test
    void instancesAndLaunchSourcesOfOtherAccountsThanTheFindingsAreFiledUnderTheirOwnAccount() {
        // a permission set's finding is filed under the IAM Identity Center administrator account and lists the
        // instances and groups of the accounts the permission set is provisioned to
        Finding one = finding(1, "why", "");
        List<Finding.Resource> rs = new ArrayList<>(one.resources());
        rs.add(new Finding.Resource(Finding.ResourceKind.INSTANCE, "i-0aaaaaaaaaaaaaaaa", null, "us-gov-west-1",
                List.of(), "111122223333"));
        rs.add(new Finding.Resource(Finding.ResourceKind.AUTO_SCALING_GROUP, "web", null, "us-gov-west-1",
                List.of(), "111122223333"));
        ReportedFinding f = ReportedFinding.open(one.withResources(one.findingId(), rs));

        List<Map<String, Object>> res = at(Asff.finding(f, TARGET, STARTED, NOW, false), "Resources");
        assertThat(res).extracting(r -> r.get("Type") + " " + r.get("Id")).contains(
                "AwsEc2Instance arn:aws-us-gov:ec2:us-gov-west-1:012345678901:instance/i-00000000000000000",
                "AwsEc2Instance arn:aws-us-gov:ec2:us-gov-west-1:111122223333:instance/i-0aaaaaaaaaaaaaaaa");
        Map<String, Object> group = res.stream().filter(r -> "web".equals(r.get("Id"))).findFirst().orElseThrow();
        assertThat(at(group, "Details", "Other", "AccountId").toString()).isEqualTo("111122223333");

        List<Map<String, Object>> ocsf = at(Ocsf.event(f, "0.1.0", "o-abc123", STARTED, NOW), "resources");
        assertThat(ocsf).filteredOn(r -> r.get("uid").toString().startsWith("i-"))
                .extracting(r -> r.get("uid") + " " + at(r, "owner", "account", "uid"))
                .containsExactly("i-00000000000000000 012345678901", "i-0aaaaaaaaaaaaaaaa 111122223333");
        assertThat(ocsf).filteredOn(r -> "web".equals(r.get("uid")))
                .extracting(r -> at(r, "owner", "account", "uid").toString()).containsExactly("111122223333");
    }

    @Test
    void resourcesBeyond32AreCountedAndPointedToFindingsJson() {
        ReportedFinding f = ReportedFinding.open(finding(1000, "x".repeat(5000), ""));
        Map<String, Object> a = Asff.finding(f, TARGET, STARTED, NOW, false);
        List<Map<String, Object>> res = at(a, "Resources");
        assertThat(res).hasSize(Asff.MAX_RESOURCES);
        assertThat(res.get(0).get("Type")).isEqualTo("AwsAccount");
        Map<String, String> pf = at(a, "ProductFields");
        // account, principal, key and 1000 instances = 1003, 32 listed
        assertThat(pf).containsEntry("cmk-audit/ResourcesListed", "32")
                .containsEntry("cmk-audit/ResourcesNotListed", "971")
                .containsEntry("cmk-audit/InstanceCount", "1000")
                .containsEntry("cmk-audit/AllResources", "findings.json of the run folder, finding 6a8ea1c67c354ccf");
        String d = (String) a.get("Description");
        assertThat(d).hasSize(Asff.MAX_DESCRIPTION).endsWith(Asff.CUT);
        assertThat(Asff.size(a)).isLessThanOrEqualTo(Asff.MAX_FINDING_BYTES);
        assertThat(pf.size()).isLessThanOrEqualTo(Asff.MAX_PRODUCT_FIELDS);
        assertThat(pf.values()).allSatisfy(v -> assertThat(v.length()).isLessThanOrEqualTo(2048));
        assertThat(((String) a.get("Title")).length()).isLessThanOrEqualTo(Asff.MAX_TITLE);
    }

    @Test
    void aFindingOver240KbDropsResourcesUntilItFits() {
        // instance ids of 9,000 characters: 32 of them are far above 240 KB
        ReportedFinding f = ReportedFinding.open(finding(40, "short", "z".repeat(9000)));
        Map<String, Object> a = Asff.finding(f, TARGET, STARTED, NOW, false);
        assertThat(Asff.size(a)).isLessThanOrEqualTo(Asff.MAX_FINDING_BYTES);
        List<Map<String, Object>> res = at(a, "Resources");
        assertThat(res.size()).isLessThan(Asff.MAX_RESOURCES).isGreaterThan(3);
        Map<String, String> pf = at(a, "ProductFields");
        assertThat(Integer.parseInt(pf.get("cmk-audit/ResourcesListed"))
                + Integer.parseInt(pf.get("cmk-audit/ResourcesNotListed"))).isEqualTo(43);
        assertThat(pf.get("cmk-audit/ResourcesListed")).isEqualTo(String.valueOf(res.size()));
    }

    @Test
    void batchesHoldAtMost100FindingsAnd6Mb() {
        List<SecurityHubImporter.Item> small = IntStream.range(0, 250).mapToObj(i -> new SecurityHubImporter.Item(
                Map.of("Id", "f" + i), 1024)).toList();
        assertThat(SecurityHubImporter.batches(small)).extracting(List::size).containsExactly(100, 100, 50);
        List<SecurityHubImporter.Item> big = IntStream.range(0, 30).mapToObj(i -> new SecurityHubImporter.Item(
                Map.of("Id", "f" + i), 230 * 1024)).toList();
        List<List<SecurityHubImporter.Item>> b = SecurityHubImporter.batches(big);
        assertThat(b).extracting(List::size).containsExactly(26, 4);
        assertThat(b).allSatisfy(batch -> assertThat(batch.stream().mapToLong(SecurityHubImporter.Item::jsonBytes)
                .sum()).isLessThanOrEqualTo(SecurityHubImporter.MAX_BATCH_BYTES));
        List<SecurityHubImporter.Item> all = new ArrayList<>();
        b.forEach(all::addAll);
        assertThat(all).containsExactlyElementsOf(big);
    }

    @Test
    void everyFieldWeWriteIsInTheSecurityHubModel() {
        ReportedFinding f = ReportedFinding.open(finding(40, "why", ""))
                .withSuppression(new ReportedFinding.Suppression("accepted", "sec@example.com",
                        LocalDate.parse("2027-03-31"), "SEC-1"));
        Map<String, Object> a = Asff.finding(f, TARGET, STARTED, NOW, false);
        AwsSecurityFinding s = SecurityHubImporter.toFinding(a);
        assertThat(s.id()).isEqualTo("cmk-audit/6a8ea1c67c354ccf");
        assertThat(s.awsAccountId()).isEqualTo("999988887777");
        assertThat(s.resources()).hasSize(32);
        assertThat(s.resources().get(3).details().other()).containsEntry("Name", "web-0");
        assertThat(s.severity().label().toString()).isEqualTo("HIGH");
        assertThat(s.findingProviderFields().types()).containsExactly(
                "Software and Configuration Checks/AWS Security Best Practices/START_BLOCKED_KMS_DENIED");
        assertThat(s.remediation().recommendation().text()).startsWith("Allow kms:CreateGrant");
        assertThat(s.productFields()).containsEntry("cmk-audit/Status", "SUPPRESSED")
                .containsEntry("cmk-audit/SuppressionTicket", "SEC-1");
        assertThat(s.recordStateAsString()).isEqualTo("ACTIVE");

        Map<String, Object> wrong = new LinkedHashMap<>(a);
        wrong.put("NotAnAsffField", "x");
        assertThatThrownBy(() -> SecurityHubImporter.toFinding(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NotAnAsffField");
    }

    @Test
    void ocsfDetectionFindingCarriesTheStableIdSeverityResourcesAndRemediation() {
        ReportedFinding f = ReportedFinding.open(finding(2, "why", "")).withChange(ReportedFinding.Change.UNCHANGED);
        Map<String, Object> e = Ocsf.event(f, "0.1.0", "o-abc123", STARTED, NOW);
        assertThat(e.get("class_uid")).isEqualTo(2004);
        assertThat(e.get("category_uid")).isEqualTo(2);
        assertThat(e.get("activity_id")).isEqualTo(2);
        assertThat(e.get("type_uid")).isEqualTo(200402);
        assertThat(e.get("severity_id")).isEqualTo(4);
        assertThat(e.get("status_id")).isEqualTo(1);
        assertThat(e.get("time")).isEqualTo(NOW.toEpochMilli());
        assertThat(at(e, "finding_info", "uid").toString()).isEqualTo("6a8ea1c67c354ccf");
        assertThat(at(e, "metadata", "version").toString()).isEqualTo(Ocsf.VERSION);
        assertThat(at(e, "cloud", "account", "uid").toString()).isEqualTo("012345678901");
        assertThat(at(e, "remediation", "desc").toString()).startsWith("Allow kms:CreateGrant");
        List<Map<String, Object>> res = at(e, "resources");
        assertThat(res).extracting(r -> r.get("type") + " " + r.get("uid")).containsExactly(
                "AWS::IAM::Role " + ROLE, "AWS::KMS::Key " + KEY,
                "AWS::EC2::Instance i-00000000000000000", "AWS::EC2::Instance i-00000000000000001");
        assertThat(res).allSatisfy(r -> assertThat(r.get("cloud_partition")).isEqualTo("aws-us-gov"));

        Map<String, Object> closed = Ocsf.event(f.withChange(ReportedFinding.Change.RESOLVED), "0.1.0", null,
                STARTED, NOW);
        assertThat(closed.get("activity_id")).isEqualTo(3);
        assertThat(closed.get("status_id")).isEqualTo(4);
        assertThat(Ocsf.event(f.withSuppression(new ReportedFinding.Suppression("r", "o",
                LocalDate.parse("2027-01-01"), null)), "0.1.0", null, STARTED, NOW).get("status_id")).isEqualTo(3);
    }
}
