package baton.conversation;

import java.util.Objects;

/** A new fork and how many messages it received. */
public record ForkResult(Conversation conversation, int copiedMessages) {
    public ForkResult {
        Objects.requireNonNull(conversation, "conversation must not be null");
    }
}
