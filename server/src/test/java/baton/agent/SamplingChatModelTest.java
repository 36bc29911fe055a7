package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * How a turn's chat becomes a {@code sampling/createMessage} request (the MCP side is exercised by
 * SamplingProviderIT with a real client), and how the client's silence ends the call.
 */
class SamplingChatModelTest {

    private final List<McpSchema.CreateMessageRequest> asked = new CopyOnWriteArrayList<>();

    private Sampler answering(String text) {
        return new Sampler() {
            @Override
            public boolean declared() {
                return true;
            }

            @Override
            public McpSchema.CreateMessageResult createMessage(McpSchema.CreateMessageRequest request) {
                asked.add(request);
                return McpSchema.CreateMessageResult.builder().role(McpSchema.Role.ASSISTANT)
                        .content(new McpSchema.TextContent(text)).model("m").build();
            }
        };
    }

    @Test
    void earlierToolCallsAndResultsGoAsTextAndTheSystemPromptApart() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("c1").name("query_dataset")
                .arguments("{\"dataset\":\"sales\"}").build();
        ChatRequest chat = ChatRequest.builder().messages(
                SystemMessage.from("You are Baton's agent."),
                UserMessage.from("Revenue?"),
                AiMessage.from(List.of(call)),
                ToolExecutionResultMessage.from(call, "{\"rows\":[]}"),
                AiMessage.from("No rows."),
                UserMessage.from("Why?")).build();

        String reply = new SamplingChatModel(answering("Because."), "claude", Duration.ofSeconds(5)).chat(chat)
                .aiMessage().text();

        assertThat(reply).isEqualTo("Because.");
        McpSchema.CreateMessageRequest request = asked.get(0);
        assertThat(request.systemPrompt()).isEqualTo("You are Baton's agent.");
        assertThat(request.modelPreferences().hints()).extracting(McpSchema.ModelHint::name).containsExactly("claude");
        assertThat(request.messages()).extracting(McpSchema.SamplingMessage::role).containsExactly(McpSchema.Role.USER,
                McpSchema.Role.ASSISTANT, McpSchema.Role.USER, McpSchema.Role.ASSISTANT, McpSchema.Role.USER);
        assertThat(request.messages()).extracting(m -> ((McpSchema.TextContent) m.content()).text()).containsExactly(
                "Revenue?", "[called tool query_dataset with {\"dataset\":\"sales\"}]",
                "[result of tool query_dataset]\n{\"rows\":[]}", "No rows.", "Why?");
    }

    @Test
    void aClientThatDoesNotAnswerWithinTheModelTimeoutEndsTheCallWithTheTimeoutSentence() {
        Sampler silent = new Sampler() {
            @Override
            public boolean declared() {
                return true;
            }

            @Override
            public McpSchema.CreateMessageResult createMessage(McpSchema.CreateMessageRequest request) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("unreachable");
            }
        };
        ModelSettings settings = new ModelSettings(Provider.SAMPLING, null, null, null, Duration.ofMillis(200), 2,
                Duration.ofMillis(1));
        ModelCaller caller = new ModelCaller(new SamplingChatModel(silent, null, settings.timeout()), settings, d -> { });

        BatonException e = catchThrowableOfType(() -> caller.chat(ChatRequest.builder()
                .messages(UserMessage.from("Hello?")).build()), BatonException.class);

        assertThat(e.code()).isEqualTo(ErrorCode.MODEL_UNAVAILABLE);
        assertThat(e.getMessage()).isEqualTo(
                "The model did not answer within 200 ms (BATON_MODEL_TIMEOUT); the turn was stopped.");
    }
}
