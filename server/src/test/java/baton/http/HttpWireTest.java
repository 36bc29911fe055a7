package baton.http;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import baton.mcp.BatonMcpServer;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The wire details real MCP clients check (issue 11, item 5), over real HTTP against a real
 * server: the protocol-version header, JSON-RPC error codes without an id, one message per POST,
 * malformed {@code tools/call} params, posted responses nobody waits for, the HTTP methods served,
 * and no Jetty HTML page ever.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpWireTest {

    private static final String BOTH = "application/json, text/event-stream";
    private static final String SUPPORTED = "2025-03-26, 2025-06-18, 2025-11-25";
    private static final String CREATE = """
            {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_conversation",
             "arguments":{"title":"should not exist"}}}""";
    private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String project = "wire-" + UUID.randomUUID();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Database db;
    private BatonHttpServer server;
    private String alice;

    @BeforeAll
    void start() {
        db = TestDatabase.database();
        Tokens tokens = new Tokens(db, Clock.systemUTC());
        alice = tokens.create(new Identity("alice", project, Role.EDITOR), "test").secret();
        Conversations conversations = new Conversations(db, Clock.systemUTC());
        PromptLibrary prompts = new PromptLibrary();
        ToolGateway gateway = new ToolGateway(List.of(), new JacksonMcpJsonMapper(json), "test");
        closing.add(gateway);
        server = BatonHttpServer.start(HttpSettings.loopback(0), conversations,
                Agent.create(conversations, prompts, AgentSettings.withoutModel(), gateway), prompts, tokens, db);
        closing.add(server);
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.mcpUrl().resolve(path)).timeout(Duration.ofSeconds(20));
    }

    private HttpRequest.Builder mcpPost(String body) {
        return request("/mcp").POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
                .header("Accept", BOTH);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String session() throws Exception {
        HttpResponse<String> init = send(mcpPost("""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"""));
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(send(mcpPost("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .header("Mcp-Session-Id", id)).statusCode()).isEqualTo(202);
        return id;
    }

    private long rows() {
        return db.read("counting", c -> {
            try (PreparedStatement ps = c.prepareStatement("select count(*) from conversations where project_id = ?")) {
                ps.setString(1, project);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** The JSON-RPC error of an answer, checked to be one sentence, JSON, and without id when {@code id} is null. */
    private JsonNode error(int status, String body, String contentType, Integer id) throws IOException {
        assertThat(contentType).as(body).startsWith("application/json");
        assertThat(body).doesNotContain("<html", "stackTrace", "Exception", "java.");
        JsonNode answer = json.readTree(body);
        if (id == null) {
            assertThat(answer.has("id")).as("an error about an unknown id leaves the id out: " + body).isFalse();
        } else {
            assertThat(answer.path("id").asInt()).isEqualTo(id);
        }
        assertThat(answer.path("jsonrpc").asText()).isEqualTo("2.0");
        String sentence = answer.path("error").path("message").asText();
        assertThat(sentence).as("one sentence (HTTP " + status + ")").endsWith(".").doesNotContain("\n");
        return answer.path("error");
    }

    private JsonNode error(HttpResponse<String> response, Integer id) throws IOException {
        return error(response.statusCode(), response.body(),
                response.headers().firstValue("Content-Type").orElse(""), id);
    }

    @Test
    void theSupportedVersionsAreTheOnesTheSdkTransportNegotiates() {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(BatonMcpServer.jsonMapper(1024)).build();
        try {
            assertThat(ProtocolVersionHeader.SUPPORTED).isEqualTo(transport.protocolVersions());
        } finally {
            transport.closeGracefully().block();
        }
    }

    /** Regression: the header was not looked at; any value was served. */
    @Test
    void anUnsupportedProtocolVersionHeaderGets400NamingTheSupportedVersions() throws Exception {
        List<String> unsupported = List.of("invalid-protocol-version", "2000-01-01", "2099-01-01", "2024-11-05");
        String list = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":{}}";
        for (String version : unsupported) {
            HttpResponse<String> before = send(mcpPost(list).header("MCP-Protocol-Version", version));
            assertThat(before.statusCode()).as(version + " before initialize").isEqualTo(400);
            assertThat(error(before, null).path("message").asText()).isEqualTo(
                    "MCP-Protocol-Version '" + version + "' is not supported; this server speaks " + SUPPORTED + ".");
        }
        String session = session();
        for (String version : unsupported) {
            HttpResponse<String> after = send(mcpPost(list).header("MCP-Protocol-Version", version)
                    .header("Mcp-Session-Id", session));
            assertThat(after.statusCode()).as(version + " after initialize").isEqualTo(400);
            assertThat(error(after, null).path("message").asText()).contains(SUPPORTED);
        }
        HttpResponse<String> get = send(request("/mcp").GET().header("Authorization", "Bearer " + alice)
                .header("Accept", "text/event-stream").header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2099-01-01"));
        assertThat(get.statusCode()).isEqualTo(400);
        HttpResponse<String> delete = send(request("/mcp").DELETE().header("Authorization", "Bearer " + alice)
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2099-01-01"));
        assertThat(delete.statusCode()).isEqualTo(400);

        // each supported version, and no header at all (taken as 2025-03-26), is served; the session outlived the refused DELETE
        for (String version : SUPPORTED.split(", ")) {
            HttpResponse<String> ok = send(mcpPost(PING).header("MCP-Protocol-Version", version)
                    .header("Mcp-Session-Id", session));
            assertThat(ok.statusCode()).as(version).isEqualTo(200);
            assertThat(ok.body()).contains("\"result\":{}");
        }
        assertThat(send(mcpPost(PING).header("Mcp-Session-Id", session)).statusCode()).isEqualTo(200);
    }

    /** Regression: all of these were 400 with code -32000 and "id": null, and two messages in one body ran the first. */
    @Test
    void aBodyThatIsNotOneJsonRpcMessageGetsAParseErrorOrInvalidRequestWithoutId() throws Exception {
        String session = session();
        long before = rows();
        Map<String, Integer> bodies = new LinkedHashMap<>();
        bodies.put("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":", -32700);
        bodies.put("not json", -32700);
        bodies.put("", -32700);
        bodies.put(CREATE + CREATE, -32700);
        bodies.put(CREATE + "\n" + CREATE, -32700);
        bodies.put(CREATE + " trailing", -32700);
        bodies.put("[" + CREATE + "]", -32600);
        bodies.put("[" + CREATE + "," + PING + "]", -32600);
        bodies.put("42", -32600);
        bodies.put("{\"jsonrpc\":\"2.0\",\"id\":5}", -32600);
        bodies.put("{\"id\":5,\"method\":\"ping\"}", -32600);
        bodies.put("{\"jsonrpc\":\"1.0\",\"id\":5,\"method\":\"ping\"}", -32600);
        bodies.put("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", -32600);
        bodies.put("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", -32600);
        bodies.put("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", -32600);
        bodies.put("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":5}", -32600);
        bodies.put("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"result\":{}}", -32600);
        bodies.put("{\"jsonrpc\":\"2.0\",\"result\":{}}", -32600);
        for (Map.Entry<String, Integer> body : bodies.entrySet()) {
            HttpResponse<String> answer = send(mcpPost(body.getKey()).header("Mcp-Session-Id", session));
            assertThat(answer.statusCode()).as(body.getKey()).isEqualTo(400);
            assertThat(error(answer, null).path("code").asInt()).as(body.getKey()).isEqualTo(body.getValue());
        }
        // the same before any session: the body is judged first
        HttpResponse<String> noSession = send(mcpPost("[" + PING + "]"));
        assertThat(noSession.statusCode()).isEqualTo(400);
        assertThat(error(noSession, null).path("message").asText())
                .isEqualTo("JSON-RPC batches are not supported; send one message per POST.");
        assertThat(rows()).as("no message of a refused body ran").isEqualTo(before);
        assertThat(send(mcpPost(PING).header("Mcp-Session-Id", session)).statusCode()).isEqualTo(200);
    }

    /** Regression: a tools/call whose params could not be read was answered with an empty 200. */
    @Test
    void aMalformedToolsCallGetsInvalidParamsNamingWhatIsWrong() throws Exception {
        String session = session();
        long before = rows();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("", "tools/call needs params.name, the name of the tool.");
        params.put(",\"params\":[\"create_conversation\"]", "The params of tools/call must be an object.");
        params.put(",\"params\":\"create_conversation\"", "The params of tools/call must be an object.");
        params.put(",\"params\":{}", "tools/call needs params.name, the name of the tool.");
        params.put(",\"params\":{\"name\":null}", "tools/call needs params.name, the name of the tool.");
        params.put(",\"params\":{\"name\":5}", "params.name of tools/call must be a string.");
        params.put(",\"params\":{\"name\":[\"create_conversation\"]}", "params.name of tools/call must be a string.");
        params.put(",\"params\":{\"name\":\"create_conversation\",\"arguments\":[1]}",
                "params.arguments of tools/call must be an object.");
        params.put(",\"params\":{\"name\":\"create_conversation\",\"arguments\":\"title\"}",
                "params.arguments of tools/call must be an object.");
        params.put(",\"params\":{\"name\":\"create_conversation\",\"arguments\":{},\"_meta\":5}",
                "params._meta of tools/call must be an object.");
        for (Map.Entry<String, String> call : params.entrySet()) {
            HttpResponse<String> answer = send(mcpPost("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\""
                    + call.getKey() + "}").header("Mcp-Session-Id", session));
            assertThat(answer.statusCode()).as(call.getKey()).isEqualTo(200);
            JsonNode error = error(answer, 8);
            assertThat(error.path("code").asInt()).isEqualTo(-32602);
            assertThat(error.path("message").asText()).as(call.getKey()).isEqualTo(call.getValue());
        }
        // the other requests whose params the SDK reads into a typed request: it answered these with nothing
        Map<String, String> typed = new LinkedHashMap<>();
        typed.put("\"prompts/get\",\"params\":{\"name\":\"system_prompt\",\"arguments\":[1]}",
                "params.arguments of prompts/get does not have the type the method takes.");
        typed.put("\"prompts/get\",\"params\":{\"name\":{\"a\":1}}",
                "params.name of prompts/get does not have the type the method takes.");
        typed.put("\"prompts/get\"", "prompts/get needs params.");
        typed.put("\"resources/read\",\"params\":{\"uri\":[\"baton://conversations\"]}",
                "params.uri of resources/read does not have the type the method takes.");
        typed.put("\"completion/complete\",\"params\":{\"ref\":\"x\"}",
                "params.ref of completion/complete does not have the type the method takes.");
        for (Map.Entry<String, String> call : typed.entrySet()) {
            HttpResponse<String> answer = send(mcpPost("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":" + call.getKey() + "}")
                    .header("Mcp-Session-Id", session));
            assertThat(answer.statusCode()).as(call.getKey()).isEqualTo(200);
            JsonNode error = error(answer, 8);
            assertThat(error.path("code").asInt()).isEqualTo(-32602);
            assertThat(error.path("message").asText()).as(call.getKey()).isEqualTo(call.getValue());
        }
        HttpResponse<String> notification = send(mcpPost(
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":[1]}")
                .header("Mcp-Session-Id", session));
        assertThat(notification.statusCode()).isEqualTo(400);
        assertThat(error(notification, null).path("code").asInt()).isEqualTo(-32602);
        assertThat(rows()).isEqualTo(before);
    }

    /** Regression: initialize without params was a 500, and with a malformed clientInfo a -32000. */
    @Test
    void aMalformedInitializeGetsInvalidParamsAndOpensNoSession() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("", "initialize needs params with protocolVersion, capabilities and clientInfo.");
        params.put(",\"params\":[]", "The params of initialize must be an object.");
        params.put(",\"params\":{\"protocolVersion\":20250618,\"capabilities\":{},\"clientInfo\":{}}",
                "params.protocolVersion of initialize must be a string.");
        params.put(",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":\"all\",\"clientInfo\":{}}",
                "params.capabilities of initialize must be an object.");
        params.put(",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":\"me\"}",
                "params.clientInfo of initialize must be an object.");
        for (Map.Entry<String, String> call : params.entrySet()) {
            HttpResponse<String> answer = send(mcpPost("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\""
                    + call.getKey() + "}"));
            assertThat(answer.statusCode()).as(call.getKey()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Mcp-Session-Id")).isEmpty();
            JsonNode error = error(answer, 1);
            assertThat(error.path("code").asInt()).isEqualTo(-32602);
            assertThat(error.path("message").asText()).as(call.getKey()).isEqualTo(call.getValue());
        }
    }

    /** Regression: a response to a request the server never sent was answered with 500. */
    @Test
    void aPostedResponseWithAnUnknownIdIsAcceptedAndDropped() throws Exception {
        String session = session();
        for (String body : List.of("{\"jsonrpc\":\"2.0\",\"id\":\"never-asked\",\"result\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":77,\"error\":{\"code\":-32601,\"message\":\"no\"}}")) {
            HttpResponse<String> answer = send(mcpPost(body).header("Mcp-Session-Id", session));
            assertThat(answer.statusCode()).as(body).isEqualTo(202);
            assertThat(answer.body()).isEmpty();
        }
        assertThat(send(mcpPost(PING).header("Mcp-Session-Id", session)).statusCode()).isEqualTo(200);
    }

    /** Regression: TRACE was answered 200 with the request echoed, bearer token included. */
    @Test
    void methodsOtherThanGetPostDeleteAndOptionsGet405() throws Exception {
        for (String method : List.of("TRACE", "PUT", "PATCH", "HEAD", "PROPFIND")) {
            HttpResponse<String> answer = send(request("/mcp").method(method, HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Bearer " + alice));
            assertThat(answer.statusCode()).as(method).isEqualTo(405);
            assertThat(answer.headers().firstValue("Allow")).hasValue("GET, POST, DELETE, OPTIONS");
            if (!method.equals("HEAD")) {
                assertThat(answer.body()).doesNotContain(alice);
                assertThat(error(answer, null).path("message").asText()).isEqualTo(
                        "This endpoint does not answer " + method + "; it answers GET, POST, DELETE, OPTIONS.");
            }
        }
        HttpResponse<String> trace = send(request("/healthz").method("TRACE", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + alice));
        assertThat(trace.statusCode()).isEqualTo(405);
        assertThat(trace.body()).doesNotContain(alice);
        assertThat(error(trace, null).path("message").asText()).isEqualTo("This server does not answer TRACE requests.");
        assertThat(trace.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");
        assertThat(send(request("/healthz").method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(200);
        // the servlet API's own OPTIONS answer would list TRACE
        HttpResponse<String> options = send(request("/healthz").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(options.statusCode()).isEqualTo(204);
        assertThat(options.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");
        HttpResponse<String> nowhere = send(request("/nothing").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(nowhere.statusCode()).isEqualTo(404);
        error(nowhere, null);
    }

    /** Regression: each of these was Jetty's HTML error page. */
    @Test
    void noAnswerIsAJettyHtmlPage() throws Exception {
        HttpResponse<String> unknown = send(request("/nothing").GET());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown, null).path("message").asText())
                .isEqualTo("Nothing is served at /nothing; MCP is at /mcp and the health check at /healthz.");
        assertThat(send(request("/mcp/below").GET().header("Authorization", "Bearer " + alice)).statusCode())
                .isEqualTo(404);
        HttpResponse<String> postHealth = send(request("/healthz").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(postHealth.statusCode()).isEqualTo(405);
        assertThat(error(postHealth, null).path("message").asText()).isEqualTo("/healthz does not answer POST.");
        assertThat(postHealth.headers().firstValue("Allow")).hasValue("GET, HEAD, OPTIONS");

        // requests Jetty refuses before any servlet sees them
        Map<String, Integer> raw = new LinkedHashMap<>();
        raw.put("GARBAGE\r\n\r\n", 400);
        raw.put("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n", 400);
        raw.put("GET /healthz HTTP/1.1\r\n\r\n", 400);
        raw.put("GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400);
        raw.put("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n", 400);
        raw.put("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414);
        raw.put("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", 431);
        raw.put("GET /mcp HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", 505);
        for (Map.Entry<String, Integer> request : raw.entrySet()) {
            String shown = request.getKey().substring(0, Math.min(40, request.getKey().length()));
            String answer = exchange(request.getKey());
            int split = answer.indexOf("\r\n\r\n");
            assertThat(split).as(shown).isPositive();
            String head = answer.substring(0, split);
            assertThat(head).as(shown).startsWith("HTTP/1.1 " + request.getValue() + " ");
            String type = head.lines().filter(l -> l.toLowerCase().startsWith("content-type:")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("");
            error(request.getValue(), answer.substring(split + 4), type, null);
        }
    }

    @Test
    void deletingASessionEndsItAndEveryLaterUseOfItIs404() throws Exception {
        String session = session();
        HttpRequest.Builder delete = request("/mcp").DELETE().header("Authorization", "Bearer " + alice)
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        assertThat(send(delete).statusCode()).isEqualTo(200);
        HttpResponse<String> again = send(delete);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(error(again, null).path("message").asText()).contains(session, "initialize");
        assertThat(send(mcpPost(PING).header("Mcp-Session-Id", session)).statusCode()).isEqualTo(404);
        assertThat(send(request("/mcp").GET().header("Authorization", "Bearer " + alice)
                .header("Accept", "text/event-stream").header("Mcp-Session-Id", session)).statusCode()).isEqualTo(404);
        HttpResponse<String> noSession = send(request("/mcp").DELETE().header("Authorization", "Bearer " + alice));
        assertThat(noSession.statusCode()).isEqualTo(400);
        assertThat(error(noSession, null).path("message").asText()).contains("Mcp-Session-Id");
    }

    /** One raw HTTP/1.1 exchange, for requests no HTTP client will send. */
    private String exchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
