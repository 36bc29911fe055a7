package baton.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A conversation's metadata as stored.
 *
 * @param sharedUntilMessageId the share boundary (a turn end), or null when not shared
 * @param sharedUntilIndex the boundary's index, or null when not shared
 * @param forkedFrom where this conversation was forked from, or null
 * @param earlierOwnerId the nearest other owner of the inherited history, or null when the whole
 *     history is the owner's own (then it is not a cross-owner fork)
 * @param messageCount the number of messages, also the index of the next one
 * @param sharedToolResults the tool-results policy of the share, or null when not shared (or shared
 *     before policies existed: then the server's default applies)
 * @param lostAccess what the new owner of a fork of another owner's conversation could not obtain
 *     when forking; empty otherwise
 */
public record Conversation(
        UUID id,
        String projectId,
        String ownerId,
        String title,
        Instant createdAt,
        Instant updatedAt,
        UUID sharedUntilMessageId,
        Integer sharedUntilIndex,
        ForkedFrom forkedFrom,
        String earlierOwnerId,
        int messageCount,
        ToolResultsPolicy sharedToolResults,
        List<LostAccess> lostAccess) {

    public Conversation {
        lostAccess = lostAccess == null ? List.of() : List.copyOf(lostAccess);
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(projectId, "projectId must not be null");
        Objects.requireNonNull(ownerId, "ownerId must not be null");
        Objects.requireNonNull(title, "title must not be null");
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        Objects.requireNonNull(updatedAt, "updatedAt must not be null");
        if ((sharedUntilMessageId == null) != (sharedUntilIndex == null)) {
            throw new IllegalArgumentException("sharedUntilMessageId and sharedUntilIndex must be set together");
        }
    }

    /** A conversation without a share policy and without lost access. */
    public Conversation(UUID id, String projectId, String ownerId, String title, Instant createdAt, Instant updatedAt,
            UUID sharedUntilMessageId, Integer sharedUntilIndex, ForkedFrom forkedFrom, String earlierOwnerId,
            int messageCount) {
        this(id, projectId, ownerId, title, createdAt, updatedAt, sharedUntilMessageId, sharedUntilIndex, forkedFrom,
                earlierOwnerId, messageCount, null, List.of());
    }

    public boolean isShared() {
        return sharedUntilMessageId != null;
    }

    /** True when the history holds another owner's turns, so access may differ from theirs. */
    public boolean isCrossOwnerFork() {
        return earlierOwnerId != null;
    }

    public boolean isOwnedBy(Identity identity) {
        return ownerId.equals(identity.userId()) && projectId.equals(identity.projectId());
    }
}
