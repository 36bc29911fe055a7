package baton.conversation;

import java.util.List;

/** One page of a conversation listing; {@code nextCursor} is null on the last page. */
public record ConversationPage(List<Conversation> conversations, String nextCursor) {
    public ConversationPage {
        conversations = List.copyOf(conversations);
    }
}
