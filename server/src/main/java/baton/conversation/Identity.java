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

    private static void requireName(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, field + " must not be empty.");
        }
        if (value.length() > 200) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, field + " must be at most 200 characters.");
        }
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
