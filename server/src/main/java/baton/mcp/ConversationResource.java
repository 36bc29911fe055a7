package baton.mcp;

import baton.conversation.BatonException;
import baton.conversation.ConversationView;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Quote;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resource template {@code baton://conversations/{id}}: the caller's visible messages as JSON,
 * read through the same access entry point as {@code read_conversation}.
 */
public final class ConversationResource {

    public static final String URI_PREFIX = "baton://conversations/";

    private static final Logger log = LoggerFactory.getLogger(ConversationResource.class);

    private final Conversations conversations;
    private final ObjectMapper mapper;
    private final IdentityResolver identities;

    public ConversationResource(Conversations conversations, ObjectMapper mapper, IdentityResolver identities) {
        this.conversations = conversations;
        this.mapper = mapper;
        this.identities = identities;
    }

    public SyncResourceTemplateSpecification specification() {
        McpSchema.ResourceTemplate template = McpSchema.ResourceTemplate.builder()
                .uriTemplate(URI_PREFIX + "{id}")
                .name("conversation")
                .title("Conversation")
                .description("A conversation's metadata and every message you may see of it, as JSON. Subscribe to"
                        + " it to hear when what you may see of it changes.")
                .mimeType("application/json")
                .build();
        return new SyncResourceTemplateSpecification(template,
                (exchange, request) -> read(identities.resolve(exchange), request.uri()));
    }

    private McpSchema.ReadResourceResult read(Identity caller, String uri) {
        try {
            if (uri == null || !uri.startsWith(URI_PREFIX)) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT, "uri must look like " + URI_PREFIX + "{id}.");
            }
            UUID id = Arguments.parseUuid("conversation id", uri.substring(URI_PREFIX.length()));
            ConversationView view = conversations.readAll(caller, id);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("conversation", JsonViews.conversation(view.conversation(), view.isOwner()));
            body.put("messages", JsonViews.messages(view.messages()));
            String json = mapper.writeValueAsString(body);
            return new McpSchema.ReadResourceResult(List.of(
                    new McpSchema.TextResourceContents(uri, "application/json", json)));
        } catch (BatonException e) {
            throw McpErrors.of(e);
        } catch (JsonProcessingException | RuntimeException e) {
            log.error("[{} {}] reading {} failed", caller.projectId(), caller.userId(), uri, e);
            throw McpErrors.internal("reading " + Quote.of(uri));
        }
    }
}
