package baton.mcp.tools;

import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.ToolResultsPolicy;
import baton.mcp.Arguments;
import baton.mcp.ToolHandler;
import java.util.Map;

/** {@code share_conversation}: shares up to a turn end, or moves the boundary. */
public final class ShareConversationTool implements ToolHandler {

    private final Conversations conversations;

    public ShareConversationTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "share_conversation";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        String toolResults = args.string("tool_results");
        Conversation shared = conversations.share(caller, args.requiredUuid("conversation_id"),
                args.uuid("until_message_id"), toolResults == null ? null : ToolResultsPolicy.parse(toolResults));
        return Map.of("conversation_id", shared.id().toString(),
                "shared_until_message_id", shared.sharedUntilMessageId().toString(),
                "shared_tool_results", shared.sharedToolResults().wireName());
    }
}
