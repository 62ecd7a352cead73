package io.cmkaudit.analysis;

import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.policy.Grant;
import io.cmkaudit.policy.Policy;
import io.cmkaudit.policy.PolicySet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The policies of one evaluation with their sources: what {@link PolicySet} holds, plus where each policy comes from,
 * so findings can cite them and remediations can change one policy and evaluate again. Immutable.
 */
final class EvalSet {
    final List<Entry> identity;
    final Entry boundary;
    final List<List<Entry>> scp;
    final List<List<Entry>> rcp;
    final Entry keyPolicy;
    final List<Grant> grants;
    final String keyState;
    final boolean resourceInManagementAccount;
    private final PolicySet policySet;

    EvalSet(List<Entry> identity, Entry boundary, List<List<Entry>> scp, List<List<Entry>> rcp, Entry keyPolicy,
            List<Grant> grants, String keyState, boolean resourceInManagementAccount) {
        this.identity = List.copyOf(identity);
        this.boundary = boundary;
        this.scp = copy(scp);
        this.rcp = copy(rcp);
        this.keyPolicy = keyPolicy;
        this.grants = List.copyOf(grants);
        this.keyState = keyState;
        this.resourceInManagementAccount = resourceInManagementAccount;
        PolicySet.Builder b = PolicySet.builder()
                .identity(this.identity.stream().map(Entry::policy).toList())
                .permissionsBoundary(boundary == null ? null : boundary.policy())
                .scpLevels(policies(this.scp))
                .rcpLevels(policies(this.rcp))
                .resourcePolicy(keyPolicy == null ? null : keyPolicy.policy())
                .grants(this.grants)
                .keyState(keyState)
                .resourceInManagementAccount(resourceInManagementAccount);
        this.policySet = b.build();
    }

    private static List<List<Entry>> copy(List<List<Entry>> levels) {
        List<List<Entry>> out = new ArrayList<>();
        levels.forEach(l -> out.add(List.copyOf(l)));
        return List.copyOf(out);
    }

    private static List<List<Policy>> policies(List<List<Entry>> levels) {
        List<List<Policy>> out = new ArrayList<>();
        for (List<Entry> l : levels) {
            out.add(l.stream().map(Entry::policy).toList());
        }
        return out;
    }

    PolicySet policySet() {
        return policySet;
    }

    /** A set with the same principal side and another resource side. */
    EvalSet withResource(List<List<Entry>> rcpLevels, Entry key, List<Grant> keyGrants, String state,
                         boolean inManagement) {
        return new EvalSet(identity, boundary, scp, rcpLevels, key, keyGrants, state, inManagement);
    }

    EvalSet withScp(List<List<Entry>> levels) {
        return new EvalSet(identity, boundary, levels, rcp, keyPolicy, grants, keyState, resourceInManagementAccount);
    }

    EvalSet withRcp(List<List<Entry>> levels) {
        return new EvalSet(identity, boundary, scp, levels, keyPolicy, grants, keyState, resourceInManagementAccount);
    }

    EvalSet plusIdentity(Entry e) {
        List<Entry> ids = new ArrayList<>(identity);
        ids.add(e);
        return new EvalSet(ids, boundary, scp, rcp, keyPolicy, grants, keyState, resourceInManagementAccount);
    }

    /** @return every entry of the set */
    List<Entry> all() {
        List<Entry> out = new ArrayList<>(identity);
        if (boundary != null) {
            out.add(boundary);
        }
        scp.forEach(out::addAll);
        rcp.forEach(out::addAll);
        if (keyPolicy != null) {
            out.add(keyPolicy);
        }
        return out;
    }

    /** @return the entry with that policy name, or null */
    Entry find(String policyName) {
        for (Entry e : all()) {
            if (e.name().equals(policyName)) {
                return e;
            }
        }
        return null;
    }

    /** @return a set where every entry named like {@code replacement} is replaced by it */
    EvalSet replace(Entry replacement) {
        UnaryOperator<Entry> f = e -> e != null && e.name().equals(replacement.name()) ? replacement : e;
        List<List<Entry>> s = new ArrayList<>();
        scp.forEach(l -> s.add(l.stream().map(f).toList()));
        List<List<Entry>> r = new ArrayList<>();
        rcp.forEach(l -> r.add(l.stream().map(f).toList()));
        return new EvalSet(identity.stream().map(f).toList(), f.apply(boundary), s, r, f.apply(keyPolicy), grants,
                keyState, resourceInManagementAccount);
    }
}
