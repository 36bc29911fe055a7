package baton.mcp.tools;

import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.JsonViews;
import baton.mcp.ToolHandler;
import java.util.Map;

/** {@code rename_conversation}: a new title for a conversation the caller owns (admins: any). */
public final class RenameConversationTool implements ToolHandler {

    private final Conversations conversations;

    public RenameConversationTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "rename_conversation";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        Conversation renamed = conversations.rename(caller, args.requiredUuid("conversation_id"),
                args.requiredString("title"));
        return Map.of("conversation", JsonViews.conversation(renamed, renamed.isOwnedBy(caller)));
    }
}
