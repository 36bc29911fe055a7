package baton.mcp.tools;

import baton.conversation.Conversations;
import baton.conversation.ForkResult;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.JsonViews;
import baton.mcp.ToolHandler;
import java.util.Map;

/** {@code fork_conversation}: copies the caller's visible part, up to a turn end, into a new conversation. */
public final class ForkConversationTool implements ToolHandler {

    private final Conversations conversations;

    public ForkConversationTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "fork_conversation";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        ForkResult fork = conversations.fork(caller, args.requiredUuid("conversation_id"),
                args.uuid("until_message_id"));
        return Map.of("conversation", JsonViews.conversation(fork.conversation(), true),
                "copied_messages", fork.copiedMessages(),
                "lost_access", JsonViews.lostAccess(fork.lostAccess()));
    }
}
