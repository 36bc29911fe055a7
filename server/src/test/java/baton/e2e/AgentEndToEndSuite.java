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

    /**
     * Issue 12's story over this transport: alice's conversation written by a harness through
     * append_messages, shared with the default policy (checked against the warehouse as bob);
     * bob's read, his fork's lost_access, the exact request his model gets, alice's own read, and
     * the policies all and none.
     */
    @Test
    @SuppressWarnings("unchecked")
    void bobNeverSeesTheFinanceResultsAliceSharedAndHisForkKnowsWhatHeLost() throws Exception {
        String project = "entitle-" + UUID.randomUUID();
        McpTestClient alice = client("alice", project, true, new CopyOnWriteArrayList<>());
        McpTestClient bob = client("bob", project, true, new CopyOnWriteArrayList<>());
        String id = (String) ((Map<String, Object>) alice.call("create_conversation", Map.of("title", "Quarterly review"))
                .get("conversation")).get("id");
        alice.call("append_messages", Map.of("conversation_id", id, "messages", storyMessages()));
        Map<String, Object> share = alice.call("share_conversation", Map.of("conversation_id", id));
        assertThat(share).containsEntry("shared_tool_results", "checked");

        Map<String, Object> read = bob.call("read_conversation", Map.of("conversation_id", id));
        assertThat((Map<String, Object>) read.get("conversation")).containsEntry("shared_tool_results", "checked");
        List<Map<String, Object>> messages = (List<Map<String, Object>>) read.get("messages");
        assertThat(messages).hasSize(8);
        assertThat(messages.get(2)).containsEntry("content_type", "json");
        assertThat((String) messages.get(2).get("content")).contains("521750");
        assertThat((String) messages.get(3).get("content")).contains("Q4 EUR 521,750");
        assertThat(messages.get(6)).containsEntry("content_type", "withheld").containsEntry("tool", "query_dataset")
                .containsEntry("role", "tool").containsEntry("type", "result").containsEntry("index", 6);
        Map<String, Object> withheld = JSON.readValue((String) messages.get(6).get("content"), Map.class);
        assertThat(withheld).containsEntry("reason", "access_denied").containsEntry("tool", "query_dataset")
                .containsEntry("resource", "dataset 'finance'");
        assertThat((String) withheld.get("sentence")).contains("query_dataset", "dataset 'finance'");
        Map<String, Object> derived = JSON.readValue((String) messages.get(7).get("content"), Map.class);
        assertThat(derived).containsEntry("reason", "derived");
        assertThat(read.toString()).doesNotContain("78.2");
        assertThat(bob.resource(id)).doesNotContain("78.2").contains("withheld");

        // alice sees everything she recorded
        List<Map<String, Object>> hers = (List<Map<String, Object>>) alice.call("read_conversation",
                Map.of("conversation_id", id)).get("messages");
        assertThat((String) hers.get(6).get("content")).contains("78.2");
        assertThat(hers.get(6).get("id")).isEqualTo(messages.get(6).get("id"));

        // bob's fork: what he lost, and what his model is sent
        Map<String, Object> fork = bob.call("fork_conversation", Map.of("conversation_id", id));
        assertThat((List<Map<String, Object>>) fork.get("lost_access")).containsExactly(
                Map.of("tool", "query_dataset", "resource", "dataset 'finance'", "reason", "access_denied"));
        String forkId = (String) ((Map<String, Object>) fork.get("conversation")).get("id");
        String systemPrompt = bob.systemPrompt(forkId);
        assertThat(systemPrompt).contains("## Inherited data the new owner cannot obtain",
                "- `query_dataset` on dataset 'finance': access denied to the new owner");
        bob.call("send_message", Map.of("conversation_id", forkId,
                "content", "What is the Software margin now? Please check the finance data again."));
        List<String> sent = modelRequests(project);
        assertThat(sent).isNotEmpty();
        Map<String, Object> first = JSON.readValue(sent.get(0), Map.class);
        List<Map<String, Object>> chat = (List<Map<String, Object>>) first.get("messages");
        assertThat(chat.get(0)).containsEntry("role", "system").containsEntry("content", systemPrompt);
        assertThat(chat).extracting(m -> m.get("role")).containsExactly("system", "user", "assistant", "tool",
                "assistant", "user", "assistant", "tool", "assistant", "user");
        assertThat((String) chat.get(3).get("content")).contains("521750");
        assertThat((String) chat.get(7).get("content")).startsWith("[withheld by Baton] The result of query_dataset"
                + " on dataset 'finance' is withheld");
        assertThat((String) chat.get(8).get("content")).startsWith("[withheld by Baton] This message is withheld");
        assertThat(sent).allSatisfy(body -> assertThat(body).doesNotContain("78.2", "31.5"));

        // the policies all and none
        alice.call("share_conversation", Map.of("conversation_id", id, "tool_results", "all"));
        String all = bob.call("read_conversation", Map.of("conversation_id", id)).toString();
        assertThat(all).contains("78.2").doesNotContain("withheld");
        alice.call("share_conversation", Map.of("conversation_id", id, "tool_results", "none"));
        List<Map<String, Object>> none = (List<Map<String, Object>>) bob.call("read_conversation",
                Map.of("conversation_id", id)).get("messages");
        assertThat(none).extracting(m -> m.get("content_type")).containsExactly("text", "json", "withheld", "withheld",
                "text", "json", "withheld", "withheld");
        assertThat((String) none.get(2).get("content")).contains("owner_choice");
        assertThat(alice.refused("share_conversation", Map.of("conversation_id", id, "tool_results", "some")))
                .contains("tool_results");
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** test-fixtures/conversations/story.alice.json as append_messages arguments, with ids naming parents. */
    private static List<Map<String, Object>> storyMessages() throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (var m : JSON.readTree(FIXTURES.resolve("conversations/story.alice.json").toFile())) {
            String messageId = UUID.randomUUID().toString();
            ids.add(messageId);
            Map<String, Object> message = new java.util.LinkedHashMap<>();
            message.put("id", messageId);
            message.put("role", m.path("role").asText());
            message.put("type", m.path("type").asText());
            message.put("tool", m.path("tool").asText());
            if (!m.path("parent").isNull()) {
                message.put("parent_id", ids.get(m.path("parent").asInt()));
            }
            message.put("content_type", m.path("content_type").asText());
            message.put("content", m.path("content").asText());
            out.add(message);
        }
        return out;
    }

    /** The bodies of the chat requests the model got for conversations of {@code project}, oldest first. */
    private List<String> modelRequests(String project) {
        List<String> bodies = new ArrayList<>();
        for (var event : model.getAllServeEvents()) {
            String body = event.getRequest().getBodyAsString();
            if (body.contains(project)) {
                bodies.add(0, body);
            }
        }
        return bodies;
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
