package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.db.EmbeddedPostgresServer;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The agent story over stdio, plus the {@code baton replay} command. */
class AgentStdioEndToEndIT extends AgentEndToEndSuite {

    private final List<McpTestClient> clients = new ArrayList<>();

    @AfterAll
    void closeClients() {
        clients.forEach(McpTestClient::close);
    }

    @Override
    protected McpTestClient client(String user, String project, boolean withModel,
            List<McpSchema.ProgressNotification> progress) {
        McpTestClient client = new McpTestClient(BatonLauncher.stdio(dataHome, withModel ? agentEnv : Map.of(), user,
                progress::add, "--user", user, "--project", project));
        clients.add(client);
        return client;
    }

    @Test
    void replayRunsTheScenariosOfTestFixturesAgainstTheConfiguredModel() throws Exception {
        BatonLauncher.Result replay = BatonLauncher.run(dataHome, agentEnv, "replay",
                FIXTURES.resolve("scenarios").toString());

        assertThat(replay.status()).as(replay.stdout() + replay.stderr()).isZero();
        assertThat(replay.stdout()).contains("PASS  step 8 (bob send): at least 1 permission hint(s) (got 1)")
                .contains("PASS  step 8 (bob send): reply matches (?i)fork")
                .contains("all expectations met (1 scenario(s))").doesNotContain("FAIL");
    }

    @Test
    void replayFailsWhenAnExpectationIsNotMet(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path scenario = dir.resolve("strict.json");
        Files.writeString(scenario, """
                {"name": "strict", "steps": [
                  {"as": "alice", "create": "Strict"},
                  {"as": "alice", "send": "What was our revenue per quarter in 2026?",
                   "expect": {"reply_matches": "(?i)forked", "permission_hints_min": 1}}
                ]}
                """);

        BatonLauncher.Result replay = BatonLauncher.run(dataHome, agentEnv, "replay", scenario.toString());

        assertThat(replay.status()).isEqualTo(1);
        assertThat(replay.stdout()).contains("FAIL  step 2 (alice send): reply matches (?i)forked")
                .contains("FAIL  step 2 (alice send): at least 1 permission hint(s) (got 0)")
                .contains("2 expectation(s) failed");
    }
}
