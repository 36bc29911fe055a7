package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import baton.agent.TurnResult.PermissionHint;
import baton.conversation.ContentType;
import baton.conversation.Conversation;
import baton.conversation.Identity;
import baton.conversation.Message;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The story of the agent-turns issue, end to end on real parts, with the model answering from the
 * recorded exchanges in test-fixtures/wiremock: alice (sales and finance) asks two questions and
 * shares; bob (sales only) forks and asks about finance; the warehouse refuses him; the model sees
 * the refusal with a permission-loss hint and the fork instructions, and bob's result lists the hint.
 */
class AgentStoryTest {

    static final String FORK_INSTRUCTIONS = "This conversation was forked";
    static final String HINT = "[Baton permission-loss hint]";
    static final Path GOLDEN = AgentHarness.FIXTURES.resolve("conversations");

    static AgentHarness harness;

    @BeforeAll
    static void start() {
        harness = new AgentHarness(true);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void aliceSharesBobForksAndIsToldHeMayHaveLostAccessToFinance() throws IOException {
        Agent agent = harness.agent();
        Identity alice = harness.user("alice");
        Identity bob = harness.user("bob");

        UUID aliceId = harness.conversations.create(alice, "Quarterly review").id();
        TurnResult revenue = agent.send(alice, aliceId, "What was our revenue per quarter in 2026?", TurnProgress.NONE);
        TurnResult margins = agent.send(alice, aliceId, "And what were our gross margins in Q4? Use the finance dataset.",
                TurnProgress.NONE);
        assertThat(revenue.error()).isNull();
        assertThat(revenue.reply()).contains("Q4 EUR 521,750");
        assertThat(revenue.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.tool()).isEqualTo("query_dataset");
            assertThat(c.isError()).isFalse();
            assertThat(c.resultText()).contains("2026-Q4").contains("521750");
        });
        assertThat(margins.error()).isNull();
        assertThat(margins.toolCalls()).singleElement().satisfies(c -> assertThat(c.resultText()).contains("78.2"));
        assertThat(revenue.permissionHints()).isEmpty();
        assertThat(margins.permissionHints()).isEmpty();

        Conversation shared = harness.conversations.share(alice, aliceId, null);
        assertThat(shared.sharedUntilMessageId()).isEqualTo(margins.turnEndMessageId());
        Conversation fork = harness.conversations.fork(bob, aliceId, null).conversation();

        List<String> progress = new CopyOnWriteArrayList<>();
        TurnResult followUp = agent.send(bob, fork.id(),
                "What is the Software margin now? Please check the finance data again.", progress::add);

