package io.cmkaudit.cli;

import io.cmkaudit.collect.CollectionScope;
import io.cmkaudit.config.ScannerConfig;
import io.cmkaudit.shard.Plan;
import io.cmkaudit.shard.PlanFormatException;
import io.cmkaudit.shard.PlanJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Loads a plan and works out which accounts one shard collects ({@code collect --plan}). */
final class ShardRun {

    /**
     * @param plan  the plan
     * @param scope the shard's organization and accounts
     */
    record Loaded(Plan plan, CollectionScope scope) {
    }

    private ShardRun() {
    }

    /**
     * @param config       effective configuration (endpoint and timeout for S3)
     * @param planAt       {@code --plan} value: a path or {@code s3://bucket/key}
     * @param shard        {@code --shard I/N}, or null
     * @param accountsFile {@code --accounts-file} value, or null
     * @return the plan and the scope to collect
     * @throws UsageException for an unreadable or invalid plan, a bad {@code --shard}, or an accounts file naming an
     *                        account that is not among the plan's accounts to scan
     */
    static Loaded scope(ScannerConfig config, String planAt, String shard, String accountsFile) {
        return scope(new Locations(config.endpointUrl(), Duration.ofSeconds(config.callTimeoutSeconds())), planAt,
                shard, accountsFile);
    }

    /**
     * As {@link #scope(ScannerConfig, String, String, String)}, reading through {@code files}.
     *
     * @throws UsageException as there
     */
    static Loaded scope(Locations files, String planAt, String shard, String accountsFile) {
        Plan plan = loadPlan(files, planAt);
        List<String> ids;
        String label;
        if (shard != null) {
            int[] in;
            try {
                in = Plan.parseShard(shard);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--shard: " + e.getMessage(), e);
            }
            ids = plan.shard(in[0], in[1]);
            label = "shard " + in[0] + "/" + in[1];
        } else {
            ids = parseAccounts(new String(files.read("--accounts-file", accountsFile), StandardCharsets.UTF_8),
                    accountsFile);
            Set<String> planned = Set.copyOf(plan.accounts());
            for (String id : ids) {
                if (!planned.contains(id)) {
                    throw new UsageException("--accounts-file: account " + id + " (" + accountsFile + ") is not among "
                            + "the plan's " + plan.accounts().size() + " accounts to scan");
                }
            }
            label = "accounts of " + accountsFile;
        }
        return new Loaded(plan, new CollectionScope(plan.organization(), ids, label));
    }

    /**
     * @param config the effective configuration
     * @param plan   the plan
     * @return the configuration with the plan's per-shard rates laid over its own (a plan written for N parallel
     *         shards gives each shard 1/N of the per-caller quotas)
     */
    static ScannerConfig withPlanRates(ScannerConfig config, Plan plan) {
        java.util.Map<io.cmkaudit.config.RateLimit, Double> rates = new java.util.EnumMap<>(io.cmkaudit.config.RateLimit.class);
        rates.putAll(config.rateLimits());
        plan.rateLimits().forEach((k, v) -> io.cmkaudit.config.RateLimit.byKey(k).ifPresent(r -> rates.put(r, v)));
        return config.withRequestLimits(config.maxRequests(), rates);
    }

    /**
     * The regions a shard collects: the plan's. A plan that records regions decides them; a {@code --regions} (or
     * configuration file {@code regions}) that names other regions is refused, since {@code merge} would join parts
     * of different regions and lose the instances of the regions one part lacks. A plan written before cmk-audit
     * recorded regions leaves the configuration's regions as they are.
     *
     * @param config the effective configuration
     * @param plan   the plan
     * @param planAt the {@code --plan} value, for the message
     * @return the configuration with the plan's regions
     * @throws UsageException when the configuration names regions and they are not the plan's
     */
    static ScannerConfig withPlanRegions(ScannerConfig config, Plan plan, String planAt) {
        if (plan.regions() == null) {
            return config;
        }
        List<String> given = List.copyOf(new java.util.TreeSet<>(config.regions()));
        if (!given.isEmpty() && !given.equals(plan.regions())) {
            throw new UsageException("--regions: " + String.join(",", given) + " differs from the regions of --plan "
                    + planAt + " (" + describeRegions(plan.regions()) + "); every shard collects the plan's regions: "
                    + "leave --regions out, or write a new plan with these regions");
        }
        return config.withRegions(plan.regions());
    }

    /**
     * @param regions sorted regions; empty = every enabled region
     * @return e.g. {@code eu-west-1,us-east-1}, or {@code every enabled region} for an empty list
     */
    static String describeRegions(List<String> regions) {
        return regions.isEmpty() ? "every enabled region" : String.join(",", regions);
    }

    /**
     * @param files  where to read from
     * @param planAt path or S3 address
     * @return the plan
     * @throws UsageException when it can't be read or is not a valid plan
     */
    static Plan loadPlan(Locations files, String planAt) {
        try {
            return PlanJson.read(files.read("--plan", planAt), planAt);
        } catch (PlanFormatException e) {
            throw new UsageException("--plan: " + e.getMessage(), e);
        }
    }

    /**
     * Parses an accounts file: a JSON array of 12-digit strings, or one id per line ({@code #} starts a comment,
     * blank lines ignored). Duplicates are dropped, order kept.
     *
     * @param text   the file's text
     * @param source its name, for messages
     * @return the ids
     * @throws UsageException for anything that is not a 12-digit id
     */
    static List<String> parseAccounts(String text, String source) {
        List<String> tokens = new ArrayList<>();
        String t = text.strip();
        if (t.startsWith("[")) {
            if (!t.endsWith("]")) {
                throw new UsageException("--accounts-file: " + source + ": a JSON array must end with ]");
            }
            for (String part : t.substring(1, t.length() - 1).split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                if (p.length() < 2 || !p.startsWith("\"") || !p.endsWith("\"")) {
                    throw new UsageException("--accounts-file: " + source + ": expected quoted 12-digit account ids, "
                            + "got `" + p + "`");
                }
                tokens.add(p.substring(1, p.length() - 1));
            }
        } else {
            String[] lines = text.split("\\R");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                int hash = line.indexOf('#');
                String p = (hash < 0 ? line : line.substring(0, hash)).strip();
                if (!p.isEmpty()) {
                    if (!p.matches("\\d{12}")) {
                        throw new UsageException("--accounts-file: " + source + ":" + (i + 1)
                                + ": account ids are 12 digits, got `" + p + "`");
                    }
                    tokens.add(p);
                }
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (String id : tokens) {
            if (!id.matches("\\d{12}")) {
                throw new UsageException("--accounts-file: " + source + ": account ids are 12 digits, got `" + id + "`");
            }
            out.add(id);
        }
        if (out.isEmpty()) {
            throw new UsageException("--accounts-file: " + source + ": no account ids");
        }
        return List.copyOf(out);
    }
}
