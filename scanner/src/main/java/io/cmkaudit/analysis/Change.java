package io.cmkaudit.analysis;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkaudit.analysis.PolicyLibrary.Entry;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalKind;
import io.cmkaudit.analysis.SnapshotIndex.PrincipalRef;
import io.cmkaudit.policy.Grant;
import java.util.ArrayList;
import java.util.List;

/**
 * One concrete change to the organization's policies that a remediation asks for. A finding's remediation is a list
 * of changes; applying all of them makes the finding disappear (the snippet-proof tests apply them to the snapshot
 * and analyze again). Statements and documents are Jackson trees in IAM policy JSON. Each change applies itself to
 * an evaluation set ({@link #apply}), says what to do in one sentence ({@link #describe}) and gives the IAM JSON to
 * write ({@link #snippet}).
 */
sealed interface Change {

    /**
     * @param set     the policies of an evaluation
     * @param p       the principal of the evaluation (receives an added inline policy), or null
     * @param library where derived documents are parsed (and cached)
     * @return the set with this change applied; {@code set} itself when the change does not touch it
     */
    EvalSet apply(EvalSet set, PrincipalRef p, PolicyLibrary library);

    /** @return one sentence saying what to do */
    String describe();

    /**
     * @param pretty pretty-printed (the finding's snippet) or compact (inside the remediation text)
     * @return the IAM JSON this change asks to write, or null when it is not a policy change
     */
    String snippet(boolean pretty);

    /**
     * What this change edits, as a stable text: two changes with the same target are one edit, made once by one
     * person (the unit of a finding, findings.md "A finding is one fix"). The policy, statement or principal edited;
     * not what is written into it.
     *
     * @return e.g. {@code add|<key policy name>} or {@code inline|<principal ARN>}
     */
    String editTarget();

    /**
     * The start of the {@link #editTarget()} of a change to an IAM Identity Center permission set or to the customer
     * managed policy it references: made once for every account the permission set is provisioned to.
     */
    String PERMISSION_SET_TARGET = "permission-set|";

    /**
     * Merges a change with the same {@link #editTarget()} into one that makes both edits at once: statements of the same
     * shape are merged into one listing every principal, resource and region of both
     * ({@link PolicyJson#mergeStatements}); a replacement for an AWS managed policy lists both holders.
     *
     * @param other a change with the same target; never null
     * @return the merged change
     * @throws IllegalArgumentException when the targets differ
     */
    Change merge(Change other);

    private static <T extends Change> T same(Change a, Change b, Class<T> type) {
        if (!type.isInstance(b) || !a.editTarget().equals(b.editTarget())) {
            throw new IllegalArgumentException("cannot merge " + a.editTarget() + " with " + b.editTarget());
        }
        return type.cast(b);
    }

    private static String json(ObjectNode doc, boolean pretty) {
        return pretty ? PolicyJson.pretty(doc) : PolicyJson.compact(doc);
    }

    private static PolicySource withText(PolicySource s, String text) {
        return new PolicySource(s.name(), s.origin(), s.accountId(), s.ownerArn(), s.localName(), text);
    }

    /**
     * Attach a new inline policy to a user or role.
     *
     * @param principalArn the user or role
     * @param policyName   the new inline policy's name
     * @param document     the policy document
     */
    record AddInlinePolicy(String principalArn, String policyName, ObjectNode document) implements Change {
        @Override
        public EvalSet apply(EvalSet set, PrincipalRef p, PolicyLibrary library) {
            PolicySource.Origin o = p != null && p.kind() == PrincipalKind.USER ? PolicySource.Origin.USER_INLINE
                    : PolicySource.Origin.ROLE_INLINE;
            PolicySource s = new PolicySource(PolicySource.inlineName(principalArn, policyName), o,
                    SnapshotIndex.accountOf(principalArn), principalArn, policyName, PolicyJson.compact(document));
            // unique per principal and key: parsed, not cached
            return set.plusIdentity(PolicyLibrary.parseDerived(s));
        }

