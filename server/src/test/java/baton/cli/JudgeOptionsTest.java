package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import baton.agent.ModelSettings;
import baton.agent.Provider;
import baton.conversation.BatonException;
import baton.replay.JudgeSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The judge's provider and endpoint, next to the agent's. */
class JudgeOptionsTest {

    private static ModelSettings agent(Provider provider, String url) {
        return new ModelSettings(provider, url, "agent-key", "agent-model", Duration.ofSeconds(30), 2, Duration.ofMillis(1));
    }

    @Test
    void theJudgeTakesTheAgentsProviderAndEndpointByDefault() {
        JudgeSettings judge = new JudgeOptions().settings(Map.of("BATON_JUDGE_MODEL", "judge"),
                agent(Provider.ANTHROPIC, "http://127.0.0.1:9/v1/"));

        assertThat(judge.provider()).isEqualTo("anthropic");
        assertThat(judge.model().provider()).isEqualTo(Provider.ANTHROPIC);
        assertThat(judge.model().baseUrl()).isEqualTo("http://127.0.0.1:9/v1/");
        assertThat(judge.model().apiKey()).isEqualTo("agent-key");
    }

    @Test
    void aJudgeOfAnotherProviderGetsThatProvidersPublicApiAndNotTheAgentsKey() {
        JudgeSettings judge = new JudgeOptions().settings(Map.of("BATON_JUDGE_MODEL", "gemini-2.5-flash",
                "BATON_JUDGE_PROVIDER", "gemini", "BATON_JUDGE_API_KEY", "judge-key"),
                agent(Provider.OPENAI, "http://127.0.0.1:9/v1"));

        assertThat(judge.model().provider()).isEqualTo(Provider.GEMINI);
        assertThat(judge.model().baseUrl()).isEqualTo("https://generativelanguage.googleapis.com/v1beta");
        assertThat(judge.model().apiKey()).isEqualTo("judge-key");
    }

    @Test
    void samplingCannotJudge() {
        BatonException e = catchThrowableOfType(() -> new JudgeOptions().settings(Map.of("BATON_JUDGE_MODEL", "j",
                "BATON_JUDGE_PROVIDER", "sampling", "BATON_JUDGE_BASE_URL", "http://127.0.0.1:9/v1"),
                agent(Provider.OPENAI, "http://127.0.0.1:9/v1")), BatonException.class);

        assertThat(e.getMessage()).isEqualTo("The model provider \"sampling\" is not one of openai, anthropic, gemini"
                + " (sampling needs a connected MCP client, which a replay does not have).");
    }
}
