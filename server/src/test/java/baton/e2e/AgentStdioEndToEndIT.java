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
                .contains("all 18 expectation(s) met the minimum pass rate 100% (1 scenario(s), 1 run(s) each)")
                .doesNotContain("FAIL");
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
                .contains("2 of 3 expectation(s) below the minimum pass rate 100% (marked *)");
    }

    /**
     * The story recorded through {@code --record} (WireMock with the fixtures playing the real
     * model), then replayed against a fresh WireMock loaded from the recorded directory: the same
     * replies and the same results, with tool calls, a fork and new projects in every run.
     */
    @Test
    void recordedStoryReplaysOfflineWithTheSameResults(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path recorded = dir.resolve("recorded");
        BatonLauncher.Result live = BatonLauncher.run(dataHome, agentEnv, "replay", "--record", recorded.toString(),
                "--json", dir.resolve("live.json").toString(), FIXTURES.resolve("scenarios").toString());
        assertThat(live.status()).as(live.stdout() + live.stderr()).isZero();

        WireMockServer offline = new WireMockServer(WireMockConfiguration.options().dynamicPort()
                .usingFilesUnderDirectory(recorded.toString()));
        offline.start();
        try {
            Map<String, String> env = new java.util.HashMap<>(agentEnv);
            env.put("BATON_MODEL_BASE_URL", offline.baseUrl() + "/v1");
            BatonLauncher.Result replayed = BatonLauncher.run(dataHome, env, "replay",
                    "--json", dir.resolve("offline.json").toString(), FIXTURES.resolve("scenarios").toString());

            assertThat(replayed.status()).as(replayed.stdout() + replayed.stderr()).isZero();
            assertThat(lines(replayed.stdout())).isEqualTo(lines(live.stdout()));
            assertThat(offline.getAllServeEvents()).hasSize(6)
                    .allSatisfy(e -> assertThat(e.getWasMatched()).isTrue());
        } finally {
            offline.stop();
        }
    }

    /** The PASS, FAIL and reply lines: what a run gives, without its project name. */
    private static List<String> lines(String stdout) {
        return stdout.lines().filter(l -> l.startsWith("PASS") || l.startsWith("FAIL") || l.startsWith("    reply:"))
                .toList();
    }
}
