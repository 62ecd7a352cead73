package io.cmkaudit.policy;

/**
 * The policy layers of AWS's evaluation, in the order decisions list them
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
 */
public enum Layer {
    /** The principal's identity policies (its own and its groups'). */
    IDENTITY("identity"),
    /** The principal's permissions boundary. */
    BOUNDARY("boundary"),
    /** The session policy of a role or federated-user session. */
    SESSION("session"),
    /** Service control policies of the principal's account. */
    SCP("scp"),
    /** Resource control policies of the resource's account. */
    RCP("rcp"),
    /** The resource-based policy; for KMS, the key policy. */
    RESOURCE("resource"),
    /** KMS grants on the key. */
    GRANT("grant"),
    /** The KMS key's state. */
    KEY_STATE("keyState");

    private final String id;

    Layer(String id) {
        this.id = id;
    }

    /** @return the name used in {@code simulate} output and reports, e.g. {@code keyState} */
    public String id() {
        return id;
    }

    /**
     * @param id a layer name as in {@link #id()}, case-insensitive
     * @return the layer, or null when no layer has that name
     */
    public static Layer byId(String id) {
        for (Layer l : values()) {
            if (l.id.equalsIgnoreCase(id)) {
                return l;
            }
        }
        return null;
    }
}