        @Override
        public String describe() {
            return "attach the snippet as inline policy `" + policyName + "` to " + principalArn + ".";
        }

        @Override
        public String editTarget() {
            return "inline|" + principalArn;
        }

        @Override
        public Change merge(Change other) {
            AddInlinePolicy o = same(this, other, AddInlinePolicy.class);
            List<ObjectNode> st = new ArrayList<>(PolicyJson.statements(document));
            st.addAll(PolicyJson.statements(o.document));
            return new AddInlinePolicy(principalArn, policyName.equals(o.policyName) ? policyName
                    : Remediator.ATTACH_POLICY_NAME, PolicyJson.document(PolicyJson.mergeStatements(st)));
        }

        @Override
        public String snippet(boolean pretty) {
            return json(document, pretty);
        }
    }

    /**
     * Add statements to the inline policy of an IAM Identity Center permission set, then provision the permission set
     * again to every account it is provisioned to: the fix for a principal that is a reserved
     * {@code AWSReservedSSO_*} role, which Identity Center owns and IAM can't edit
     * (https://docs.aws.amazon.com/singlesignon/latest/userguide/howtoeditpermissionset.html,
     * https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutInlinePolicyToPermissionSet.html,
     * https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ProvisionPermissionSet.html). Applied to an
     * evaluation it adds the statements to the role as provisioning would.
     *
     * @param instanceArn        the Identity Center instance
     * @param permissionSetArn   the permission set
     * @param permissionSetName  its name
     * @param currentInline      its inline policy as JSON text, or null for none
     * @param statements         the statements to add
     * @param provisionedAccounts the accounts it is provisioned to (provisioning updates each one's role)
     */
    record PermissionSetInlineStatements(String instanceArn, String permissionSetArn, String permissionSetName,
                                         String currentInline, List<ObjectNode> statements,
                                         List<String> provisionedAccounts) implements Change {
        /** The name Identity Center gives the inline policy on the reserved roles. */
        static final String ROLE_POLICY_NAME = "AwsSSOInlinePolicy";

        /** @return the permission set's whole new inline policy (put-inline-policy replaces it) */
        ObjectNode newInline() {
            ObjectNode cur = currentInline == null ? null : PolicyJson.parse(currentInline);
            if (cur == null) {
                return PolicyJson.document(statements);
            }
            return PolicyJson.parse(PolicyJson.addStatements(currentInline, statements));
        }

        @Override
        public EvalSet apply(EvalSet set, PrincipalRef p, PolicyLibrary library) {
            if (p == null) {
                return set;
            }
            PolicySource s = new PolicySource(PolicySource.inlineName(p.arn(), ROLE_POLICY_NAME + "+" + permissionSetName),
                    PolicySource.Origin.ROLE_INLINE, SnapshotIndex.accountOf(p.arn()), p.arn(), ROLE_POLICY_NAME,
                    PolicyJson.compact(PolicyJson.document(statements)));
            return set.plusIdentity(PolicyLibrary.parseDerived(s));
        }

        @Override
        public String describe() {
            return "add the snippet's statement" + (statements.size() > 1 ? "s" : "") + " to the inline policy of "
                    + "IAM Identity Center permission set `" + permissionSetName + "` (" + permissionSetArn
                    + "; the snippet is its whole new inline policy), then provision it again to its "
                    + provisionedAccounts.size() + " account(s) " + String.join(", ", provisionedAccounts) + ": "
                    + commands() + " Don't edit the AWSReservedSSO_" + permissionSetName + "_* roles in IAM: "
                    + "Identity Center owns them and overwrites changes.";
        }

        /** @return the two AWS CLI commands, in order */
        String commands() {
            return "`aws sso-admin put-inline-policy-to-permission-set --instance-arn " + instanceArn
                    + " --permission-set-arn " + permissionSetArn + " --inline-policy file://inline-policy.json` "
                    + "then `aws sso-admin provision-permission-set --instance-arn " + instanceArn
                    + " --permission-set-arn " + permissionSetArn + " --target-type ALL_PROVISIONED_ACCOUNTS`.";
        }

        @Override
        public String snippet(boolean pretty) {
            return json(newInline(), pretty);
        }

        @Override
        public String editTarget() {
            return PERMISSION_SET_TARGET + permissionSetArn;
        }

        @Override
        public Change merge(Change other) {
            PermissionSetInlineStatements o = same(this, other, PermissionSetInlineStatements.class);
            List<ObjectNode> st = new ArrayList<>(statements);
            st.addAll(o.statements);
            return new PermissionSetInlineStatements(instanceArn, permissionSetArn, permissionSetName, currentInline,
                    PolicyJson.mergeStatements(st), provisionedAccounts);
        }
    }

