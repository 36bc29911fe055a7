package baton.mcp.tools;

import baton.conversation.ContentType;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import baton.mcp.Arguments;
import baton.mcp.ToolHandler;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code append_messages}: messages appended at the end of a conversation, in order. */
public final class AppendMessagesTool implements ToolHandler {

    private final Conversations conversations;

    public AppendMessagesTool(Conversations conversations) {
        this.conversations = conversations;
    }

    @Override
    public String name() {
        return "append_messages";
    }

    @Override
    public Map<String, Object> call(Identity caller, Arguments args) {
        UUID conversationId = args.requiredUuid("conversation_id");
        List<NewMessage> messages = args.objects("messages").stream().map(AppendMessagesTool::message).toList();
        List<UUID> ids = conversations.append(caller, conversationId, messages);
        return Map.of("message_ids", ids.stream().map(UUID::toString).toList());
    }

    private static NewMessage message(Arguments m) {
        String contentType = m.string("content_type");
        return new NewMessage(
                m.uuid("id"),
                MessageRole.parse(m.requiredString("role")),
                MessageType.parse(m.requiredString("type")),
                m.string("tool"),
                m.uuid("parent_id"),
                contentType == null ? ContentType.TEXT : ContentType.parse(contentType),
                m.requiredString("content"));
    }
}
