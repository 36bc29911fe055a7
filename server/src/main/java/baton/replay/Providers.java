package baton.replay;

import baton.agent.ModelCaller;
import baton.agent.ModelSettings;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import dev.langchain4j.model.chat.ChatModel;
import java.util.List;

/**
 * The one place a provider name of a model matrix or a judge becomes a LangChain4j model. Only
 * {@code openai} (any OpenAI-compatible endpoint) for now; more providers join here.
 */
public final class Providers {

    public static final String OPENAI = "openai";
    static final List<String> KNOWN = List.of(OPENAI);

    private Providers() {
    }

    static boolean known(String provider) {
        return KNOWN.contains(provider);
    }

    /** The chat model of {@code provider}; retries are left to the agent's {@link ModelCaller}. */
    public static ChatModel chatModel(String provider, ModelSettings settings) {
        if (OPENAI.equals(provider)) {
            return ModelCaller.openAi(settings);
        }
        throw new BatonException(ErrorCode.CONFIGURATION,
                "The model provider \"" + provider + "\" is not one of " + KNOWN + ".");
    }
}
