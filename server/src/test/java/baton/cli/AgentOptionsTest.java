package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import baton.agent.AgentSettings;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class AgentOptionsTest {

    private static final Map<String, String> ENV = Map.of(
            "BATON_MODEL_BASE_URL", "https://api.example.com/v1",
            "BATON_MODEL_NAME", "gpt-4o-mini",
            "BATON_MODEL_API_KEY", "sk-env",
            "BATON_MODEL_TIMEOUT", "45",
            "BATON_MODEL_MAX_RETRIES", "0",
            "BATON_MAX_STEPS", "3",
            "BATON_TURN_TIMEOUT", " 120 ");

    @TempDir
    Path dir;

    private static AgentOptions flags(String... args) {
        return CommandLine.populateCommand(new AgentOptions(), args);
    }

    private static BatonException failure(AgentOptions options, Map<String, String> env) {
        BatonException e = catchThrowableOfType(() -> options.settings(env), BatonException.class);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
        return e;
    }

    private Path upstreamsFile(String name) throws IOException {
        return Files.writeString(dir.resolve(name + ".json"),
                "{\"upstreams\": [{\"name\": \"" + name + "\", \"url\": \"http://127.0.0.1:8931/mcp\"}]}");
    }

    @Test
    void withoutFlagsOrEnvironmentEverythingHasItsDefaultAndTheModelIsMissing() {
        AgentSettings s = new AgentOptions().settings(Map.of());

        assertThat(s.model().baseUrl()).isNull();
        assertThat(s.model().missingSetting()).startsWith("BATON_MODEL_BASE_URL");
        assertThat(s.model().timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.model().maxRetries()).isEqualTo(2);
        assertThat(s.maxSteps()).isEqualTo(8);
        assertThat(s.turnTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.upstreams()).isEmpty();
    }

    @Test
    void environmentValuesAreParsed() {
        AgentSettings s = new AgentOptions().settings(ENV);

        assertThat(s.model().baseUrl()).isEqualTo("https://api.example.com/v1");
        assertThat(s.model().modelName()).isEqualTo("gpt-4o-mini");
        assertThat(s.model().apiKey()).isEqualTo("sk-env");
        assertThat(s.model().timeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(s.model().maxRetries()).isZero();
        assertThat(s.maxSteps()).isEqualTo(3);
        assertThat(s.turnTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(s.model().missingSetting()).isNull();
    }

    @Test
    void flagsOverrideTheEnvironment() {
        AgentOptions options = flags("--model-base-url", "http://localhost:11434/v1", "--model-name", "llama3",
                "--model-api-key", "sk-flag", "--model-timeout", "5", "--model-max-retries", "4", "--max-steps", "12",
                "--turn-timeout", "30");

        AgentSettings s = options.settings(ENV);

        assertThat(s.model().baseUrl()).isEqualTo("http://localhost:11434/v1");
        assertThat(s.model().modelName()).isEqualTo("llama3");
        assertThat(s.model().apiKey()).isEqualTo("sk-flag");
        assertThat(s.model().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.model().maxRetries()).isEqualTo(4);
        assertThat(s.maxSteps()).isEqualTo(12);
        assertThat(s.turnTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aBlankFlagFallsBackToTheEnvironment() {
        AgentOptions options = new AgentOptions();
        options.modelName = " ";

        assertThat(options.settings(ENV).model().modelName()).isEqualTo("gpt-4o-mini");
    }

    @ParameterizedTest
    @CsvSource({
            "BATON_MAX_STEPS, 0",
            "BATON_MAX_STEPS, abc",
            "BATON_MAX_STEPS, 2.5",
            "BATON_MODEL_TIMEOUT, -1",
            "BATON_MODEL_TIMEOUT, 99999999999",
            "BATON_MODEL_MAX_RETRIES, -1",
            "BATON_TURN_TIMEOUT, 0",
            "BATON_TURN_TIMEOUT, 10m"})
    void aBadNumberInTheEnvironmentIsAConfigurationFailureNamingTheVariable(String variable, String value) {
        BatonException e = failure(new AgentOptions(), Map.of(variable, value));

        assertThat(e.getMessage()).contains(variable, "\"" + value + "\"");
    }

    @Test
    void aFlagBelowItsMinimumIsAConfigurationFailureNamingTheFlag() {
        assertThat(failure(flags("--max-steps", "0"), ENV).getMessage()).contains("--max-steps", "at least 1");
        assertThat(failure(flags("--model-max-retries", "-1"), ENV).getMessage())
                .contains("--model-max-retries", "at least 0");
        assertThat(failure(flags("--model-timeout", "0"), ENV).getMessage()).contains("--model-timeout");
        assertThat(failure(flags("--turn-timeout", "-3"), ENV).getMessage()).contains("--turn-timeout");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "localhost:11434/v1", "ftp://models.example/v1", "http:///v1", "/v1"})
    void aBaseUrlThatIsNotAnAbsoluteHttpUrlIsAConfigurationFailure(String url) {
        BatonException e = failure(new AgentOptions(), Map.of("BATON_MODEL_BASE_URL", url));

        assertThat(e.getMessage()).contains("model base URL", url);
        assertThat(failure(flags("--model-base-url", url), Map.of()).getMessage()).contains(url);
    }

    @Test
    void aBaseUrlWithoutV1IsAccepted() {
        AgentSettings s = new AgentOptions().settings(Map.of("BATON_MODEL_BASE_URL", "http://localhost:8080"));

        assertThat(s.model().baseUrl()).isEqualTo("http://localhost:8080");
    }

    @Test
    void theUpstreamsFileOfTheEnvironmentIsLoaded() throws IOException {
        Path file = upstreamsFile("warehouse");

        AgentSettings s = new AgentOptions().settings(Map.of("BATON_UPSTREAMS", file.toString()));

        assertThat(s.upstreams()).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("warehouse");
            assertThat(u.isHttp()).isTrue();
        });
    }

    @Test
    void theUpstreamsFlagOverridesTheEnvironment() throws IOException {
        Path fromEnv = upstreamsFile("from_env");
        Path fromFlag = upstreamsFile("from_flag");

        AgentSettings s = flags("--upstreams", fromFlag.toString())
                .settings(Map.of("BATON_UPSTREAMS", fromEnv.toString()));

        assertThat(s.upstreams()).extracting(u -> u.name()).containsExactly("from_flag");
    }

    @Test
    void aBadUpstreamsFileIsAConfigurationFailureNamingIt() throws IOException {
        Path file = Files.writeString(dir.resolve("broken.json"), "{\"upstreams\": [{\"name\": \"w\"}]}");

        BatonException e = failure(new AgentOptions(), Map.of("BATON_UPSTREAMS", file.toString()));

        assertThat(e.getMessage()).contains(file.toString(), "upstreams[0]");
    }

    @ParameterizedTest
    @CsvSource({"anthropic,https://api.anthropic.com/v1/", "gemini,https://generativelanguage.googleapis.com/v1beta",
            "Anthropic,https://api.anthropic.com/v1/"})
    void anthropicAndGeminiDefaultToTheirPublicApiAndNeedANameAndAKey(String provider, String base) {
        AgentSettings s = flags("--model-provider", provider).settings(Map.of());
        assertThat(s.model().baseUrl()).isEqualTo(base);
        assertThat(s.model().missingSetting()).startsWith("BATON_MODEL_NAME");

        s = new AgentOptions().settings(Map.of("BATON_MODEL_PROVIDER", provider, "BATON_MODEL_NAME", "m"));
        assertThat(s.model().missingSetting()).startsWith("BATON_MODEL_API_KEY");

        s = new AgentOptions().settings(Map.of("BATON_MODEL_PROVIDER", provider, "BATON_MODEL_NAME", "m",
                "BATON_MODEL_API_KEY", "k", "BATON_MODEL_BASE_URL", "http://127.0.0.1:9/proxy"));
        assertThat(s.model().missingSetting()).isNull();
        assertThat(s.model().baseUrl()).isEqualTo("http://127.0.0.1:9/proxy");
        assertThat(s.model().provider().id()).isEqualTo(provider.toLowerCase());
    }

    @Test
    void theProviderDefaultsToOpenAiAndTheFlagWinsOverTheVariable() {
        assertThat(new AgentOptions().settings(ENV).model().provider()).isEqualTo(baton.agent.Provider.OPENAI);
        assertThat(flags("--model-provider", "gemini").settings(Map.of("BATON_MODEL_PROVIDER", "anthropic"))
                .model().provider()).isEqualTo(baton.agent.Provider.GEMINI);
    }

    @Test
    void samplingNeedsNoKeyNameOrUrl() {
        AgentSettings s = flags("--model-provider", "sampling").settings(Map.of());
        assertThat(s.model().missingSetting()).isNull();
    }

    @Test
    void anUnknownProviderIsOneSentence() {
        BatonException e = failure(new AgentOptions(), Map.of("BATON_MODEL_PROVIDER", "carrier-pigeon"));

        assertThat(e.getMessage()).isEqualTo(
                "The model provider \"carrier-pigeon\" is not one of openai, anthropic, gemini, sampling.");
    }
}
