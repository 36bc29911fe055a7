package baton.conversation;

import java.util.List;
import java.util.Objects;

/**
 * What a caller may see of a conversation: its metadata and one page of its visible messages,
 * already cut at the caller's boundary by the query that loaded them.
 *
 * @param isOwner whether the caller owns the conversation
 * @param messages the page, in index order
 * @param nextAfterIndex the {@code after_index} of the next page, or null at the end of what is visible
 */
public record ConversationView(Conversation conversation, boolean isOwner, List<Message> messages,
        Integer nextAfterIndex) {

    public ConversationView {
        Objects.requireNonNull(conversation, "conversation must not be null");
        messages = List.copyOf(messages);
    }
}
