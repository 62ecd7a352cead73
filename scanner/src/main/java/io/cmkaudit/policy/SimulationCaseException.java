package io.cmkaudit.policy;

/** A malformed {@code simulate} case file; the message is one line naming the case (index and name) and the field. */
public final class SimulationCaseException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line, e.g. {@code case 2 (`boundary`): field `request.action` is missing}
     */
    public SimulationCaseException(String message) {
        super(message);
    }
}
