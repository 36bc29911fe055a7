package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.conversation.ContentType;
import baton.conversation.Conversations;
import baton.conversation.ForkResult;
import baton.conversation.Identity;
import baton.conversation.LostAccess;
import baton.conversation.Message;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import baton.conversation.Role;
import baton.conversation.ToolResultsPolicy;
import baton.conversation.WithheldReason;
import baton.fixture.WarehouseServer;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Entitlement-aware sharing against the warehouse fixture over HTTP and a real PostgreSQL: alice
 * (sales and finance) shares, bob (sales only) reads and forks. Conversations are written with
 * append, as a harness would, from test-fixtures/conversations/story.alice.json.
 */
class EntitlementsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path STORY = Path.of("..", "test-fixtures", "conversations", "story.alice.json");

    private static WarehouseServer.Running warehouse;
    private static WarehouseServer.Running slowWarehouse;
    private static final List<ToolGateway> gateways = new ArrayList<>();

    private final String project = "entitle-" + UUID.randomUUID();
    private final Identity alice = new Identity("alice", project, Role.EDITOR);
    private final Identity bob = new Identity("bob", project, Role.EDITOR);
    private final Identity carol = new Identity("carol", project, Role.EDITOR);
    private final Identity admin = new Identity("dana", project, Role.ADMIN);

    @BeforeAll
    static void startWarehouses() throws Exception {
        warehouse = WarehouseServer.startHttp(0, AgentHarness.WAREHOUSE_DATA);
        slowWarehouse = WarehouseServer.startHttp(0, AgentHarness.WAREHOUSE_DATA, WarehouseServer.DEFAULT_USER_HEADER, 3000);
    }

    @AfterAll
    static void stopWarehouses() {
        gateways.forEach(ToolGateway::close);
        warehouse.close();
        slowWarehouse.close();
    }

    static UpstreamServer upstream(String name, String url, Duration timeout) {
        return new UpstreamServer(name, URI.create(url), null, Map.of(), null, Map.of(), timeout);
    }

    private static UpstreamEntitlements entitlements(UpstreamServer... servers) {
        ToolGateway gateway = new ToolGateway(List.of(servers), new JacksonMcpJsonMapper(JSON), "test");
        gateways.add(gateway);
        return new UpstreamEntitlements(gateway, TestDatabase.database(), Duration.ofMinutes(10), Clock.systemUTC());
    }

    private static Conversations conversations(UpstreamEntitlements entitlements) {
        return new Conversations(TestDatabase.database(), Clock.systemUTC(), entitlements, ToolResultsPolicy.CHECKED);
    }

    /** Appends the recorded story (sales turn, finance turn) to a new conversation of alice's. */
    static UUID story(Conversations conversations, Identity owner) throws Exception {
        UUID id = conversations.create(owner, "Quarterly review").id();
        conversations.append(owner, id, storyMessages());
        return id;
    }

    static List<NewMessage> storyMessages() throws Exception {
        List<NewMessage> batch = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        for (JsonNode m : JSON.readTree(STORY.toFile())) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            batch.add(new NewMessage(id, MessageRole.parse(m.path("role").asText()), MessageType.parse(m.path("type").asText()),
                    m.path("tool").asText(), m.path("parent").isNull() ? null : ids.get(m.path("parent").asInt()),
                    ContentType.parse(m.path("content_type").asText()), m.path("content").asText()));
        }
        return batch;
    }

    static JsonNode withheld(Message m) throws Exception {
        assertThat(m.contentType()).as("message %d", m.index()).isEqualTo(ContentType.WITHHELD);
        return JSON.readTree(m.content());
    }

    @Test
    void bobSeesTheSalesTurnWholeAndTheFinanceResultAndItsAnswerWithheld() throws Exception {
        UpstreamEntitlements checks = entitlements(upstream("warehouse", warehouse.url(), Duration.ofSeconds(10)));
        Conversations conversations = conversations(checks);
        UUID id = story(conversations, alice);
        List<Message> recorded = conversations.readAll(alice, id).messages();
        conversations.share(alice, id, null);

        List<Message> seen = conversations.readAll(bob, id).messages();

        assertThat(seen).hasSize(8);
        for (int i : new int[] {0, 1, 2, 3, 4, 5}) {
            assertThat(seen.get(i)).as("message %d", i).isEqualTo(recorded.get(i));
        }
        JsonNode result = withheld(seen.get(6));
        assertThat(result.path("reason").asText()).isEqualTo("access_denied");
        assertThat(result.path("tool").asText()).isEqualTo("query_dataset");
        assertThat(result.path("resource").asText()).isEqualTo("dataset 'finance'");
        assertThat(result.path("sentence").asText()).contains("query_dataset", "dataset 'finance'", "refuses you");
        JsonNode answer = withheld(seen.get(7));
        assertThat(answer.path("reason").asText()).isEqualTo("derived");
        assertThat(answer.path("resource").asText()).isEqualTo("dataset 'finance'");
        for (int i : new int[] {6, 7}) {
            Message r = recorded.get(i);
            assertThat(seen.get(i)).usingRecursiveComparison().ignoringFields("contentType", "content").isEqualTo(r);
            assertThat(seen.get(i).content()).doesNotContain("78.2", "31.5", "Software");
        }

        // alice and admins see everything
        assertThat(conversations.readAll(alice, id).messages()).isEqualTo(recorded);
        assertThat(conversations.readAll(admin, id).messages()).isEqualTo(recorded);
        // a paged read withholds the same
        assertThat(conversations.read(bob, id, 5, 2).messages()).isEqualTo(seen.subList(6, 8));
    }

    @Test
    void policiesAllAndNoneAndCarolWhoHasNoDatasets() throws Exception {
        Conversations conversations = conversations(entitlements(upstream("warehouse", warehouse.url(), Duration.ofSeconds(10))));
        UUID id = story(conversations, alice);
        List<Message> recorded = conversations.readAll(alice, id).messages();

        assertThat(conversations.share(alice, id, null, ToolResultsPolicy.ALL).sharedToolResults())
                .isEqualTo(ToolResultsPolicy.ALL);
        assertThat(conversations.readAll(bob, id).messages()).isEqualTo(recorded);

        conversations.share(alice, id, null, ToolResultsPolicy.NONE);
        List<Message> none = conversations.readAll(bob, id).messages();
        assertThat(withheld(none.get(2)).path("reason").asText()).isEqualTo("owner_choice");
        assertThat(withheld(none.get(3)).path("reason").asText()).isEqualTo("derived");
        assertThat(withheld(none.get(6)).path("reason").asText()).isEqualTo("owner_choice");
        assertThat(withheld(none.get(7)).path("reason").asText()).isEqualTo("derived");
        assertThat(List.of(none.get(0), none.get(1), none.get(4), none.get(5)))
                .isEqualTo(List.of(recorded.get(0), recorded.get(1), recorded.get(4), recorded.get(5)));

        conversations.share(alice, id, null); // the default: checked
        List<Message> carols = conversations.readAll(carol, id).messages();
        assertThat(withheld(carols.get(2)).path("resource").asText()).isEqualTo("dataset 'sales'");
        assertThat(withheld(carols.get(6)).path("resource").asText()).isEqualTo("dataset 'finance'");
    }

    @Test
    void aCallThatNamesNoToolIsTextAndIsWithheldWithTheTurnsAnswer() throws Exception {
        Conversations conversations = conversations(entitlements());
        UUID id = conversations.create(alice, "harness notes").id();
        UUID root = UUID.randomUUID();
        UUID call = UUID.randomUUID();
        conversations.append(alice, id, List.of(
                new NewMessage(root, MessageRole.USER, MessageType.CALL, Message.ROUTER_AGENT, null, ContentType.TEXT,
                        "Margins?"),
                new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.CALL, "", root, ContentType.TEXT,
                        "SECRET-ASSISTANT-NOTE"),
                new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, "query_dataset", root, ContentType.JSON,
                        "{\"dataset\":\"finance\"}"),
                new NewMessage(UUID.randomUUID(), MessageRole.TOOL, MessageType.RESULT, "query_dataset", call,
                        ContentType.JSON, "{\"margin\":0.42}"),
                new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null,
                        ContentType.TEXT, "The margin is 42%.")));
        conversations.share(alice, id, null, ToolResultsPolicy.NONE);

        List<Message> seen = conversations.readAll(bob, id).messages();
        assertThat(withheld(seen.get(1)).path("reason").asText()).isEqualTo("derived");
        assertThat(seen.get(2).content()).isEqualTo("{\"dataset\":\"finance\"}"); // a real tool call stays
        assertThat(seen.toString()).doesNotContain("SECRET-ASSISTANT-NOTE").doesNotContain("0.42").doesNotContain("42%");
    }

    @Test
    void bobsForkCopiesTheWithheldMessagesAndListsWhatHeLost() throws Exception {
        Conversations conversations = conversations(entitlements(upstream("warehouse", warehouse.url(), Duration.ofSeconds(10))));
        UUID id = story(conversations, alice);
        conversations.share(alice, id, null, ToolResultsPolicy.ALL);

        ForkResult fork = conversations.fork(bob, id, null);

        // whatever the policy, the fork checks what bob lost
        assertThat(fork.lostAccess()).containsExactly(new LostAccess("query_dataset", "dataset 'finance'",
                WithheldReason.ACCESS_DENIED));
        // under all, the copy is whole
        assertThat(conversations.readAll(bob, fork.conversation().id()).messages())
                .extracting(Message::content).isEqualTo(conversations.readAll(alice, id).messages().stream()
                        .map(Message::content).toList());
        String prompt = new PromptLibrary().systemPrompt(conversations.metadata(bob, fork.conversation().id()).conversation());
        assertThat(prompt).contains("## Inherited data the new owner cannot obtain",
                "- `query_dataset` on dataset 'finance': access denied to the new owner");

        conversations.share(alice, id, null, ToolResultsPolicy.CHECKED);
        ForkResult checked = conversations.fork(bob, id, null);
        List<Message> copy = conversations.readAll(bob, checked.conversation().id()).messages();
        assertThat(withheld(copy.get(6)).path("reason").asText()).isEqualTo("access_denied");
        assertThat(withheld(copy.get(7)).path("reason").asText()).isEqualTo("derived");
        assertThat(copy.get(2).contentType()).isEqualTo(ContentType.JSON);
        // what bob now owns holds no byte of the finance result, for him or anyone (alice reads his fork only if shared)
        assertThat(copy).allSatisfy(m -> assertThat(m.content()).doesNotContain("78.2"));

        // alice's own fork keeps everything and lost nothing
        ForkResult own = conversations.fork(alice, id, null);
        assertThat(own.lostAccess()).isEmpty();
        assertThat(conversations.readAll(alice, own.conversation().id()).messages())
                .noneMatch(m -> m.contentType() == ContentType.WITHHELD);
    }

    @Test
    void aSecondReadWithinTheTtlCostsNoUpstreamCallAndIdenticalCallsAreCheckedOnce() throws Exception {
        UpstreamEntitlements checks = entitlements(upstream("warehouse", warehouse.url(), Duration.ofSeconds(10)));
        Conversations conversations = conversations(checks);
        UUID id = conversations.create(alice, "Twice the same").id();
        conversations.append(alice, id, storyMessages());
        conversations.append(alice, id, storyMessages()); // the same two calls again
        conversations.share(alice, id, null);

        conversations.readAll(bob, id);
        assertThat(checks.upstreamCalls()).isEqualTo(2);

        // another instance (its own gateway and checker) on the same database shares the cache
        UpstreamEntitlements other = entitlements(upstream("warehouse", warehouse.url(), Duration.ofSeconds(10)));
        List<Message> again = conversations(other).readAll(bob, id).messages();
        assertThat(other.upstreamCalls()).isZero();
        assertThat(withheld(again.get(14)).path("reason").asText()).isEqualTo("access_denied");
        assertThat(again.get(10).contentType()).isEqualTo(ContentType.JSON);
    }

    @Test
    void whatCannotBeCheckedIsWithheldUncheckedWithinTheBound() throws Exception {
        UpstreamEntitlements checks = entitlements(upstream("warehouse", warehouse.url(), Duration.ofSeconds(10)));
        Conversations conversations = conversations(checks);
        UUID id = conversations.create(alice, "Odd calls").id();
        UUID root = UUID.randomUUID();
        List<NewMessage> turn = new ArrayList<>();
        turn.add(new NewMessage(root, MessageRole.USER, MessageType.CALL, Message.ROUTER_AGENT, null, ContentType.TEXT, "go"));
        String[][] calls = {
                {"export_dataset", "{\"dataset\":\"sales\"}"},          // not read-only
                {"drop_everything", "{\"dataset\":\"sales\"}"},        // no upstream offers it
                {"query_dataset", "dataset=sales"},                     // arguments not JSON
                {"query_dataset", "[\"sales\"]"},                       // not a JSON object
                {"list_datasets", "{}"}};                              // fine
        for (String[] c : calls) {
            UUID call = UUID.randomUUID();
            turn.add(new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, c[0], root, ContentType.TEXT, c[1]));
            turn.add(new NewMessage(UUID.randomUUID(), MessageRole.TOOL, MessageType.RESULT, c[0], call, ContentType.TEXT,
                    "secret of " + c[0]));
        }
        turn.add(new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null,
                ContentType.TEXT, "secret answer"));
        conversations.append(alice, id, turn);
        conversations.share(alice, id, null);

        List<Message> seen = conversations.readAll(bob, id).messages();
        for (int i = 0; i < 4; i++) {
            JsonNode w = withheld(seen.get(2 + 2 * i));
            assertThat(w.path("reason").asText()).as(calls[i][0]).isEqualTo("unchecked");
            assertThat(w.path("sentence").asText()).contains("could not check");
        }
        assertThat(seen.get(10).content()).isEqualTo("secret of list_datasets");
        assertThat(withheld(seen.get(11)).path("reason").asText()).isEqualTo("derived");
        assertThat(checks.upstreamCalls()).isEqualTo(1);
    }

    @Test
    void aDownOrSlowUpstreamLeavesResultsUncheckedWithinItsTimeout() throws Exception {
        // down: nothing listens there
        Conversations down = conversations(entitlements(upstream("warehouse", "http://127.0.0.1:9/mcp", Duration.ofSeconds(2))));
        UUID id = story(down, alice);
        down.share(alice, id, null);
        long start = System.nanoTime();
        List<Message> seen = down.readAll(bob, id).messages();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(withheld(seen.get(2)).path("reason").asText()).isEqualTo("unchecked");
        assertThat(withheld(seen.get(6)).path("reason").asText()).isEqualTo("unchecked");

        // slow: answers after 3 s, its timeout is 1 s
        UpstreamEntitlements slowChecks = entitlements(upstream("warehouse", slowWarehouse.url(), Duration.ofSeconds(1)));
        Conversations slow = conversations(slowChecks);
        start = System.nanoTime();
        List<Message> slowSeen = slow.readAll(bob, id).messages();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(withheld(slowSeen.get(2)).path("reason").asText()).isEqualTo("unchecked");
        assertThat(withheld(slowSeen.get(6)).path("reason").asText()).isEqualTo("unchecked");
        assertThat(slowChecks.upstreamCalls()).isEqualTo(2);
    }

    @Test
    void withoutUpstreamsEveryCheckedResultIsUnchecked() throws Exception {
        Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC());
        UUID id = story(conversations, alice);
        conversations.share(alice, id, null);
        List<Message> seen = conversations.readAll(bob, id).messages();
        assertThat(withheld(seen.get(2)).path("reason").asText()).isEqualTo("unchecked");
        assertThat(withheld(seen.get(3)).path("reason").asText()).isEqualTo("derived");
    }
}
