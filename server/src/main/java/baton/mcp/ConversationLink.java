package baton.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code resource_link} content item that points a tool's new conversation out as the resource
 * {@code baton://conversations/{id}}, so a client can read or subscribe to it without building the URI.
 */
final class ConversationLink {

    /** The tools whose result is a new conversation. */
    private static final Set<String> CREATING = Set.of("create_conversation", "fork_conversation");

    private ConversationLink() {
    }

    static Optional<McpSchema.ResourceLink> of(String tool, Map<String, Object> result) {
        if (!CREATING.contains(tool) || !(result.get("conversation") instanceof Map<?, ?> conversation)
                || !(conversation.get("id") instanceof String id)) {
            return Optional.empty();
        }
        Object title = conversation.get("title");
        return Optional.of(McpSchema.ResourceLink.builder()
                .uri(ConversationResource.URI_PREFIX + id)
                .name("conversation " + id)
                .title(title instanceof String t ? t : null)
                .description("The conversation's metadata and every message you may see of it, as JSON.")
                .mimeType("application/json")
                .build());
    }
}
