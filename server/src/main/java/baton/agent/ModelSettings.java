package baton.agent;

import java.time.Duration;
import java.util.Objects;

/**
 * The model Baton's agent talks to: an OpenAI-compatible chat completions endpoint, Anthropic,
 * Gemini, or the connected MCP client through sampling.
 *
 * @param provider which API the model is reached through
 * @param baseUrl the API base; for {@code openai} ending in {@code /v1} (for example
 *     {@code https://api.openai.com/v1}); for {@code anthropic} and {@code gemini} their public API
 *     when not set
 * @param apiKey the bearer key, or null for endpoints that need none (a local server)
 * @param modelName the model, as the endpoint names it
 * @param timeout how long one model call may take
 * @param maxRetries how many times a call that got 429 or 5xx is retried
 * @param retryBackoff the wait before the first retry; it doubles on each next one
 */
public record ModelSettings(
        Provider provider,
        String baseUrl,
        String apiKey,
        String modelName,
        Duration timeout,
        int maxRetries,
        Duration retryBackoff) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_RETRIES = 2;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);

    /** An OpenAI-compatible endpoint. */
    public ModelSettings(String baseUrl, String apiKey, String modelName, Duration timeout, int maxRetries,
            Duration retryBackoff) {
        this(Provider.OPENAI, baseUrl, apiKey, modelName, timeout, maxRetries, retryBackoff);
    }

    public ModelSettings {
        provider = provider == null ? Provider.OPENAI : provider;
        Objects.requireNonNull(timeout, "timeout must not be null");
        Objects.requireNonNull(retryBackoff, "retryBackoff must not be null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative");
        }
        baseUrl = blankToNull(baseUrl);
        baseUrl = baseUrl == null ? provider.defaultBaseUrl() : baseUrl;
        apiKey = blankToNull(apiKey);
        modelName = blankToNull(modelName);
    }

    /**
     * The setting a model call still needs, named the way a user sets it, or null when the model
     * is configured.
     */
    public String missingSetting() {
        if (provider == Provider.SAMPLING) {
            return null; // the connected client chooses the model; modelName is only a hint
        }
        if (provider != Provider.OPENAI) {
            if (modelName == null) {
                return "BATON_MODEL_NAME (or --model-name)";
            }
            if (apiKey == null) {
                return "BATON_MODEL_API_KEY (or --model-api-key)";
            }
            return null;
        }
        if (baseUrl == null) {
            return "BATON_MODEL_BASE_URL (or --model-base-url)";
        }
        if (modelName == null) {
            return "BATON_MODEL_NAME (or --model-name)";
        }
        return null;
    }

    /** The same model reached through {@code other}. */
    public ModelSettings withProvider(Provider other) {
        return new ModelSettings(other, baseUrl, apiKey, modelName, timeout, maxRetries,
                retryBackoff);
    }

    @Override
    public String toString() {
        return "ModelSettings[provider=" + provider + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "****")
                + ", modelName=" + modelName + ", timeout=" + timeout + ", maxRetries=" + maxRetries
                + ", retryBackoff=" + retryBackoff + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
