package io.cmkaudit.analysis;

import io.cmkaudit.policy.Condition;
import io.cmkaudit.policy.Diagnostic;
import io.cmkaudit.policy.ParsedPolicy;
import io.cmkaudit.policy.Policy;
import io.cmkaudit.policy.PolicyKind;
import io.cmkaudit.policy.PolicyParser;
import io.cmkaudit.policy.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses every policy document of a snapshot once, by its unique name, and remembers the ones that could not be
 * parsed and the condition keys any policy reads. Thread-safe.
 */
final class PolicyLibrary {

    /**
     * One parsed policy.
     *
     * @param source where it comes from
     * @param policy the policy to evaluate (a stand-in that makes dependent decisions CONDITIONAL when nothing could
     *               be parsed); never null
     * @param errors the ERROR diagnostics (empty when AWS would accept the document)
     */
    record Entry(PolicySource source, Policy policy, List<Diagnostic> errors) {
        boolean unparseable() {
            return !errors.isEmpty();
        }

        String name() {
            return source.name();
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");

    private final ConcurrentHashMap<String, Entry> byName = new ConcurrentHashMap<>();
    private final Set<String> referencedKeys = ConcurrentHashMap.newKeySet();

    /**
     * @param source a policy source
     * @return its parsed entry, parsing it on first use
     */
    Entry get(PolicySource source) {
        Entry e = byName.get(source.name());
        return e != null ? e : byName.computeIfAbsent(source.name(), n -> parse(source));
    }

    /** @return the entry of a policy parsed before under that name, or null */
    Entry byName(String name) {
        return byName.get(name);
    }

    private Entry parse(PolicySource source) {
        ParsedPolicy parsed = PolicyParser.parse(source.name(), source.text(), kind(source.origin()));
        List<Diagnostic> errors = new ArrayList<>();
        for (Diagnostic d : parsed.diagnostics()) {
            if (d.severity() == Diagnostic.Severity.ERROR) {
                errors.add(d);
            }
        }
        Policy policy = parsed.forEvaluation(source.name());
        collectKeys(policy, source.text());
        return new Entry(source, policy, List.copyOf(errors));
    }

    /** Cache key of a derived document. */
    private record DerivedKey(String name, String text) {
    }

    /**
     * Entries the caches of derived documents and of suspects hold at most: past it a cache is emptied and fills
     * again. Most derived documents (a key policy naming one more principal, a principal's edited inline policy) are
     * used while one principal is analyzed and never again; kept for the whole run they were a large part of the
     * live heap of a 1,000-account organization (docs/PERFORMANCE.md, issue 12 goal 3). Parsing is deterministic,
     * so a re-parse gives the same entry.
     */
    static final int CACHE_LIMIT = 4096;

    private final ConcurrentHashMap<DerivedKey, Entry> derived = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<DerivedKey, Set<String>> suspects = new ConcurrentHashMap<>();

    /**
     * Parses a document derived from a source (a remediation's changed copy, a synthetic policy), cached by name and
     * text (at most {@link #CACHE_LIMIT} of them); the referenced keys are not updated.
     */
    Entry derived(PolicySource source) {
        DerivedKey key = new DerivedKey(source.name(), source.text());
        Entry e = derived.get(key);
        if (e != null) {
            return e;
        }
        bound(derived);
        return derived.computeIfAbsent(key, k -> parseDerived(source));
    }

    /** Empties a cache that reached {@link #CACHE_LIMIT} entries. */
    private static void bound(ConcurrentHashMap<?, ?> cache) {
        if (cache.mappingCount() >= CACHE_LIMIT) {
            cache.clear();
        }
    }

    /**
     * The KMS key actions a policy may treat differently from an action only wildcards match (the probe): where
     * "the probe is allowed" does not prove "every action is allowed".
     */
    Set<String> suspects(Entry e, String probe, List<String> actions) {
        DerivedKey key = new DerivedKey(e.name(), e.source().text());
        Set<String> known = suspects.get(key);
        if (known != null) {
            return known;
        }
        bound(suspects);
        return suspects.computeIfAbsent(key, k -> {
            Set<String> out = new java.util.TreeSet<>();
            for (Statement s : e.policy().statements()) {
                if (s.hasUnparsedParts() || s.effect() == null) {
                    out.addAll(actions);
                    continue;
                }
                boolean p = s.matchesAction(probe);
                for (String a : actions) {
                    if (s.matchesAction(a) != p) {
                        out.add(a);
                    }
                }
            }
            return Set.copyOf(out);
        });
    }

    /** Parses a document derived from a source; not cached. */
    static Entry parseDerived(PolicySource source) {
        ParsedPolicy parsed = PolicyParser.parse(source.name(), source.text(), kind(source.origin()));
        List<Diagnostic> errors = parsed.diagnostics().stream()
                .filter(d -> d.severity() == Diagnostic.Severity.ERROR).toList();
        return new Entry(source, parsed.forEvaluation(source.name()), errors);
    }

    private void collectKeys(Policy policy, String text) {
        for (Statement s : policy.statements()) {
            for (Condition c : s.conditions()) {
                if (c.key() != null) {
                    referencedKeys.add(c.key().toLowerCase(Locale.ROOT));
                }
            }
        }
        if (text.indexOf("${") >= 0) {
            Matcher m = VARIABLE.matcher(text);
            while (m.find()) {
                String v = m.group(1);
                int comma = v.indexOf(',');
                if (comma >= 0) {
                    v = v.substring(0, comma);
                }
                v = v.trim().toLowerCase(Locale.ROOT);
                if (v.contains(":")) {
                    referencedKeys.add(v);
                }
            }
        }
    }

    /** @return the lower-case condition keys read by any policy parsed so far (conditions and policy variables) */
    Set<String> referencedKeys() {
        return Set.copyOf(referencedKeys);
    }

    /** @return every entry with ERROR diagnostics, sorted by name */
    List<Entry> unparseable() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : byName.values()) {
            if (e.unparseable()) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(Entry::name));
        return out;
    }

    static PolicyKind kind(PolicySource.Origin origin) {
        return switch (origin) {
            case AWS_MANAGED, CUSTOMER_MANAGED -> PolicyKind.MANAGED;
            case USER_INLINE -> PolicyKind.USER_INLINE;
            case GROUP_INLINE -> PolicyKind.GROUP_INLINE;
            case ROLE_INLINE -> PolicyKind.ROLE_INLINE;
            case SCP -> PolicyKind.SCP;
            case RCP -> PolicyKind.RCP;
            case KEY_POLICY -> PolicyKind.KEY_POLICY;
        };
    }
}
