package io.cmkaudit.report;

/**
 * Shares out the finding rows report.html lists over the groups of the page, so that the page stays small enough
 * for a browser however many findings there are (findings.csv and findings.json always hold every finding).
 *
 * <p>Each group first gets {@code min(size, perGroup)} rows. When those add up to more than {@code total}, every
 * group is cut to the same level {@code k}, the largest for which {@code sum(min(size, perGroup, k))} fits in
 * {@code total}; the rows left over (fewer than the groups still cut) go one each to the cut groups in page order.
 * So every group keeps examples (as long as there are fewer groups than {@code total}), and the page lists exactly
 * {@code total} rows. A group never gets more rows than it has.
 */
final class HtmlRowBudget {

    private HtmlRowBudget() {
    }

    /**
     * @param sizes    the groups' finding counts, in page order; each at least 0
     * @param perGroup most rows per group, 0 = no limit
     * @param total    most rows in all, 0 = no limit
     * @return rows to list per group, same order as {@code sizes}; a new array
     * @throws IllegalArgumentException when a limit or a size is negative
     */
    static int[] allot(int[] sizes, int perGroup, int total) {
        if (perGroup < 0 || total < 0) {
            throw new IllegalArgumentException("limits must be at least 0: " + perGroup + ", " + total);
        }
        int[] capped = new int[sizes.length];
        long sum = 0;
        int max = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 0) {
                throw new IllegalArgumentException("group " + i + " has a negative size " + sizes[i]);
            }
            capped[i] = perGroup == 0 ? sizes[i] : Math.min(sizes[i], perGroup);
            sum += capped[i];
            max = Math.max(max, capped[i]);
        }
        if (total == 0 || sum <= total) {
            return capped;
        }
        int lo = 0;
        int hi = max; // level(max) = sum > total, level(0) = 0 <= total
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            if (level(capped, mid) <= total) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        long left = total - level(capped, lo);
        int[] out = new int[capped.length];
        for (int i = 0; i < capped.length; i++) {
            out[i] = Math.min(capped[i], lo);
            if (left > 0 && capped[i] > lo) {
                out[i]++;
                left--;
            }
        }
        return out;
    }

    private static long level(int[] capped, int k) {
        long s = 0;
        for (int c : capped) {
            s += Math.min(c, k);
        }
        return s;
    }
}
