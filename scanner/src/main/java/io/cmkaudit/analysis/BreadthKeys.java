package io.cmkaudit.analysis;

import io.cmkaudit.analysis.RuleContext.AccountScope;
import io.cmkaudit.analysis.RuleContext.KeySide;
import io.cmkaudit.analysis.RuleContext.PrincipalSide;
import io.cmkaudit.analysis.SnapshotIndex.InstanceRef;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.snapshot.AccountSnapshot;
import io.cmkaudit.snapshot.KmsKey;
import io.cmkaudit.snapshot.RegionSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which keys {@link BreadthRule} looks at for a principal, and which keys its remediations narrow statements to: the
 * keys it may reach (the key policy names its account or everyone,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html), its account's own keys, and the
 * keys it needs EC2's grant on. Computed once per run (reachable keys) or per account (own keys); thread-safe.
 */
final class BreadthKeys {

    private final RuleContext ctx;
    private final Map<String, List<String>> accountKeys = new ConcurrentHashMap<>();
    private volatile Map<String, List<KeyRef>> reachable;

    BreadthKeys(RuleContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The keys a principal needs EC2's grant on: those of the in-scope instances of its account it may start
     * ({@code ec2:StartInstances} allowed or conditional) and of the launch templates it may launch from directly.
     *
     * @return key ARNs, sorted
     */
    List<String> neededKeys(AccountScope account, PrincipalSide ps) {
        Set<String> s = new TreeSet<>();
        boolean mayStart = StartAccessRule.identityMayAllow(ps, StartAccessRule.START);
        for (io.cmkaudit.analysis.InstanceClasses.InstanceClass c : mayStart ? account.groups()
                : List.<io.cmkaudit.analysis.InstanceClasses.InstanceClass>of()) {
            InstanceRef rep = c.representative();
            io.cmkaudit.policy.Request start = new io.cmkaudit.policy.Request(ps.ref().arn(), StartAccessRule.START,
                    rep.instance().arn(), rep.accountId(), ctx.contexts.startInstances(ps.ref(), rep));
            DecisionKind dk = Evaluator.verdict(start, ps.info(), ps.base().policySet()).kind();
            if (dk == DecisionKind.ALLOWED || dk == DecisionKind.CONDITIONAL) {
                c.members().forEach(i -> i.cmks().forEach(u -> {
                    if (u.key().arn().startsWith("arn:")) {
                        s.add(u.key().arn());
                    }
                }));
            }
        }
        for (LaunchPaths.Source src : ctx.launch.sources(account.accountId())) {
            if (src.launcherArn() == null && !src.needs().isEmpty() && LaunchRule.mayLaunch(ctx, ps, src)) {
                src.needs().forEach(n -> {
                    for (KeyRef k : new KeyRef[] {n.target(), n.source()}) {
                        if (k != null && !k.awsManaged() && k.arn().startsWith("arn:")) {
                            s.add(k.arn());
                        }
                    }
                });
            }
        }
        return List.copyOf(s);
    }

    /** The keys of in-scope instances in the account, and the account's own keys: a principal's "own" keys. */
    List<String> accountKeys(String accountId) {
        return accountKeys.computeIfAbsent(accountId, a -> {
            Set<String> s = new TreeSet<>();
            for (InstanceRef i : ctx.index.instances(a)) {
                i.cmks().forEach(u -> {
                    if (u.key().arn().startsWith("arn:")) {
                        s.add(u.key().arn());
                    }
                });
            }
            AccountSnapshot acc = ctx.index.account(a);
            if (acc != null) {
                for (RegionSnapshot r : acc.regions()) {
                    for (KmsKey k : r.kmsKeys()) {
                        if (!"AWS".equals(k.keyManager())) {
                            s.add(k.arn());
                        }
                    }
                }
            }
            if (s.isEmpty()) {
                s.add("arn:" + ctx.index.partition() + ":kms:*:" + a + ":key/*");
            }
            return List.copyOf(s);
        });
    }

    /**
     * The in-scope keys a principal of the account may reach: the account's own, and those whose key policy names
     * the account (or one of its principals) or everyone. Computed once for all accounts.
     */
    List<KeyRef> reachableKeys(String accountId) {
        Map<String, List<KeyRef>> m = reachable;
        if (m == null) {
            synchronized (this) {
                if (reachable == null) {
                    Map<String, List<KeyRef>> byAccount = new HashMap<>();
                    List<KeyRef> everyone = new ArrayList<>();
                    for (String keyArn : ctx.index.keysInScope()) {
                        KeyRef k = ctx.index.keyRefs().get(keyArn);
                        if (k == null || k.key() == null || k.key().keyPolicy() == null || k.accountId() == null) {
                            continue;
                        }
                        KeySide ks = ctx.keySide(k);
                        if (ks.trustsEveryone()) {
                            everyone.add(k);
                        } else {
                            ks.trustedAccounts().forEach(a -> byAccount.computeIfAbsent(a, x -> new ArrayList<>())
                                    .add(k));
                        }
                    }
                    byAccount.put("*", everyone);
                    reachable = byAccount;
                }
                m = reachable;
            }
        }
        List<KeyRef> out = new ArrayList<>(m.getOrDefault(accountId, List.of()));
        out.addAll(m.get("*"));
        out.sort(Comparator.comparing(KeyRef::arn));
        return out;
    }
}
