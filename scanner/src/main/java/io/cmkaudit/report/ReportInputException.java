package io.cmkaudit.report;

/**
 * A file the user gave to the report phase is unusable as a whole: the suppressions file, a previous
 * {@code findings.json}, or a template in {@code --templates DIR}. The message is one line naming the file (and the
 * line where known) and what is wrong; the command line maps it to exit code 64.
 */
public final class ReportInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message one line: {@code FILE:LINE: what is wrong} */
    public ReportInputException(String message) {
        super(message);
    }

    /**
     * @param message one line: {@code FILE:LINE: what is wrong}
     * @param cause   the parser's exception, kept for {@code -v}
     */
    public ReportInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
