package baton.mcp;

import baton.conversation.ActivityEvent;
import baton.conversation.Conversation;
import baton.conversation.ForkedFrom;
import baton.conversation.Lineage;
import baton.conversation.LostAccess;
import baton.conversation.Message;
import baton.conversation.ShareTerms;
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
        ShareTerms share = c.share();
        if (share != null) {
            out.put("shared_tool_results", c.sharedToolResults() == null ? null : c.sharedToolResults().wireName());
            out.put("shared_follows", share.follows());
            out.put("expires_at", share.expiresAt() == null ? null : time(share.expiresAt()));
            if (share.audienceShown()) {
                out.put("with_users", share.withUsers());
            }
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

    /** One activity event: {@code at}, {@code actor_id}, {@code action}, folded reads' count and last time, details. */
    public static Map<String, Object> activityEvent(ActivityEvent e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", time(e.at()));
        out.put("actor_id", e.actorId());
        out.put("action", e.action());
        out.put("count", e.count());
        out.put("last_at", time(e.lastAt()));
        out.put("details", e.details());
        return out;
    }

    /** An activity event as a line of {@code baton audit export}: the event with its conversation and project. */
    public static Map<String, Object> exportedEvent(ActivityEvent e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("project_id", e.projectId());
        out.put("conversation_id", e.conversationId().toString());
        out.putAll(activityEvent(e));
        return out;
    }

    public static Map<String, Object> ancestor(Lineage.Ancestor a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversation_id", a.conversationId().toString());
        out.put("owner_id", a.ownerId());
        out.put("title", a.title());
        out.put("deleted", a.deleted());
        out.put("forked_at_message_id", a.forkedAtMessageId().toString());
        out.put("forked_at_index", a.forkedAtIndex());
        return out;
    }

    public static Map<String, Object> fork(Lineage.Fork f) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversation_id", f.conversationId().toString());
        out.put("owner_id", f.ownerId());
        out.put("created_at", time(f.createdAt()));
        out.put("copied_up_to_message_id", f.copiedUpToMessageId().toString());
        out.put("copied_up_to_index", f.copiedUpToIndex());
        return out;
    }

    public static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
