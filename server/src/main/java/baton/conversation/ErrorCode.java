package baton.conversation;

/**
 * The kind of a failure. The code decides how the failure reaches a caller: every code but
 * {@link #INTERNAL} is a business failure whose message is written for the caller.
 */
public enum ErrorCode {
    NOT_FOUND,
    ACCESS_DENIED,
    ROLE_NOT_ALLOWED,
    NOT_A_TURN_END,
    NOTHING_TO_SHARE,
    NOTHING_TO_FORK,
    BAD_PARENT,
    TOO_LARGE,
    ID_REUSED,
    TURN_IN_PROGRESS,
    UPSTREAM_UNAVAILABLE,
    MODEL_UNAVAILABLE,
    INVALID_ARGUMENT,
    STORAGE_UNAVAILABLE,
    CONFIGURATION,
    INTERNAL;

    /** Process exit status for the CLI. */
    public int exitStatus() {
        return switch (this) {
            case INVALID_ARGUMENT, CONFIGURATION -> 2;
            case STORAGE_UNAVAILABLE, UPSTREAM_UNAVAILABLE, MODEL_UNAVAILABLE -> 3;
            case INTERNAL -> 70;
            default -> 1;
        };
    }
}
