package baton.conversation;

import java.util.Locale;

/** What a member of a project may do. Each role includes everything the previous one may. */
public enum Role {
    /** Reads own conversations and the shared part of others'. */
    VIEWER,
    /** Viewer, plus create, append, send, share own conversations and fork. */
    EDITOR,
    /** Editor, plus read, share and unshare every conversation of the project. */
    ADMIN;

    public boolean canWrite() {
        return this != VIEWER;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code viewer}, {@code editor} or {@code admin}, case-insensitively. */
    public static Role parse(String text) {
        if (text != null) {
            for (Role role : values()) {
                if (role.wireName().equalsIgnoreCase(text.trim())) {
                    return role;
                }
            }
        }
        throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                "role must be one of viewer, editor or admin, not " + Quote.of(text) + ".");
    }
}
