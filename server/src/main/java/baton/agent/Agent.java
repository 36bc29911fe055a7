package baton.agent;

import baton.agent.TurnResult.PermissionHint;
import baton.agent.TurnResult.ToolCallRecord;
import baton.conversation.BatonException;
import baton.conversation.ContentType;
import baton.conversation.Conversation;
import baton.conversation.ConversationView;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Message;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Baton's own agent: runs one turn of a conversation with the model (through LangChain4j) and the
 * upstream tools, and records it as it goes (the root call, each tool call and its result, the
 * root result). A turn always ends with a root result: the answer, or an error sentence when the
 * model, an upstream, the step limit or the deadline stopped it, so the conversation stays
 * readable, shareable and forkable.
 */
public final class Agent {

    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ends a reply of the sampling provider when upstream tools were configured but not offered. */
    static final String WITHOUT_TOOLS = "\n\n(Answered by your MCP client's own model through sampling, without the"
            + " upstream tools: your MCP client did not declare tool support for sampling.)";
    static final String TRUNCATED = "\n[truncated by Baton: the result was %d bytes; a message holds at most 1 MiB]";

    private final Conversations conversations;
    private final PromptLibrary prompts;
    private final AgentSettings settings;
    private final ModelCaller model;
    private final ModelCaller.Sleeper sleeper;
    private final ToolGateway gateway;
    private final Clock clock;
    private final HistoryConverter history = new HistoryConverter();
    private final AccessErrorClassifier classifier = new AccessErrorClassifier();

    /**
     * @param chatModel the model, or null when none is configured ({@code send_message} then fails
     *     with a sentence naming the missing setting)
     */
    public Agent(Conversations conversations, PromptLibrary prompts, AgentSettings settings, ChatModel chatModel,
            ModelCaller.Sleeper sleeper, ToolGateway gateway, Clock clock) {
        this.conversations = conversations;
        this.prompts = prompts;
        this.settings = settings;
        this.model = chatModel == null ? null : new ModelCaller(chatModel, settings.model(), sleeper);
        this.sleeper = sleeper;
        this.gateway = gateway;
        this.clock = clock;
    }

    /** An agent on the configured provider, or without a model when none is configured. */
    public static Agent create(Conversations conversations, PromptLibrary prompts, AgentSettings settings,
            ToolGateway gateway) {
        ChatModel chatModel = settings.model().missingSetting() == null && !sampling(settings)
                ? new LazyChatModel(() -> ModelProviders.chatModel(settings.model())) : null;
        return new Agent(conversations, prompts, settings, chatModel, d -> Thread.sleep(d.toMillis()), gateway,
                Clock.systemUTC());
    }

    /**
     * Runs one turn for the caller, who must be able to append to the conversation.
     *
     * @throws BatonException when the turn cannot start (no model configured, not found, access
     *     denied, a turn already in progress) — then nothing was stored — or when storage fails
     */
    public TurnResult send(Identity caller, UUID conversationId, String content, TurnProgress progress) {
        return send(caller, conversationId, content, progress, Cancellation.none());
    }

    /**
     * Runs one turn as above, stopping it when {@code cancellation} is set: the turn then ends at
     * once with an error result saying the caller cancelled it.
     */
    public TurnResult send(Identity caller, UUID conversationId, String content, TurnProgress progress,
            Cancellation cancellation) {
        return send(caller, conversationId, content, progress, cancellation, Sampler.NONE);
    }

