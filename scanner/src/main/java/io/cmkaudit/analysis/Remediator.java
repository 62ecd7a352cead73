package io.cmkaudit.analysis;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.analysis.SnapshotIndex.KeyRef;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Decision;
import io.cmkaudit.policy.DecisionKind;
import io.cmkaudit.policy.Effect;
import io.cmkaudit.policy.Evaluator;
import io.cmkaudit.policy.Layer;
import io.cmkaudit.policy.MatchedStatement;
import io.cmkaudit.policy.PrincipalInfo;
import io.cmkaudit.policy.Request;
import io.cmkaudit.policy.ResidualCondition;
import io.cmkaudit.policy.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Computes least-privilege remediations (aws-rules.md §6) and proves each one before offering it: the candidate
 * changes are applied to the evaluation's policies and the request is evaluated again; a remediation is offered only
 * when the re-evaluation gives the wanted answer. Stateless; thread-safe.
 */
final class Remediator {

    private static final int MAX_STEPS = 5;

    private final PolicyLibrary library;
    private final PermissionSetLinks links;

    /** @param library where derived documents are parsed (and cached) */
    Remediator(PolicyLibrary library) {
        this(library, null);
    }

    /**
     * A permission-set change names only the finding's own key; the findings of every provisioned account share its
     * edit target, so merging per edit ({@link FindingGroups}, {@link Change#merge}) makes one change listing exactly
     * the keys its findings need (least privilege: not every key of the provisioned accounts).
     *
     * @param library where derived documents are parsed (and cached)
     * @param links   IAM Identity Center reserved roles and their permission sets, or null for none
     */
    Remediator(PolicyLibrary library, PermissionSetLinks links) {
        this.library = library;
        this.links = links;
    }

    /**
     * Whether a principal is an IAM Identity Center reserved role ({@code AWSReservedSSO_*} under
     * {@code /aws-reserved/sso.amazonaws.com/}): IAM edits of it are never offered.
     */
    static boolean reservedRole(PrincipalRef p) {
        if (p == null || !p.arn().contains(":role" + io.cmkaudit.snapshot.IdentityCenter.RESERVED_ROLE_PATH)) {
            return false;
        }
        String name = p.arn().substring(p.arn().lastIndexOf('/') + 1);
        return io.cmkaudit.snapshot.IdentityCenter.permissionSetNameOf(name) != null;
    }

    /**
     * Drops a remediation that edits a reserved role itself (its inline policies, or a policy attached to it in
     * IAM): Identity Center owns those roles. Changes to other policies (key policies, SCPs, a customer managed
     * policy the permission set references) and permission-set changes stay.
     */
    private static List<Change> noReservedRoleEdit(PrincipalRef p, List<Change> changes) {
        if (changes == null || !reservedRole(p)) {
            return changes;
        }
        for (Change c : changes) {
            boolean editsRole = c instanceof Change.AddInlinePolicy
                    || c instanceof Change.ReplaceStatement r && (r.target().origin() == PolicySource.Origin.ROLE_INLINE
                    || r.target().origin() == PolicySource.Origin.AWS_MANAGED);
            if (editsRole) {
                return null;
            }
        }
        return changes;
    }

