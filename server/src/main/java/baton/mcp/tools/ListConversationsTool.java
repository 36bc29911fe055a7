package baton.mcp.tools;

import baton.conversation.ConversationPage;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.ListScope;
import baton.mcp.Arguments;
import baton.mcp.JsonViews;
import baton.mcp.ToolHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code list_conversations}: the caller's own conversations, or those others share now. */
public final class ListConversationsTool implements ToolHandler {

    private final Conversations conversations;

    public ListConversationsTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "list_conversations";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        ConversationPage page = conversations.list(caller, ListScope.parse(args.string("scope")),
                args.integer("limit"), args.string("cursor"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversations", page.conversations().stream()
                .map(c -> JsonViews.conversation(c, c.isOwnedBy(caller))).toList());
        out.put("next_cursor", page.nextCursor());
        return out;
    }
}
