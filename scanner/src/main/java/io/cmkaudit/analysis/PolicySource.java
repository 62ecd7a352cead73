package io.cmkaudit.analysis;

import java.util.Objects;

/**
 * Where a policy document of the snapshot comes from, and its text. The {@link #name()} is the stable name the
 * analysis gives the policy: it is what the engine reports in its decisions and what findings cite as evidence.
 *
 * <p>Names: a managed policy's ARN; {@code <owner ARN>:inline/<name>} for an inline policy of a user, group or role;
 * {@code SCP <name> (<id>)} / {@code RCP <name> (<id>)} for organization policies; {@code <key ARN>:policy/default}
 * for a key policy.
 *
 * @param name      unique name of the policy in the snapshot; never null
 * @param origin    what kind of policy it is; never null
 * @param accountId account the policy lives in (null for AWS managed policies and organization policies)
 * @param ownerArn  user, group or role ARN for inline policies; the key ARN for key policies; the policy ARN for managed
 *                  policies; the organization policy id for SCPs / RCPs; never null
 * @param localName the inline policy's name, the organization policy's name, {@code default} for key policies, the
 *                  managed policy's name; never null
 * @param text      the document as JSON text (possibly malformed); never null
 */
record PolicySource(String name, Origin origin, String accountId, String ownerArn, String localName, String text) {

    /** The kinds of policy documents a snapshot holds. */
    enum Origin {
        AWS_MANAGED, CUSTOMER_MANAGED, USER_INLINE, GROUP_INLINE, ROLE_INLINE, SCP, RCP, KEY_POLICY;

        /** @return whether a customer may edit a policy of this kind */
        boolean editable() {
            return this != AWS_MANAGED;
        }

        /** @return a short human noun, e.g. {@code inline policy} */
        String noun() {
            return switch (this) {
                case AWS_MANAGED -> "AWS managed policy";
                case CUSTOMER_MANAGED -> "customer managed policy";
                case USER_INLINE, GROUP_INLINE, ROLE_INLINE -> "inline policy";
                case SCP -> "service control policy";
                case RCP -> "resource control policy";
                case KEY_POLICY -> "key policy";
            };
        }
    }

    PolicySource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(ownerArn, "ownerArn");
        Objects.requireNonNull(localName, "localName");
        Objects.requireNonNull(text, "text");
    }

    static String inlineName(String ownerArn, String policyName) {
        return ownerArn + ":inline/" + policyName;
    }

    static String keyPolicyName(String keyArn) {
        return keyArn + ":policy/default";
    }

    static String orgPolicyName(String kind, String name, String id) {
        return kind + " " + name + " (" + id + ")";
    }
}