    /**
     * Runs one turn as above; with the {@code sampling} provider its model calls go to
     * {@code sampler}, the MCP client that sent the request, with the upstream tools when that client
     * declared {@code sampling.tools}.
     */
    public TurnResult send(Identity caller, UUID conversationId, String content, TurnProgress progress,
            Cancellation cancellation, Sampler sampler) {
        ModelCaller turnModel = model;
        boolean withoutTools = false;
        if (sampling(settings)) {
            if (sampler == null || !sampler.declared()) {
                throw new BatonException(ErrorCode.CONFIGURATION, "send_message asks your MCP client's own model"
                        + " (BATON_MODEL_PROVIDER=sampling), but this client did not declare the sampling capability;"
                        + " use a client that supports sampling, or configure another model provider.");
            }
            turnModel = new ModelCaller(new SamplingChatModel(sampler, settings.model().modelName(),
                    settings.model().timeout()), settings.model(),
                    sleeper);
            withoutTools = !sampler.toolsDeclared(); // MCP 2025-11-25: tools only to a client declaring sampling.tools
        }
        String missing = settings.model().missingSetting();
        if (turnModel == null || missing != null) {
            throw new BatonException(ErrorCode.CONFIGURATION, "send_message needs a model, but "
                    + (missing == null ? "none is configured" : missing + " is not set") + ".");
        }
        if (content == null || content.isBlank()) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT, "content must not be empty.");
        }
        UUID rootId = conversations.beginTurn(caller, conversationId, content, settings.staleTurnAfter());
        Turn turn = new Turn(caller, conversationId, rootId, progress, cancellation, turnModel, withoutTools);
        try {
            return turn.run();
        } catch (TurnCancelled e) {
            return turn.fail(TurnCancelled.SENTENCE);
        } catch (BatonException e) {
            if (e.code() == ErrorCode.STORAGE_UNAVAILABLE) {
                throw e; // the turn stays open; the next one closes it once it is stale
            }
            return turn.fail("The turn failed: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("[{} {}] turn {} of {} failed unexpectedly", caller.projectId(), caller.userId(), rootId,
                    conversationId, e);
            return turn.fail("The turn failed because of an internal error; the conversation was kept as it was.");
        }
    }

    private static boolean sampling(AgentSettings settings) {
        return settings.model().provider() == Provider.SAMPLING;
    }

    /** One running turn: the chat so far and what it recorded. */
    private final class Turn {
        private final Identity caller;
        private final UUID conversationId;
        private final UUID rootId;
        private final TurnProgress progress;
        private final Cancellation cancellation;
        private final ModelCaller model;
        private final boolean withoutTools;
        private final Instant deadline;
        private final List<ToolCallRecord> calls = new ArrayList<>();
        private final List<PermissionHint> hints = new ArrayList<>();

        Turn(Identity caller, UUID conversationId, UUID rootId, TurnProgress progress, Cancellation cancellation,
                ModelCaller model, boolean withoutTools) {
            this.model = model;
            this.withoutTools = withoutTools;
            this.caller = caller;
            this.conversationId = conversationId;
            this.rootId = rootId;
            this.progress = progress;
            this.cancellation = cancellation;
            this.deadline = clock.instant().plus(settings.turnTimeout());
        }

        TurnResult run() {
            ConversationView view = conversations.readAll(caller, conversationId);
            Conversation conversation = view.conversation();
            List<ChatMessage> chat = new ArrayList<>();
            chat.add(SystemMessage.from(prompts.systemPrompt(conversation)));
            chat.addAll(history.convert(view.messages()));
            InheritedUse inherited = InheritedUse.of(conversation, view.messages());

            List<UpstreamTool> tools;
            boolean toolsLeftOut = withoutTools && !gateway.servers().isEmpty();
            if (withoutTools) {
                tools = List.of(); // the client did not declare sampling.tools (see SamplingChatModel)
            } else {
                progress.step("Listing the tools of " + gateway.servers().size() + " upstream server(s)");
                try {
                    tools = gateway.tools(caller, cancellation);
                } catch (BatonException e) {
                    return fail(e.getMessage() + " The turn was stopped.");
                }
            }
            Map<String, UpstreamTool> byName = new LinkedHashMap<>();
            tools.forEach(t -> byName.put(t.name(), t));
            List<ToolSpecification> specs = tools.stream().map(Agent::specification).toList();

            for (int step = 1; step <= settings.maxSteps(); step++) {
                stopIfCancelled();
                if (clock.instant().isAfter(deadline)) {
                    return fail("The turn ran longer than " + Failures.seconds(settings.turnTimeout())
                            + " (the turn timeout) and was stopped.");
                }
                progress.step("Asking the model (step " + step + " of at most " + settings.maxSteps() + ")");
                ChatRequest.Builder request = ChatRequest.builder().messages(chat);
                if (!specs.isEmpty()) {
                    request.toolSpecifications(specs);
                }
                AiMessage answer;
                try {
                    answer = model.chat(request.build(), cancellation).aiMessage();
                } catch (BatonException e) {
                    return fail(e.getMessage());
                }
                if (answer == null || !answer.hasToolExecutionRequests()) {
                    String reply = answer == null || answer.text() == null ? "" : answer.text();
                    if (toolsLeftOut) {
                        reply = reply + WITHOUT_TOOLS;
                    }
                    UUID end = append(MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null,
                            ContentType.TEXT, fit(reply));
                    progress.step("The turn ended with an answer");
                    log.info("[{} {}] turn {} of {} ended after {} step(s) and {} tool call(s)", caller.projectId(),
                            caller.userId(), rootId, conversationId, step, calls.size());
                    return new TurnResult(reply, end, calls, hints, null);
                }
                chat.add(answer);
                for (ToolExecutionRequest call : answer.toolExecutionRequests()) {
                    stopIfCancelled();
                    chat.add(callTool(conversation, call, byName, inherited));
                }
            }
            return fail("The model asked for tools " + settings.maxSteps() + " times without giving an answer;"
                    + " the turn stopped at the step limit (BATON_MAX_STEPS=" + settings.maxSteps() + ").");
        }

        private ToolExecutionResultMessage callTool(Conversation conversation, ToolExecutionRequest call,
                Map<String, UpstreamTool> tools, InheritedUse inherited) {
            String name = call.name() == null ? "" : call.name();
            String rawArguments = call.arguments() == null || call.arguments().isBlank() ? "{}" : call.arguments();
            Map<String, Object> arguments = InheritedUse.arguments(rawArguments);
            UUID callId = append(MessageRole.ASSISTANT, MessageType.CALL, name, rootId,
                    arguments != null ? ContentType.JSON : ContentType.TEXT, fit(rawArguments));

            UpstreamTool tool = tools.get(name);
            ToolOutcome outcome;
            if (tool == null) {
                outcome = ToolOutcome.error("There is no tool named '" + name + "'; the tools are: "
                        + (tools.isEmpty() ? "none" : String.join(", ", tools.keySet())) + ".");
            } else if (arguments == null) {
                outcome = ToolOutcome.error("The arguments of this call of " + name
                        + " are not a valid JSON object, so the tool was not called: " + shorten(rawArguments));
            } else {
                progress.step("Calling " + name + " on " + tool.server().name());
                try {
                    outcome = gateway.call(caller, tool, arguments, cancellation);
                } catch (TurnCancelled e) {
                    // every recorded call keeps its result, so the history stays well formed
                    append(MessageRole.TOOL, MessageType.RESULT, name, callId, ContentType.ERROR,
                            "The call of " + name + " was abandoned: " + TurnCancelled.SENTENCE);
                    throw e;
                }
            }

            String text = outcome.text();
            if (conversation.isCrossOwnerFork() && arguments != null) {
                var access = classifier.classify(name, arguments, outcome, inherited);
                if (access.isPresent()) {
                    AccessError a = access.get();
                    String hint = prompts.permissionHint(conversation, a.tool(), a.resource(), a.notFound());
                    hints.add(new PermissionHint(a.tool(), a.resource(), a.notFound() ? "not_found" : "access_denied",
                            hint));
                    text = text + "\n\n" + hint;
                    log.info("[{} {}] {} lost access to {} in fork {}", caller.projectId(), caller.userId(), name,
                            a.resource(), conversationId);
                }
            }
            text = fit(text);
            UUID resultId = append(MessageRole.TOOL, MessageType.RESULT, name, callId,
                    outcome.isError() ? ContentType.ERROR : (isJsonStructure(text) ? ContentType.JSON : ContentType.TEXT),
                    text);
            calls.add(new ToolCallRecord(name, rawArguments, outcome.isError(), callId, resultId, text));
            ToolExecutionResultMessage.Builder result = ToolExecutionResultMessage.builder()
                    .id(call.id() == null ? callId.toString() : call.id()).toolName(name).text(text);
            if (sampling(settings)) {
                // a tool_result block says whether the call failed; the other providers' requests stay as pinned
                result.isError(outcome.isError());
            }
            return result.build();
        }

        private void stopIfCancelled() {
            if (cancellation.isCancelled()) {
                throw new TurnCancelled();
            }
        }

        /** Ends the turn with an error result, so the history stays well formed. */
        TurnResult fail(String sentence) {
            log.info("[{} {}] turn {} of {} failed: {}", caller.projectId(), caller.userId(), rootId, conversationId,
                    sentence);
            UUID end = append(MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null, ContentType.ERROR,
                    fit(sentence));
            progress.step("The turn ended with an error");
            return new TurnResult(sentence, end, calls, hints, sentence);
        }

        private UUID append(MessageRole role, MessageType type, String tool, UUID parent, ContentType contentType,
                String content) {
            NewMessage message = new NewMessage(UUID.randomUUID(), role, type, tool, parent, contentType, content);
            return conversations.append(caller, conversationId, List.of(message)).get(0);
        }
    }

    /** The tool as LangChain4j describes it to the model, with the upstream's input schema. */
    static ToolSpecification specification(UpstreamTool tool) {
        String description = tool.tool().description() == null ? tool.tool().name() : tool.tool().description();
        Map<String, Object> schema = tool.tool().inputSchema() == null ? new HashMap<>()
                : new HashMap<>(tool.tool().inputSchema());
        schema.keySet().removeAll(List.of("$schema", "$id", "$comment", "title", "examples")); // annotations only
        try {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", tool.name());
            json.put("description", description);
            json.put("parameters", schema);
            return ToolSpecification.fromJson(JSON.writeValueAsString(json));
        } catch (IOException | RuntimeException e) {
            log.warn("the input schema of upstream tool {} cannot be described to the model ({}); it is offered"
                    + " without parameters", tool.name(), e.toString());
            return ToolSpecification.builder().name(tool.name()).description(description)
                    .parameters(JsonObjectSchema.builder().build()).build();
        }
    }

    /** An object or array: a tool result stored as json (a bare number or string stays text). */
    private static boolean isJsonStructure(String text) {
        String t = text.strip();
        return (t.startsWith("{") || t.startsWith("[")) && NewMessage.isJson(t);
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** Cuts a text that would not fit in one message (1 MiB), saying so at its end. */
    static String fit(String text) {
        if (text.length() <= NewMessage.MAX_CONTENT_BYTES / 4) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= NewMessage.MAX_CONTENT_BYTES) {
            return text;
        }
        String note = String.format(TRUNCATED, bytes.length);
        int keep = NewMessage.MAX_CONTENT_BYTES - note.getBytes(StandardCharsets.UTF_8).length;
        // never cut inside a character: back up to the first byte of the one the cut falls in
        while ((bytes[keep] & 0xC0) == 0x80) {
            keep--;
        }
        return new String(bytes, 0, keep, StandardCharsets.UTF_8) + note;
    }
}
