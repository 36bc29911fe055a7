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
import baton.mcp.JsonBudget;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The limits of README "Limits" on loopback, each against a real server with that limit set low
 * enough to reach in a test: the rate per caller, the session caps, idle expiry, the JSON values
 * and depth of a body, large bodies in flight, slow uploads and idle SSE streams.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class LimitsTest {

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
             "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
    private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}";
    private static final String BOTH = "application/json, text/event-stream";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String project = "limits-" + UUID.randomUUID();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Database db;
    private Tokens tokens;

    @BeforeAll
    void start() {
        db = TestDatabase.database();
        tokens = new Tokens(db, Clock.systemUTC());
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private BatonHttpServer serve(LimitSettings limits) {
        Conversations conversations = new Conversations(db, Clock.systemUTC());
        PromptLibrary prompts = new PromptLibrary();
        ToolGateway gateway = new ToolGateway(List.of(), new JacksonMcpJsonMapper(json), "test");
        closing.add(gateway);
        BatonHttpServer s = BatonHttpServer.start(HttpSettings.loopback(0), limits, conversations,
                Agent.create(conversations, prompts, AgentSettings.withoutModel(), gateway), prompts, tokens, db);
        closing.add(s);
        return s;
    }

    private String token(String user) {
        return tokens.create(new Identity(user, project, Role.VIEWER), "test").secret();
    }

    private HttpRequest.Builder mcpPost(BatonHttpServer target, String token, String body) {
        return HttpRequest.newBuilder(target.mcpUrl()).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", BOTH);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String session(BatonHttpServer target, String token) throws Exception {
        HttpResponse<String> init = send(mcpPost(target, token, INITIALIZE));
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = send(mcpPost(target, token,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").header("Mcp-Session-Id", id));
        assertThat(initialized.statusCode()).isEqualTo(202);
        return id;
    }

    private HttpResponse<String> ping(BatonHttpServer target, String token, String session) throws Exception {
        return send(mcpPost(target, token, PING).header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-06-18"));
    }

    /** One JSON-RPC error whose message is one sentence, no Java in it. */
    private void oneSentence(HttpResponse<String> response) throws IOException {
        JsonNode error = json.readTree(response.body()).path("error");
        String message = error.path("message").asText();
        assertThat(message).isNotBlank().endsWith(".").doesNotContain("Exception").doesNotContain("java.")
                .doesNotContain("\n");
    }

    @Test
    void aCallerOverItsRateGets429WithRetryAfterWhileOthersGoOn() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults().withRateLimit(2)); // bursts of 4
        String alice = token("alice");
        String bob = token("bob");
        String session = session(server, alice); // two tokens: initialize and initialized
        List<HttpResponse<String>> answers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            answers.add(ping(server, alice, session));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<HttpResponse<String>> limited = answers.stream().filter(a -> a.statusCode() == 429).toList();
        assertThat(limited).as("30 requests in %.1f s against a bucket of 4 filling at 2/s", seconds).isNotEmpty();
        assertThat(answers.stream().filter(a -> a.statusCode() == 200).count())
                .as("what the bucket held, and what it gained meanwhile").isBetween(2L, 2L + (long) Math.ceil(2 * seconds));
        HttpResponse<String> refused = limited.get(0);
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                v -> assertThat(Long.parseLong(v)).isEqualTo(1L));
        oneSentence(refused);
        assertThat(json.readTree(refused.body()).path("error").path("message").asText()).contains("Too many requests");

        // another caller has a bucket of its own
        assertThat(session(server, bob)).isNotBlank();
        // and the limited one goes on once its bucket has a token again
        Thread.sleep(1100);
        assertThat(ping(server, alice, session).statusCode()).isEqualTo(200);
    }

    @Test
    void aCallersSessionsBeyondItsCapCloseTheOldestIdleOne() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults().withSessions(2, 100, Duration.ofMinutes(30)));
        String carol = token("carol");
        String dave = token("dave");
        String first = session(server, carol);
        String second = session(server, carol);
        assertThat(ping(server, carol, first).statusCode()).isEqualTo(200); // first is now the more recent
        String third = session(server, carol);
        String daves = session(server, dave);

        assertThat(ping(server, carol, second).statusCode()).as("the oldest idle session was closed").isEqualTo(404);
        assertThat(ping(server, carol, first).statusCode()).isEqualTo(200);
        assertThat(ping(server, carol, third).statusCode()).isEqualTo(200);
        assertThat(ping(server, dave, daves).statusCode()).as("another caller's sessions are not touched").isEqualTo(200);
        assertThat(server.openSessions()).isEqualTo(3);
    }

    @Test
    void aNewSessionIsRefusedWith429WhenEverySessionInTheWayIsBusy() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults().withSessions(1, 100, Duration.ofMinutes(30)));
        String pat = token("pat");
        String busy = session(server, pat);
        // an open SSE stream is a request in flight: the session is not idle while it lasts
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(server.mcpUrl())
                .timeout(Duration.ofSeconds(20)).GET().header("Authorization", "Bearer " + pat)
                .header("Accept", "text/event-stream").header("Mcp-Session-Id", busy)
                .header("MCP-Protocol-Version", "2025-06-18").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (InputStream open = stream.body()) {
            HttpResponse<String> refused = send(mcpPost(server, pat, INITIALIZE));
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            oneSentence(refused);
            assertThat(ping(server, pat, busy).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void sessionsBeyondTheInstanceCapCloseTheOldestIdleOneOfAnyCaller() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults().withSessions(32, 3, Duration.ofMinutes(30)));
        List<String> callers = List.of(token("erin"), token("frank"), token("grace"), token("heidi"));
        List<String> sessions = new ArrayList<>();
        for (String caller : callers) {
            sessions.add(session(server, caller));
        }
        assertThat(server.openSessions()).isEqualTo(3);
        assertThat(ping(server, callers.get(0), sessions.get(0)).statusCode()).isEqualTo(404);
        for (int i = 1; i < 4; i++) {
            assertThat(ping(server, callers.get(i), sessions.get(i)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aSessionWithoutRequestsExpiresAfterTheIdleTimeout() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults().withSessions(32, 100, Duration.ofMillis(1500)));
        String ivan = token("ivan");
        String idle = session(server, ivan);
        String busy = session(server, ivan);
        long until = System.nanoTime() + Duration.ofMillis(4500).toNanos();
        while (System.nanoTime() < until) {
            assertThat(ping(server, ivan, busy).statusCode()).isEqualTo(200);
            Thread.sleep(100);
        }
        assertThat(ping(server, ivan, idle).statusCode()).as("idle for 4.5 s with a timeout of 1.5 s").isEqualTo(404);
        assertThat(ping(server, ivan, busy).statusCode()).isEqualTo(200);
        assertThat(server.openSessions()).isEqualTo(1);
    }

    @Test
    void aBodyOfTooManyValuesIsRefusedWhileItArrives() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults());
        String judy = token("judy");
        String session = session(server, judy);
        // 16 MiB minus a little: 1.2 million tiny values in one argument
        StringBuilder body = new StringBuilder("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"list_conversations\",\"arguments\":{\"x\":[");
        for (int i = 0; i < 1_200_000; i++) {
            body.append(i == 0 ? "" : ",").append("{\"k\":\"vvvv\"}");
        }
        assertThat(body.length()).isBetween(15_000_000, 16 * 1024 * 1024 - 100);
        body.append("]}}}");
        HttpResponse<String> refused = send(mcpPost(server, judy, body.toString()).header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-06-18"));
        // its id came first, so the refusal is that request's error and the session goes on
        // (a 400 would make clients such as the Java SDK's drop the session)
        assertThat(refused.statusCode()).isEqualTo(200);
        assertThat(json.readTree(refused.body()).path("id").asInt()).isEqualTo(3);
        oneSentence(refused);
        assertThat(json.readTree(refused.body()).path("error").path("message").asText())
                .isEqualTo("The request body holds more than " + JsonBudget.DEFAULT_MAX_VALUES
                        + " JSON values; this server reads at most " + JsonBudget.DEFAULT_MAX_VALUES + " per message.");
        assertThat(ping(server, judy, session).statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyNestedTooDeeplyIsRefused() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults());
        String ken = token("ken");
        String session = session(server, ken);
        String deep = "[".repeat(200) + "]".repeat(200);
        HttpResponse<String> refused = send(mcpPost(server, ken, "{\"jsonrpc\":\"2.0\",\"id\":\"deep-1\",\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"list_conversations\",\"arguments\":{\"x\":" + deep + "}}}")
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18"));
        assertThat(refused.statusCode()).isEqualTo(200);
        assertThat(json.readTree(refused.body()).path("id").asText()).isEqualTo("deep-1");
        oneSentence(refused);
        assertThat(refused.body()).contains("nests JSON deeper than 64 levels");
        assertThat(ping(server, ken, session).statusCode()).isEqualTo(200);

        // no id before the refusal: nothing to answer but the exchange, with a 400
        HttpResponse<String> anonymous = send(mcpPost(server, ken, "{\"params\":{\"x\":" + deep
                + "},\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}")
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18"));
        assertThat(anonymous.statusCode()).isEqualTo(400);
        oneSentence(anonymous);
        assertThat(json.readTree(anonymous.body()).path("id").isMissingNode()).isTrue(); // omitted when unknown, as every such answer
    }

    @Test
    void largeBodiesBeyondTheCapInFlightGet503WithRetryAfter() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults().withBodies(JsonBudget.defaults(), 1, 0));
        String leo = token("leo");
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            // a large body that has begun to arrive holds the one place
            startPost(slow, leo, 4 * 1024 * 1024, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"");
            Thread.sleep(300);
            try (Socket second = new Socket("127.0.0.1", server.port())) {
                second.setSoTimeout(20_000);
                // the answer comes before the body is read: only its head and first bytes are sent
                startPost(second, leo, 2 * 1024 * 1024, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"");
                String answer = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 1")
                        .containsIgnoringCase("Connection: close")
                        .contains("This server is reading as many large request bodies as it takes at once (1);"
                                + " send this one again in a moment.");
            }
            // small bodies pass beside it
            assertThat(session(server, leo)).isNotBlank();
        }
    }

    @Test
    void anUploadSlowerThanTheMinimumRateIsCutOff() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults().withBodies(JsonBudget.defaults(), 4, 1000));
        String mia = token("mia");
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(20_000);
            OutputStream out = startPost(slow, mia, 100_000, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"");
            long start = System.nanoTime();
            String answer = null;
            // 20 bytes a second, far under 1000
            for (int i = 0; i < 150 && answer == null; i++) {
                try {
                    out.write("aaaaaaaaaa".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(500);
                if (slow.getInputStream().available() > 0) {
                    answer = new String(slow.getInputStream().readNBytes(slow.getInputStream().available()),
                            StandardCharsets.UTF_8);
                }
            }
            if (answer == null) {
                answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(answer).startsWith("HTTP/1.1 408").contains("bytes per second");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
        }
    }

    @Test
    void anUploadThatStopsArrivingIsCutOffWithoutWaitingForTheIdleTimeout() throws Exception {
        // a 20 s idle timeout; a body that stops is cut after 10 s at most (BodyLimits.MAX_STALL)
        BatonHttpServer server = serve(LimitSettings.defaults().withIdleTimeout(Duration.ofSeconds(20)));
        String olga = token("olga");
        try (Socket stalled = new Socket("127.0.0.1", server.port())) {
            stalled.setSoTimeout(30_000);
            startPost(stalled, olga, 1000, "{\"jsonrpc\":\"2.0\",");
            long start = System.nanoTime();
            String answer = new String(stalled.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(answer).startsWith("HTTP/1.1 408")
                    .contains("The request body stopped arriving for 10 seconds; send it again.");
            assertThat(took).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(19));
        }
    }

    @Test
    void anIdleSseStreamIsClosedAfterTheIdleTimeout() throws Exception {
        BatonHttpServer server = serve(LimitSettings.defaults().withIdleTimeout(Duration.ofSeconds(1)));
        String nina = token("nina");
        String session = session(server, nina);
        long start = System.nanoTime();
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(server.mcpUrl())
                .timeout(Duration.ofSeconds(20)).GET().header("Authorization", "Bearer " + nina)
                .header("Accept", "text/event-stream").header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-06-18").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (InputStream in = stream.body()) {
            in.readAllBytes(); // returns when the server ends the stream
        } catch (IOException ended) {
            // a reset is an end too
        }
        // Jetty's own default is 30 s; the bound is loose for a loaded machine
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        // the session outlives its stream (on a new connection: the idle ones were closed too)
        HttpResponse<String> pinged = HttpClient.newHttpClient().send(mcpPost(server, nina, PING)
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pinged.statusCode()).isEqualTo(200);
    }

    /** Sends the head of a POST of {@code length} bytes and the first {@code start} of them. */
    private static OutputStream startPost(Socket socket, String token, int length, String start) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nAccept: " + BOTH + "\r\nContent-Length: " + length
                + "\r\n\r\n" + start).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return out;
    }
}
