package baton.mcp.tools;

import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.ToolHandler;
import java.util.Map;

/** {@code unshare_conversation}: stops sharing; other members lose read and fork. */
public final class UnshareConversationTool implements ToolHandler {

    private final Conversations conversations;

    public UnshareConversationTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "unshare_conversation";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        Conversation unshared = conversations.unshare(caller, args.requiredUuid("conversation_id"));
        return Map.of("conversation_id", unshared.id().toString(), "shared", false);
    }
}
