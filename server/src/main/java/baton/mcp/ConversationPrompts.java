package baton.mcp;

import baton.conversation.BatonException;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.prompts.PromptLibrary;
import io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP prompts {@code fork_instructions} and {@code system_prompt}. The system prompt of a
 * conversation is read through the same access entry point as everything else, so a caller who may
 * not read a conversation does not get its prompt either.
 */
public final class ConversationPrompts {

    private static final Logger log = LoggerFactory.getLogger(ConversationPrompts.class);

    private final Conversations conversations;
    private final PromptLibrary prompts;
    private final IdentityResolver identities;

    public ConversationPrompts(Conversations conversations, PromptLibrary prompts, IdentityResolver identities) {
        this.conversations = conversations;
        this.prompts = prompts;
        this.identities = identities;
    }

    public List<SyncPromptSpecification> specifications() {
        McpSchema.Prompt forkInstructions = new McpSchema.Prompt("fork_instructions", "Fork instructions",
                "The instructions Baton adds to the system prompt of a conversation forked from another owner's:"
                        + " access may differ, so errors on resources used earlier may come from the fork.",
                List.of());
        McpSchema.Prompt systemPrompt = new McpSchema.Prompt("system_prompt", "System prompt of a conversation",
                "The system prompt Baton's own agent runs a conversation with, fork instructions included for"
                        + " cross-owner forks; use it when your harness runs its own model on the conversation.",
                List.of(new McpSchema.PromptArgument("conversation_id", "Id (UUID) of the conversation.", true)));
        return List.of(
                new SyncPromptSpecification(forkInstructions, (exchange, request) -> result(
                        "Fork instructions", prompts.forkInstructions())),
                new SyncPromptSpecification(systemPrompt, (exchange, request) -> systemPrompt(
                        identities.resolve(exchange), request.arguments())));
    }

    private McpSchema.GetPromptResult systemPrompt(Identity caller, Map<String, Object> arguments) {
        Object raw = arguments == null ? null : arguments.get("conversation_id");
        try {
            if (!(raw instanceof String text)) {
                throw new BatonException(ErrorCode.INVALID_ARGUMENT, "conversation_id is required.");
            }
            UUID id = Arguments.parseUuid("conversation_id", text);
            var view = conversations.metadata(caller, id);
            return result("System prompt of conversation " + id, prompts.systemPrompt(view.conversation()));
        } catch (BatonException e) {
            throw McpErrors.of(e);
        } catch (McpError e) {
            throw e;
        } catch (RuntimeException e) {
            log.error("[{} {}] system_prompt failed", caller.projectId(), caller.userId(), e);
            throw McpErrors.internal("rendering the system prompt");
        }
    }

    private static McpSchema.GetPromptResult result(String description, String text) {
        return new McpSchema.GetPromptResult(description,
                List.of(new McpSchema.PromptMessage(McpSchema.Role.USER, new McpSchema.TextContent(text))));
    }
}
