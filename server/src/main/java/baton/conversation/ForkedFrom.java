package baton.conversation;

import java.util.Objects;
import java.util.UUID;

/**
 * Where a fork came from: the source conversation, the last message copied, its index (messages
 * at or below it are the inherited part of the history) and the source's owner.
 */
public record ForkedFrom(UUID conversationId, UUID messageId, int messageIndex, String ownerId) {
    public ForkedFrom {
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        Objects.requireNonNull(messageId, "messageId must not be null");
        Objects.requireNonNull(ownerId, "ownerId must not be null");
        if (messageIndex < 0) {
            throw new IllegalArgumentException("messageIndex must not be negative");
        }
    }
}
