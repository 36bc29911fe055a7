package baton.replay;

import baton.agent.ModelCaller;
import baton.agent.ModelProviders;
import baton.agent.ModelSettings;
import baton.agent.Provider;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import dev.langchain4j.model.chat.ChatModel;
import java.util.List;

/**
 * The provider names of a model matrix or a judge, resolved through the agent's one place
 * ({@link ModelProviders}). {@code sampling} is not among them: a replay has no connected MCP client
 * to ask.
 */
public final class Providers {

    public static final String OPENAI = Provider.OPENAI.id();
    static final List<String> KNOWN = Provider.names().stream()
            .filter(n -> !n.equals(Provider.SAMPLING.id())).toList();

    private Providers() {
    }

    static boolean known(String provider) {
        return KNOWN.contains(provider);
    }

    /** The public API base of {@code provider} (null for openai, or a name that is not known). */
    public static String defaultBaseUrl(String provider) {
        return known(provider) ? Provider.parse(provider).defaultBaseUrl() : null;
    }

    /** The chat model of {@code provider}; retries are left to the agent's {@link ModelCaller}. */
    public static ChatModel chatModel(String provider, ModelSettings settings) {
        if (!known(provider)) {
            throw new BatonException(ErrorCode.CONFIGURATION,
                    "The model provider \"" + provider + "\" is not one of " + String.join(", ", KNOWN)
                            + (Provider.SAMPLING.id().equals(provider)
                                    ? " (sampling needs a connected MCP client, which a replay does not have)." : "."));
        }
        return ModelProviders.chatModel(settings.withProvider(Provider.parse(provider)));
    }
}
