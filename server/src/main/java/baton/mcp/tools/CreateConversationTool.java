package baton.mcp.tools;

import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.JsonViews;
import baton.mcp.ToolHandler;
import java.util.Map;

/** {@code create_conversation}: a new empty conversation owned by the caller. */
public final class CreateConversationTool implements ToolHandler {

    private final Conversations conversations;

    public CreateConversationTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "create_conversation";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        Conversation created = conversations.create(caller, args.string("title"));
        return Map.of("conversation", JsonViews.conversation(created, true));
    }
}
