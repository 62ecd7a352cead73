package io.cmkaudit.policy;

import io.cmkaudit.match.Wildcard;
import java.util.List;
import java.util.Locale;

/**
 * The values of an {@code Action} or {@code NotAction} element: {@code service:ActionName} patterns where {@code *}
 * and {@code ?} are wildcards and case does not matter
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html). Immutable; equality
 * is over the patterns as written.
 */
public final class ActionSet {
    private final List<String> patterns;
    private final Wildcard[] compiled;
    private final boolean[] wild;
    private final String[] lower;
    /** the lower-case service prefix of each pattern when it has no wildcard, else null. */
    private final String[] service;
    private final boolean any;

    /**
     * @param patterns the values as written, e.g. {@code kms:Create*}; never null
     */
    public ActionSet(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        int n = this.patterns.size();
        this.compiled = new Wildcard[n];
        this.wild = new boolean[n];
        this.lower = new String[n];
        this.service = new String[n];
        boolean all = false;
        for (int i = 0; i < n; i++) {
            String p = this.patterns.get(i);
            lower[i] = p.toLowerCase(Locale.ROOT);
            compiled[i] = Wildcard.compile(p, Wildcard.Mode.ACTION);
            wild[i] = compiled[i].hasWildcard();
            int colon = lower[i].indexOf(':');
            String svc = colon < 0 ? null : lower[i].substring(0, colon);
            service[i] = svc == null || svc.indexOf('*') >= 0 || svc.indexOf('?') >= 0 ? null : svc;
            all |= p.equals("*");
        }
        this.any = all;
    }

    /** @return the patterns as written; never null */
    public List<String> patterns() {
        return patterns;
    }

    /**
     * @param action an action such as {@code kms:CreateGrant}, any case
     * @return whether any pattern matches it
     */
    public boolean matches(String action) {
        return matchesLower(action.toLowerCase(Locale.ROOT));
    }

    boolean matchesLower(String actionLower) {
        int colon = actionLower.indexOf(':');
        return matchesLower(actionLower, colon < 0 ? actionLower : actionLower.substring(0, colon));
    }

    /** @param serviceLower the part of {@code actionLower} before the colon */
    boolean matchesLower(String actionLower, String serviceLower) {
        if (any) {
            return true;
        }
        for (int i = 0; i < compiled.length; i++) {
            if (service[i] != null && !service[i].equals(serviceLower)) {
                continue;
            }
            if (wild[i] ? compiled[i].matches(actionLower) : lower[i].equals(actionLower)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActionSet a && patterns.equals(a.patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    @Override
    public String toString() {
        return patterns.size() == 1 ? patterns.get(0) : patterns.toString();
    }
}
