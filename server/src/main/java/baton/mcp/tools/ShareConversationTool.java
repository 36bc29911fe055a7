package baton.mcp.tools;

import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.mcp.Arguments;
import baton.mcp.ShareLinks;
import baton.mcp.ToolHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code share_conversation}: shares up to a turn end, or moves the boundary; with the page's link when there is one. */
public final class ShareConversationTool implements ToolHandler {

    private final Conversations conversations;
    private final ShareLinks links;

    public ShareConversationTool(Conversations conversations) {
        this(conversations, ShareLinks.NONE);
    }

    public ShareConversationTool(Conversations conversations, ShareLinks links) {
        this.conversations = conversations;
        this.links = links;
    }

    @Override
    public String name() {
        return "share_conversation";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        Conversation shared = conversations.share(caller, args.requiredUuid("conversation_id"),
                args.uuid("until_message_id"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversation_id", shared.id().toString());
        out.put("shared_until_message_id", shared.sharedUntilMessageId().toString());
        links.of(shared.id()).ifPresent(url -> out.put("share_url", url));
        return out;
    }
}
