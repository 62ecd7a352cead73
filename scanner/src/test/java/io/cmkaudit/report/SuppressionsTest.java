package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suppression phase and the suppressions file. */
class SuppressionsTest {

    static final LocalDate TODAY = LocalDate.of(2026, 11, 29);
    static final List<ReportedFinding> FINDINGS = ReportFixtures.reported(ReportFixtures.sampleFindings());

    static ReportedFinding byType(List<ReportedFinding> list, FindingType t) {
        return list.stream().filter(f -> f.type() == t).findFirst().orElseThrow();
    }

    @Test
    void validEntryByFindingIdSuppressesWithItsColumns() {
        String id = byType(FINDINGS, FindingType.KEY_POLICY_PUBLIC).findingId();
        Suppressions s = Suppressions.parse("""
                suppressions:
                  - finding_id: %s
                    reason: Public read is intended for the status page
                    owner: web-team@example.com
                    expires: 2027-01-31
                    ticket: SEC-9
                """.formatted(id), "s.yaml");
        Suppressions.Applied a = s.apply(FINDINGS, TODAY);
        ReportedFinding f = byType(a.findings(), FindingType.KEY_POLICY_PUBLIC);
        assertThat(f.status()).isEqualTo(ReportedFinding.Status.SUPPRESSED);
        assertThat(f.suppression()).isEqualTo(new ReportedFinding.Suppression("Public read is intended for the status page",
                "web-team@example.com", LocalDate.of(2027, 1, 31), "SEC-9"));
        assertThat(a.findings()).hasSize(FINDINGS.size());
        assertThat(a.findings().stream().filter(x -> x.status() == ReportedFinding.Status.SUPPRESSED)).hasSize(1);
        assertThat(a.report().active()).extracting(SuppressionReport.RuleUse::matched).containsExactly(1);
        assertThat(a.report().unused()).isEmpty();
    }

    @Test
    void patternEntryMatchesTypeAccountAndArnGlobs() {
        Suppressions s = Suppressions.parse("""
                - type: START_BLOCKED_KMS_DENIED
                  account_id: "012345678901"
                  principal_arn: "arn:aws:iam::012345678901:role/*"
                  key_arn: "arn:aws:kms:eu-west-1:222233334444:key/6f1e2d3c-????-*"
                  reason: Key migration in progress
                  owner: payments-sre@example.com
                  expires: 2026-11-29
                """, "s.yaml");
        Suppressions.Applied a = s.apply(FINDINGS, TODAY);
        assertThat(a.findings().stream().filter(f -> f.status() == ReportedFinding.Status.SUPPRESSED)
                .map(ReportedFinding::principalArn)).containsExactly("arn:aws:iam::012345678901:role/ops/payments-operator",
                "arn:aws:iam::012345678901:role/aws-service-role/autoscaling.amazonaws.com/"
                        + "AWSServiceRoleForAutoScaling");
    }

    @Test
    void expiredEntrySuppressesNothingAndIsListedWithWhatItWouldMatch() {
        Suppressions s = Suppressions.parse("""
                suppressions:
                  - type: KMS_DECRYPT_ALL_KEYS
                    reason: Accepted last quarter
                    owner: secops@example.com
                    expires: 2026-11-28
                """, "s.yaml");
        Suppressions.Applied a = s.apply(FINDINGS, TODAY);
        assertThat(a.findings()).allMatch(f -> f.status() == ReportedFinding.Status.OPEN);
        assertThat(a.report().expired()).hasSize(1);
        assertThat(a.report().expired().get(0).rule().expires()).isEqualTo(LocalDate.of(2026, 11, 28));
        assertThat(a.report().expired().get(0).matched()).isEqualTo(2);
        assertThat(a.report().active()).isEmpty();
        assertThat(a.report().needsAttention()).isTrue();
    }

