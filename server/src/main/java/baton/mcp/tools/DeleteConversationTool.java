package baton.mcp.tools;

import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.ToolHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** {@code delete_conversation}: removes a conversation and its messages; forks keep their copies. */
public final class DeleteConversationTool implements ToolHandler {

    private final Conversations conversations;

    public DeleteConversationTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "delete_conversation";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        UUID id = args.requiredUuid("conversation_id");
        int messages = conversations.delete(caller, id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversation_id", id.toString());
        out.put("deleted", true);
        out.put("deleted_messages", messages);
        return out;
    }
}
