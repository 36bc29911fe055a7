package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * How a turn's chat becomes a sampling request and the client's answer an {@link AiMessage} (the
 * MCP side is exercised by SamplingWireTest and SamplingProviderIT with real clients), and how the
 * client's silence ends the call.
 */
class SamplingChatModelTest {

    private final List<SamplingRequest> asked = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<SamplingReply>> handed = new CopyOnWriteArrayList<>();

    private Sampler answering(boolean tools, SamplingContent... reply) {
        return new Sampler() {
            @Override
            public boolean declared() {
                return true;
            }

            @Override
            public boolean toolsDeclared() {
                return tools;
            }

            @Override
            public CompletableFuture<SamplingReply> sample(SamplingRequest request) {
                asked.add(request);
                CompletableFuture<SamplingReply> future = reply.length == 0 ? new CompletableFuture<>()
                        : CompletableFuture.completedFuture(new SamplingReply("m", null, List.of(reply)));
                handed.add(future);
                return future;
            }
        };
    }

    private static final ToolExecutionRequest CALL = ToolExecutionRequest.builder().id("c1").name("query_dataset")
            .arguments("{\"dataset\":\"sales\"}").build();

    private static ChatRequest.Builder history() {
        return ChatRequest.builder().messages(
                SystemMessage.from("You are Baton's agent."),
                UserMessage.from("Revenue?"),
                AiMessage.from(List.of(CALL)),
                ToolExecutionResultMessage.builder().id("c1").toolName("query_dataset").text("{\"rows\":[]}")
                        .isError(false).build(),
                AiMessage.from("No rows."),
                UserMessage.from("Why?"));
    }

    private static final ToolSpecification QUERY = ToolSpecification.builder().name("query_dataset")
            .description("Returns rows.").parameters(JsonObjectSchema.builder().addStringProperty("dataset")
                    .required("dataset").build()).build();

    @Test
    void withoutToolSupportEarlierToolCallsAndResultsGoAsTextAndNoToolsAreOffered() {
        String reply = new SamplingChatModel(answering(false, new SamplingContent.Text("Because.")), "claude",
                Duration.ofSeconds(5)).chat(history().toolSpecifications(QUERY).build()).aiMessage().text();

        assertThat(reply).isEqualTo("Because.");
        SamplingRequest request = asked.get(0);
        assertThat(request.systemPrompt()).isEqualTo("You are Baton's agent.");
        assertThat(request.modelHint()).isEqualTo("claude");
        assertThat(request.tools()).isEmpty();
        assertThat(request.toolChoice()).isNull();
        assertThat(request.usesTools()).isFalse();
        assertThat(request.messages()).extracting(SamplingRequest.Message::assistant)
                .containsExactly(false, true, false, true, false);
        assertThat(request.messages()).extracting(m -> ((SamplingContent.Text) m.content().get(0)).text())
                .containsExactly("Revenue?", "[called tool query_dataset with {\"dataset\":\"sales\"}]",
                        "[result of tool query_dataset]\n{\"rows\":[]}", "No rows.", "Why?");
    }

