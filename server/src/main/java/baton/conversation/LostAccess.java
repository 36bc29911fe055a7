package baton.conversation;

import java.util.Objects;

/**
 * A tool and resource that the inherited part of a fork used and that its new owner could not
 * obtain when forking.
 *
 * @param resource as the access-error classifier names it, or null
 */
public record LostAccess(String tool, String resource, WithheldReason reason) {
    public LostAccess {
        Objects.requireNonNull(tool, "tool must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
    }
}
