package baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.conversation.BatonException;
import baton.http.LimitSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class LimitOptionsTest {

    private static LimitOptions flags(String... args) {
        return CommandLine.populateCommand(new LimitOptions(), args);
    }

    @Test
    void defaultsAreTheIssuesNumbers() {
        LimitSettings limits = flags().settings(Map.of());
        assertThat(limits).isEqualTo(LimitSettings.defaults());
        assertThat(limits.rateLimit()).isEqualTo(50);
        assertThat(limits.maxSessionsPerCaller()).isEqualTo(32);
        assertThat(limits.maxSessions()).isEqualTo(10_000);
        assertThat(limits.sessionIdleTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void flagsWinOverTheEnvironment() {
        Map<String, String> env = Map.of("BATON_HTTP_RATE_LIMIT", "2.5", "BATON_HTTP_MAX_SESSIONS_PER_CALLER", "3",
                "BATON_HTTP_MAX_SESSIONS", "40", "BATON_HTTP_SESSION_IDLE_TIMEOUT", "90s",
                "BATON_HTTP_MAX_JSON_VALUES", "1000", "BATON_HTTP_MAX_JSON_DEPTH", "10",
                "BATON_HTTP_MAX_LARGE_BODIES", "2", "BATON_HTTP_MIN_UPLOAD_RATE", "0", "BATON_HTTP_IDLE_TIMEOUT", "2h");
        LimitSettings fromEnv = flags().settings(env);
        assertThat(fromEnv.rateLimit()).isEqualTo(2.5);
        assertThat(fromEnv.maxSessionsPerCaller()).isEqualTo(3);
        assertThat(fromEnv.maxSessions()).isEqualTo(40);
        assertThat(fromEnv.sessionIdleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(fromEnv.json().maxValues()).isEqualTo(1000);
        assertThat(fromEnv.json().maxDepth()).isEqualTo(10);
        assertThat(fromEnv.maxLargeBodies()).isEqualTo(2);
        assertThat(fromEnv.minUploadRate()).isZero();
        assertThat(fromEnv.idleTimeout()).isEqualTo(Duration.ofHours(2));

        LimitSettings fromFlags = flags("--rate-limit", "0", "--max-sessions", "7", "--session-idle-timeout", "15m",
                "--idle-timeout", "500ms").settings(env);
        assertThat(fromFlags.rateLimit()).isZero();
        assertThat(fromFlags.maxSessions()).isEqualTo(7);
        assertThat(fromFlags.sessionIdleTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(fromFlags.idleTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "BATON_HTTP_RATE_LIMIT|fast|BATON_HTTP_RATE_LIMIT must be a number, not 'fast'.",
            "BATON_HTTP_RATE_LIMIT|-1|The rate limit must be 0 (off) or more requests per second, not -1.0.",
            "BATON_HTTP_MAX_SESSIONS|0|The sessions in all must be at least 1, not 0.",
            "BATON_HTTP_SESSION_IDLE_TIMEOUT|soon|--session-idle-timeout must be a duration such as 90s, 30m or 2h, not 'soon'.",
            "BATON_HTTP_MAX_JSON_DEPTH|2|--max-json-depth must be at least 8, not 2."})
    void aBadValueIsOneSentenceNamingIt(String variable, String value, String sentence) {
        assertThatThrownBy(() -> flags().settings(Map.of(variable, value)))
                .isInstanceOf(BatonException.class).hasMessage(sentence);
    }
}
