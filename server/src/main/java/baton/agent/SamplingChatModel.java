package baton.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A turn's model calls sent to the connected MCP client as {@code sampling/createMessage}.
 *
 * <p>When the client declared {@code sampling.tools} (MCP 2025-11-25) and the turn has tools, the
 * request carries them ({@code tools}, {@code toolChoice} {@code auto}); the model's calls are
 * {@code tool_use} blocks of the assistant's messages and their results {@code tool_result} blocks
 * of the user message that follows, as the spec's tool loop has it; a {@code tool_use} answer
 * becomes the {@link AiMessage}'s tool execution requests, so the agent's tool loop runs as with any
 * provider. Otherwise the request carries no tools: earlier tool calls and their results in the
 * history go as plain text, and the client answers with text.
 */
final class SamplingChatModel implements ChatModel {

    static final int MAX_TOKENS = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

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
        List<ToolSpecification> specifications = request.toolSpecifications() == null ? List.of()
                : request.toolSpecifications();
        boolean withTools = sampler.toolsDeclared() && !specifications.isEmpty();
        StringBuilder system = new StringBuilder();
        List<SamplingRequest.Message> messages = new ArrayList<>();
        List<SamplingContent> results = new ArrayList<>(); // tool results waiting to become one user message
        for (ChatMessage m : request.messages()) {
            if (withTools && !(m instanceof ToolExecutionResultMessage) && !results.isEmpty()) {
                messages.add(new SamplingRequest.Message(false, results));
                results = new ArrayList<>();
            }
            if (m instanceof SystemMessage s) {
                system.append(system.isEmpty() ? "" : "\n\n").append(s.text());
            } else if (m instanceof UserMessage u) {
                messages.add(text(false, u.hasSingleText() ? u.singleText() : u.toString()));
            } else if (m instanceof AiMessage a) {
                messages.add(withTools ? assistant(a) : text(true, flattened(a)));
            } else if (m instanceof ToolExecutionResultMessage r) {
                if (withTools) {
                    results.add(new SamplingContent.ToolResult(r.id(), r.text(), Boolean.TRUE.equals(r.isError())));
                } else {
                    messages.add(text(false, "[result of tool " + r.toolName() + "]\n" + r.text()));
                }
            }
        }
        if (!results.isEmpty()) {
            messages.add(new SamplingRequest.Message(false, results));
        }
        List<SamplingRequest.Tool> tools = withTools ? specifications.stream().map(SamplingChatModel::tool).toList()
                : List.of();
        SamplingRequest.ToolChoice choice = !withTools ? null
                : request.toolChoice() == dev.langchain4j.model.chat.request.ToolChoice.REQUIRED
                        ? SamplingRequest.ToolChoice.REQUIRED : SamplingRequest.ToolChoice.AUTO;
        SamplingReply reply = ask(new SamplingRequest(system.toString(), messages, tools, choice, modelHint,
                MAX_TOKENS));
        return ChatResponse.builder().aiMessage(answer(reply)).modelName(reply.model())
                .finishReason(reply.toolUses().isEmpty() ? FinishReason.STOP : FinishReason.TOOL_EXECUTION).build();
    }

    /** The client's answer as LangChain4j's: its text, and its {@code tool_use} blocks as tool execution requests. */
    private static AiMessage answer(SamplingReply reply) {
        String text = reply.text();
        if (reply.toolUses().isEmpty()) {
            return AiMessage.from(text);
        }
        List<ToolExecutionRequest> calls = new ArrayList<>();
        for (SamplingContent.ToolUse use : reply.toolUses()) {
            calls.add(ToolExecutionRequest.builder().id(use.id()).name(use.name()).arguments(json(use.input()))
                    .build());
        }
        return AiMessage.builder().text(text.isEmpty() ? null : text).toolExecutionRequests(calls).build();
    }

    /** The model's message, its tool calls as {@code tool_use} blocks (arguments that are no JSON object as {}). */
    private static SamplingRequest.Message assistant(AiMessage a) {
        List<SamplingContent> content = new ArrayList<>();
        if (a.text() != null && !a.text().isEmpty()) {
            content.add(new SamplingContent.Text(a.text()));
        }
        if (a.hasToolExecutionRequests()) {
            for (ToolExecutionRequest call : a.toolExecutionRequests()) {
                Map<String, Object> input = call.arguments() == null ? null : InheritedUse.arguments(call.arguments());
                content.add(new SamplingContent.ToolUse(call.id(), call.name(), input));
            }
        }
        if (content.isEmpty()) {
            content.add(new SamplingContent.Text(""));
        }
        return new SamplingRequest.Message(true, content);
    }

    private static String flattened(AiMessage a) {
        StringBuilder t = new StringBuilder(a.text() == null ? "" : a.text());
        if (a.hasToolExecutionRequests()) {
            a.toolExecutionRequests().forEach(c -> t.append(t.isEmpty() ? "" : "\n")
                    .append("[called tool ").append(c.name()).append(" with ").append(c.arguments()).append(']'));
        }
        return t.toString();
    }

    /** A tool as the spec's {@code tools} entry: name, description, and the input schema LangChain4j holds. */
    private static SamplingRequest.Tool tool(ToolSpecification spec) {
        Map<String, Object> schema = spec.parameters() == null ? Map.of("type", "object", "properties", Map.of())
                : JsonSchemaElementUtils.toMap(spec.parameters());
        return new SamplingRequest.Tool(spec.name(), spec.description(), schema);
    }

    /**
     * The client's answer within the model timeout; a client that answers with an error fails the
     * call with the client's own words. A call that stops waiting (the timeout, or the turn's
     * cancellation interrupting this thread) abandons the client's request.
     */
    private SamplingReply ask(SamplingRequest request) {
        CompletableFuture<SamplingReply> answer = sampler.sample(request);
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new dev.langchain4j.exception.TimeoutException(e);
        } catch (CancellationException e) {
            throw new TurnCancelled(); // the sampler abandoned the request because the caller cancelled the turn
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

    private static SamplingRequest.Message text(boolean assistant, String text) {
        return new SamplingRequest.Message(assistant, List.of(new SamplingContent.Text(text)));
    }

    private static String json(Map<String, Object> input) {
        try {
            return JSON.writeValueAsString(input);
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }
}