    @Test
    void entryThatMatchesNothingIsListedAsUnused() {
        Suppressions s = Suppressions.parse("""
                suppressions:
                  - account_id: "999999999999"
                    reason: Old account
                    owner: secops@example.com
                    expires: 2027-01-01
                """, "s.yaml");
        Suppressions.Applied a = s.apply(FINDINGS, TODAY);
        assertThat(a.report().unused()).extracting(SuppressionRule::criteria)
                .containsExactly("account_id=999999999999");
    }

    @Test
    void invalidEntriesSuppressNothingAndNameIndexLineAndField() {
        Suppressions s = Suppressions.parse("""
                suppressions:
                  - type: KMS_FULL_ACCESS
                    owner: a@example.com
                    expires: 2027-01-01
                  - type: KMS_FULL_ACESS
                    reason: r
                    owner: o
                    expires: next quarter
                  - account_id: 12345678901
                    reason: r
                    owner: o
                    expires: 2027-01-01
                  - reason: r
                    owner: o
                    expires: 2027-01-01
                  - type: KMS_FULL_ACCESS
                    reason: r
                    owner: o
                    expires: 2027-01-01
                    expire: 2027-02-01
                  - just a string
                """, "s.yaml");
        assertThat(s.rules()).isEmpty();
        assertThat(s.invalid()).extracting(InvalidSuppression::message).containsExactly(
                "entry 1 (line 2): field `reason`: missing",
                "entry 2 (line 5): field `type`: unknown finding type `KMS_FULL_ACESS` (known: START_BLOCKED_KMS_DENIED, "
                        + "START_BLOCKED_KEY_UNUSABLE, EBS_DEFAULT_KEY_UNUSABLE, LAUNCH_BLOCKED_KMS_DENIED, "
                        + "LAUNCH_ACCESS_CONDITIONAL, START_ACCESS_CONDITIONAL, "
                        + "KMS_CREATEGRANT_UNCONSTRAINED, "
                        + "KMS_FULL_ACCESS, KMS_DECRYPT_ALL_KEYS, KEY_POLICY_PUBLIC, GRANT_TO_NON_SERVICE_PRINCIPAL, "
                        + "IDENTITY_CENTER_PROVISIONING_DRIFT, "
                        + "POLICY_UNPARSEABLE, FAILURE_UNEXPLAINED)",
                "entry 2 (line 5): field `expires`: not a date YYYY-MM-DD: `next quarter`",
                "entry 3 (line 9): field `account_id`: write account ids in quotes (YAML reads `12345678901` as a "
                        + "number and drops leading zeros)",
                "entry 4 (line 13): matches nothing: set `finding_id` or at least one of type, account_id, "
                        + "principal_arn, key_arn",
                "entry 5 (line 16): field `expire`: unknown field (known: account_id, expires, finding_id, instance_id, key_arn, "
                        + "owner, principal_arn, reason, ticket, type)",
                "entry 6 (line 21): not a mapping of fields (account_id, expires, finding_id, instance_id, key_arn, owner, "
                        + "principal_arn, reason, ticket, type)");
        Suppressions.Applied a = s.apply(FINDINGS, TODAY);
        assertThat(a.findings()).allMatch(f -> f.status() == ReportedFinding.Status.OPEN);
        assertThat(a.report().invalid()).hasSize(7);
        // entry 2 is invalid in two fields: 6 invalid entries
        assertThat(a.report().invalidEntries()).isEqualTo(6);
        assertThat(a.report().entries()).isEqualTo(6);
    }

    @Test
    void anEntryWithFindingIdAndAPatternFieldIsInvalidAndSuppressesNothing() {
        String id = byType(FINDINGS, FindingType.KEY_POLICY_PUBLIC).findingId();
        Suppressions s = Suppressions.parse("""
                suppressions:
                  - finding_id: %s
                    principal_arn: "*"
                    type: KEY_POLICY_PUBLIC
                    reason: r
                    owner: o
                    expires: 2027-01-01
                  - finding_id: %s
                    instance_id: i-0123456789abcdef0
                    reason: r
                    owner: o
                    expires: 2027-01-01
                """.formatted(id, id), "s.yaml");
        assertThat(s.invalid()).extracting(InvalidSuppression::message).containsExactly(
                "entry 1 (line 2): set either `finding_id` (one finding; `instance_id` may narrow it) or pattern "
                        + "fields, not both: this entry also sets type, principal_arn");
        // finding_id with instance_id is one instance of a grouped finding: valid
        assertThat(s.rules()).hasSize(1);
        Suppressions.Applied a = s.apply(FINDINGS, TODAY);
        assertThat(byType(a.findings(), FindingType.KEY_POLICY_PUBLIC).status()).isEqualTo(ReportedFinding.Status.OPEN);
    }

