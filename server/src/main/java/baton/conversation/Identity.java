package baton.conversation;

import java.util.Objects;

/**
 * Who is calling: a user acting in one project with one role. Every request is served for an
 * identity; there is no anonymous access.
 */
public record Identity(String userId, String projectId, Role role) {

    public Identity {
        requireName(userId, "userId");
        requireName(projectId, "projectId");
        Objects.requireNonNull(role, "role must not be null");
    }

    /**
     * Checks a user or project id where it is made, naming it as its maker knows it ({@code --user},
     * {@code BATON_USER}, {@code userId}): not empty, at most 200 characters, and no control
     * characters (a newline or escape in an id would forge log lines and garble listings).
     *
     * @return the value
     */
    public static String requireName(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, field + " must not be empty.");
        }
        if (value.length() > 200) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, field + " must be at most 200 characters.");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT, field + " must not contain control characters"
                        + " (U+" + String.format("%04X", (int) c) + " at position " + (i + 1) + ").");
            }
        }
        return value;
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
