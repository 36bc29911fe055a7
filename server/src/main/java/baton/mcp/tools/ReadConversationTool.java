package baton.mcp.tools;

import baton.conversation.ConversationView;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.JsonViews;
import baton.mcp.ToolHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code read_conversation}: metadata and one page of the caller's visible messages. */
public final class ReadConversationTool implements ToolHandler {

    private final Conversations conversations;

    public ReadConversationTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "read_conversation";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        Integer after = args.integer("after_index");
        Integer limit = args.integer("limit");
        ConversationView view = conversations.read(caller, args.requiredUuid("conversation_id"),
                after == null ? -1 : after, limit == null ? Conversations.DEFAULT_READ_LIMIT : limit);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversation", JsonViews.conversation(view.conversation(), view.isOwner()));
        out.put("messages", JsonViews.messages(view.messages()));
        out.put("next_after_index", view.nextAfterIndex());
        return out;
    }
}