    @Test
    void aBareTopLevelListIsAcceptedAsTheExampleSays() throws IOException {
        Suppressions s = Suppressions.parse("""
                - type: KMS_FULL_ACCESS
                  reason: r
                  owner: o
                  expires: 2027-01-01
                """, "s.yaml");
        assertThat(s.invalid()).isEmpty();
        assertThat(s.rules()).hasSize(1);
        String example = Files.readString(Path.of("..", "config", "suppressions.example.yaml"));
        assertThat(example.replaceAll("\\s*\n#\\s*", " ")).contains("The list may also stand alone at the top level "
                + "(without `suppressions:`)");
    }

    @Test
    void aKeyGivenTwiceFailsNamingFileLineAndKey() {
        assertThatThrownBy(() -> Suppressions.parse("""
                suppressions:
                  - type: KMS_FULL_ACCESS
                    reason: r
                    owner: o
                    reason: other
                    expires: 2027-01-01
                """, "s.yaml"))
                .isInstanceOf(ReportInputException.class)
                .hasMessage("s.yaml:5: key `reason` given twice (remove one)");
    }

    @Test
    void missingExpiresAndBadFindingIdAreInvalid() {
        Suppressions s = Suppressions.parse("""
                - finding_id: XYZ
                  reason: r
                  owner: o
                """, "s.yaml");
        assertThat(s.invalid()).extracting(InvalidSuppression::message).containsExactly(
                "entry 1 (line 1): field `finding_id`: not a finding id (16 lowercase hex digits): `XYZ`",
                "entry 1 (line 1): field `expires`: missing (the last day it applies, YYYY-MM-DD)");
    }

    @Test
    void malformedYamlFailsAsAWholeNamingFileAndLine() {
        assertThatThrownBy(() -> Suppressions.parse("suppressions:\n  - type: A\n    reason: [unclosed\n", "s.yaml"))
                .isInstanceOf(ReportInputException.class)
                .hasMessage("s.yaml:3: not valid YAML: while parsing a flow sequence");
    }

    @Test
    void topLevelThatIsNotAListFailsAsAWhole() {
        assertThatThrownBy(() -> Suppressions.parse("just text", "s.yaml"))
                .isInstanceOf(ReportInputException.class)
                .hasMessage("s.yaml:1: expected `suppressions:` with a list of entries");
        assertThatThrownBy(() -> Suppressions.parse("rules:\n  - type: X\n", "s.yaml"))
                .isInstanceOf(ReportInputException.class)
                .hasMessage("s.yaml:1: unknown top-level key `rules` (expected `suppressions:` with a list of "
                        + "entries)");
        assertThatThrownBy(() -> Suppressions.parse("suppressions: 3\n", "s.yaml"))
                .isInstanceOf(ReportInputException.class)
                .hasMessage("s.yaml:1: `suppressions` must be a list of entries");
    }

