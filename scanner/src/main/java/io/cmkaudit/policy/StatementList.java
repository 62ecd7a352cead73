package io.cmkaudit.policy;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The immutable statement list of a {@link Policy}, with an index from an action's service prefix to the statements
 * whose {@code Action} could match it, so an evaluation skips statements about other services without looking at
 * them. Statements with {@code NotAction}, an unreadable action or a wildcard in the service part are candidates
 * for every service.
 */
final class StatementList extends AbstractList<Statement> implements RandomAccess {
    private final Statement[] statements;
    private final Map<String, int[]> byService;
    private final int[] always;
    /**
     * Per lower-case action: the statements whose Action / NotAction may match it, as from {@link #forAction}.
     * The analysis asks a handful of actions millions of times; bounded so that arbitrary input cannot grow it.
     */
    private final ConcurrentHashMap<String, int[]> byAction = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_ACTIONS = 128;
    /** Set once the memo is full, so that later misses do not count its entries again (a benign race). */
    private volatile boolean byActionFull;

    StatementList(List<Statement> list) {
        this.statements = list.toArray(new Statement[0]);
        Map<String, TreeSet<Integer>> index = new HashMap<>();
        TreeSet<Integer> all = new TreeSet<>();
        for (int i = 0; i < statements.length; i++) {
            Statement s = statements[i];
            List<String> services = s.action() == null ? null : fixedServices(s.action().patterns());
            if (services == null) {
                all.add(i);
            } else {
                for (String svc : services) {
                    index.computeIfAbsent(svc, k -> new TreeSet<>()).add(i);
                }
            }
        }
        this.always = toArray(all);
        Map<String, int[]> by = new HashMap<>();
        for (Map.Entry<String, TreeSet<Integer>> e : index.entrySet()) {
            TreeSet<Integer> merged = new TreeSet<>(e.getValue());
            merged.addAll(all);
            by.put(e.getKey(), toArray(merged));
        }
        this.byService = by;
    }

    /** @return the lower-case services of the patterns, or null when one pattern could match any service */
    private static List<String> fixedServices(List<String> patterns) {
        List<String> out = new ArrayList<>(patterns.size());
        for (String p : patterns) {
            int colon = p.indexOf(':');
            if (colon < 0) {
                return null;
            }
            String svc = p.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
            if (svc.indexOf('*') >= 0 || svc.indexOf('?') >= 0) {
                return null;
            }
            out.add(svc);
        }
        return out;
    }

    private static int[] toArray(TreeSet<Integer> set) {
        int[] a = new int[set.size()];
        int i = 0;
        for (int v : set) {
            a[i++] = v;
        }
        return a;
    }

    /** @return indexes (ascending) of the statements that may apply to an action of this service */
    int[] candidates(String serviceLower) {
        int[] c = byService.get(serviceLower);
        return c != null ? c : always;
    }

    /**
     * The statements whose {@code Action} / {@code NotAction} matches the action (memoized per action): an index
     * {@code i >= 0} for a statement that surely matches it, {@code ~i} for one whose action part could not be read
     * (its match is unknown); ascending by statement.
     *
     * @param actionLower  the action in lower case
     * @param serviceLower its service prefix
     * @return the entries; shared, not to be changed
     */
    int[] forAction(String actionLower, String serviceLower) {
        int[] cached = byAction.get(actionLower);
        if (cached != null) {
            return cached;
        }
        int[] candidates = candidates(serviceLower);
        int[] out = new int[candidates.length];
        int n = 0;
        for (int c : candidates) {
            Tri t = statements[c].actionMatch(actionLower, serviceLower);
            if (t == Tri.TRUE) {
                out[n++] = c;
            } else if (t == Tri.UNKNOWN) {
                out[n++] = ~c;
            }
        }
        int[] result = java.util.Arrays.copyOf(out, n);
        if (!byActionFull) {
            if (byAction.size() < MAX_CACHED_ACTIONS) {
                byAction.putIfAbsent(actionLower, result);
            } else {
                byActionFull = true;
            }
        }
        return result;
    }

    @Override
    public Statement get(int index) {
        return statements[index];
    }

    @Override
    public int size() {
        return statements.length;
    }
}
