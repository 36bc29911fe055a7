package baton.mcp.tools;

import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.ShareRequest;
import baton.conversation.ShareTerms;
import baton.conversation.ToolResultsPolicy;
import baton.mcp.Arguments;
import baton.mcp.JsonViews;
import baton.mcp.ShareLinks;
import baton.mcp.ToolHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code share_conversation}: shares up to a turn end (or following them), with an audience and expiry, and the page's link when there is one. */
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
        String toolResults = args.string("tool_results");
        ShareRequest request = new ShareRequest(args.uuid("until_message_id"), args.strings("with_users"),
                args.longInteger("expires_in_seconds"), args.flag("follow"),
                toolResults == null ? null : ToolResultsPolicy.parse(toolResults));
        Conversation shared = conversations.shareOn(caller, args.requiredUuid("conversation_id"), request);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversation_id", shared.id().toString());
        out.put("shared_until_message_id", shared.sharedUntilMessageId().toString());
        out.put("shared_tool_results", shared.sharedToolResults().wireName());
        ShareTerms terms = shared.share();
        out.put("with_users", terms.withUsers());
        out.put("expires_at", terms.expiresAt() == null ? null : JsonViews.time(terms.expiresAt()));
        out.put("shared_follows", terms.follows());
        links.of(shared.id()).ifPresent(url -> out.put("share_url", url));
        return out;
    }
}
