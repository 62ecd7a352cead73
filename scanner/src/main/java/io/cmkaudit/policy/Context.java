package io.cmkaudit.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The request context: condition keys with their values, and the keys whose value cannot be known offline.
 *
 * <p>Keys are case-insensitive, as AWS treats condition key names
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html). A key has a list of
 * values: one for a single-valued key, several for a multi-valued key (e.g. {@code aws:TagKeys}). A key is in one of
 * three states: <b>present</b> (it has values), <b>absent</b> (neither given nor declared unknown), or
 * <b>unknown</b> (declared in {@link #unknownKeys()}: it may or may not be present, with any value). An unknown key
 * entry ending in {@code *} declares every key with that prefix unknown (e.g. {@code kms:EncryptionContext:*}).
 * Unknown wins over a value given for the same key.
 *
 * <p>Immutable and thread-safe.
 */
public final class Context {
    private static final Context EMPTY = new Builder().build();

    private final Map<String, List<String>> byLowerKey;
    /** Lower-case key to the key as given (for {@link #values()}). */
    private final Map<String, String> names;
    /** The unknown keys as given, distinct, in declaration order (for {@link #unknownKeys()}). */
    private final Collection<String> unknownDeclared;
    private final Set<String> unknownExact;
    private final String[] unknownPrefixes;
    /** Views built on first use: evaluation reads only the lower-case map and the unknown sets. */
    private volatile Map<String, List<String>> values;
    private volatile Set<String> unknownKeys;

    private Context(Builder b) {
        Map<String, List<String>> lower = new HashMap<>();
        Map<String, String> n = new HashMap<>();
        for (Map.Entry<String, List<String>> e : b.values.entrySet()) {
            String l = e.getKey().toLowerCase(Locale.ROOT);
            lower.put(l, List.copyOf(e.getValue()));
            n.put(l, e.getKey());
        }
        this.byLowerKey = lower;
        this.names = n;
        this.unknownDeclared = List.copyOf(b.unknown);
        Set<String> exact = new java.util.HashSet<>();
        List<String> prefixes = new ArrayList<>();
        split(b.unknown, exact, prefixes);
        this.unknownExact = exact;
        this.unknownPrefixes = prefixes.toArray(new String[0]);
    }

    private Context(Map<String, String> names, Map<String, List<String>> byLowerKey, Collection<String> unknown) {
        this.byLowerKey = byLowerKey;
        this.names = names;
        this.unknownDeclared = unknown;
        Set<String> exact = new java.util.HashSet<>();
        List<String> prefixes = new ArrayList<>();
        split(unknown, exact, prefixes);
        this.unknownExact = exact;
        this.unknownPrefixes = prefixes.toArray(new String[0]);
    }

    private static void split(Collection<String> unknown, Set<String> exact, List<String> prefixes) {
        for (String k : unknown) {
            String l = k.toLowerCase(Locale.ROOT);
            if (l.endsWith("*")) {
                prefixes.add(l.substring(0, l.length() - 1));
            } else {
                exact.add(l);
            }
        }
    }

    /**
     * A context from keys already in lower case, without the builder's case-insensitive copies (the analysis builds
     * millions of contexts). Equal to the context a {@link Builder} makes from the same keys and values.
     *
     * @param names   lower-case key to the key as written (shown by {@link #values()}), for every key of
     *                {@code values}; taken over, not copied
     * @param values  lower-case key to its values (immutable lists); taken over, not copied: the caller must not
     *                change either map afterwards
     * @param unknown lower-case keys whose value can't be known offline, distinct (an entry ending in {@code *} is a
     *                prefix); copied
     * @return the context; never null
     */
    public static Context ofLowerCase(Map<String, String> names, Map<String, List<String>> values,
                                      Collection<String> unknown) {
        return new Context(Objects.requireNonNull(names, "names"), Objects.requireNonNull(values, "values"),
                List.copyOf(unknown));
    }

    /** @return a context without keys */
    public static Context empty() {
        return EMPTY;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the present keys and their values, as a map whose lookups ignore case; unmodifiable, never null
     */
    public Map<String, List<String>> values() {
        Map<String, List<String>> v = values;
        if (v == null) {
            TreeMap<String, List<String>> display = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            byLowerKey.forEach((l, x) -> display.put(names.getOrDefault(l, l), x));
            v = Collections.unmodifiableMap(display);
            values = v;
        }
        return v;
    }

    /** @return the keys declared unknown as given (entries ending in {@code *} are prefixes); never null */
    public Set<String> unknownKeys() {
        Set<String> u = unknownKeys;
        if (u == null) {
            u = Collections.unmodifiableSet(new LinkedHashSet<>(unknownDeclared));
            unknownKeys = u;
        }
        return u;
    }

    /**
     * @param key a condition key, any case
     * @return the values of the key, or null when the key is absent or unknown
     */
    public List<String> get(String key) {
        String l = key.toLowerCase(Locale.ROOT);
        return isUnknownLower(l) ? null : byLowerKey.get(l);
    }

    /**
     * @param key a condition key, any case
     * @return whether the key is declared unknown (directly or by a prefix entry)
     */
    public boolean isUnknown(String key) {
        return isUnknownLower(key.toLowerCase(Locale.ROOT));
    }

    boolean isUnknownLower(String lowerKey) {
        if (unknownExact.contains(lowerKey)) {
            return true;
        }
        for (String p : unknownPrefixes) {
            if (lowerKey.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any key with the given lower-case prefix may be present without us knowing it. */
    boolean hasUnknownWithPrefix(String lowerPrefix) {
        for (String k : unknownExact) {
            if (k.startsWith(lowerPrefix)) {
                return true;
            }
        }
        for (String p : unknownPrefixes) {
            if (p.startsWith(lowerPrefix) || lowerPrefix.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Raw lookup by lower-case key, ignoring the unknown declarations. */
    List<String> rawLower(String lowerKey) {
        return byLowerKey.get(lowerKey);
    }

    Map<String, List<String>> byLowerKey() {
        return byLowerKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Context c && byLowerKey.equals(c.byLowerKey) && unknownExact.equals(c.unknownExact)
                && Set.of(unknownPrefixes).equals(Set.of(c.unknownPrefixes));
    }

    @Override
    public int hashCode() {
        return Objects.hash(byLowerKey, unknownExact);
    }

    @Override
    public String toString() {
        return "Context" + values() + (unknownDeclared.isEmpty() ? "" : " unknown=" + unknownKeys());
    }

    /** Builder of a {@link Context}; not thread-safe. */
    public static final class Builder {
        private final Map<String, List<String>> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private final Set<String> unknown = new LinkedHashSet<>();

        private Builder() {
        }

        /**
         * Sets a single-valued key (replacing earlier values of the key).
         *
         * @param key   condition key, e.g. {@code kms:ViaService}; never null
         * @param value its value; never null
         * @return this builder
         */
        public Builder put(String key, String value) {
            values.put(Objects.requireNonNull(key, "key"), List.of(Objects.requireNonNull(value, "value")));
            return this;
        }

        /**
         * Sets a key with several values (a multi-valued key), replacing earlier values of the key.
         *
         * @param key    condition key; never null
         * @param values its values; never null, no null elements (may be empty: the key is present with no value)
         * @return this builder
         */
        public Builder put(String key, List<String> values) {
            this.values.put(Objects.requireNonNull(key, "key"), List.copyOf(values));
            return this;
        }

        /**
         * Declares a key unknown: its presence and value cannot be known offline. A trailing {@code *} declares
         * every key with that prefix unknown.
         *
         * @param key condition key or prefix; never null
         * @return this builder
         */
        public Builder unknown(String key) {
            unknown.add(Objects.requireNonNull(key, "key"));
            return this;
        }

        /** @return the immutable context */
        public Context build() {
            return new Context(this);
        }
    }
}
