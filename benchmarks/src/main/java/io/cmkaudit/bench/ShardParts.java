package io.cmkaudit.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkaudit.shard.Plan;
import io.cmkaudit.shard.PlanJson;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.Coverage;
import io.cmkaudit.snapshot.CoverageStatus;
import io.cmkaudit.snapshot.EbsVolume;
import io.cmkaudit.snapshot.IamSnapshot;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.RegionSnapshot;
import io.cmkaudit.snapshot.RunMetadata;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Splits a snapshot into the partial snapshots {@code collect --plan PLAN --shard I/N} would write for it, for the
 * snapshot-merge benchmark ({@code scripts/bench-merge}): part {@code I} ({@code part-I.json})
 * holds the sections of the plan's {@link Plan#shard(int, int) shard I} as they are in the snapshot, and for every
 * other account of the organization whose KMS keys a volume or the EBS default key of the shard's accounts names, a
 * key-only section with just those keys and the {@code global} coverage {@code SKIPPED OtherShard} (what
 * {@code Collector} writes for an account of another shard). Every part has the plan's organization, the snapshot's
 * AWS managed policies and IAM Identity Center; the run metadata is the snapshot's with the plan's id
 * ({@code run.planId}, which {@code merge} checks), the API call counts in part 1 only, so that {@code merge} of the
 * parts gives back the snapshot byte for byte but for the merged snapshot's {@code run.planId} (the plan of
 * {@link ShardPlan} has the snapshot's start, end and caller).
 *
 * <p>The snapshot is read twice with a streaming parser, one account at a time (first which keys each shard
 * names, then the split), and the parts are written as it goes, so a 10,000-account snapshot splits in a small heap.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.cmkaudit.bench.ShardParts SNAPSHOT PLAN N FOLDER}
 */
public final class ShardParts {

    private static final ObjectMapper MAPPER = BenchJson.MAPPER;

    private ShardParts() {
    }

