package baton.conversation;

import java.util.List;
import java.util.Objects;

/**
 * A new fork, how many messages it received, and, for a fork of another owner's conversation,
 * what the inherited part used that the new owner cannot obtain.
 */
public record ForkResult(Conversation conversation, int copiedMessages, List<LostAccess> lostAccess) {
    public ForkResult {
        Objects.requireNonNull(conversation, "conversation must not be null");
        lostAccess = lostAccess == null ? List.of() : List.copyOf(lostAccess);
    }

    public ForkResult(Conversation conversation, int copiedMessages) {
        this(conversation, copiedMessages, List.of());
    }
}
