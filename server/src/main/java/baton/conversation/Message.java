package baton.conversation;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A stored message of a conversation. */
public record Message(
        UUID id,
        UUID conversationId,
        UUID parentId,
        int index,
        MessageRole role,
        MessageType type,
        String tool,
        ContentType contentType,
        String content,
        Instant createdAt) {

    /** The tool name that marks the turns of a conversation. */
    public static final String ROUTER_AGENT = "router_agent";

    public Message {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(conversationId, "conversationId must not be null");
        Objects.requireNonNull(role, "role must not be null");
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(tool, "tool must not be null");
        Objects.requireNonNull(contentType, "contentType must not be null");
        Objects.requireNonNull(content, "content must not be null");
        Objects.requireNonNull(createdAt, "createdAt must not be null");
    }

    /** A turn end: the root result of {@code router_agent}. Only a turn end is a share boundary or fork point. */
    public boolean isTurnEnd() {
        return isTurnEnd(parentId, type, tool);
    }

    public static boolean isTurnEnd(UUID parentId, MessageType type, String tool) {
        return parentId == null && type == MessageType.RESULT && ROUTER_AGENT.equals(tool);
    }
}
