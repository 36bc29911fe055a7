package baton.conversation;

/**
 * The one unchecked exception of Baton. Its message is a single sentence safe to show the caller
 * (it never carries SQL, a stack trace or another project's data); the cause keeps the detail for
 * the log.
 */
public class BatonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public BatonException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public BatonException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
