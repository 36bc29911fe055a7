package baton.conversation;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Where a conversation came from and what was forked from it, as far as the caller may see.
 *
 * @param ancestors the conversations it was forked from, nearest first
 * @param forks forks made from it (all for its owner and admins, the caller's own for others)
 */
public record Lineage(List<Ancestor> ancestors, List<Fork> forks) {

    public Lineage {
        ancestors = List.copyOf(ancestors);
        forks = List.copyOf(forks);
    }

    /**
     * One conversation up the chain.
     *
     * @param title null when the caller may not read it (or it was deleted)
     * @param forkedAtMessageId the last message copied from it into the next conversation down
     */
    public record Ancestor(UUID conversationId, String ownerId, String title, boolean deleted,
            UUID forkedAtMessageId, int forkedAtIndex) {
    }

    /** One fork made from the conversation: {@code copiedUpToIndex} is the index of the last message copied. */
    public record Fork(UUID conversationId, String ownerId, Instant createdAt, UUID copiedUpToMessageId,
            int copiedUpToIndex) {
    }
}
