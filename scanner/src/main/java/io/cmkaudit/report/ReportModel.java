package io.cmkaudit.report;

import io.cmkaudit.analysis.AnalysisResult;

import io.cmkaudit.analysis.Finding;
import io.cmkaudit.analysis.FindingType;
import io.cmkaudit.analysis.Severity;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code report-templates/report.html} sees as the variable {@code report}: the findings of one run arranged
 * for reading (grouped, counted, chart geometry computed). This is the template API: a replacement template given
 * with {@code --templates DIR} uses these records (see {@code report-templates/README.md}). Values are raw text;
 * templates must print them with {@code th:text} / attribute processors, which escape.
 *
 * @param header         who, what and when
 * @param verdict        the one-line state of the organization and its supporting lines
 * @param summary        counts of the analysis
 * @param counts         counts of the final findings
 * @param severities     one tile per severity with its open count, highest first
 * @param blocked        instances and principals hit by start-blocking findings
 * @param coverage       what was and was not scanned
 * @param chart          the "open findings by account" bar chart
 * @param types          one row per finding type that has findings, most severe first
 * @param groups         open findings grouped by type, then account (the listed rows of each group: see
 *                       {@link AccountGroup#rows()})
 * @param suppressed     the suppressed findings the page lists, in report order
 * @param suppressedRows how many suppressed findings the page lists of how many
 * @param changes        the comparison with the previous run
 * @param suppressions   the suppressions file's entries and problems
 * @param facets         the values the filters offer
 * @param limits         the row limits of the page and how many finding rows it lists
 * @param permissionSets the open findings grouped by IAM Identity Center permission set, with who gets each one;
 *                       most severe first, then by name
 */
public record ReportModel(Header header, Verdict verdict, AnalysisResult.Summary summary, FindingCounts counts,
                          List<SeverityTile> severities, Blocked blocked, Coverage coverage, Chart chart,
                          List<TypeRow> types, List<TypeGroup> groups, List<FindingView> suppressed,
                          Shown suppressedRows, Changes changes, SuppressionView suppressions, Facets facets,
                          Limits limits, List<PermissionSetGroup> permissionSets) {

    /**
     * The open findings of one IAM Identity Center permission set and who gets it: the section of the page that
     * groups findings by permission set (fixes there reach every account the permission set is provisioned to).
     *
     * @param arn         the permission set ARN
     * @param name        its name, or null
     * @param instanceArn its Identity Center instance, or null
     * @param accounts    the accounts its findings cover, as {@code name (id)}, sorted by id
     * @param assignments who gets it there, e.g. {@code group Developers in dev (111122223333)}, without repeats
     * @param findings    its open findings the page lists (link targets: {@link FindingView#domId()})
     * @param open        how many open findings it has (some may not be listed when the page is cut)
     * @param max         the most severe of them
     */
    public record PermissionSetGroup(String arn, String name, String instanceArn, List<String> accounts,
                                     List<String> assignments, List<FindingView> findings, int open, Severity max) {
        /** @return lowercase severity for CSS */
        public String css() {
            return max.name().toLowerCase(Locale.ROOT);
        }
    }

    /** Days before expiry from which an active suppression is flagged as expiring soon. */
    static final int EXPIRING_SOON_DAYS = 30;

    /**
     * @param organizationId      organization id, or null
     * @param managementAccountId management account id, or null
     * @param startedAt           collection start, ISO-8601 UTC
     * @param finishedAt          collection end, ISO-8601 UTC, or null
     * @param writtenAt           when the report was written, ISO-8601 UTC
     * @param scannerVersion      cmk-audit version
     * @param regions             scanned regions joined with {@code ", "}
     * @param runFolder           name of the run folder, e.g. {@code 2026-11-29T19-04-05Z}
     */
    public record Header(String organizationId, String managementAccountId, String startedAt, String finishedAt,
                         String writtenAt, String scannerVersion, String regions, String runFolder) {
    }

    /**
     * @param level    {@code critical}, {@code high}, {@code medium}, {@code low} or {@code ok}: the CSS modifier
     * @param headline one sentence
     * @param lines    supporting sentences (coverage gaps, blocked starts, suppression problems)
     */
    public record Verdict(String level, String headline, List<String> lines) {
    }

    /** One severity tile: {@code css} is the lowercase severity name. */
    public record SeverityTile(Severity severity, int open, String css) {
    }

    /**
     * @param instances  distinct instances with an open START_BLOCKED_* finding
     * @param principals distinct principals with an open START_BLOCKED_* or START_ACCESS_CONDITIONAL finding
     * @param accounts   distinct accounts with open findings
     */
    public record Blocked(int instances, int principals, int accounts) {
    }

    /**
     * @param accounts       distinct accounts in the coverage rows
     * @param accountsGap    accounts with at least one row not SCANNED
     * @param rows           every row, gaps first
     * @param gaps           rows whose status is not SCANNED
     * @param complete       true when every row is SCANNED
     */
    public record Coverage(int accounts, int accountsGap, List<CoverageRowView> rows, List<CoverageRowView> gaps,
                           boolean complete) {
    }

    /**
     * A coverage row with its display class.
     *
     * @param row the row
     * @param css {@code ok}, {@code warn} (PARTIAL, SKIPPED, SUSPENDED) or {@code gap} (denied, error)
     */
    public record CoverageRowView(AnalysisResult.CoverageRow row, String css) {
    }

    /**
     * Horizontal stacked bars, one per account, in SVG user units.
     *
     * @param width        viewBox width
     * @param height       viewBox height
     * @param labelWidth   x where bars start
     * @param rows         the bars
     * @param ticks        x-axis ticks
     * @param axisY        y of the x axis line
     * @param moreAccounts accounts with open findings not drawn (beyond the first {@value #MAX_ROWS})
     */
    public record Chart(int width, int height, int labelWidth, List<ChartRow> rows, List<Tick> ticks, int axisY,
                        int moreAccounts) {
        /** Most bars drawn. */
        public static final int MAX_ROWS = 12;
    }

    /**
     * @param accountId   account id
     * @param name        account name (truncated to 28 characters), or the id when the account has no name
     * @param y           top of the row
     * @param total       open findings in the account
     * @param totalX      x of the total label
     * @param segments    one per severity with findings
     */
    public record ChartRow(String accountId, String name, int y, int total, int totalX, List<Segment> segments) {
    }

    /** A bar segment: {@code css} is the lowercase severity. */
    public record Segment(Severity severity, int count, int x, int width, String css) {
    }

    /** An x-axis tick. */
    public record Tick(int x, int value) {
    }

    /**
     * @param type       finding type
     * @param title      its title
     * @param severity   highest severity among its open findings
     * @param open       open findings of this type
     * @param accounts   accounts affected
     * @param principals principals affected
     * @param anchor     id of its section in the page
     */
    public record TypeRow(FindingType type, String title, Severity severity, int open, int accounts, int principals,
                          String anchor) {
        /** @return lowercase severity for CSS */
        public String css() {
            return severity.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param type     finding type
     * @param title    its title
     * @param meaning  what it means and why it matters
     * @param fix      how such findings are fixed in general
     * @param anchor   id of the section
     * @param severity highest severity in the group
     * @param count    findings in the group
     * @param accounts one group per account, most severe first
     */
    public record TypeGroup(FindingType type, String title, String meaning, String fix, String anchor,
                            Severity severity, int count, List<AccountGroup> accounts) {
        /** @return lowercase severity for CSS */
        public String css() {
            return severity.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param accountId   account id
     * @param accountName account name, or null
     * @param ouPath      OU path, or null
     * @param findings    the findings of the group the page lists: all of them in report order, or, when the group
     *                    is cut by the row limits, its most severe ones (report order among equals)
     * @param rows        how many findings the page lists of how many the group has
     */
    public record AccountGroup(String accountId, String accountName, String ouPath, List<FindingView> findings,
                               Shown rows) {
    }

    /**
     * How many rows of a list the page shows; findings.csv and findings.json always hold all of them.
     *
     * @param shown rows listed in the page, at least 0
     * @param total rows the list has, at least {@code shown}
     */
    public record Shown(int shown, int total) {
        /** @return true when the page lists fewer rows than there are */
        public boolean truncated() {
            return shown < total;
        }

        /** @return the line shown under a cut list, e.g. {@code Showing 100 of 2,345 — all rows are in ...} */
        public String note() {
            return String.format(Locale.ENGLISH, "Showing %,d of %,d \u2014 all rows are in findings.csv / "
                    + "findings.json", shown, total);
        }
    }

    /**
     * The row limits of report.html ({@link ReportOptions#htmlMaxRowsPerGroup()},
     * {@link ReportOptions#htmlMaxRows()}) and what they did.
     *
     * @param maxRowsPerGroup most rows per (type, account) group, 0 = no limit
     * @param maxRows         most rows in all, 0 = no limit
     * @param rows            finding rows (open, suppressed and resolved) listed of all
     * @param open            open findings listed of all
     */
    public record Limits(int maxRowsPerGroup, int maxRows, Shown rows, Shown open) {
        /** @return true when some finding is not listed in the page */
        public boolean truncated() {
            return rows.truncated();
        }

        /**
         * @return the page-wide note, e.g. {@code This page lists 10,000 of 314,415 findings (at most 100 per type
         *         and account, 10,000 in all). Counts, tiles and the chart cover every finding; findings.csv and
         *         findings.json hold every row.}
         */
        public String note() {
            List<String> why = new ArrayList<>();
            if (maxRowsPerGroup > 0) {
                why.add(String.format(Locale.ENGLISH, "at most %,d per type and account", maxRowsPerGroup));
            }
            if (maxRows > 0) {
                why.add(String.format(Locale.ENGLISH, "%,d in all", maxRows));
            }
            return String.format(Locale.ENGLISH, "This page lists %,d of %,d findings (%s). Counts, tiles and the "
                    + "chart cover every finding; findings.csv and findings.json hold every row.", rows.shown(),
                    rows.total(), String.join(", ", why));
        }
    }

    /**
     * @param previous        whether a previous run was given
     * @param source          the previous findings.json as given, or null
     * @param startedAt       the previous run's start, ISO-8601 UTC, or null
     * @param newCount        findings NEW
     * @param changedCount    findings CHANGED
     * @param unchangedCount  findings UNCHANGED
     * @param resolved        the resolved findings the page lists, in the previous file's order
     * @param resolvedRows    how many resolved findings the page lists of how many ({@code total} is the count)
     */
    public record Changes(boolean previous, String source, String startedAt, int newCount, int changedCount,
                          int unchangedCount, List<FindingView> resolved, Shown resolvedRows) {
    }

    /**
     * @param given    whether a suppressions file was given
     * @param report   what the file did
     * @param entries  valid entries with their state, file order
     */
    public record SuppressionView(boolean given, SuppressionReport report, List<RuleView> entries) {
        /**
         * @param state {@code active}, {@code expiring}, {@code unused} or {@code expired}
         * @return entries in that state
         */
        public int count(String state) {
            return (int) entries.stream().filter(e -> e.state().equals(state)).count();
        }
    }

    /**
     * A valid suppression entry with its state.
     *
     * @param rule    the entry
     * @param matched findings it matched (expired: would match)
     * @param state   {@code active}, {@code expiring} (within {@value ReportModel#EXPIRING_SOON_DAYS} days),
     *                {@code unused} or {@code expired}
     */
    public record RuleView(SuppressionRule rule, int matched, String state) {
    }

    /**
     * Filter values.
     *
     * @param types    types with findings (open, suppressed or resolved)
     * @param accounts accounts with findings: id → label
     */
    public record Facets(List<FindingType> types, Map<String, String> accounts) {
    }

    /**
     * Arranges the final findings for the page. Counts, tiles, the chart and the type table cover every finding;
     * the finding rows listed are limited by {@code maxRowsPerGroup} and {@code maxRows} ({@link HtmlRowBudget}).
     * Only the listed findings get a {@link FindingView}; the others are held as references in their group.
     *
     * @param maxRowsPerGroup most rows per (type, account) group, 0 = no limit
     * @param maxRows         most rows in all, 0 = no limit
     */
    static ReportModel build(AnalysisResult result, List<ReportedFinding> findings, List<ReportedFinding> resolved,
                             FindingCounts counts, SuppressionReport sr, PreviousRun previous, Instant writtenAt,
                             String runFolder, int maxRowsPerGroup, int maxRows) {
        AnalysisResult.RunInfo run = result.run();
        Header header = new Header(run.organizationId(), run.managementAccountId(), Formats.iso(run.startedAt()),
                Formats.iso(run.finishedAt()), Formats.iso(writtenAt), run.scannerVersion(),
                run.regions() == null ? "" : String.join(", ", run.regions()), runFolder);

        Map<FindingType, Map<String, List<ReportedFinding>>> byType = new EnumMap<>(FindingType.class);
        List<ReportedFinding> suppressed = new ArrayList<>();
        Map<String, String> accountLabels = new TreeMap<>();
        Map<String, String> accountNames = new LinkedHashMap<>();
        Set<FindingType> facetTypes = EnumSet.noneOf(FindingType.class);
        Map<String, int[]> perAccount = new LinkedHashMap<>();
        Set<String> blockedInstances = new HashSet<>();
        Set<String> blockedPrincipals = new HashSet<>();
        for (ReportedFinding f : findings) {
            facetTypes.add(f.type());
            if (f.accountId() != null) {
                accountLabels.computeIfAbsent(f.accountId(), a -> accountLabel(a, f.accountName()));
            }
            if (f.status() == ReportedFinding.Status.SUPPRESSED) {
                suppressed.add(f);
                continue;
            }
            byType.computeIfAbsent(f.type(), t -> new LinkedHashMap<>())
                    .computeIfAbsent(n(f.accountId()), a -> new ArrayList<>()).add(f);
            perAccount.computeIfAbsent(n(f.accountId()), a -> new int[Severity.values().length])[f.severity()
                    .ordinal()]++;
            if (f.accountName() != null && !f.accountName().isBlank()) {
                accountNames.putIfAbsent(n(f.accountId()), f.accountName());
            }
            boolean startBlocked = f.type().blocksStart();
            if (startBlocked) {
                for (var i : f.finding().instances()) {
                    blockedInstances.add(i.accountIdOr(f.accountId()) + "/" + i.region() + "/" + i.id());
                }
            }
            if (f.type().mayBlockStart()) {
                f.finding().principals().forEach(p -> blockedPrincipals.add(p.arn()));
            }
        }
        for (ReportedFinding f : resolved) {
            facetTypes.add(f.type());
            if (f.accountId() != null) {
                accountLabels.computeIfAbsent(f.accountId(), a -> accountLabel(a, f.accountName()));
            }
        }

        // the open groups in page order: types most severe first, inside each its accounts most severe first
        record Open(FindingType type, Severity max, int count, int principals, List<List<ReportedFinding>> accounts) {
        }
        List<Open> open = new ArrayList<>();
        for (Map.Entry<FindingType, Map<String, List<ReportedFinding>>> e : byType.entrySet()) {
            List<List<ReportedFinding>> accounts = new ArrayList<>(e.getValue().values());
            Severity max = Severity.INFO;
            int count = 0;
            Set<String> principals = new HashSet<>();
            for (List<ReportedFinding> list : accounts) {
                for (ReportedFinding f : list) {
                    if (f.severity().ordinal() < max.ordinal()) {
                        max = f.severity();
                    }
                    f.finding().principals().forEach(p -> principals.add(p.arn()));
                }
                count += list.size();
            }
            accounts.sort(Comparator.comparingInt(ReportModel::bestRank)
                    .thenComparing(l -> -l.size())
                    .thenComparing(l -> n(l.get(0).accountId())));
            open.add(new Open(e.getKey(), max, count, principals.size(), accounts));
        }
        open.sort(Comparator.comparingInt((Open g) -> g.max().ordinal()).thenComparing(g -> -g.count())
                .thenComparing(g -> g.type().ordinal()));

        // share out the rows: open groups in page order, then suppressed and resolved by (type, account)
        List<List<ReportedFinding>> budgetGroups = new ArrayList<>();
        for (Open g : open) {
            budgetGroups.addAll(g.accounts());
        }
        int openGroups = budgetGroups.size();
        List<List<ReportedFinding>> suppressedGroups = byTypeAndAccount(suppressed);
        budgetGroups.addAll(suppressedGroups);
        List<List<ReportedFinding>> resolvedGroups = byTypeAndAccount(resolved);
        budgetGroups.addAll(resolvedGroups);
        int[] sizes = new int[budgetGroups.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = budgetGroups.get(i).size();
        }
        int[] allotted = HtmlRowBudget.allot(sizes, maxRowsPerGroup, maxRows);

        int[] seq = {0};
        int at = 0;
        int openShown = 0;
        List<TypeGroup> groups = new ArrayList<>();
        List<TypeRow> typeRows = new ArrayList<>();
        for (Open g : open) {
            List<AccountGroup> accounts = new ArrayList<>(g.accounts().size());
            for (List<ReportedFinding> list : g.accounts()) {
                int shown = allotted[at++];
                openShown += shown;
                ReportedFinding first = list.get(0);
                accounts.add(new AccountGroup(first.accountId(), first.accountName(), first.ouPath(),
                        views(mostSevere(list, shown), seq), new Shown(shown, list.size())));
            }
            String anchor = "type-" + g.type().name().toLowerCase(Locale.ROOT).replace('_', '-');
            groups.add(new TypeGroup(g.type(), g.type().title(), g.type().meaning(), g.type().fix(),
                    anchor, g.max(), g.count(), accounts));
            typeRows.add(new TypeRow(g.type(), g.type().title(), g.max(), g.count(), accounts.size(), g.principals(),
                    anchor));
        }
        typeRows.sort(Comparator.comparingInt((TypeRow t) -> t.severity().ordinal()).thenComparing(t -> -t.open())
                .thenComparing(t -> t.type().ordinal()));
        List<FindingView> suppressedViews = views(listed(suppressed, suppressedGroups, allotted, openGroups), seq);
        List<FindingView> resolvedViews = views(listed(resolved, resolvedGroups, allotted,
                openGroups + suppressedGroups.size()), seq);
        int totalRows = findings.size() + resolved.size();
        Limits limits = new Limits(maxRowsPerGroup, maxRows, new Shown(seq[0], totalRows),
                new Shown(openShown, findings.size() - suppressed.size()));

        List<SeverityTile> tiles = new ArrayList<>();
        for (Severity s : Severity.values()) {
            tiles.add(new SeverityTile(s, counts.openBySeverity().get(s), s.name().toLowerCase(Locale.ROOT)));
        }
        Coverage coverage = coverage(result.coverage());
        Blocked blocked = new Blocked(blockedInstances.size(), blockedPrincipals.size(), perAccount.size());
        Chart chart = chart(perAccount, accountNames);

        LocalDate today = LocalDate.ofInstant(writtenAt, ZoneOffset.UTC);
        List<RuleView> rules = new ArrayList<>();
        for (SuppressionReport.RuleUse u : sr.active()) {
            String state = u.matched() == 0 ? "unused"
                    : !u.rule().expires().isAfter(today.plusDays(EXPIRING_SOON_DAYS)) ? "expiring" : "active";
            rules.add(new RuleView(u.rule(), u.matched(), state));
        }
        for (SuppressionReport.RuleUse u : sr.expired()) {
            rules.add(new RuleView(u.rule(), u.matched(), "expired"));
        }
        rules.sort(Comparator.comparingInt(r -> r.rule().index()));

        Changes changes = new Changes(previous != null, previous == null ? null : previous.source(),
                previous == null ? null : Formats.iso(previous.startedAt()),
                counts.byChange().get(ReportedFinding.Change.NEW), counts.byChange().get(ReportedFinding.Change.CHANGED),
                counts.byChange().get(ReportedFinding.Change.UNCHANGED), resolvedViews,
                new Shown(resolvedViews.size(), resolved.size()));

        List<FindingType> types = new ArrayList<>(facetTypes);
        Verdict verdict = verdict(counts, coverage, blocked, sr);
        return new ReportModel(header, verdict, result.summary(), counts, tiles, blocked, coverage, chart, typeRows,
                groups, suppressedViews, new Shown(suppressedViews.size(), suppressed.size()), changes,
                new SuppressionView(sr.source() != null, sr, rules), new Facets(types, accountLabels), limits,
                permissionSets(findings, groups));
    }

    /** The open findings by permission set; the listed rows are those of the type groups (same dom ids). */
    private static List<PermissionSetGroup> permissionSets(List<ReportedFinding> findings, List<TypeGroup> groups) {
        Map<String, FindingView> shown = new HashMap<>();
        for (TypeGroup g : groups) {
            for (AccountGroup a : g.accounts()) {
                a.findings().forEach(v -> shown.put(v.f().findingId(), v));
            }
        }
        Map<String, List<ReportedFinding>> byArn = new TreeMap<>();
        for (ReportedFinding f : findings) {
            if (f.permissionSet() != null && f.status() == ReportedFinding.Status.OPEN) {
                byArn.computeIfAbsent(f.permissionSetArn(), k -> new ArrayList<>()).add(f);
            }
        }
        List<PermissionSetGroup> out = new ArrayList<>();
        byArn.forEach((arn, list) -> {
            Map<String, String> accounts = new TreeMap<>();
            Set<String> assignments = new LinkedHashSet<>();
            List<FindingView> views = new ArrayList<>();
            Severity max = Severity.INFO;
            String name = null;
            String instance = null;
            for (ReportedFinding f : list) {
                Finding.PermissionSetRef ps = f.permissionSet();
                name = name != null ? name : ps.name();
                instance = instance != null ? instance : ps.instanceArn();
                ps.accounts().forEach(a -> accounts.put(n(a.id()), accountLabel(a.id(), a.name())));
                FindingView v = shown.get(f.findingId());
                if (v != null) {
                    views.add(v);
                    assignments.addAll(v.assignments());
                } else {
                    assignments.addAll(new FindingView(f, "").assignments());
                }
                if (f.severity().ordinal() < max.ordinal()) {
                    max = f.severity();
                }
            }
            out.add(new PermissionSetGroup(arn, name, instance, List.copyOf(accounts.values()),
                    List.copyOf(assignments), views, list.size(), max));
        });
        out.sort(Comparator.comparingInt((PermissionSetGroup g) -> g.max().ordinal())
                .thenComparing(g -> g.name() == null ? g.arn() : g.name()));
        return out;
    }

    /** @return the findings grouped by (type, account), groups in order of first appearance, report order inside */
    private static List<List<ReportedFinding>> byTypeAndAccount(List<ReportedFinding> findings) {
        Map<String, List<ReportedFinding>> groups = new LinkedHashMap<>();
        for (ReportedFinding f : findings) {
            groups.computeIfAbsent(f.type().name() + "/" + n(f.accountId()), k -> new ArrayList<>()).add(f);
        }
        return new ArrayList<>(groups.values());
    }

    /**
     * @return the findings of {@code all} the page lists, in {@code all}'s order: of each group (in the order of
     *         {@code groups}, which partition {@code all}), its {@code allotted[from + i]} most severe
     */
    private static List<ReportedFinding> listed(List<ReportedFinding> all, List<List<ReportedFinding>> groups, int[] allotted, int from) {
        if (all.isEmpty()) {
            return List.of();
        }
        boolean everything = true;
        for (int i = 0; i < groups.size(); i++) {
            everything &= allotted[from + i] == groups.get(i).size();
        }
        if (everything) {
            return all;
        }
        Set<ReportedFinding> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < groups.size(); i++) {
            keep.addAll(mostSevere(groups.get(i), allotted[from + i]));
        }
        List<ReportedFinding> out = new ArrayList<>(keep.size());
        for (ReportedFinding f : all) {
            if (keep.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * @return {@code list} itself when {@code n} covers it, else its {@code n} most severe findings (report order
     *         among equal severities, which a stable sort keeps)
     */
    private static List<ReportedFinding> mostSevere(List<ReportedFinding> list, int n) {
        if (n >= list.size()) {
            return list;
        }
        List<ReportedFinding> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingInt(f -> f.severity().ordinal()));
        return sorted.subList(0, n);
    }

    private static List<FindingView> views(List<ReportedFinding> list, int[] seq) {
        List<FindingView> out = new ArrayList<>(list.size());
        for (ReportedFinding f : list) {
            out.add(new FindingView(f, "f" + (++seq[0])));
        }
        return out;
    }

    private static Verdict verdict(FindingCounts c, Coverage coverage, Blocked blocked, SuppressionReport sr) {
        int critical = c.openBySeverity().get(Severity.CRITICAL);
        int high = c.openBySeverity().get(Severity.HIGH);
        int medium = c.openBySeverity().get(Severity.MEDIUM);
        String level;
        String headline;
        if (c.open() == 0) {
            level = "ok";
            headline = "No open findings" + (c.suppressed() > 0 ? " (" + c.suppressed() + " accepted as risks)" : "");
        } else {
            level = critical > 0 ? "critical" : high > 0 ? "high" : medium > 0 ? "medium" : "low";
            List<String> parts = new ArrayList<>();
            if (critical > 0) {
                parts.add(critical + " critical");
            }
            if (high > 0) {
                parts.add(high + " high");
            }
            headline = plural(c.open(), "open finding") + " in " + plural(blocked.accounts(), "account")
                    + (parts.isEmpty() ? "" : ": " + String.join(", ", parts));
        }
        List<String> lines = new ArrayList<>();
        if (blocked.instances() > 0) {
            lines.add(plural(blocked.instances(), "instance") + " will fail to start for at least one principal "
                    + "allowed to start " + (blocked.instances() == 1 ? "it" : "them") + ".");
        }
        if (!coverage.complete()) {
            lines.add("Coverage incomplete: " + plural(coverage.accountsGap(), "account") + " not fully read ("
                    + plural(coverage.gaps().size(), "account/region gap") + "); findings there are unknown.");
        } else {
            lines.add("Coverage complete: every account and region was read.");
        }
        if (sr.needsAttention()) {
            lines.add("Suppressions file needs attention: " + sr.expired().size() + " expired, "
                    + sr.invalidEntries() + " invalid, " + sr.unused().size() + " unused.");
        }
        return new Verdict(level, headline, lines);
    }

    private static Coverage coverage(List<AnalysisResult.CoverageRow> rows) {
        List<CoverageRowView> all = new ArrayList<>();
        List<CoverageRowView> gaps = new ArrayList<>();
        Set<String> accounts = new HashSet<>();
        Set<String> gapAccounts = new HashSet<>();
        for (AnalysisResult.CoverageRow r : rows) {
            accounts.add(n(r.accountId()));
            String css = switch (n(r.status())) {
                case "SCANNED" -> "ok";
                case "PARTIAL", "SKIPPED", "SUSPENDED" -> "warn";
                default -> "gap";
            };
            CoverageRowView v = new CoverageRowView(r, css);
            if (!"ok".equals(css)) {
                gaps.add(v);
                gapAccounts.add(n(r.accountId()));
            }
        }
        for (CoverageRowView g : gaps) {
            all.add(g);
        }
        for (AnalysisResult.CoverageRow r : rows) {
            if ("SCANNED".equals(r.status())) {
                all.add(new CoverageRowView(r, "ok"));
            }
        }
        return new Coverage(accounts.size(), gapAccounts.size(), all, gaps, gaps.isEmpty());
    }

    private static Chart chart(Map<String, int[]> perAccount, Map<String, String> names) {
        List<Map.Entry<String, int[]>> accounts = new ArrayList<>(perAccount.entrySet());
        accounts.sort((a, b) -> {
            for (int i = 0; i < a.getValue().length; i++) {
                int d = Integer.compare(b.getValue()[i], a.getValue()[i]);
                if (d != 0) {
                    return d;
                }
            }
            return a.getKey().compareTo(b.getKey());
        });
        int shown = Math.min(accounts.size(), Chart.MAX_ROWS);
        int max = 1;
        for (Map.Entry<String, int[]> e : accounts) {
            max = Math.max(max, sum(e.getValue()));
        }
        int step = niceStep(max);
        int axisMax = ((max + step - 1) / step) * step;
        int labelWidth = 200;
        int barArea = 330;
        int width = labelWidth + barArea + 50;
        int rowHeight = 34;
        int top = 6;
        List<ChartRow> rows = new ArrayList<>();
        for (int i = 0; i < shown; i++) {
            Map.Entry<String, int[]> e = accounts.get(i);
            int y = top + i * rowHeight;
            int x = labelWidth;
            List<Segment> segments = new ArrayList<>();
            for (Severity s : Severity.values()) {
                int count = e.getValue()[s.ordinal()];
                if (count > 0) {
                    int w = Math.max(2, (int) Math.round((double) count * barArea / axisMax));
                    segments.add(new Segment(s, count, x, w, s.name().toLowerCase(Locale.ROOT)));
                    x += w;
                }
            }
            String name = names.getOrDefault(e.getKey(), e.getKey());
            rows.add(new ChartRow(e.getKey(), truncate(name, 28), y, sum(e.getValue()), x + 6, segments));
        }
        int axisY = top + shown * rowHeight + 2;
        List<Tick> ticks = new ArrayList<>();
        for (int v = 0; v <= axisMax; v += step) {
            ticks.add(new Tick(labelWidth + (int) Math.round((double) v * barArea / axisMax), v));
        }
        return new Chart(width, axisY + 22, labelWidth, rows, ticks, axisY, accounts.size() - shown);
    }

    private static int niceStep(int max) {
        int[] bases = {1, 2, 5};
        for (int scale = 1; ; scale *= 10) {
            for (int b : bases) {
                if (max / (b * scale) <= 5) {
                    return b * scale;
                }
            }
        }
    }

    private static int sum(int[] a) {
        int s = 0;
        for (int v : a) {
            s += v;
        }
        return s;
    }

    private static int bestRank(List<ReportedFinding> list) {
        int best = Integer.MAX_VALUE;
        for (ReportedFinding f : list) {
            best = Math.min(best, f.severity().ordinal());
        }
        return best;
    }

    static String accountLabel(String id, String name) {
        return name == null || name.isBlank() ? id : name + " (" + id + ")";
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String n(String s) {
        return s == null ? "" : s;
    }
}