    /** The grant operations AWS documents for a service-linked role using a key of another account. */
    static final List<String> SLR_GRANT_OPERATIONS = List.of("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo",
            "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "DescribeKey", "CreateGrant");

    // ------------------------------------------------------------------ start findings

    /**
     * The changes that let EC2's forward-access CreateGrant through for this principal and key.
     *
     * @return the remediation, or null when no automatic fix was found
     */
    Remediation forwardGrant(PrincipalRef p, PrincipalInfo info, KeyRef key, String region, Request request,
                             EvalSet set, Decision decision) {
        List<Change> changes = untilAllowed(request, info, set, decision, p, (cur, d, done) -> {
            List<Change> next = new ArrayList<>();
            // a missing Allow is fixed first; Denies only when they decide (explicit) or leave the answer open
            for (MatchedStatement m : d.kind() == DecisionKind.IMPLICIT_DENY ? List.<MatchedStatement>of()
                    : d.matched()) {
                if (m.effect() != Effect.DENY || !done.add(m.policyName() + "#" + m.index())) {
                    continue;
                }
                Entry e = cur.find(m.policyName());
                ObjectNode before = e == null ? null : PolicyJson.statementAt(e.source().text(), m.index());
                if (before == null) {
                    return null;
                }
                next.add(new Change.ReplaceStatement(e.source(), m.index(), before,
                        List.of(PolicyJson.ec2ViaServiceException(before, region)), holder(p, e)));
            }
            boolean crossAccount = key.accountId() != null && !key.accountId().equals(p.accountId());
            if (next.isEmpty() && p.kind() == PrincipalKind.SERVICE_LINKED_ROLE && crossAccount && done.add("grant")) {
                // a service-linked role can't get identity policies: the key's account grants it the key (AWS's
                // documented procedure for Auto Scaling with a key of another account)
                next.add(new Change.CreateGrant(key.arn(), p.arn(), SLR_GRANT_OPERATIONS));
            }
            if (next.isEmpty()) {
                Set<Layer> layers = new LinkedHashSet<>(d.decidedBy());
                for (ResidualCondition r : d.residual()) {
                    layers.add(r.layer());
                }
                for (Layer l : layers) {
                    Change c = allowFor(l, p, info, key, region, request, cur, d, done);
                    if (c != null) {
                        next.add(c);
                    }
                }
            }
            return next;
        });
        changes = noReservedRoleEdit(p, changes);
        if (changes == null) {
            return null;
        }
        String permissionSet = permissionSetOf(changes);
        // a change made in the permission set alone is the same for each of its roles and keys: so is the text
        return build(permissionSet != null ? "Let EC2 create its attach grant on the customer managed keys of the "
                + "accounts permission set `" + permissionSet + "` is provisioned to, for its roles: "
                : "Let EC2 create its attach grant on " + key.arn() + " for " + p.arn() + ": ", changes);
    }

    /**
     * @return the permission set name when every change is made in an IAM Identity Center permission set (its inline
     *         policy, or a customer managed policy it references, in all its accounts), else null
     */
    static String permissionSetOf(List<Change> changes) {
        String name = null;
        for (Change c : changes) {
            String n = c instanceof Change.PermissionSetInlineStatements i ? i.permissionSetName()
                    : c instanceof Change.ReferencedPolicyStatements r ? r.permissionSetName() : null;
            if (n == null || name != null && !name.equals(n)) {
                return null;
            }
            name = n;
        }
        return name;
    }

    /**
     * The changes that let every KMS call a launch makes on one key through for its launcher (launch-paths.md §6):
     * for a service-linked role of the key's account, AWS's two key-policy statements (use of the key, and
     * kms:CreateGrant with kms:GrantIsForAWSResource); for a service-linked role and a key of another account, the
     * {@code aws kms create-grant} its own account runs (its policies can't be edited, and cross-account IAM is not
     * possible for it); for a role or user, an identity statement on the exact key ARN with kms:ViaService and
     * kms:GrantIsForAWSResource, or key-policy statements naming it where the key policy is what blocks. Explicit
     * Denies get an exception for EC2's calls. Each change is applied and every request evaluated again
     * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html,
     * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html).
     *
     * @param requests the launch's KMS requests on the key, with the launcher's context
     * @return the remediation, or null when no automatic fix was found
     */
    Remediation launchAccess(PrincipalRef p, PrincipalInfo info, KeyRef key, String region, List<Request> requests,
                             EvalSet set) {
        List<Change> changes = new ArrayList<>();
        EvalSet cur = set;
        Set<String> done = new HashSet<>();
        boolean cross = key.accountId() != null && !key.accountId().equals(p.accountId());
        boolean slr = p.kind() == PrincipalKind.SERVICE_LINKED_ROLE;
        for (int round = 0; round < 2 * MAX_STEPS; round++) {
            Request failing = null;
            Decision d = null;
            for (Request r : requests) {
                Decision x = Evaluator.evaluate(r, info, cur.policySet());
                if (x.kind() != DecisionKind.ALLOWED) {
                    failing = r;
                    d = x;
                    break;
                }
            }
            if (failing == null) {
                List<Change> ok = noReservedRoleEdit(p, changes);
                return ok == null || ok.isEmpty() ? null
                        : build("Let " + p.arn() + " launch with " + key.arn() + ": ", ok);
            }
            List<Change> next = new ArrayList<>();
            for (MatchedStatement m : d.kind() == DecisionKind.IMPLICIT_DENY ? List.<MatchedStatement>of()
                    : d.matched()) {
                if (m.effect() != Effect.DENY || !done.add(m.policyName() + "#" + m.index())) {
                    continue;
                }
                Entry e = cur.find(m.policyName());
                ObjectNode before = e == null ? null : PolicyJson.statementAt(e.source().text(), m.index());
                if (before == null) {
                    return null;
                }
                next.add(new Change.ReplaceStatement(e.source(), m.index(), before,
                        List.of(PolicyJson.ec2ViaServiceException(before, region)), holder(p, e)));
            }
            if (next.isEmpty() && slr) {
                if (cross && done.add("grant")) {
                    next.add(new Change.CreateGrant(key.arn(), p.arn(), SLR_GRANT_OPERATIONS));
                } else if (!cross && cur.keyPolicy != null && parseable(cur.keyPolicy) && done.add("resource")) {
                    next.add(new Change.AddStatements(cur.keyPolicy.source(), List.of(
                            PolicyJson.keyPolicyServiceLinkedUseStatement(p.arn()),
                            PolicyJson.keyPolicyAttachStatement(p.arn(), region))));
                }
            } else if (next.isEmpty()) {
                Set<Layer> layers = new LinkedHashSet<>(d.decidedBy());
                for (ResidualCondition r : d.residual()) {
                    layers.add(r.layer());
                }
                for (Layer l : layers) {
                    if (l == Layer.IDENTITY) {
                        if (!reservedRole(p) && done.add("identity")) {
                            next.add(new Change.AddInlinePolicy(p.arn(), launchPolicyName(key), PolicyJson.document(
                                    List.of(PolicyJson.identityAttachStatement(List.of(key.arn()), List.of(region)),
                                            PolicyJson.identityLaunchKeyStatement(List.of(key.arn()),
                                                    List.of(region))))));
                        }
                    } else if (l == Layer.RESOURCE) {
                        if (cur.keyPolicy != null && parseable(cur.keyPolicy) && done.add("resource")) {
                            next.add(new Change.AddStatements(cur.keyPolicy.source(), List.of(
                                    PolicyJson.keyPolicyAttachStatement(p.arn(), region),
                                    PolicyJson.keyPolicyLaunchKeyStatement(p.arn(), region))));
                        }
                    } else {
                        Change c = allowFor(l, p, info, key, region, failing, cur, d, done);
                        if (c != null) {
                            next.add(c);
                        }
                    }
                }
            }
            if (next.isEmpty()) {
                return null;
            }
            for (Change c : next) {
                cur = c.apply(cur, p, library);
                changes.add(c);
            }
        }
        return null;
    }

    static String launchPolicyName(KeyRef key) {
        return attachPolicyName(key).replace("cmk-audit-ec2-attach-", "cmk-audit-ec2-launch-");
    }

    /** The next changes of a fix, given the current policies and decision; null or empty: no fix found. */
    private interface Step {
        List<Change> next(EvalSet cur, Decision d, Set<String> done);
    }

    /**
     * The one fix loop: asks {@code step} for changes, applies them and evaluates the request again, until it is
     * allowed (at most {@link #MAX_STEPS} rounds).
     *
     * @return the changes that make the request allowed, or null when none were found
     */
    private List<Change> untilAllowed(Request request, PrincipalInfo info, EvalSet set, Decision decision,
                                      PrincipalRef p, Step step) {
        List<Change> changes = new ArrayList<>();
        EvalSet cur = set;
        Decision d = decision;
        Set<String> done = new HashSet<>();
        for (int round = 0; round < MAX_STEPS && d.kind() != DecisionKind.ALLOWED; round++) {
            List<Change> next = step.next(cur, d, done);
            if (next == null || next.isEmpty()) {
                return null;
            }
            for (Change c : next) {
                cur = c.apply(cur, p, library);
                changes.add(c);
            }
            d = Evaluator.evaluate(request, info, cur.policySet());
        }
        return d.kind() == DecisionKind.ALLOWED ? changes : null;
    }

    private Change allowFor(Layer layer, PrincipalRef p, PrincipalInfo info, KeyRef key, String region,
                            Request request, EvalSet cur, Decision d, Set<String> done) {
        switch (layer) {
            case IDENTITY -> {
                if (p.kind() == PrincipalKind.SERVICE_LINKED_ROLE) {
                    return keyPolicyStatement(p, key, region, cur, done);
                }
                if (!done.add("identity")) {
                    return null;
                }
                if (reservedRole(p)) {
                    // Identity Center owns the role: the statement goes into its permission set, or nowhere
                    var link = links == null ? java.util.Optional.<PermissionSetLinks.Link>empty() : links.link(p.arn());
                    if (link.isEmpty()) {
                        return null;
                    }
                    var ps = link.get().permissionSet();
                    List<String> keys = List.of(key.arn()); // this finding's key: merging per edit lists the others
                    return new Change.PermissionSetInlineStatements(link.get().instance().instanceArn(), ps.arn(),
                            ps.name(), ps.inlinePolicy(),
                            List.of(PolicyJson.identityAttachStatement(keys, regionsOf(keys, region))),
                            ps.provisionedAccountIds());
                }
                ObjectNode doc = PolicyJson.document(List.of(
                        PolicyJson.identityAttachStatement(List.of(key.arn()), List.of(region))));
                return new Change.AddInlinePolicy(p.arn(), attachPolicyName(key), doc);
            }
            case RESOURCE -> {
                return keyPolicyStatement(p, key, region, cur, done);
            }
            case BOUNDARY -> {
                if (cur.boundary == null || !cur.boundary.source().origin().editable() || !parseable(cur.boundary)
                        || !done.add("boundary")) {
                    return null;
                }
                if (reservedRole(p)) {
                    // the boundary of a reserved role is the customer managed policy its permission set references
                    var link = links == null ? java.util.Optional.<PermissionSetLinks.Link>empty() : links.link(p.arn());
                    var ref = link.map(l -> l.permissionSet().permissionsBoundary()).map(b ->
                            b.customerManagedPolicyReference()).orElse(null);
                    String partition = Partition.ofArn(p.arn());
                    if (ref == null || !cur.boundary.source().name().equals(ref.arnIn(partition, p.accountId()))) {
                        return null;
                    }
                    var ps = link.get().permissionSet();
                    List<String> keys = List.of(key.arn()); // this finding's key: merging per edit lists the others
                    return new Change.ReferencedPolicyStatements(ps.arn(), ps.name(), partition, ref, true,
                            List.of(PolicyJson.identityAttachStatement(keys, regionsOf(keys, region))),
                            ps.provisionedAccountIds().stream().sorted().toList());
                }
                return new Change.AddStatements(cur.boundary.source(),
                        List.of(PolicyJson.identityAttachStatement(List.of(key.arn()), List.of(region))));
            }
            case SCP, RCP -> {
                List<List<Entry>> levels = layer == Layer.SCP ? cur.scp : cur.rcp;
                for (int i = 0; i < levels.size(); i++) {
                    List<Entry> level = levels.get(i);
                    if (level.isEmpty()) {
                        continue;
                    }
                    EvalSet single = layer == Layer.SCP ? cur.withScp(List.of(level)) : cur.withRcp(List.of(level));
                    Decision one = Evaluator.evaluate(request, info, single.policySet());
                    boolean lacking = one.decidedBy().contains(layer) && one.kind() != DecisionKind.EXPLICIT_DENY;
                    if (!lacking) {
                        continue;
                    }
                    Entry target = level.stream().filter(e -> !e.unparseable()).findFirst()
                            .orElse(level.stream().filter(Remediator::parseable).findFirst().orElse(null));
                    if (target == null || !done.add(layer + "#" + i)) {
                        continue;
                    }
                    ObjectNode st = layer == Layer.SCP ? PolicyJson.scpAttachStatement(key.arn(), region)
                            : PolicyJson.rcpAttachStatement(key.arn(), region);
                    return new Change.AddStatements(target.source(), List.of(st));
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /** The regions of key ARNs ({@code fallback} for one that is not an ARN), sorted. */
    private static List<String> regionsOf(List<String> keyArns, String fallback) {
        Set<String> regions = new java.util.TreeSet<>();
        keyArns.forEach(k -> regions.add(k.split(":", 6).length == 6 ? k.split(":", 6)[3] : fallback));
        return List.copyOf(regions);
    }

    private static Change keyPolicyStatement(PrincipalRef p, KeyRef key, String region, EvalSet cur,
                                             Set<String> done) {
        if (cur.keyPolicy == null || !parseable(cur.keyPolicy) || !done.add("resource")) {
            return null;
        }
        if (p.kind() == PrincipalKind.SERVICE_LINKED_ROLE) {
            // AWS's two statements for the service-linked role: it also launches new instances (scale-out)
            return new Change.AddStatements(cur.keyPolicy.source(), List.of(
                    PolicyJson.keyPolicyServiceLinkedUseStatement(p.arn()),
                    PolicyJson.keyPolicyAttachStatement(p.arn(), region)));
        }
        return new Change.AddStatements(cur.keyPolicy.source(),
                List.of(PolicyJson.keyPolicyAttachStatement(p.arn(), region)));
    }

    /**
     * Whether statements can be added to the entry's document: an unparseable document (not JSON, or JSON that is
     * not an object) gets no snippet; its finding carries a text remediation instead.
     */
    static boolean parseable(Entry e) {
        return PolicyJson.parse(e.source().text()) != null;
    }

    /** Name of the inline policy that lets EC2 attach the volumes of several keys (one per principal). */
    static final String ATTACH_POLICY_NAME = "cmk-audit-ec2-attach";

    static String attachPolicyName(KeyRef key) {
        String id = key.arn().substring(key.arn().lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9-]", "");
        return "cmk-audit-ec2-attach-" + (id.length() > 12 ? id.substring(0, 12) : id);
    }

    /**
     * Exceptions for EC2's identity-only role on every Deny that blocks its {@code kms:Decrypt}.
     *
     * @return the remediation, or null when no automatic fix was found
     */
    Remediation granteeSide(Request request, PrincipalInfo info, EvalSet set, Decision decision, KeyRef key) {
        List<Change> changes = untilAllowed(request, info, set, decision, null, (cur, d, done) -> {
            List<Change> next = new ArrayList<>();
            for (MatchedStatement m : d.matched()) {
                if (m.effect() != Effect.DENY || !done.add(m.policyName() + "#" + m.index())) {
                    continue;
                }
                Entry e = cur.find(m.policyName());
                ObjectNode before = e == null ? null : PolicyJson.statementAt(e.source().text(), m.index());
                if (before == null || !e.source().origin().editable()) {
                    return null;
                }
                next.add(new Change.ReplaceStatement(e.source(), m.index(), before,
                        List.of(PolicyJson.ec2InfrastructureException(before, Partition.ofArn(key.arn()))), List.of()));
            }
            return next;
        });
        return changes == null ? null : build("Exempt EC2's identity-only role (aws:ec2-infrastructure) from the "
                + "Deny that blocks its kms:Decrypt on " + key.arn() + ": ", changes);
    }

    // ------------------------------------------------------------------ breadth findings

    /**
     * Narrows every allow that gives the principal full KMS access on the key to the key-user actions (and the attach
     * grant) on the principal's keys; then checks that full access is gone.
     *
     * @param stillFull tells whether an evaluation set still gives full access
     * @return the remediation, or null when no automatic fix was found
     */
    Remediation fullAccess(PrincipalRef p, EvalSet set, Decision probe, List<String> keyArns,
                           Predicate<EvalSet> stillFull, Memo memo) {
        List<MatchedStatement> allows = allowStatements(set, probe);
        Prepared prep = memo.prepared("full", allows, () -> prepare(p, fullAccessChanges(p, set, allows, keyArns)));
        return verified(p, set, prep, stillFull, FULL_ACCESS_LEAD);
    }

    /**
     * What {@link BreadthKeys#accountKeys} lists, in words: the keys a breadth fix limits an identity statement on
     * every key to.
     */
    static final String ACCOUNT_KEYS = "the keys of the account's instances and the account's own customer managed "
            + "keys (all keys of the account when it has none)";
    private static final String ACCOUNT_KEYS_LISTED = "the keys of the account's instances and the account's own "
            + "customer managed keys (the snippet lists them)";

    /**
     * The lead of a {@link #fullAccess} remediation. The fix keeps the actions of the "Allow access for Key
     * Administrators" statement of AWS's default key policy, in a statement of its own, so that a key policy it
     * rewrites still lets a principal call kms:PutKeyPolicy: KMS's policy lockout safety check refuses a key policy
     * that does not (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key ,
     * https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html, BypassPolicyLockoutSafetyCheck).
     */
    static final String FULL_ACCESS_LEAD = "Replace the statements that give every KMS action on the key by AWS's "
            + "default key-administrator actions (statement `…KeyAdmin`: remove it only if other principals "
            + "administer the key, as KMS refuses a key policy that leaves no principal kms:PutKeyPolicy) and the "
            + "key-user actions, kms:CreateGrant only for AWS resources; an identity statement on every key is "
            + "limited to " + ACCOUNT_KEYS + ": ";

    /** @return the changes of {@link #fullAccess}, or null when a statement can't be rewritten */
    private List<Change> fullAccessChanges(PrincipalRef p, EvalSet set, List<MatchedStatement> allows,
                                           List<String> keyArns) {
        List<Change> changes = new ArrayList<>();
        for (MatchedStatement m : allows) {
            Entry e = set.find(m.policyName());
            ObjectNode before = PolicyJson.statementAt(e.source().text(), m.index());
            if (before == null) {
                return null;
            }
            PolicyJson.Carved c = PolicyJson.carve(before, PolicyJson.KMS_ACTIONS, true);
            if (c == null) {
                return null;
            }
            List<ObjectNode> after = new ArrayList<>();
            if (c.rest() != null) {
                after.add(c.rest());
            }
            List<String> resources = m.layer() == Layer.IDENTITY && PolicyJson.resourceIsStar(before) ? keyArns
                    : null;
            // the key administrator actions stay, in a statement of their own: dropping them from the only
            // principal a key policy lets call kms:PutKeyPolicy locks the key (KMS refuses such a policy), and a
            // principal holding kms:* administers the keys (key-policy-default.html, "Allow access for Key
            // Administrators" and "prevent-unmanageable-key")
            List<String> admin = PolicyJson.KEY_ADMIN_ACTIONS.stream()
                    .filter(a -> c.covered().stream().anyMatch(x -> x.equalsIgnoreCase(a))).toList();
            if (!admin.isEmpty()) {
                after.add(PolicyJson.derive(before, admin, resources, "KeyAdmin"));
            }
            List<String> use = PolicyJson.KEY_USER_ACTIONS.stream()
                    .filter(a -> c.covered().stream().anyMatch(x -> x.equalsIgnoreCase(a))).toList();
            if (!use.isEmpty()) {
                after.add(PolicyJson.derive(before, use, resources, "KeyUse"));
            }
            if (c.covered().stream().anyMatch("kms:CreateGrant"::equalsIgnoreCase)) {
                after.add(PolicyJson.withCondition(PolicyJson.derive(before, List.of("kms:CreateGrant"), resources,
                        "AttachOnly"), "Bool", "kms:GrantIsForAWSResource", List.of("true")));
            }
            changes.add(new Change.ReplaceStatement(e.source(), m.index(), before, after, holder(p, e)));
        }
        return changes;
    }

    /**
     * Splits every allow that lets the principal call {@code kms:CreateGrant} directly into the rest of the statement
     * and a CreateGrant statement limited to grants for AWS resources ({@code kms:GrantIsForAWSResource}).
     */
    Remediation createGrantUnconstrained(PrincipalRef p, EvalSet set, Decision direct, List<String> neededKeys,
                                         Predicate<EvalSet> stillUnconstrained, Memo memo) {
        List<MatchedStatement> allows = allowStatements(set, direct);
        Prepared prep = memo.prepared("createGrant", allows,
                () -> prepare(p, createGrantChanges(p, set, allows, neededKeys)));
        return verified(p, set, prep, stillUnconstrained,
                "Allow kms:CreateGrant only for grants AWS services create for AWS resources: ");
    }

    /** @return the changes of {@link #createGrantUnconstrained}, or null when a statement can't be rewritten */
    private List<Change> createGrantChanges(PrincipalRef p, EvalSet set, List<MatchedStatement> allows,
                                            List<String> neededKeys) {
        List<Change> changes = new ArrayList<>();
        for (MatchedStatement m : allows) {
            Entry e = set.find(m.policyName());
            ObjectNode before = PolicyJson.statementAt(e.source().text(), m.index());
            if (before == null) {
                return null;
            }
            PolicyJson.Carved c = PolicyJson.carve(before, List.of("kms:CreateGrant"), false);
            if (c == null) {
                return null;
            }
            List<ObjectNode> after = new ArrayList<>();
            if (c.rest() != null) {
                after.add(c.rest());
            }
            // an identity statement on every key ("*") is narrowed to the keys the principal needs: those of the
            // instances it may start or launch (issue 10 item 5); in a key policy "*" is the key itself
            List<String> resources = e.source().origin() != PolicySource.Origin.KEY_POLICY && !neededKeys.isEmpty()
                    && everyResource(before) ? neededKeys : null;
            after.add(PolicyJson.withCondition(PolicyJson.derive(before, List.of("kms:CreateGrant"), resources,
                    "AwsResourceOnly"), "Bool", "kms:GrantIsForAWSResource", List.of("true")));
            changes.add(new Change.ReplaceStatement(e.source(), m.index(), before, after, holder(p, e)));
        }
        return changes;
    }

    /** @return whether a statement's {@code Resource} names {@code *} (every resource) */
    private static boolean everyResource(ObjectNode statement) {
        var it = statement.fields();
        while (it.hasNext()) {
            var f = it.next();
            if (f.getKey().equalsIgnoreCase("Resource")) {
                if (f.getValue().isTextual()) {
                    return f.getValue().asText().equals("*");
                }
                for (var v : f.getValue()) {
                    if (v.asText().equals("*")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Narrows each statement that allows decrypting with every key to {@link #ACCOUNT_KEYS} ({@code keyArns}); the
     * text says which: the listed keys, or every key of the account when it has none in scope.
     *
     * @param entries the policies of the offending statements
     * @param indexes the offending statements' indexes, one per entry
     * @param keyArns the keys to limit them to ({@link BreadthKeys#accountKeys})
     */
    Remediation decryptAllKeys(PrincipalRef p, EvalSet set, List<Entry> entries, List<Integer> indexes,
                               List<String> keyArns, Predicate<EvalSet> stillAll) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int index = indexes.get(i);
            ObjectNode before = PolicyJson.statementAt(e.source().text(), index);
            if (before == null) {
                return null;
            }
            PolicyJson.Carved c = PolicyJson.carve(before, List.of("kms:Decrypt", "kms:ReEncryptFrom"), false);
            if (c == null || c.covered().isEmpty()) {
                return null;
            }
            List<ObjectNode> after = new ArrayList<>();
            if (c.rest() != null) {
                after.add(c.rest());
            }
            after.add(PolicyJson.derive(before, c.covered(), keyArns, "Keys"));
            changes.add(new Change.ReplaceStatement(e.source(), index, before, after, holder(p, e)));
        }
        boolean wildcard = keyArns.stream().anyMatch(k -> k.endsWith(":key/*"));
        return verified(p, set, changes, stillAll, "Limit kms:Decrypt / kms:ReEncryptFrom to "
                + (wildcard ? "the keys of account " + p.accountId() + " (no instance of the account uses a "
                + "customer managed key and it has none)" : ACCOUNT_KEYS_LISTED) + ": ");
    }

    /** Adds an organization condition to each public key-policy statement. */
    Remediation keyPolicyPublic(Entry keyPolicy, List<Integer> indexes, String orgId, String keyAccount,
                                Predicate<EvalSet> stillPublic, EvalSet set) {
        List<Change> changes = new ArrayList<>();
        for (int index : indexes) {
            ObjectNode before = PolicyJson.statementAt(keyPolicy.source().text(), index);
            if (before == null) {
                return null;
            }
            ObjectNode after = orgId != null
                    ? PolicyJson.withCondition(before, "StringEquals", "aws:PrincipalOrgID", List.of(orgId))
                    : PolicyJson.withCondition(before, "StringEquals", "kms:CallerAccount", List.of(keyAccount));
            changes.add(new Change.ReplaceStatement(keyPolicy.source(), index, before, List.of(after), List.of()));
        }
        return verified(null, set, changes, stillPublic, orgId != null
                ? "Restrict the statement to callers of the organization " + orgId + ": "
                : "Restrict the statement to callers of the key's account " + keyAccount + ": ");
    }

    private Remediation verified(PrincipalRef p, EvalSet set, List<Change> changes, Predicate<EvalSet> stillBad,
                                 String lead) {
        return verified(p, set, prepare(p, changes), stillBad, lead);
    }

    /**
     * The changes of a fix made ready to apply: null (no fix) when there are none or they would edit a reserved
     * role; else sorted so that statements are replaced from the end (earlier indexes stay valid).
     */
    private static Prepared prepare(PrincipalRef p, List<Change> changes) {
        if (changes == null || changes.isEmpty() || noReservedRoleEdit(p, changes) == null) {
            return new Prepared(null);
        }
        changes.sort(Comparator.comparing((Change c) -> ((Change.ReplaceStatement) c).target().name())
                .thenComparing(c -> -((Change.ReplaceStatement) c).index()));
        return new Prepared(List.copyOf(changes));
    }

    /**
     * Applies the prepared changes to the set and re-evaluates: the remediation when they fix it, else null. The
     * text and snippet are built once per prepared fix; each finding gets its own {@link Remediation} (merging
     * tells findings that share one remediation object from findings that share only the changes).
     */
    private Remediation verified(PrincipalRef p, EvalSet set, Prepared prep, Predicate<EvalSet> stillBad,
                                 String lead) {
        if (prep.changes == null) {
            return null;
        }
        EvalSet cur = set;
        for (Change c : prep.changes) {
            cur = c.apply(cur, p, library);
        }
        if (stillBad.test(cur)) {
            return null;
        }
        if (prep.built == null) {
            prep.built = build(lead, prep.changes);
            return prep.built;
        }
        return new Remediation(prep.built.text(), prep.built.snippet(), prep.built.changes());
    }

    /** The changes of one fix, ready to apply, and the remediation built from them once verified. */
    private static final class Prepared {
        final List<Change> changes;
        Remediation built;

        Prepared(List<Change> changes) {
            this.changes = changes;
        }
    }

    /**
     * The breadth fixes of one principal by the Allow statements they rewrite: on each of its keys the same
     * identity statements give the same changes, so they are derived (statement parsed, carved, rendered) once per
     * principal and only re-verified per key. Not thread-safe: one per principal, used by one thread.
     */
    static final class Memo {
        private final java.util.Map<String, Prepared> byStatements = new java.util.HashMap<>();

        Prepared prepared(String kind, List<MatchedStatement> allows, java.util.function.Supplier<Prepared> make) {
            StringBuilder k = new StringBuilder(kind);
            for (MatchedStatement m : allows) {
                k.append('\n').append(m.layer()).append('|').append(m.policyName()).append('#').append(m.index());
            }
            return byStatements.computeIfAbsent(k.toString(), x -> make.get());
        }
    }

    /** The Allow statements of identity and key policy behind a decision, without the key policy's delegation. */
    private static List<MatchedStatement> allowStatements(EvalSet set, Decision d) {
        List<MatchedStatement> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (MatchedStatement m : d.matched()) {
            if (m.effect() != Effect.ALLOW || (m.layer() != Layer.IDENTITY && m.layer() != Layer.RESOURCE)) {
                continue;
            }
            Entry e = set.find(m.policyName());
            if (e == null || !seen.add(m.policyName() + "#" + m.index())) {
                continue;
            }
            if (m.layer() == Layer.RESOURCE && isDelegation(e, m.index(), set)) {
                continue;
            }
            out.add(m);
        }
        return out;
    }

    /** Whether a key-policy statement only names the key's own account (the delegation to IAM). */
    static boolean isDelegation(Entry keyPolicy, int index, EvalSet set) {
        if (index < 0 || index >= keyPolicy.policy().statements().size()) {
            return false;
        }
        Statement s = keyPolicy.policy().statements().get(index);
        if (s.principal() == null || s.principal().isEveryone() || s.principal().aws().isEmpty()) {
            return false;
        }
        String keyArn = keyPolicy.source().ownerArn();
        String account = SnapshotIndex.accountOf(keyArn);
        for (String a : s.principal().aws()) {
            if (!a.equals(account) && !a.equals(Partition.accountRoot(Partition.ofArn(keyArn), account))) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ applying and describing

    private static String holder(PrincipalRef p, Entry e) {
        if (p == null || e.source().origin() != PolicySource.Origin.AWS_MANAGED) {
            return null;
        }
        return p.holders().getOrDefault(e.name(), p.arn());
    }

    /** Builds the remediation text (every change) and the snippet (the first change). */
    static Remediation build(String lead, List<Change> changes) {
        StringBuilder text = new StringBuilder(lead);
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            if (i > 0) {
                text.append(" Also: ");
            }
            text.append(c.describe());
            if (i > 0) {
                String s = c.snippet(false);
                if (s != null) {
                    text.append(' ').append(s);
                }
            }
        }
        return new Remediation(text.toString(), changes.isEmpty() ? null : changes.get(0).snippet(true),
                changes);
    }

    static String statementLabel(ObjectNode statement, int index) {
        String sid = statement == null ? null : PolicyJson.textIgnoreCase(statement, "Sid");
        return sid != null && !sid.isEmpty() ? "`" + sid + "`" : "#" + index;
    }
}