    /**
     * Add statements to the customer managed policy an IAM Identity Center permission set references (as its
     * permissions boundary, or as one of its customer managed policies), in every account the permission set is
     * provisioned to: Identity Center attaches the policy of that name and path in each account to the reserved role,
     * so each account's copy is edited (no new provisioning needed)
     * (https://docs.aws.amazon.com/singlesignon/latest/userguide/howtocmp.html,
     * https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsboundary.html). Applied to an evaluation it
     * edits the copy in the principal's account.
     *
     * @param permissionSetArn  the permission set
     * @param permissionSetName its name
     * @param partition         the partition of the accounts, e.g. {@code aws}
     * @param reference         the referenced policy's name and path
     * @param boundary          true when the permission set references it as its permissions boundary
     * @param statements        the statements to add
     * @param accounts          the accounts to edit it in (the permission set's provisioned accounts), sorted
     */
    record ReferencedPolicyStatements(String permissionSetArn, String permissionSetName, String partition,
                                      io.cmkaudit.snapshot.CustomerManagedPolicyReference reference, boolean boundary,
                                      List<ObjectNode> statements, List<String> accounts) implements Change {
        /** @return the policy's ARN in an account */
        String policyArn(String accountId) {
            return reference.arnIn(partition, accountId);
        }

        @Override
        public EvalSet apply(EvalSet set, PrincipalRef p, PolicyLibrary library) {
            if (p == null) {
                return set;
            }
            Entry cur = set.find(policyArn(p.accountId()));
            if (cur == null) {
                return set;
            }
            return set.replace(library.derived(withText(cur.source(),
                    PolicyJson.addStatements(cur.source().text(), statements))));
        }

        @Override
        public String describe() {
            return "add the snippet's statement" + (statements.size() > 1 ? "s" : "") + " to customer managed policy `"
                    + reference.path() + reference.name() + "`, which IAM Identity Center permission set `"
                    + permissionSetName + "` (" + permissionSetArn + ") references as its "
                    + (boundary ? "permissions boundary" : "customer managed policy") + ", in each of its "
                    + accounts.size() + " account(s) " + String.join(", ", accounts) + " (Identity Center attaches "
                    + "each account's policy of that name to the role; no new provisioning needed): per account, `aws "
                    + "iam create-policy-version --policy-arn " + policyArn("<account>") + " --policy-document "
                    + "file://policy.json --set-as-default` with that account's current version plus the statement"
                    + (statements.size() > 1 ? "s" : "") + ". Don't edit the AWSReservedSSO_" + permissionSetName
                    + "_* roles in IAM.";
        }

        @Override
        public String snippet(boolean pretty) {
            return json(PolicyJson.document(statements), pretty);
        }

        @Override
        public String editTarget() {
            return PERMISSION_SET_TARGET + permissionSetArn + "|" + (boundary ? "boundary" : "policy") + "|"
                    + reference.path() + reference.name();
        }

        @Override
        public Change merge(Change other) {
            ReferencedPolicyStatements o = same(this, other, ReferencedPolicyStatements.class);
            List<ObjectNode> st = new ArrayList<>(statements);
            st.addAll(o.statements);
            java.util.Set<String> acc = new java.util.TreeSet<>(accounts);
            acc.addAll(o.accounts);
            return new ReferencedPolicyStatements(permissionSetArn, permissionSetName, partition, reference, boundary,
                    PolicyJson.mergeStatements(st), List.copyOf(acc));
        }
    }

