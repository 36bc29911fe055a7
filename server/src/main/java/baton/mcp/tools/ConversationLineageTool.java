package baton.mcp.tools;

import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Lineage;
import baton.mcp.Arguments;
import baton.mcp.JsonViews;
import baton.mcp.ToolHandler;
import java.util.Map;

/** {@code conversation_lineage}: the conversations this one was forked from, and the forks made from it. */
public final class ConversationLineageTool implements ToolHandler {

    private final Conversations conversations;

    public ConversationLineageTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "conversation_lineage";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        Lineage lineage = conversations.lineage(caller, args.requiredUuid("conversation_id"));
        return Map.of("ancestors", lineage.ancestors().stream().map(JsonViews::ancestor).toList(),
                "forks", lineage.forks().stream().map(JsonViews::fork).toList());
    }
}
