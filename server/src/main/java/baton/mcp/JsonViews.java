package baton.mcp;

import baton.conversation.Conversation;
import baton.conversation.ForkedFrom;
import baton.conversation.LostAccess;
import baton.conversation.Message;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the MCP surface (snake_case, RFC 3339 times), as plain maps. */
public final class JsonViews {

    private JsonViews() {
    }

    public static Map<String, Object> conversation(Conversation c, boolean isOwner) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id().toString());
        out.put("title", c.title());
        out.put("owner_id", c.ownerId());
        out.put("is_owner", isOwner);
        out.put("shared_until_message_id", c.sharedUntilMessageId() == null ? null : c.sharedUntilMessageId().toString());
        out.put("forked_from", forkedFrom(c.forkedFrom()));
        out.put("created_at", time(c.createdAt()));
        out.put("updated_at", time(c.updatedAt()));
        if (c.isShared()) {
            out.put("shared_tool_results", c.sharedToolResults() == null ? null : c.sharedToolResults().wireName());
        }
        return out;
    }

    /** A fork's lost access: what the inherited part used that its new owner cannot obtain. */
    public static List<Map<String, Object>> lostAccess(List<LostAccess> lost) {
        return lost.stream().map(l -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tool", l.tool());
            out.put("resource", l.resource());
            out.put("reason", l.reason().wireName());
            return out;
        }).toList();
    }

    private static Map<String, Object> forkedFrom(ForkedFrom f) {
        if (f == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversation_id", f.conversationId().toString());
        out.put("message_id", f.messageId().toString());
        out.put("owner_id", f.ownerId());
        return out;
    }

    public static Map<String, Object> message(Message m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id().toString());
        out.put("parent_id", m.parentId() == null ? null : m.parentId().toString());
        out.put("index", m.index());
        out.put("role", m.role().wireName());
        out.put("type", m.type().wireName());
        out.put("tool", m.tool());
        out.put("content_type", m.contentType().wireName());
        out.put("content", m.content());
        out.put("created_at", time(m.createdAt()));
        return out;
    }

    public static List<Map<String, Object>> messages(List<Message> messages) {
        return messages.stream().map(JsonViews::message).toList();
    }

    public static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