    /**
     * Append statements to an existing policy: a key policy, a permissions boundary, an SCP or an RCP.
     *
     * @param target     the policy to extend
     * @param statements the statements to append
     */
    record AddStatements(PolicySource target, List<ObjectNode> statements) implements Change {
        @Override
        public EvalSet apply(EvalSet set, PrincipalRef p, PolicyLibrary library) {
            Entry cur = set.find(target.name());
            if (cur == null) {
                return set;
            }
            return set.replace(library.derived(withText(cur.source(),
                    PolicyJson.addStatements(cur.source().text(), statements))));
        }

        @Override
        public String describe() {
            String what = "add the snippet's statement" + (statements.size() > 1 ? "s" : "");
            return switch (target.origin()) {
                case KEY_POLICY -> what + " to the key policy of " + target.ownerArn() + ".";
                case SCP, RCP -> what + " to " + target.name() + ".";
                default -> what + " to the " + target.origin().noun() + " " + target.name()
                        + " (the permissions boundary).";
            };
        }

        @Override
        public String snippet(boolean pretty) {
            return json(PolicyJson.document(statements), pretty);
        }

        @Override
        public String editTarget() {
            return "add|" + target.name();
        }

        @Override
        public Change merge(Change other) {
            AddStatements o = same(this, other, AddStatements.class);
            List<ObjectNode> st = new ArrayList<>(statements);
            st.addAll(o.statements);
            return new AddStatements(target, PolicyJson.mergeStatements(st));
        }
    }

    /**
     * Replace one statement of a policy by others (none = delete it). For an AWS managed policy, which can't be
     * edited, the change means: create one customer managed copy with this replacement, attach it to each of
     * {@code holderArns} and detach the AWS managed policy from them.
     *
     * @param target     the policy
     * @param index      zero-based index of the statement in the policy's {@code Statement} array
     * @param before     the statement as it is
     * @param after      its replacement (possibly several statements)
     * @param holderArns the users, groups or roles the (AWS managed) policy is attached to, sorted; empty for other
     *                   policies; never null
     */
    record ReplaceStatement(PolicySource target, int index, ObjectNode before, List<ObjectNode> after,
                            List<String> holderArns) implements Change {
        public ReplaceStatement {
            holderArns = List.copyOf(new java.util.TreeSet<>(holderArns));
        }

        /** A replacement of a statement held by at most one holder. */
        ReplaceStatement(PolicySource target, int index, ObjectNode before, List<ObjectNode> after, String holderArn) {
            this(target, index, before, after, holderArn == null ? List.of() : List.of(holderArn));
        }

        @Override
        public String editTarget() {
            return "replace|" + target.name() + "#" + index + "|" + PolicyJson.compact(PolicyJson.document(after));
        }

        @Override
        public Change merge(Change other) {
            ReplaceStatement o = same(this, other, ReplaceStatement.class);
            List<String> holders = new ArrayList<>(holderArns);
            holders.addAll(o.holderArns);
            return new ReplaceStatement(target, index, before, after, holders);
        }

        @Override
        public EvalSet apply(EvalSet set, PrincipalRef p, PolicyLibrary library) {
            Entry cur = set.find(target.name());
            if (cur == null) {
                return set;
            }
            return set.replace(library.derived(withText(cur.source(),
                    PolicyJson.replaceStatement(cur.source().text(), index, after))));
        }

        @Override
        public String describe() {
            String label = Remediator.statementLabel(before, index);
            String what = after.isEmpty() ? "delete statement " + label
                    : "replace statement " + label + " by the snippet's statement" + (after.size() > 1 ? "s" : "");
            if (target.origin() == PolicySource.Origin.AWS_MANAGED) {
                return target.name() + " is AWS managed and can't be edited: create a customer managed copy (the "
                        + "snippet) in which you " + what + ", attach it to "
                        + (holderArns.isEmpty() ? "the principal" : String.join(", ", holderArns))
                        + " and detach " + target.name() + (holderArns.size() > 1 ? " from them." : ".");
            }
            String where = switch (target.origin()) {
                case KEY_POLICY -> "the key policy of " + target.ownerArn();
                case SCP, RCP -> target.name();
                default -> target.origin().noun() + " " + target.name();
            };
            return "in " + where + ", " + what + ".";
        }

        @Override
        public String snippet(boolean pretty) {
            return json(target.origin() == PolicySource.Origin.AWS_MANAGED
                    ? PolicyJson.parse(PolicyJson.replaceStatement(target.text(), index, after))
                    : PolicyJson.document(after), pretty);
        }
    }

