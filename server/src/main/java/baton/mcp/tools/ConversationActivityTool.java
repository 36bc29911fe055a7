package baton.mcp.tools;

import baton.conversation.ActivityEvent;
import baton.conversation.ActivityPage;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.JsonViews;
import baton.mcp.ToolHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code conversation_activity}: who read, forked, shared, renamed … a conversation, newest first. */
public final class ConversationActivityTool implements ToolHandler {

    private final Conversations conversations;

    public ConversationActivityTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "conversation_activity";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        ActivityPage page = conversations.activity(caller, args.requiredUuid("conversation_id"),
                args.integer("limit"), args.string("cursor"));
        List<Map<String, Object>> events = page.events().stream()
                .map(JsonViews::activityEvent).toList();
        Map<String, Object> out = new HashMap<>();
        out.put("events", events);
        out.put("next_cursor", page.nextCursor());
        return out;
    }
}
