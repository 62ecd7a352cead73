package io.cmkaudit.shard;

import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.RunMetadata;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The checks {@code merge} makes of each partial snapshot before joining it, so that parts that can't be joined into
 * the organization's snapshot are refused with one line naming the part instead of merged into a silently wrong
 * one:
 * <ul>
 *   <li>the part belongs to the plan: its {@link RunMetadata#planId()} is the plan's {@link Plan#id()} (a snapshot
 *       of a plain {@code collect}, a part of another plan, or a part written before parts carried the id, is
 *       refused);</li>
 *   <li>the part was collected in the plan's regions ({@link Plan#regions()}); for a plan that does not record
 *       them, in the same regions as the first part. A part of other regions has no coverage rows for the regions
 *       it lacks, so the instances there would vanish from the report;</li>
 *   <li>no part is given twice, by name or as a copy (same run start, end and scanned accounts): its API calls
 *       would be counted twice.</li>
 * </ul>
 * Not thread-safe: one instance per merge, {@link #check} called for the parts in order. Separate from
 * {@link SnapshotMerger} so that the merge itself stays one pass over the parts.
 */
public final class PartCheck {

    private final Plan plan;
    private final String planAt;
    private final Map<String, String> sources = new HashMap<>();
    private final Map<String, String> fingerprints = new HashMap<>();
    private List<String> firstRegions;
    private String firstSource;

    /**
     * @param plan   the plan of the run; never null
     * @param planAt where it was read from ({@code --plan}), for messages; never null
     */
    public PartCheck(Plan plan, String planAt) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.planAt = Objects.requireNonNull(planAt, "planAt");
    }

    /**
     * Refuses a part named a second time, before it is read.
     *
     * @param source a file name or S3 URL as given (after folder expansion)
     * @throws IllegalArgumentException when the same file or object was named before
     */
    public void checkName(String source) {
        String key = normalized(source);
        String before = sources.putIfAbsent(key, source);
        if (before != null) {
            throw new IllegalArgumentException(source + ": this partial snapshot is given twice (also as " + before
                    + "); give each part once, its API calls would be counted twice");
        }
    }

    /**
     * @param part a partial snapshot, read
     * @throws IllegalArgumentException (one line naming the part) when it is not of the plan, was collected in other
     *                                  regions, or is a copy of a part checked before
     */
    public void check(SnapshotMerger.Part part) {
        RunMetadata run = part.snapshot().run();
        String source = part.source();
        if (run.planId() == null) {
            throw new IllegalArgumentException(source + ": not a partial snapshot of a plan (it has no run.planId): "
                    + "written by `collect` without --plan, or by a cmk-audit release before parts named their plan; "
                    + "collect the shard again with `collect --plan " + planAt + "`");
        }
        if (!run.planId().equals(plan.id())) {
            throw new IllegalArgumentException(source + ": a partial snapshot of plan " + run.planId()
                    + ", not of --plan " + planAt + " (" + plan.id() + ")");
        }
        List<String> regions = List.copyOf(new TreeSet<>(run.regions()));
        if (plan.regions() != null) {
            if (!regions.equals(plan.regions())) {
                throw new IllegalArgumentException(source + ": collected in regions " + describe(regions)
                        + ", but the plan's regions are " + describe(plan.regions()) + "; the other regions' "
                        + "instances of its accounts would be missing: collect this shard again without --regions");
            }
        } else if (firstRegions == null) {
            firstRegions = regions;
            firstSource = source;
        } else if (!regions.equals(firstRegions)) {
            throw new IllegalArgumentException(source + ": collected in regions " + describe(regions) + ", but "
                    + firstSource + " in " + describe(firstRegions) + "; collect every shard with the same --regions");
        }
        String fingerprint = run.startedAt() + "|" + run.finishedAt() + "|" + run.apiCalls() + "|"
                + part.snapshot().accounts().stream().filter(a -> !SnapshotMerger.isKeyOnly(a))
                        .map(AccountSnapshot::accountId).sorted().toList();
        String copyOf = fingerprints.putIfAbsent(fingerprint, source);
        if (copyOf != null) {
            throw new IllegalArgumentException(source + ": the same partial snapshot as " + copyOf + " (same run "
                    + "start, end, API calls and accounts); give each part once, its API calls would be counted twice");
        }
    }

    private static String describe(List<String> regions) {
        return regions.isEmpty() ? "(every enabled region)" : String.join(",", regions);
    }

    private static String normalized(String source) {
        if (source.startsWith("s3://")) {
            return source;
        }
        try {
            return Path.of(source).toAbsolutePath().normalize().toString();
        } catch (InvalidPathException e) {
            return source;
        }
    }
}
