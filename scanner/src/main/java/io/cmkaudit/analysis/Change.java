package io.cmkaudit.analysis;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One concrete change to the organization's policies that a remediation asks for. A finding's remediation is a list
 * of changes; applying all of them makes the finding disappear (the snippet-proof tests apply them to the snapshot
 * and analyze again). Statements and documents are Jackson trees in IAM policy JSON.
 */
sealed interface Change {

    /**
     * Attach a new inline policy to a user or role.
     *
     * @param principalArn the user or role
     * @param policyName   the new inline policy's name
     * @param document     the policy document
     */
    record AddInlinePolicy(String principalArn, String policyName, ObjectNode document) implements Change {
    }

    /**
     * Append statements to an existing policy: a key policy, a permissions boundary, an SCP or an RCP.
     *
     * @param target     the policy to extend
     * @param statements the statements to append
     */
    record AddStatements(PolicySource target, List<ObjectNode> statements) implements Change {
    }

    /**
     * Replace one statement of a policy by others (none = delete it). For an AWS managed policy, which can't be
     * edited, the change means: attach a customer managed copy with this replacement to {@code holderArn} instead.
     *
     * @param target    the policy
     * @param index     zero-based index of the statement in the policy's {@code Statement} array
     * @param before    the statement as it is
     * @param after     its replacement (possibly several statements)
     * @param holderArn the user, group or role the (AWS managed) policy is attached to; null for other policies
     */
    record ReplaceStatement(PolicySource target, int index, ObjectNode before, List<ObjectNode> after,
                            String holderArn) implements Change {
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
    }

    /**
     * Revoke a KMS grant.
     *
     * @param keyArn  the key
     * @param grantId the grant id
     */
    record RevokeGrant(String keyArn, String grantId) implements Change {
    }
}
