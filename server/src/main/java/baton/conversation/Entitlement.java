package baton.conversation;

/**
 * Whether a reader may obtain the result of a recorded call.
 *
 * @param reason null when the reader may obtain it; else why not
 * @param resource what the reader was refused, as the access-error classifier names it (such as
 *     {@code dataset 'finance'}), or null
 */
public record Entitlement(WithheldReason reason, String resource) {

    private static final Entitlement GRANTED = new Entitlement(null, null);
    private static final Entitlement UNCHECKED = new Entitlement(WithheldReason.UNCHECKED, null);

    public Entitlement {
        if (reason == WithheldReason.DERIVED || reason == WithheldReason.OWNER_CHOICE) {
            throw new IllegalArgumentException("an entitlement check never answers " + reason);
        }
    }

    public static Entitlement granted() {
        return GRANTED;
    }

    public static Entitlement unchecked() {
        return UNCHECKED;
    }

    public boolean isGranted() {
        return reason == null;
    }

    /** True when the check found that the reader cannot obtain it (not merely that it could not check). */
    public boolean isLost() {
        return reason == WithheldReason.ACCESS_DENIED || reason == WithheldReason.NOT_FOUND;
    }
}
