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

/**
 * The agent-turns story end to end, once per transport: baton.jar processes for alice and bob,
 * WireMock answering as the model from the recorded exchanges, and the warehouse fixture started
 * by Baton as a stdio upstream, once per caller, with the caller in its environment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AgentEndToEndSuite {

    static final Path FIXTURES = Path.of("..", "test-fixtures").toAbsolutePath().normalize();

    protected Path dataHome;
    private WireMockServer model;
    protected Map<String, String> agentEnv;

    @BeforeAll
    void start() throws Exception {
        dataHome = Files.createTempDirectory("baton-agent-e2e");
        model = new WireMockServer(WireMockConfiguration.options().dynamicPort()
                .usingFilesUnderDirectory(FIXTURES.resolve("wiremock").toString()));
        model.start();
        Path upstreams = dataHome.resolve("upstreams.json");
        String classpath = System.getProperty("java.class.path");
        Files.writeString(upstreams, """
                {"upstreams": [{"name": "warehouse", "command": ["%s", "-cp", "%s", "baton.fixture.WarehouseServer",
                  "--data", "%s"], "timeout_seconds": 60}]}
                """.formatted(BatonLauncher.java(), classpath, FIXTURES.resolve("upstream/warehouse.json")));
        agentEnv = Map.of("BATON_MODEL_BASE_URL", model.baseUrl() + "/v1", "BATON_MODEL_NAME", "baton-demo",
                "BATON_MODEL_API_KEY", "test-key", "BATON_UPSTREAMS", upstreams.toString());
    }

    @AfterAll
    void stop() {
        model.stop();
        new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
    }

    /**
     * A client for {@code user} in {@code project}, on a Baton with the model and the warehouse
     * ({@code withModel}) or with neither; progress notifications go to {@code progress}.
     */
    protected abstract McpTestClient client(String user, String project, boolean withModel,
            List<McpSchema.ProgressNotification> progress);

    @Test
    @SuppressWarnings("unchecked")
    void bobsForkedTurnListsThePermissionHintAndTheTurnIsStoredWhole() throws Exception {
        String project = "story-" + UUID.randomUUID();
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        McpTestClient alice = client("alice", project, true, progress);
        McpTestClient bob = client("bob", project, true, new CopyOnWriteArrayList<>());

        String id = (String) ((Map<String, Object>) alice.call("create_conversation", Map.of("title", "Quarterly review"))
                .get("conversation")).get("id");
        McpSchema.CallToolResult first = alice.raw().callTool(new McpSchema.CallToolRequest("send_message",
                Map.of("conversation_id", id, "content", "What was our revenue per quarter in 2026?"),
                Map.of("progressToken", "turn-1")));
        assertThat(first.isError()).as("%s", first.content()).isFalse();
        assertThat(progress).extracting(McpSchema.ProgressNotification::progressToken).containsOnly("turn-1");
        assertThat(progress).extracting(McpSchema.ProgressNotification::message)
                .contains("Calling query_dataset on warehouse", "The turn ended with an answer");
        assertThat(progress).extracting(McpSchema.ProgressNotification::progress).isSorted();
        alice.call("send_message", Map.of("conversation_id", id,
                "content", "And what were our gross margins in Q4? Use the finance dataset."));
        alice.call("share_conversation", Map.of("conversation_id", id));

        String forkId = (String) ((Map<String, Object>) bob.call("fork_conversation", Map.of("conversation_id", id))
                .get("conversation")).get("id");
        Map<String, Object> turn = bob.call("send_message", Map.of("conversation_id", forkId,
                "content", "What is the Software margin now? Please check the finance data again."));

        assertThat((String) turn.get("reply")).contains("forked from alice's conversation");
        List<Map<String, Object>> hints = (List<Map<String, Object>>) turn.get("permission_hints");
        assertThat(hints).singleElement().satisfies(h -> {
            assertThat(h).containsEntry("tool", "query_dataset").containsEntry("resource", "dataset 'finance'")
                    .containsEntry("reason", "access_denied");
            assertThat((String) h.get("hint")).contains("alice", "may have had access");
        });
        List<Map<String, Object>> calls = (List<Map<String, Object>>) turn.get("tool_calls");
        assertThat(calls).singleElement().satisfies(c -> assertThat(c).containsEntry("is_error", true));

        // a harness gets the same system prompt and history the agent used
        String systemPrompt = bob.systemPrompt(forkId);
        assertThat(systemPrompt).contains("This conversation was forked", "alice");
        Map<String, Object> read = bob.call("read_conversation", Map.of("conversation_id", forkId));
        List<Map<String, Object>> messages = (List<Map<String, Object>>) read.get("messages");
        assertThat(messages).hasSize(12);
        assertThat(messages.get(11)).containsEntry("id", turn.get("turn_end_message_id"));
        assertThat((String) messages.get(10).get("content")).contains("permission denied", "[Baton permission-loss hint]");

        // the prompt regression command prints exactly the prompt the model got
        BatonLauncher.Result render = BatonLauncher.run(dataHome, Map.of(), "prompts", "render", "--conversation", forkId,
                "--user", "bob", "--project", project);
        assertThat(render.status()).as(render.stderr()).isZero();
        assertThat(render.stdout()).isEqualTo(systemPrompt);
        BatonLauncher.Result denied = BatonLauncher.run(dataHome, Map.of(), "prompts", "render", "--conversation", id,
                "--user", "mallory", "--project", "elsewhere");
        assertThat(denied.status()).isEqualTo(1);
        assertThat(denied.stdout()).isEmpty();
        assertThat(denied.stderr()).contains("baton: ").contains(id);
    }

    @Test
    void sendMessageWithoutAModelIsAnErrorNamingTheSetting() {
        McpTestClient carol = client("carol", "nomodel-" + UUID.randomUUID(), false, new CopyOnWriteArrayList<>());
        @SuppressWarnings("unchecked")
        String id = (String) ((Map<String, Object>) carol.call("create_conversation", Map.of()).get("conversation")).get("id");

        assertThat(carol.refused("send_message", Map.of("conversation_id", id, "content", "Hello?")))
                .isEqualTo("send_message needs a model, but BATON_MODEL_BASE_URL (or --model-base-url) is not set.");
    }
}