    /**
     * @param args the snapshot, the plan written for it by {@link ShardPlan}, the number of parts and the folder
     *             to write {@code part-1.json} ... {@code part-N.json} into
     * @throws Exception when a file cannot be read or written, or the snapshot has an account the plan has not
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ShardParts SNAPSHOT PLAN N FOLDER");
            System.exit(64);
        }
        Path snapshot = Path.of(args[0]);
        Plan plan = PlanJson.read(Files.readAllBytes(Path.of(args[1])), args[1]);
        int n = Integer.parseInt(args[2]);
        Path folder = Path.of(args[3]);
        Map<String, Integer> shardOf = new HashMap<>();
        for (int i = 1; i <= n; i++) {
            for (String id : plan.shard(i, n)) {
                shardOf.put(id, i - 1);
            }
        }
        // pass 1: owner account -> shard -> the owner's key ARNs that the shard's accounts name
        Map<String, Map<Integer, Set<String>>> named = new HashMap<>();
        eachAccount(snapshot, a -> {
            Integer shard = shardOf.get(a.accountId());
            if (shard == null) {
                throw new IllegalArgumentException(snapshot + ": account " + a.accountId() + " is not in the plan");
            }
            for (RegionSnapshot r : a.regions()) {
                List<String> arns = new ArrayList<>();
                r.volumes().stream().map(EbsVolume::kmsKeyArn).forEach(arns::add);
                arns.add(r.ebsDefaultKmsKeyArn());
                for (String arn : arns) {
                    String[] f = arn == null ? new String[0] : arn.split(":", 6);
                    if (f.length == 6 && !f[4].equals(a.accountId()) && !shard.equals(shardOf.get(f[4]))) {
                        named.computeIfAbsent(f[4], k -> new HashMap<>())
                                .computeIfAbsent(shard, k -> new TreeSet<>()).add(arn);
                    }
                }
            }
        });
        // pass 2: the parts
        JsonGenerator[] out = new JsonGenerator[n];
        long[] own = new long[n];
        long[] keyOnly = new long[n];
        for (int i = 0; i < n; i++) {
            OutputStream o = new BufferedOutputStream(Files.newOutputStream(folder.resolve("part-" + (i + 1)
                    + ".json")), 1 << 16);
            out[i] = MAPPER.createGenerator(o);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(snapshot), 1 << 16);
             JsonParser p = MAPPER.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, snapshot);
            for (JsonGenerator g : out) {
                g.writeStartObject();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                for (JsonGenerator g : out) {
                    g.writeFieldName(field);
                }
                if ("accounts".equals(field)) {
                    expect(p.currentToken(), JsonToken.START_ARRAY, snapshot);
                    for (JsonGenerator g : out) {
                        g.writeStartArray();
                    }
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        AccountSnapshot a = MAPPER.readValue(p, AccountSnapshot.class);
                        int shard = shardOf.get(a.accountId());
                        MAPPER.writeValue(out[shard], a);
                        own[shard]++;
                        for (Map.Entry<Integer, Set<String>> e : new TreeMap<>(named.getOrDefault(a.accountId(),
                                Map.of())).entrySet()) {
                            MAPPER.writeValue(out[e.getKey()], keysOnly(a, e.getValue()));
                            keyOnly[e.getKey()]++;
                        }
                    }
                    for (JsonGenerator g : out) {
                        g.writeEndArray();
                    }
                } else if ("run".equals(field)) {
                    RunMetadata r = MAPPER.readValue(p, RunMetadata.class);
                    for (int i = 0; i < n; i++) {
                        MAPPER.writeValue(out[i], i == 0 ? r.withPlanId(plan.id()) : new RunMetadata(r.startedAt(),
                                r.finishedAt(), r.scannerVersion(), r.callerAccountId(), r.callerArn(), r.roleName(),
                                r.endpointUrl(), r.regions(), Map.of(), plan.id()));
                    }
                } else if ("organization".equals(field)) {
                    p.skipChildren();
                    for (JsonGenerator g : out) {
                        MAPPER.writeValue(g, plan.organization());
                    }
                } else {
                    JsonNode value = MAPPER.readTree(p);
                    for (JsonGenerator g : out) {
                        MAPPER.writeTree(g, value);
                    }
                }
            }
        }
        for (JsonGenerator g : out) {
            g.writeEndObject();
            g.writeRaw('\n');
            g.close();
        }
        for (int i = 0; i < n; i++) {
            System.out.printf("part-%d.json: %d accounts, %d key-only sections%n", i + 1, own[i], keyOnly[i]);
        }
    }

    /** The key-only section another shard writes for {@code owner}: the keys named, per region, nothing else. */
    private static AccountSnapshot keysOnly(AccountSnapshot owner, Set<String> arns) {
        List<RegionSnapshot> regions = new ArrayList<>();
        for (RegionSnapshot r : owner.regions()) {
            List<KmsKey> keys = r.kmsKeys().stream().filter(k -> arns.contains(k.arn())).toList();
            if (!keys.isEmpty()) {
                regions.add(new RegionSnapshot(r.region(), null, null, null, List.of(), List.of(), keys));
            }
        }
        return new AccountSnapshot(owner.accountId(), owner.name(), List.of(new Coverage(Coverage.GLOBAL,
                CoverageStatus.SKIPPED, "OtherShard", "account " + owner.accountId() + " is not in this shard; only "
                + "its KMS keys referenced by this shard's volumes are listed")), IamSnapshot.EMPTY, regions);
    }

    /** Reads the snapshot's accounts one at a time. */
    private static void eachAccount(Path snapshot, Consumer<AccountSnapshot> each) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(snapshot), 1 << 16);
             JsonParser p = MAPPER.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, snapshot);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!"accounts".equals(field)) {
                    p.skipChildren();
                    continue;
                }
                expect(p.currentToken(), JsonToken.START_ARRAY, snapshot);
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    each.accept(MAPPER.readValue(p, AccountSnapshot.class));
                }
            }
        }
    }

    private static void expect(JsonToken got, JsonToken expected, Path file) {
        if (got != expected) {
            throw new IllegalArgumentException(file + ": not a snapshot: expected " + expected + ", got " + got);
        }
    }
}