    @Test
    void withToolSupportTheToolsAndToolBlocksGoAndAToolUseAnswerBecomesToolExecutionRequests() {
        AiMessage answer = new SamplingChatModel(answering(true, new SamplingContent.Text("Let me look."),
                new SamplingContent.ToolUse("toolu_1", "query_dataset", Map.of("dataset", "sales", "table", "orders"))),
                null, Duration.ofSeconds(5)).chat(history().toolSpecifications(QUERY).build()).aiMessage();

        assertThat(answer.text()).isEqualTo("Let me look.");
        assertThat(answer.toolExecutionRequests()).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("toolu_1");
            assertThat(call.name()).isEqualTo("query_dataset");
            assertThat(InheritedUse.arguments(call.arguments()))
                    .isEqualTo(Map.of("dataset", "sales", "table", "orders"));
        });
        SamplingRequest request = asked.get(0);
        assertThat(request.tools()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("query_dataset");
            assertThat(t.description()).isEqualTo("Returns rows.");
            assertThat(t.inputSchema()).containsEntry("type", "object").containsEntry("required", List.of("dataset"))
                    .containsKey("properties");
        });
        assertThat(request.toolChoice()).isEqualTo(SamplingRequest.ToolChoice.AUTO);
        assertThat(request.messages()).hasSize(5);
        assertThat(request.messages().get(1)).isEqualTo(new SamplingRequest.Message(true,
                List.of(new SamplingContent.ToolUse("c1", "query_dataset", Map.of("dataset", "sales")))));
        assertThat(request.messages().get(2)).isEqualTo(new SamplingRequest.Message(false,
                List.of(new SamplingContent.ToolResult("c1", "{\"rows\":[]}", false))));
    }

    @Test
    void theResultsOfOneAnswersCallsGoTogetherInOneUserMessage() {
        ToolExecutionRequest second = ToolExecutionRequest.builder().id("c2").name("query_dataset")
                .arguments("not json").build();
        ChatRequest chat = ChatRequest.builder().messages(UserMessage.from("Both?"),
                AiMessage.from(List.of(CALL, second)),
                ToolExecutionResultMessage.from(CALL, "one"),
                ToolExecutionResultMessage.builder().id("c2").toolName("query_dataset").text("refused")
                        .isError(true).build())
                .toolSpecifications(QUERY).build();

        new SamplingChatModel(answering(true, new SamplingContent.Text("Done.")), null, Duration.ofSeconds(5))
                .chat(chat);

        assertThat(asked.get(0).messages()).containsExactly(
                new SamplingRequest.Message(false, List.of(new SamplingContent.Text("Both?"))),
                new SamplingRequest.Message(true, List.of(
                        new SamplingContent.ToolUse("c1", "query_dataset", Map.of("dataset", "sales")),
                        new SamplingContent.ToolUse("c2", "query_dataset", Map.of()))),
                new SamplingRequest.Message(false, List.of(new SamplingContent.ToolResult("c1", "one", false),
                        new SamplingContent.ToolResult("c2", "refused", true))));
    }

    @Test
    void aClientThatDoesNotAnswerWithinTheModelTimeoutEndsTheCallAndItsRequestIsAbandoned() {
        ModelSettings settings = new ModelSettings(Provider.SAMPLING, null, null, null, Duration.ofMillis(200), 2,
                Duration.ofMillis(1));
        ModelCaller caller = new ModelCaller(new SamplingChatModel(answering(true), null, settings.timeout()),
                settings, d -> { });

        BatonException e = catchThrowableOfType(() -> caller.chat(ChatRequest.builder()
                .messages(UserMessage.from("Hello?")).build()), BatonException.class);

        assertThat(e.code()).isEqualTo(ErrorCode.MODEL_UNAVAILABLE);
        assertThat(e.getMessage()).isEqualTo(
                "The model did not answer within 200 ms (BATON_MODEL_TIMEOUT); the turn was stopped.");
        assertThat(handed).singleElement().satisfies(f -> assertThat(f.isCancelled()).isTrue());
    }

    @Test
    void aCancelledTurnAbandonsThePendingRequest() throws Exception {
        ModelSettings settings = new ModelSettings(Provider.SAMPLING, null, null, null, Duration.ofSeconds(30), 0,
                Duration.ofMillis(1));
        ModelCaller caller = new ModelCaller(new SamplingChatModel(answering(true), null, settings.timeout()),
                settings, d -> { });
        Cancellation cancellation = new Cancellation();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> catchThrowableOfType(
                () -> caller.chat(ChatRequest.builder().messages(UserMessage.from("Hello?")).build(), cancellation),
                TurnCancelled.class));
        while (handed.isEmpty()) {
            Thread.sleep(5);
        }
        cancellation.cancel("the caller cancelled");

        assertThat(outcome.get()).isInstanceOf(TurnCancelled.class);
        for (int i = 0; i < 200 && !handed.get(0).isCancelled(); i++) {
            Thread.sleep(10);
        }
        assertThat(handed.get(0).isCancelled()).isTrue();
    }
}