    @Test
    void missingFileIsAOneLineError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> Suppressions.read(missing))
                .isInstanceOf(ReportInputException.class)
                .hasMessage(missing + ": suppressions file not found");
    }

    @Test
    void theExampleFileParsesWithoutProblems() throws IOException {
        Path example = Path.of("..", "config", "suppressions.example.yaml");
        Suppressions s = Suppressions.read(example);
        assertThat(s.invalid()).isEmpty();
        assertThat(s.rules()).hasSize(3);
        assertThat(Files.readString(example)).contains("expires:");
    }

    static ReportedFinding grouped() {
        String role = "arn:aws:iam::111122223333:role/ops";
        Finding a = ReportFixtures.f(FindingType.START_BLOCKED_KMS_DENIED).account("111122223333", "data", "Root")
                .instance("us-east-1", "i-0000000000000000a", "web", "vol-1").key(ReportFixtures.DATA_KEY, "Enabled")
                .principal(role, "role").decided("identity").build();
        List<Finding.Resource> two = List.of(a.resources().get(0),
                Finding.Resource.instance("i-0000000000000000b", "db", "us-east-1", List.of("vol-2")));
        return ReportedFinding.open(a.withResources(Finding.groupId(a.type(), a.accountId(), role, a.keyArn(),
                a.decidingLayers()), two));
    }

    @Test
    void anEntryNamingOneInstanceRemovesItAndTheFindingWhenNoneIsLeft() {
        ReportedFinding g = grouped();
        String one = """
                - finding_id: %s
                  instance_id: i-0000000000000000a
                  reason: being replaced
                  owner: ops@example.com
                  expires: 2027-01-31
                """.formatted(g.findingId());
        Suppressions.Applied a = Suppressions.parse(one, "s.yaml").apply(List.of(g), TODAY);
        assertThat(a.findings().get(0).status()).isEqualTo(ReportedFinding.Status.OPEN);
        assertThat(a.findings().get(0).finding().instances()).extracting(Finding.Resource::id)
                .containsExactly("i-0000000000000000b");
        Suppressions both = Suppressions.parse(one + one.replace("000a", "000b"), "s.yaml");
        Suppressions.Applied b = both.apply(List.of(g), TODAY);
        assertThat(b.findings().get(0).status()).isEqualTo(ReportedFinding.Status.SUPPRESSED);
        assertThat(b.findings().get(0).suppression().reason()).isEqualTo("being replaced");
        assertThat(b.report().unused()).isEmpty();
    }

    @Test
    void aPerInstanceIdOfSchemaVersion1WarnsWithTheEntryToWriteAndIsAppliedSo() {
        ReportedFinding g = grouped();
        String old = Finding.stableId(g.type(), g.accountId(), "us-east-1", "i-0000000000000000b", g.principalArn(),
                g.keyArn());
        Suppressions s = Suppressions.parse("""
                - finding_id: %s
                  reason: legacy
                  owner: ops@example.com
                  expires: 2027-01-31
                """.formatted(old), "s.yaml");
        Suppressions.Applied a = s.apply(List.of(g), TODAY);
        assertThat(a.report().warnings()).containsExactly("entry 1 (line 1): finding_id " + old + " is the id of "
                + "one instance's finding before findings were grouped (schemaVersion 1); write `finding_id: "
                + g.findingId() + "` with `instance_id: i-0000000000000000b` instead (applied so for this run)");
        assertThat(a.findings().get(0).finding().instances()).extracting(Finding.Resource::id)
                .containsExactly("i-0000000000000000a");
        assertThat(a.report().needsAttention()).isTrue();
    }

    @Test
    void emptyFileHasNoEntries() {
        Suppressions s = Suppressions.parse("", "s.yaml");
        assertThat(s.rules()).isEmpty();
        assertThat(s.apply(FINDINGS, TODAY).report().source()).isEqualTo("s.yaml");
    }

    @Test
    void globMatchesWholeTextWithStarAndQuestionMark() {
        assertThat(SuppressionRule.glob("arn:aws:iam::*:role/app-*", "arn:aws:iam::1:role/app-web")).isTrue();
        assertThat(SuppressionRule.glob("arn:aws:iam::*:role/app-*", "arn:aws:iam::1:role/db")).isFalse();
        assertThat(SuppressionRule.glob("role/a?c", "role/abc")).isTrue();
        assertThat(SuppressionRule.glob("role/a?c", "role/abbc")).isFalse();
        assertThat(SuppressionRule.glob("*", "")).isTrue();
        assertThat(SuppressionRule.glob("a*b*c", "aXbYbZc")).isTrue();
        assertThat(SuppressionRule.glob("role/Admin", "role/admin")).isFalse();
    }
}
