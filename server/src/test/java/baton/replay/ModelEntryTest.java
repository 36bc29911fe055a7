package baton.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import baton.agent.ModelSettings;
import baton.agent.Provider;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider names of a model matrix go through the agent's one place. */
class ModelEntryTest {

    @TempDir
    Path dir;

    private static final ModelSettings BASE = new ModelSettings(null, null, null, ModelSettings.DEFAULT_TIMEOUT, 1,
            ModelSettings.DEFAULT_RETRY_BACKOFF);

    @Test
    void anthropicAndGeminiNeedNoBaseUrlAndKeepTheirProvider() throws IOException {
        Path file = Files.writeString(dir.resolve("models.json"), """
                [{"name": "claude", "provider": "anthropic", "model": "claude-sonnet-4-5", "key_variable": "A_KEY"},
                 {"name": "gemini", "provider": "gemini", "model": "gemini-2.5-flash", "key_variable": "G_KEY"},
                 {"name": "local", "base_url": "http://localhost:11434/v1", "model": "llama3.2"}]
                """);

        List<Replay.Model> models = ModelEntry.load(file, Map.of("A_KEY", "a", "G_KEY", "g")).stream()
                .map(e -> e.model(BASE, Map.of("A_KEY", "a", "G_KEY", "g"))).toList();

        assertThat(models).extracting(m -> m.settings().provider())
                .containsExactly(Provider.ANTHROPIC, Provider.GEMINI, Provider.OPENAI);
        assertThat(models.get(0).settings().baseUrl()).isEqualTo("https://api.anthropic.com/v1/");
        assertThat(models.get(1).settings().apiKey()).isEqualTo("g");
        assertThat(models).allSatisfy(m -> assertThat(Providers.chatModel(m.provider(), m.settings())).isNotNull());
    }

    @Test
    void samplingIsRefusedWithAReason() throws IOException {
        Path file = Files.writeString(dir.resolve("models.json"),
                "[{\"name\": \"client\", \"provider\": \"sampling\", \"base_url\": \"http://h/v1\", \"model\": \"m\"}]");

        BatonException e = catchThrowableOfType(() -> ModelEntry.load(file, Map.of()), BatonException.class);

        assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
        assertThat(e.getMessage()).contains("models[0].provider \"sampling\" is not one of openai, anthropic, gemini",
                "a replay has no MCP client to sample");
    }

    @Test
    void anOpenAiEntryStillNeedsItsBaseUrl() throws IOException {
        Path file = Files.writeString(dir.resolve("models.json"), "[{\"name\": \"x\", \"model\": \"m\"}]");

        BatonException e = catchThrowableOfType(() -> ModelEntry.load(file, Map.of()), BatonException.class);

        assertThat(e.getMessage()).contains("models[0].base_url is missing");
    }
}
