package baton.agent;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which API Baton's agent speaks to reach its model. Each has the same retries, timeouts, tool
 * calling and error sentences (see {@link ModelCaller}); {@link ModelProviders} builds the model.
 */
public enum Provider {
    /** Any OpenAI-compatible chat completions endpoint (OpenAI, Ollama, vLLM, LM Studio, …). */
    OPENAI("openai", null),
    /** Anthropic's Messages API. */
    ANTHROPIC("anthropic", "https://api.anthropic.com/v1/"),
    /** Google's Gemini API (generateContent). */
    GEMINI("gemini", "https://generativelanguage.googleapis.com/v1beta"),
    /** The connected MCP client's own model, through {@code sampling/createMessage}. */
    SAMPLING("sampling", null);

    private final String id;
    private final String defaultBaseUrl;

    Provider(String id, String defaultBaseUrl) {
        this.id = id;
        this.defaultBaseUrl = defaultBaseUrl;
    }

    /** The name a user writes ({@code --model-provider}, a models file). */
    public String id() {
        return id;
    }

    /** The API base used when none is set, or null when the provider needs one (or has none). */
    public String defaultBaseUrl() {
        return defaultBaseUrl;
    }

    /** Every name a user may write. */
    public static List<String> names() {
        return Arrays.stream(values()).map(Provider::id).toList();
    }

    /**
     * The provider a user named; null or blank is {@link #OPENAI}.
     *
     * @throws BatonException ({@link ErrorCode#CONFIGURATION}) naming the bad value and the good ones
     */
    public static Provider parse(String name) {
        if (name == null || name.isBlank()) {
            return OPENAI;
        }
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (Provider p : values()) {
            if (p.id.equals(wanted)) {
                return p;
            }
        }
        throw new BatonException(ErrorCode.CONFIGURATION, "The model provider \"" + name.strip()
                + "\" is not one of " + String.join(", ", names()) + ".");
    }

    @Override
    public String toString() {
        return id;
    }
}