    /**
     * Create a KMS grant (made by the key's account), e.g. for a service-linked role that must use a key of another
     * account (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
     *
     * @param keyArn           the key
     * @param granteePrincipal the grantee
     * @param operations       grant operations
     */
    record CreateGrant(String keyArn, String granteePrincipal, List<String> operations) implements Change {
        @Override
        public EvalSet apply(EvalSet set, PrincipalRef p, PolicyLibrary library) {
            List<Grant> grants = new ArrayList<>(set.grants);
            grants.add(new Grant("cmk-audit-proposed", null, granteePrincipal, operations, null));
            return new EvalSet(set.identity, set.boundary, set.scp, set.rcp, set.keyPolicy, grants, set.keyState,
                    set.resourceInManagementAccount);
        }

        @Override
        public String describe() {
            String roleAccount = SnapshotIndex.accountOf(granteePrincipal);
            String keyAccount = SnapshotIndex.accountOf(keyArn);
            String region = keyArn.split(":", 6).length == 6 ? keyArn.split(":", 6)[3] : null;
            return "run in account " + roleAccount + " (the service-linked role's account, whose principal needs "
                    + "IAM kms:CreateGrant on the key; the key policy of account " + keyAccount + " must let account "
                    + roleAccount + " call kms:CreateGrant on it without a kms:GrantIsForAWSResource condition), "
                    + "because the role's policies can't be edited: aws kms create-grant --key-id " + keyArn
                    + " --grantee-principal " + granteePrincipal + " --operations "
                    + String.join(" ", operations) + (region == null ? "" : " --region " + region)
                    + ". Do not delete and re-create the role afterwards: that breaks the grant.";
        }

        @Override
        public String editTarget() {
            return "grant|" + keyArn + "|" + granteePrincipal + "|" + operations;
        }

        @Override
        public Change merge(Change other) {
            return same(this, other, CreateGrant.class);
        }

        @Override
        public String snippet(boolean pretty) {
            return null;
        }
    }

    /**
     * Revoke a KMS grant (https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html).
     *
     * @param keyArn  the key
     * @param grantId the grant id
     */
    record RevokeGrant(String keyArn, String grantId) implements Change {
        @Override
        public EvalSet apply(EvalSet set, PrincipalRef p, PolicyLibrary library) {
            return new EvalSet(set.identity, set.boundary, set.scp, set.rcp, set.keyPolicy,
                    set.grants.stream().filter(x -> !grantId.equals(x.grantId())).toList(), set.keyState,
                    set.resourceInManagementAccount);
        }

        @Override
        public String describe() {
            return "revoke the grant: aws kms revoke-grant --key-id " + keyArn + " --grant-id " + grantId + ".";
        }

        @Override
        public String editTarget() {
            return "revoke|" + keyArn + "|" + grantId;
        }

        @Override
        public Change merge(Change other) {
            return same(this, other, RevokeGrant.class);
        }

        @Override
        public String snippet(boolean pretty) {
            return null;
        }
    }
}
