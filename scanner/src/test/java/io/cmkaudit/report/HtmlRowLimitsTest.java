package io.cmkaudit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cmkaudit.analysis.AnalysisResult;
import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html's row limits: the page lists at most N findings per (type, account) and M in all, says what it left
 * out, and every count, tile and chart bar still covers all findings.
 */
class HtmlRowLimitsTest {

    static final String ALPHA = "111111111111";
    static final String BETA = "222222222222";
    static final String GAMMA = "333333333333";

    @TempDir
    Path out;

    static ReportedFinding finding(FindingType type, String account, int i, Severity severity) {
        ReportFixtures.F f = ReportFixtures.f(type).account(account, account.equals(ALPHA) ? "alpha" : "beta",
                        "Root/Prod")
                .instance("eu-west-1", String.format("i-%017x", i), "host-" + i, "vol-" + i)
                .key("arn:aws:kms:eu-west-1:" + account + ":key/" + String.format("%08x", i)
                        + "-0000-4000-8000-000000000000", "Enabled")
                .principal("arn:aws:iam::" + account + ":role/role-" + i, "role").decided("identity")
                .severity(severity);
        return ReportedFinding.open(f.build());
    }

    /**
     * Open: alpha has 250 start-blocked findings (the last 10 CRITICAL, the others HIGH) and 5 full-access ones;
     * beta has 30 start-blocked ones.
     */
    static List<ReportedFinding> openFindings() {
        List<ReportedFinding> out = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            out.add(finding(FindingType.START_BLOCKED_KMS_DENIED, ALPHA, i, i >= 240 ? Severity.CRITICAL
                    : Severity.HIGH));
        }
        for (int i = 0; i < 30; i++) {
            out.add(finding(FindingType.START_BLOCKED_KMS_DENIED, BETA, 1000 + i, Severity.HIGH));
        }
        for (int i = 0; i < 5; i++) {
            out.add(finding(FindingType.KMS_FULL_ACCESS, ALPHA, 2000 + i, Severity.HIGH));
        }
        return out;
    }

    static List<Finding> analysis(List<ReportedFinding> findings) {
        return findings.stream().map(ReportedFinding::finding).toList();
    }

    @Test
    void modelListsTheMostSevereRowsAndCountsEveryFinding() {
        List<ReportedFinding> findings = new ArrayList<>(openFindings());
        ReportedFinding.Suppression accepted = new ReportedFinding.Suppression("accepted", "owner@example.com",
                java.time.LocalDate.parse("2027-01-31"), null);
        for (int i = 0; i < 150; i++) {
            findings.add(finding(FindingType.KMS_DECRYPT_ALL_KEYS, BETA, 3000 + i, Severity.MEDIUM)
                    .withSuppression(accepted));
        }
        List<ReportedFinding> resolved = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            resolved.add(finding(FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL, GAMMA, 4000 + i, Severity.MEDIUM)
                    .withChange(ReportedFinding.Change.RESOLVED));
        }
        FindingCounts counts = FindingCounts.of(findings, resolved);
        AnalysisResult result = ReportFixtures.result(analysis(findings), ReportFixtures.sampleCoverage());

        // groups in page order: alpha start-blocked 250, beta start-blocked 30, alpha full access 5, then the
        // suppressed (beta decrypt, 150) and resolved (gamma grants, 20); capped at 100: 100, 30, 5, 100, 20;
        // 120 in all: level 32 (32 + 30 + 5 + 32 + 20 = 119), the last row to the first cut group
        ReportModel m = ReportModel.build(result, findings, resolved, counts, SuppressionReport.NONE, null,
                ReportFixtures.NOW, "run", 100, 120);

        assertThat(m.groups()).extracting(ReportModel.TypeGroup::type, ReportModel.TypeGroup::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(FindingType.START_BLOCKED_KMS_DENIED, 280),
                        org.assertj.core.groups.Tuple.tuple(FindingType.KMS_FULL_ACCESS, 5));
        List<ReportModel.AccountGroup> blocked = m.groups().get(0).accounts();
        assertThat(blocked).extracting(ReportModel.AccountGroup::accountId).containsExactly(ALPHA, BETA);
        assertThat(blocked.get(0).rows()).isEqualTo(new ReportModel.Shown(33, 250));
        assertThat(blocked.get(0).rows().note())
                .isEqualTo("Showing 33 of 250 \u2014 all rows are in findings.csv / findings.json");
        // the 10 CRITICAL first, then the first 23 HIGH in report order
        List<ReportedFinding> listed = blocked.get(0).findings().stream().map(FindingView::f).toList();
        assertThat(listed.subList(0, 10)).extracting(ReportedFinding::severity).containsOnly(Severity.CRITICAL);
        assertThat(listed.subList(0, 10)).extracting(ReportedFinding::instanceId)
                .containsExactly(ids(240, 250).toArray(String[]::new));
        assertThat(listed.subList(10, 33)).extracting(ReportedFinding::instanceId)
                .containsExactly(ids(0, 23).toArray(String[]::new));
        assertThat(blocked.get(1).rows()).isEqualTo(new ReportModel.Shown(30, 30));
        assertThat(blocked.get(1).rows().truncated()).isFalse();
        assertThat(m.groups().get(1).accounts().get(0).rows()).isEqualTo(new ReportModel.Shown(5, 5));
        assertThat(m.suppressedRows()).isEqualTo(new ReportModel.Shown(32, 150));
        assertThat(m.suppressed()).hasSize(32);
        assertThat(m.changes().resolvedRows()).isEqualTo(new ReportModel.Shown(20, 20));
        assertThat(m.changes().resolved()).hasSize(20);
        assertThat(m.limits()).isEqualTo(new ReportModel.Limits(100, 120, new ReportModel.Shown(120, 455),
                new ReportModel.Shown(68, 285)));
        assertThat(m.limits().note()).isEqualTo("This page lists 120 of 455 findings (at most 100 per type and "
                + "account, 120 in all). Counts, tiles and the chart cover every finding; findings.csv and "
                + "findings.json hold every row.");

        // every count covers all findings
        assertThat(m.counts().open()).isEqualTo(285);
        assertThat(m.counts().suppressed()).isEqualTo(150);
        assertThat(m.counts().resolved()).isEqualTo(20);
        assertThat(m.severities()).extracting(ReportModel.SeverityTile::open).containsExactly(10, 275, 0, 0, 0);
        assertThat(m.types()).extracting(ReportModel.TypeRow::open, ReportModel.TypeRow::accounts,
                        ReportModel.TypeRow::principals)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(280, 2, 280),
                        org.assertj.core.groups.Tuple.tuple(5, 1, 5));
        assertThat(m.chart().rows()).extracting(ReportModel.ChartRow::accountId, ReportModel.ChartRow::total)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ALPHA, 255),
                        org.assertj.core.groups.Tuple.tuple(BETA, 30));
        assertThat(m.blocked()).isEqualTo(new ReportModel.Blocked(280, 280, 2));
        assertThat(m.facets().types()).containsExactly(FindingType.START_BLOCKED_KMS_DENIED,
                FindingType.KMS_FULL_ACCESS, FindingType.KMS_DECRYPT_ALL_KEYS,
                FindingType.GRANT_TO_NON_SERVICE_PRINCIPAL);

        // dom ids are unique over the listed rows
        Set<String> ids = new HashSet<>();
        m.groups().forEach(g -> g.accounts().forEach(a -> a.findings().forEach(v -> ids.add(v.domId()))));
        m.suppressed().forEach(v -> ids.add(v.domId()));
        m.changes().resolved().forEach(v -> ids.add(v.domId()));
        assertThat(ids).hasSize(120);
    }

    @Test
    void zeroMeansNoLimit() {
        List<ReportedFinding> findings = openFindings();
        ReportModel m = ReportModel.build(ReportFixtures.result(analysis(findings), ReportFixtures.sampleCoverage()), findings,
                List.of(), FindingCounts.of(findings, List.of()), SuppressionReport.NONE, null, ReportFixtures.NOW,
                "run", 0, 0);
        assertThat(m.groups().get(0).accounts()).extracting(ReportModel.AccountGroup::rows)
                .containsExactly(new ReportModel.Shown(250, 250), new ReportModel.Shown(30, 30));
        assertThat(m.limits().truncated()).isFalse();
        assertThat(m.limits().rows()).isEqualTo(new ReportModel.Shown(285, 285));
        // not cut: report order kept (the CRITICAL ones stay last)
        assertThat(m.groups().get(0).accounts().get(0).findings().get(249).f().severity())
                .isEqualTo(Severity.CRITICAL);
    }

    @Test
    void pageSaysWhatItLeftOutAndKeepsFullCountsWhileCsvAndJsonHoldEveryRow() throws IOException {
        List<ReportedFinding> findings = openFindings();
        RunOutput run = new ReportWriter().write(ReportFixtures.result(analysis(findings), ReportFixtures.sampleCoverage()),
                new ReportOptions(out, null, null, null, ReportFixtures.CLOCK).withHtmlLimits(100, 60));
        // capped 100, 30, 5; 60 in all: level 27 (27 + 27 + 5 = 59), one more row for alpha's start-blocked group
        assertThat(run.htmlRows()).isEqualTo(new ReportModel.Shown(60, 285));
        String html = Files.readString(run.reportHtml(), StandardCharsets.UTF_8);
        assertThat(count(html, "<tbody class=\"finding\"")).isEqualTo(60);
        assertThat(all(html, "<p class=\"rows-note\">([^<]*)</p>")).containsExactly(
                "Showing 28 of 250 \u2014 all rows are in findings.csv / findings.json",
                "Showing 27 of 30 \u2014 all rows are in findings.csv / findings.json");
        assertThat(all(html, "<p class=\"limit-note\" id=\"limit-note\">([^<]*)</p>")).containsExactly(
                "This page lists 60 of 285 findings (at most 100 per type and account, 60 in all). Counts, tiles "
                        + "and the chart cover every finding; findings.csv and findings.json hold every row.");
        // group badges carry the full counts
        assertThat(all(html, "data-role=\"count\" data-total=\"(\\d+)\"")).containsExactly("280", "250", "30", "5",
                "5");
        assertThat(all(html, "id=\"filter-status\" aria-live=\"polite\" data-open-total=\"(\\d+)\"[^>]*"
                + "data-open-listed=\"(\\d+)\"")).containsExactly("285");
        assertThat(html).contains("data-open-listed=\"60\"");
        // the summary tiles count everything: 10 critical, 275 high
        assertThat(all(html, "<div class=\"tile-num\">(\\d+)</div>").subList(0, 2)).containsExactly("10", "275");

        try (CSVParser csv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(Files.newBufferedReader(run.runDir().resolve("findings.csv"), StandardCharsets.UTF_8))) {
            assertThat(csv.getRecords()).hasSize(285);
        }
        assertThat(PreviousRun.read(run.findingsJson()).findings()).hasSize(285);
    }

    @Test
    void aPageWithinTheLimitsHasNoNotes() throws IOException {
        RunOutput run = new ReportWriter().write(ReportFixtures.sample(), new ReportOptions(out, null, null, null,
                ReportFixtures.CLOCK));
        assertThat(run.htmlRows().truncated()).isFalse();
        String html = Files.readString(run.reportHtml(), StandardCharsets.UTF_8);
        assertThat(html).doesNotContain("class=\"rows-note\"").doesNotContain("id=\"limit-note\"");
    }

    static List<String> ids(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(String.format("i-%017x", i));
        }
        return out;
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }

    static List<String> all(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
