package baton.agent;

import java.time.Duration;
import java.util.Objects;

/**
 * The model Baton's agent talks to: any OpenAI-compatible chat completions endpoint.
 *
 * @param baseUrl the API base, ending in {@code /v1} (for example {@code https://api.openai.com/v1})
 * @param apiKey the bearer key, or null for endpoints that need none (a local server)
 * @param modelName the model, as the endpoint names it
 * @param timeout how long one model call may take
 * @param maxRetries how many times a call that got 429 or 5xx is retried
 * @param retryBackoff the wait before the first retry; it doubles on each next one
 */
public record ModelSettings(
        String baseUrl,
        String apiKey,
        String modelName,
        Duration timeout,
        int maxRetries,
        Duration retryBackoff) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_RETRIES = 2;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);

    public ModelSettings {
        Objects.requireNonNull(timeout, "timeout must not be null");
        Objects.requireNonNull(retryBackoff, "retryBackoff must not be null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative");
        }
        baseUrl = blankToNull(baseUrl);
        apiKey = blankToNull(apiKey);
        modelName = blankToNull(modelName);
    }

    /**
     * The setting a model call still needs, named the way a user sets it, or null when the model
     * is configured.
     */
    public String missingSetting() {
        if (baseUrl == null) {
            return "BATON_MODEL_BASE_URL (or --model-base-url)";
        }
        if (modelName == null) {
            return "BATON_MODEL_NAME (or --model-name)";
        }
        return null;
    }

    @Override
    public String toString() {
        return "ModelSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "****")
                + ", modelName=" + modelName + ", timeout=" + timeout + ", maxRetries=" + maxRetries
                + ", retryBackoff=" + retryBackoff + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