        // bob's result: the refused call, the hint, and a reply that names the fork
        assertThat(followUp.error()).isNull();
        assertThat(followUp.reply()).contains("forked from alice's conversation");
        assertThat(followUp.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.tool()).isEqualTo("query_dataset");
            assertThat(c.isError()).isTrue();
            assertThat(c.resultText()).startsWith("permission denied: user 'bob' may not read dataset 'finance'");
        });
        assertThat(followUp.permissionHints()).singleElement().satisfies(h -> {
            assertThat(h.tool()).isEqualTo("query_dataset");
            assertThat(h.resource()).isEqualTo("dataset 'finance'");
            assertThat(h.reason()).isEqualTo("access_denied");
            assertThat(h.hint()).startsWith(HINT).contains("query_dataset", "dataset 'finance'", "alice",
                    "may have had access");
        });
        PermissionHint hint = followUp.permissionHints().get(0);
        assertThat(progress).containsSubsequence("Asking the model (step 1 of at most 8)",
                "Calling query_dataset on warehouse", "Asking the model (step 2 of at most 8)",
                "The turn ended with an answer");

        // what the model was sent: six requests, in order
        List<JsonNode> requests = harness.modelRequests();
        assertThat(requests).hasSize(6);
        for (JsonNode r : requests.subList(0, 4)) {
            assertThat(r.path("model").asText()).isEqualTo(AgentHarness.MODEL);
            assertThat(systemPrompt(r)).doesNotContain(FORK_INSTRUCTIONS);
            assertThat(r.toString()).doesNotContain(HINT);
        }
        assertThat(toolNames(requests.get(0))).containsExactlyInAnyOrder("list_datasets", "describe_dataset",
                "query_dataset", "export_dataset");
        JsonNode bobsFirst = requests.get(4);
        assertThat(systemPrompt(bobsFirst)).isEqualTo(harness.prompts.systemPrompt(
                harness.conversations.metadata(bob, fork.id()).conversation()));
        assertThat(systemPrompt(bobsFirst)).contains(FORK_INSTRUCTIONS, "alice");
        // alice's history, converted faithfully: every tool call paired with its result, in order
        assertThat(roles(bobsFirst)).containsExactly("system", "user", "assistant", "tool", "assistant", "user",
                "assistant", "tool", "assistant", "user");
        JsonNode history = bobsFirst.get("messages");
        assertThat(history.get(2).at("/tool_calls/0/function/name").asText()).isEqualTo("query_dataset");
        assertThat(history.get(3).path("tool_call_id").asText())
                .isEqualTo(history.get(2).at("/tool_calls/0/id").asText());
        // bob may read sales: that result reaches his model as recorded; finance and its answer do not
        assertThat(history.get(3).path("content").asText()).contains("521750");
        assertThat(history.get(7).path("content").asText()).startsWith("[withheld by Baton]")
                .contains("query_dataset", "dataset 'finance'").doesNotContain("78.2");
        assertThat(history.get(8).path("content").asText()).startsWith("[withheld by Baton]")
                .doesNotContain("78.2");
        assertThat(bobsFirst.toString()).doesNotContain("78.2", "31.5");
        assertThat(systemPrompt(bobsFirst)).contains("## Inherited data the new owner cannot obtain",
                "- `query_dataset` on dataset 'finance': access denied to the new owner");
        JsonNode refused = last(requests.get(5));
        assertThat(refused.path("role").asText()).isEqualTo("tool");
        assertThat(refused.path("tool_call_id").asText()).isEqualTo("call_bob_finance");
        assertThat(refused.path("content").asText())
                .isEqualTo("permission denied: user 'bob' may not read dataset 'finance'\n\n" + hint.hint());

        // the stored turn is complete, and the conversation goes on being shareable and forkable
        List<Message> bobs = harness.conversations.readAll(bob, fork.id()).messages();
        List<Message> turn = bobs.subList(8, bobs.size());
        assertThat(turn).extracting(Message::role, Message::type, Message::tool, Message::contentType).containsExactly(
                org.assertj.core.groups.Tuple.tuple(MessageRole.USER, MessageType.CALL, "router_agent", ContentType.TEXT),
                org.assertj.core.groups.Tuple.tuple(MessageRole.ASSISTANT, MessageType.CALL, "query_dataset", ContentType.JSON),
                org.assertj.core.groups.Tuple.tuple(MessageRole.TOOL, MessageType.RESULT, "query_dataset", ContentType.ERROR),
                org.assertj.core.groups.Tuple.tuple(MessageRole.ASSISTANT, MessageType.RESULT, "router_agent", ContentType.TEXT));
        assertThat(turn.get(1).parentId()).isEqualTo(turn.get(0).id());
        assertThat(turn.get(2).parentId()).isEqualTo(turn.get(1).id());
        assertThat(turn.get(3).parentId()).isNull();
        assertThat(turn.get(3).id()).isEqualTo(followUp.turnEndMessageId());
        assertThat(turn.get(2).content()).contains(hint.hint());
        assertThat(harness.conversations.share(bob, fork.id(), null).sharedUntilMessageId())
                .isEqualTo(followUp.turnEndMessageId());
        assertThat(harness.conversations.fork(harness.user("carol"), fork.id(), null).copiedMessages()).isEqualTo(12);

        assertGolden("story.alice.json", harness.conversations.readAll(alice, aliceId).messages());
        assertGolden("story.bob-fork.json", bobs);
    }

    private static String systemPrompt(JsonNode request) {
        JsonNode first = request.get("messages").get(0);
        assertThat(first.path("role").asText()).isEqualTo("system");
        return first.path("content").asText();
    }

    private static List<String> roles(JsonNode request) {
        List<String> roles = new ArrayList<>();
        request.get("messages").forEach(m -> roles.add(m.path("role").asText()));
        return roles;
    }

    private static List<String> toolNames(JsonNode request) {
        List<String> names = new ArrayList<>();
        request.path("tools").forEach(t -> names.add(t.at("/function/name").asText()));
        return names;
    }

    private static JsonNode last(JsonNode request) {
        JsonNode messages = request.get("messages");
        return messages.get(messages.size() - 1);
    }

    /**
     * The stored conversation, without ids and times (parents become indexes), against
     * test-fixtures/conversations; {@code -Dbaton.updateGolden=true} rewrites the file.
     */
    static void assertGolden(String name, List<Message> messages) throws IOException {
        Map<UUID, Integer> indexOf = new HashMap<>();
        messages.forEach(m -> indexOf.put(m.id(), m.index()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("index", m.index());
            row.put("parent", m.parentId() == null ? null : indexOf.get(m.parentId()));
            row.put("role", m.role().name().toLowerCase());
            row.put("type", m.type().name().toLowerCase());
            row.put("tool", m.tool());
            row.put("content_type", m.contentType().name().toLowerCase());
            row.put("content", m.content());
            rows.add(row);
        }
        String actual = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows) + "\n";
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("baton.updateGolden") || !Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}
