package io.cmkaudit.policy;

/**
 * A malformed {@code simulate} case file; the message is one line naming the case (index and name) and the field,
 * or for a fault of the JSON text the line, column, case and JSON path.
 */
public final class SimulationCaseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The zero-based index of the case at fault, or -1 when the fault is not in a case (empty file, ...). */
    private final int caseIndex;
    /** The case's name when it could be read, or null. */
    private final String caseName;

    /**
     * A fault of the file as a whole (not of one case).
     *
     * @param message one line, e.g. {@code file is empty}
     */
    public SimulationCaseException(String message) {
        this(message, -1, null);
    }

    /**
     * @param message   one line, e.g. {@code case 2 (`boundary`): field `request.action` is missing}
     * @param caseIndex the zero-based index of the case at fault, or -1 when the fault is not in a case
     * @param caseName  the case's name, or null when it has none or could not be read
     */
    public SimulationCaseException(String message, int caseIndex, String caseName) {
        super(oneLine(message));
        this.caseIndex = caseIndex;
        this.caseName = caseName;
    }

    /** @return the zero-based index of the case at fault, or -1 when the fault is not in one case */
    public int caseIndex() {
        return caseIndex;
    }

    /** @return the name of the case at fault, or null when it has none or could not be read */
    public String caseName() {
        return caseName;
    }

    /**
     * The message as one line: a line break or other control character taken from the file (a field or case name
     * holding one) is shown as a backslash escape (backslash-n, backslash-r, backslash-t, backslash-u001b), so the
     * error stays the one line the format promises.
     */
    private static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
