package baton.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import baton.e2e.McpTestClient;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP rules in one process: the gate (Host, Origin, token, media types, size, session owner),
 * /healthz, and the real MCP client over Streamable HTTP. Every refused request is checked to have
 * changed nothing in the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatonHttpServerTest {

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
             "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
    private static final String CREATE = """
            {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_conversation",
             "arguments":{"title":"should not exist"}}}""";
    private static final String BOTH = "application/json, text/event-stream";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String project = "http-" + UUID.randomUUID();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Database db;
    private Tokens tokens;
    private BatonHttpServer server;
    private BatonHttpServer small;
    private String alice;
    private String bob;
    private String vera;
    private String mallory;

    @BeforeAll
    void start() {
        db = TestDatabase.database();
        tokens = new Tokens(db, Clock.systemUTC());
        alice = token("alice", project, Role.EDITOR);
        bob = token("bob", project, Role.EDITOR);
        vera = token("vera", project, Role.VIEWER);
        mallory = token("mallory", "other-" + UUID.randomUUID(), Role.ADMIN);
        server = serve(HttpSettings.loopback(0));
        small = serve(new HttpSettings("127.0.0.1", 0, 4096, List.of(), List.of("https://app.example.com")));
    }

    private BatonHttpServer serve(HttpSettings settings) {
        Conversations conversations = new Conversations(db, Clock.systemUTC());
        PromptLibrary prompts = new PromptLibrary();
        AgentSettings agentSettings = AgentSettings.withoutModel();
        ToolGateway gateway = new ToolGateway(List.of(), new JacksonMcpJsonMapper(json), "test");
        closing.add(gateway);
        BatonHttpServer s = BatonHttpServer.start(settings, conversations,
                Agent.create(conversations, prompts, agentSettings, gateway), prompts, tokens, db);
        closing.add(s);
        return s;
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private String token(String user, String inProject, Role role) {
        return tokens.create(new Identity(user, inProject, role), "test").secret();
    }

    private HttpRequest.Builder post(BatonHttpServer target, String body) {
        return HttpRequest.newBuilder(target.mcpUrl()).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder mcpPost(BatonHttpServer target, String token, String body) {
        return post(target, body).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", BOTH);
    }

    /** A new session's id, opened with a raw initialize. */
    private String session(String token) throws Exception {
        HttpResponse<String> init = send(mcpPost(server, token, INITIALIZE));
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = send(mcpPost(server, token,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").header("Mcp-Session-Id", id));
        assertThat(initialized.statusCode()).isEqualTo(202);
        return id;
    }

    private long rows() {
        return db.read("counting", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    select (select count(*) from conversations where project_id = ?)
                         + (select count(*) from messages m join conversations c on c.id = m.conversation_id
                             where c.project_id = ?)""")) {
                ps.setString(1, project);
                ps.setString(2, project);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** The refusal's one sentence, from its JSON-RPC error body. */
    private String sentence(HttpResponse<String> response) throws Exception {
        assertThat(response.body()).as("a refusal names no Java class")
                .doesNotContain("stackTrace", "Exception", "java.", "<html");
        JsonNode body = json.readTree(response.body());
        assertThat(body.has("id")).as("a refusal leaves the unknown id out").isFalse();
        String sentence = body.path("error").path("message").asText();
        assertThat(sentence).as("one sentence").endsWith(".").doesNotContain("\n");
        return sentence;
    }

    @Test
    void healthzAnswersWithoutAToken() throws Exception {
        HttpResponse<String> health = send(HttpRequest.newBuilder(server.mcpUrl().resolve("/healthz")));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json.readTree(health.body()).path("status").asText()).isEqualTo("ok");
    }

    @Test
    void requestsWithoutAValidTokenGet401WithAChallengeAndChangeNothing() throws Exception {
        long before = rows();
        Tokens.CreatedToken toRevoke = tokens.create(new Identity("alice", project, Role.EDITOR), "to revoke");
        String revoked = toRevoke.secret();
        tokens.revoke(toRevoke.info().id());

        List<HttpRequest.Builder> refused = List.of(
                post(server, CREATE).header("Content-Type", "application/json").header("Accept", BOTH),
                mcpPost(server, "not-a-token", CREATE),
                mcpPost(server, "baton_" + "A".repeat(43), CREATE),
                mcpPost(server, revoked, CREATE),
                post(server, CREATE).header("Authorization", "Basic YWxpY2U6c2VjcmV0")
                        .header("Content-Type", "application/json").header("Accept", BOTH));
        for (HttpRequest.Builder request : refused) {
            HttpResponse<String> response = send(request);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer"));
            assertThat(sentence(response)).containsAnyOf("Bearer", "bearer");
        }
        assertThat(rows()).isEqualTo(before);
    }

    /** Regression: a key longer than Jackson's default 50,000 characters made the body unreadable (HTTP 400). */
    @Test
    void anArgumentNamedWithAHugeKeyIsRefusedAndTheSessionGoesOn() {
        try (McpTestClient client = McpTestClient.overHttp(server.mcpUrl(), alice, p -> { })) {
            String sentence = client.refused("list_conversations", Map.of("k".repeat(100_000), 1));

            assertThat(sentence).isEqualTo("Invalid arguments for tool list_conversations: property '"
                    + "k".repeat(60) + "...' is not defined in the schema and the schema does not allow additional"
                    + " properties.");
            assertThat(client.call("list_conversations", Map.of())).containsKey("conversations");
        }
    }

    @Test
    void foreignOriginsAndHostsGet403AndLocalhostWorks() throws Exception {
        long before = rows();
        HttpResponse<String> foreign = send(mcpPost(server, alice, INITIALIZE).header("Origin", "https://evil.example"));
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(sentence(foreign)).contains("https://evil.example");
        HttpResponse<String> nullOrigin = send(mcpPost(server, alice, INITIALIZE).header("Origin", "null"));
        assertThat(nullOrigin.statusCode()).isEqualTo(403);

        HttpResponse<String> local = send(mcpPost(server, alice, INITIALIZE).header("Origin", "http://localhost:6274"));
        assertThat(local.statusCode()).isEqualTo(200);
        assertThat(local.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:6274");
        assertThat(local.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("Mcp-Session-Id");

        HttpResponse<String> configured = send(mcpPost(small, alice, INITIALIZE).header("Origin", "https://app.example.com"));
        assertThat(configured.statusCode()).isEqualTo(200);

        HttpResponse<String> preflight = send(HttpRequest.newBuilder(server.mcpUrl())
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://127.0.0.1:6274")
                .header("Access-Control-Request-Method", "POST"));
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");

        // a rebinding attack reaches the server under the attacker's host name
        HttpResponse<String> rebound = new RawHttp(server.port()).post("/mcp", "evil.example:" + server.port(),
                Map.of("Authorization", "Bearer " + alice, "Content-Type", "application/json", "Accept", BOTH), CREATE);
        assertThat(rebound.statusCode()).isEqualTo(403);
        assertThat(sentence(rebound)).contains("evil.example");
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void badHttpInputGetsTheStatusTheTransportRulesAskForAndChangesNothing() throws Exception {
        String session = session(alice);
        long before = rows();

        HttpResponse<String> wrongType = send(post(server, CREATE).header("Authorization", "Bearer " + alice)
                .header("Content-Type", "text/plain").header("Accept", BOTH).header("Mcp-Session-Id", session));
        assertThat(wrongType.statusCode()).isEqualTo(415);
        assertThat(sentence(wrongType)).contains("application/json", "text/plain");

        HttpResponse<String> noAccept = send(post(server, CREATE).header("Authorization", "Bearer " + alice)
                .header("Content-Type", "application/json").header("Mcp-Session-Id", session));
        assertThat(noAccept.statusCode()).isEqualTo(406);
        assertThat(sentence(noAccept)).contains("Accept");

        HttpResponse<String> getWithoutSse = send(HttpRequest.newBuilder(server.mcpUrl()).GET()
                .header("Authorization", "Bearer " + alice).header("Accept", "application/json")
                .header("Mcp-Session-Id", session));
        assertThat(getWithoutSse.statusCode()).isEqualTo(406);

        HttpResponse<String> malformed = send(mcpPost(server, alice, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":")
                .header("Mcp-Session-Id", session));
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(sentence(malformed)).contains("not valid JSON");
        HttpResponse<String> notJsonRpc = send(mcpPost(server, alice, "[1,2,3]").header("Mcp-Session-Id", session));
        assertThat(notJsonRpc.statusCode()).isEqualTo(400);
        assertThat(sentence(notJsonRpc)).contains("batches are not supported");

        HttpResponse<String> unknownSession = send(mcpPost(server, alice, CREATE)
                .header("Mcp-Session-Id", UUID.randomUUID().toString()));
        assertThat(unknownSession.statusCode()).isEqualTo(404);
        assertThat(sentence(unknownSession)).contains("initialize");

        // the transport itself finds this one; its own answer would be a serialized Java exception
        HttpResponse<String> noSession = send(mcpPost(server, alice, CREATE));
        assertThat(noSession.statusCode()).isEqualTo(400);
        assertThat(sentence(noSession)).contains("Mcp-Session-Id", "initialize");

        // someone else's session is no session at all
        HttpResponse<String> stolen = send(mcpPost(server, bob, CREATE).header("Mcp-Session-Id", session));
        assertThat(stolen.statusCode()).isEqualTo(404);

        assertThat(rows()).isEqualTo(before);
        // and the session is still good for its owner
        HttpResponse<String> list = send(mcpPost(server, alice,
                "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\"}").header("Mcp-Session-Id", session));
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("create_conversation");
    }

    @Test
    void bodiesOverTheLimitGet413WithOrWithoutALength() throws Exception {
        long before = rows();
        String big = CREATE.replace("should not exist", "x".repeat(5000));
        HttpResponse<String> declared = send(mcpPost(small, alice, big));
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(sentence(declared)).contains("4096");

        // chunked: no Content-Length, so the limit is applied while reading
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(small.mcpUrl()).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes())))
                .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
                .header("Accept", BOTH));
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(sentence(chunked)).contains("4096");
        assertThat(rows()).isEqualTo(before);
    }

    /** Regression: bytes that are not UTF-8 were decoded as U+FFFD and stored as if sent. */
    @Test
    void invalidUtf8IsRefusedNamingTheFieldAndValidUtf8IsStored() throws Exception {
        String session = session(alice);
        String id = new Conversations(db, Clock.systemUTC()).create(new Identity("alice", project, Role.EDITOR), "t")
                .id().toString();
        String head = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"append_messages\","
                + "\"arguments\":{\"conversation_id\":\"" + id + "\",\"messages\":[{\"role\":\"user\",\"type\":\"call\","
                + "\"tool\":\"router_agent\",\"content_type\":\"text\",\"content\":\"caf";
        String tail = "\"}]}}}";
        long before = rows();
        for (byte[] bad : List.of(new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
            HttpResponse<String> refused = send(mcpPost(server, alice, "").header("Mcp-Session-Id", session)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(head, bad, tail))));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(200);
            JsonNode answer = json.readTree(refused.body());
            assertThat(answer.path("id").asInt()).isEqualTo(7);
            assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32602);
            assertThat(answer.path("error").path("message").asText())
                    .startsWith("params.arguments.messages[0].content is not valid UTF-8").endsWith(".");
        }
        // a notification has no answer to carry the error: 400, naming the field all the same
        HttpResponse<String> notification = send(mcpPost(server, alice, "").header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\","
                        + "\"params\":{\"note\":[\"ok\",\"", new byte[] {(byte) 0x80}, "\"]}}"))));
        assertThat(notification.statusCode()).isEqualTo(400);
        assertThat(json.readTree(notification.body()).path("error").path("message").asText())
                .startsWith("params.note[1] is not valid UTF-8");
        assertThat(rows()).isEqualTo(before);

        HttpResponse<String> valid = send(mcpPost(server, alice, "").header("Mcp-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(head, "é ☕".getBytes(StandardCharsets.UTF_8), tail))));
        assertThat(valid.statusCode()).isEqualTo(200);
        assertThat(valid.body()).doesNotContain("\"error\"").doesNotContain("isError\":true");
        assertThat(new Conversations(db, Clock.systemUTC()).readAll(new Identity("alice", project, Role.EDITOR),
                UUID.fromString(id)).messages()).singleElement().satisfies(m -> assertThat(m.content()).isEqualTo("café ☕"));
    }

    private static byte[] bytes(String head, byte[] middle, String tail) {
        byte[] a = head.getBytes(StandardCharsets.UTF_8);
        byte[] c = tail.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(middle, 0, out, a.length, middle.length);
        System.arraycopy(c, 0, out, a.length + middle.length, c.length);
        return out;
    }

    @Test
    void theMcpClientWorksOverHttpAndEachTokenActsForItsOwnIdentity() throws Exception {
        try (McpTestClient aliceClient = McpTestClient.overHttp(server.mcpUrl(), alice, p -> { });
                McpTestClient veraClient = McpTestClient.overHttp(server.mcpUrl(), vera, p -> { });
                McpTestClient malloryClient = McpTestClient.overHttp(server.mcpUrl(), mallory, p -> { })) {
            @SuppressWarnings("unchecked")
            String id = (String) ((Map<String, Object>) aliceClient.call("create_conversation",
                    Map.of("title", "over http")).get("conversation")).get("id");
            assertThat(aliceClient.call("read_conversation", Map.of("conversation_id", id)).get("conversation"))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("owner_id", "alice");
            long before = rows();
            assertThat(veraClient.refused("create_conversation", Map.of())).contains("viewer");
            assertThat(malloryClient.refused("read_conversation", Map.of("conversation_id", id))).contains(id);
            assertThat(rows()).isEqualTo(before);

            // a token revoked while its session is open fails on the next request
            Tokens.CreatedToken carol = tokens.create(new Identity("carol", project, Role.EDITOR), "carol");
            try (McpTestClient carolClient = McpTestClient.overHttp(server.mcpUrl(), carol.secret(), p -> { })) {
                carolClient.call("list_conversations", Map.of());
                tokens.revoke(carol.info().id());
                assertThatThrownBy(() -> carolClient.raw().listTools()).isInstanceOf(
                        io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException.class);
            }
        }
    }
}
