package io.cmkaudit.policy;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.TreeSet;

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

    @Override
    public Statement get(int index) {
        return statements[index];
    }

    @Override
    public int size() {
        return statements.length;
    }
}
