package baton.agent;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A turn's model calls sent to the connected MCP client as {@code sampling/createMessage}. The MCP
 * Java SDK 2.1.0 has no tools in a sampling request (the 2025-11-25 {@code tools} and tool-use
 * content are not in its schema), so the request carries no tool definitions: earlier tool calls
 * and their results in the history go as plain text, and the client answers with text.
 */
final class SamplingChatModel implements ChatModel {

    static final int MAX_TOKENS = 4096;

    private final Sampler sampler;
    private final String modelHint;
    private final Duration timeout;

    SamplingChatModel(Sampler sampler, String modelHint, Duration timeout) {
        this.sampler = sampler;
        this.modelHint = modelHint;
        this.timeout = timeout;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        StringBuilder system = new StringBuilder();
        List<McpSchema.SamplingMessage> messages = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            if (m instanceof SystemMessage s) {
                system.append(system.isEmpty() ? "" : "\n\n").append(s.text());
            } else if (m instanceof UserMessage u) {
                messages.add(text(McpSchema.Role.USER, u.hasSingleText() ? u.singleText() : u.toString()));
            } else if (m instanceof AiMessage a) {
                StringBuilder t = new StringBuilder(a.text() == null ? "" : a.text());
                if (a.hasToolExecutionRequests()) {
                    a.toolExecutionRequests().forEach(c -> t.append(t.isEmpty() ? "" : "\n")
                            .append("[called tool ").append(c.name()).append(" with ").append(c.arguments()).append(']'));
                }
                messages.add(text(McpSchema.Role.ASSISTANT, t.toString()));
            } else if (m instanceof ToolExecutionResultMessage r) {
                messages.add(text(McpSchema.Role.USER, "[result of tool " + r.toolName() + "]\n" + r.text()));
            }
        }
        McpSchema.CreateMessageRequest.Builder out = McpSchema.CreateMessageRequest.builder()
                .messages(messages)
                .systemPrompt(system.toString())
                .includeContext(McpSchema.CreateMessageRequest.ContextInclusionStrategy.NONE)
                .maxTokens(MAX_TOKENS);
        if (modelHint != null) {
            out.modelPreferences(McpSchema.ModelPreferences.builder().addHint(modelHint).build());
        }
        McpSchema.CreateMessageResult result = ask(out.build());
        String answer = result.content() instanceof McpSchema.TextContent t ? t.text() : "";
        return ChatResponse.builder().aiMessage(AiMessage.from(answer)).modelName(result.model()).build();
    }

    /**
     * The client's answer within the model timeout; a client that answers with an error fails the
     * call with the client's own words.
     */
    private McpSchema.CreateMessageResult ask(McpSchema.CreateMessageRequest request) {
        CompletableFuture<McpSchema.CreateMessageResult> answer =
                CompletableFuture.supplyAsync(() -> sampler.createMessage(request));
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new dev.langchain4j.exception.TimeoutException(e);
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the MCP client's model was answering", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("your MCP client answered the sampling request with an error: "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        }
    }

    private static McpSchema.SamplingMessage text(McpSchema.Role role, String text) {
        return new McpSchema.SamplingMessage(role, new McpSchema.TextContent(text));
    }
}
