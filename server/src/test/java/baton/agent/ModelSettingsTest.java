package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ModelSettingsTest {

    private static ModelSettings settings(String baseUrl, String apiKey, String modelName) {
        return new ModelSettings(baseUrl, apiKey, modelName, ModelSettings.DEFAULT_TIMEOUT,
                ModelSettings.DEFAULT_MAX_RETRIES, ModelSettings.DEFAULT_RETRY_BACKOFF);
    }

    @Test
    void toStringMasksTheApiKey() {
        ModelSettings s = settings("https://api.example.com/v1", "sk-live-0123456789abcdef", "gpt-4o-mini");

        assertThat(s.toString()).contains("https://api.example.com/v1", "gpt-4o-mini", "apiKey=****")
                .doesNotContain("sk-live", "0123456789abcdef");
        assertThat(s.apiKey()).isEqualTo("sk-live-0123456789abcdef");
    }

    @Test
    void toStringSaysWhenThereIsNoApiKey() {
        assertThat(settings("http://localhost:11434/v1", null, "llama3").toString()).contains("apiKey=none");
    }

    @Test
    void theBaseUrlIsTheFirstMissingSettingThenTheModelName() {
        assertThat(settings(null, null, null).missingSetting()).startsWith("BATON_MODEL_BASE_URL");
        assertThat(settings(null, "key", "gpt-4o-mini").missingSetting()).startsWith("BATON_MODEL_BASE_URL");
        assertThat(settings("https://api.example.com/v1", "key", null).missingSetting())
                .startsWith("BATON_MODEL_NAME");
        assertThat(settings("https://api.example.com/v1", null, "gpt-4o-mini").missingSetting()).isNull();
    }

    @Test
    void theMissingSettingNamesTheFlagToo() {
        assertThat(settings(null, null, null).missingSetting()).contains("--model-base-url");
        assertThat(settings("http://localhost:11434/v1", null, null).missingSetting()).contains("--model-name");
    }

    @Test
    void blankValuesCountAsMissingAndOthersAreStripped() {
        ModelSettings s = settings("  ", " \t", "\n");

        assertThat(s.baseUrl()).isNull();
        assertThat(s.apiKey()).isNull();
        assertThat(s.modelName()).isNull();
        assertThat(s.missingSetting()).startsWith("BATON_MODEL_BASE_URL");
        assertThat(settings(" http://localhost:11434/v1 ", "", " llama3 ").missingSetting()).isNull();
        assertThat(settings(" http://localhost:11434/v1 ", "", " llama3 ").modelName()).isEqualTo("llama3");
    }

    @Test
    void aTimeoutMustBePositiveAndRetriesNotNegative() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ModelSettings("http://h/v1", null, "m",
                Duration.ZERO, 2, Duration.ofSeconds(1))).withMessageContaining("timeout");
        assertThatIllegalArgumentException().isThrownBy(() -> new ModelSettings("http://h/v1", null, "m",
                Duration.ofSeconds(-1), 2, Duration.ofSeconds(1))).withMessageContaining("timeout");
        assertThatIllegalArgumentException().isThrownBy(() -> new ModelSettings("http://h/v1", null, "m",
                Duration.ofSeconds(1), -1, Duration.ofSeconds(1))).withMessageContaining("maxRetries");
    }
}
