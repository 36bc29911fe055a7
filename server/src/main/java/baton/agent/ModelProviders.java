package baton.agent;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;

/**
 * The one place a provider becomes a LangChain4j model, for the agent, the replay matrix and the
 * judge alike. Every model is built without retries of its own: {@link ModelCaller} retries 429
 * and 5xx the same way for all of them, with the same sentences.
 */
public final class ModelProviders {

    private ModelProviders() {
    }

    /**
     * The chat model {@code settings} describe.
     *
     * @throws BatonException ({@link ErrorCode#CONFIGURATION}) for {@link Provider#SAMPLING}, whose
     *     model is the connected client of each turn, not one built here
     */
    public static ChatModel chatModel(ModelSettings settings) {
        return switch (settings.provider()) {
            case OPENAI -> OpenAiChatModel.builder()
                    .baseUrl(settings.baseUrl())
                    .apiKey(settings.apiKey())
                    .modelName(settings.modelName())
                    .timeout(settings.timeout())
                    .maxRetries(0)
                    .build();
            case ANTHROPIC -> AnthropicChatModel.builder()
                    .baseUrl(settings.baseUrl())
                    .apiKey(settings.apiKey())
                    .modelName(settings.modelName())
                    .timeout(settings.timeout())
                    .maxRetries(0)
                    .build();
            case GEMINI -> GoogleAiGeminiChatModel.builder()
                    .baseUrl(settings.baseUrl())
                    .apiKey(settings.apiKey())
                    .modelName(settings.modelName())
                    .timeout(settings.timeout())
                    .maxRetries(0)
                    .build();
            case SAMPLING -> throw new BatonException(ErrorCode.CONFIGURATION,
                    "The model provider \"sampling\" asks the connected MCP client for each turn, so it has no"
                            + " model of its own here.");
        };
    }
}
