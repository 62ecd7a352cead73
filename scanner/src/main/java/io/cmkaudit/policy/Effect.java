package io.cmkaudit.policy;

/** The {@code Effect} of a statement (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html). */
public enum Effect {
    /** {@code "Allow"}. */
    ALLOW("Allow"),
    /** {@code "Deny"}. */
    DENY("Deny");

    private final String text;

    Effect(String text) {
        this.text = text;
    }

    /** @return the value as written in a policy: {@code Allow} or {@code Deny} */
    public String text() {
        return text;
    }
}
