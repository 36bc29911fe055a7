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
 * @param messageCount the number of messages, also the index of the next one (for a reader who
 *     is not the owner: of the shared part only)
 * @param share the terms of the share (audience, expiry, follow) while shared, else null
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
        ShareTerms share,
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
        if ((sharedUntilMessageId == null) != (share == null)) {
            throw new IllegalArgumentException("share terms are set exactly while shared");
        }
    }

    /**
     * A conversation whose share, if any, is for the whole project, pinned and without expiry, with
     * no share policy of its own and without lost access.
     */
    public Conversation(UUID id, String projectId, String ownerId, String title, Instant createdAt, Instant updatedAt,
            UUID sharedUntilMessageId, Integer sharedUntilIndex, ForkedFrom forkedFrom, String earlierOwnerId,
            int messageCount) {
        this(id, projectId, ownerId, title, createdAt, updatedAt, sharedUntilMessageId, sharedUntilIndex, forkedFrom,
                earlierOwnerId, messageCount, sharedUntilMessageId == null ? null : ShareTerms.PROJECT, null, List.of());
    }

    /** This conversation as a reader sees it: at a boundary, with that part's time and count, and the given terms. */
    public Conversation seenAt(Instant updatedAt, UUID boundaryId, Integer boundaryIndex, int messageCount,
            ShareTerms share) {
        return new Conversation(id, projectId, ownerId, title, createdAt, updatedAt, boundaryId, boundaryIndex,
                forkedFrom, earlierOwnerId, messageCount, share, sharedToolResults, lostAccess);
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
