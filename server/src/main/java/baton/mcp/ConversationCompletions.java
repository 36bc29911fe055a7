package baton.mcp;

import baton.conversation.BatonException;
import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import io.modelcontextprotocol.server.McpServerFeatures.SyncCompletionSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CompleteResult;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code completion/complete} for the conversation ids a caller may name: the {@code conversation_id}
 * argument of the prompt {@code system_prompt} and the {@code id} of the resource template
 * {@code baton://conversations/{id}}. Offered: the caller's own conversations and those shared
 * with it (every one of the project for an admin) whose id or title starts with what was typed,
 * newest first, at most 100 (https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/completion).
 */
public final class ConversationCompletions {

    private static final Logger log = LoggerFactory.getLogger(ConversationCompletions.class);

    private final Conversations conversations;
    private final IdentityResolver identities;

    public ConversationCompletions(Conversations conversations, IdentityResolver identities) {
        this.conversations = conversations;
        this.identities = identities;
    }

    public List<SyncCompletionSpecification> specifications() {
        return List.of(
                new SyncCompletionSpecification(new McpSchema.PromptReference("system_prompt"),
                        (exchange, request) -> complete(identities.resolve(exchange), request)),
                new SyncCompletionSpecification(new McpSchema.ResourceReference(ConversationResource.URI_PREFIX + "{id}"),
                        (exchange, request) -> complete(identities.resolve(exchange), request)));
    }

    CompleteResult complete(Identity caller, McpSchema.CompleteRequest request) {
        String typed = request.argument() == null ? "" : request.argument().value();
        try {
            List<Conversation> found = conversations.completions(caller, typed, Conversations.MAX_COMPLETIONS + 1);
            boolean more = found.size() > Conversations.MAX_COMPLETIONS;
            List<String> ids = found.stream().limit(Conversations.MAX_COMPLETIONS)
                    .map(c -> c.id().toString()).toList();
            return new CompleteResult(new CompleteResult.CompleteCompletion(ids, more ? null : ids.size(), more));
        } catch (BatonException e) {
            throw McpErrors.of(e);
        } catch (RuntimeException e) {
            log.error("[{} {}] completion failed", caller.projectId(), caller.userId(), e);
            throw McpErrors.internal("completing conversation ids");
        }
    }
}
