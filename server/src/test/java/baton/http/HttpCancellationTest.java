package baton.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ModelSettings;
import baton.agent.ToolGateway;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Message;
import baton.conversation.Role;
import baton.db.Database;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11, items 3 and 5 over HTTP, with raw sockets as the client: a posted
 * {@code notifications/cancelled} stops a running {@code send_message}, a client that closes its
 * connection mid-turn cancels it after the grace, and a client that reconnects with
 * {@code Last-Event-ID} in time gets the events it missed and the answer instead. Before, the
 * cancel was ignored, a disconnect went unnoticed, every answer event had the session id as its
 * id, and a resuming GET got an empty stream that never ended.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpCancellationTest {

    private static final String BOTH = "application/json, text/event-stream";
    private static final int SLOW_MS = 30_000;
    private static final String VERSION = "2025-11-25";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String project = "cancel-http-" + UUID.randomUUID();
    private Database db;
    private WireMockServer model;
    private ToolGateway gateway;
    private BatonHttpServer server;
    private Conversations conversations;
    private Identity alice;
    private String aliceToken;
    private String bobToken;

    @BeforeAll
    void start() {
        db = TestDatabase.database();
        Tokens tokens = new Tokens(db, Clock.systemUTC());
        alice = new Identity("alice", project, Role.EDITOR);
        aliceToken = tokens.create(alice, "test").secret();
        bobToken = tokens.create(new Identity("bob", project, Role.EDITOR), "test").secret();
        model = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        model.start();
        conversations = new Conversations(db, Clock.systemUTC());
        PromptLibrary prompts = new PromptLibrary();
        AgentSettings settings = new AgentSettings(new ModelSettings(model.baseUrl() + "/v1", "test-key", "baton-demo",
                Duration.ofSeconds(60), 0, Duration.ofMillis(1)), List.of(), 8, Duration.ofMinutes(2));
        gateway = new ToolGateway(List.of(), new JacksonMcpJsonMapper(json), "test");
        server = BatonHttpServer.start(HttpSettings.loopback(0), conversations,
                Agent.create(conversations, prompts, settings, gateway), prompts, tokens, db);
    }

    @AfterAll
    void stop() {
        server.close();
        gateway.close();
        model.stop();
    }

    @BeforeEach
    void reset() {
        model.resetAll();
    }

    @Test
    void aPostedCancelStopsTheTurnWithinASecondAndOnlyItsOwnSessionCanSendIt() throws Exception {
        slowModel();
        String session = session(aliceToken);
        String conversation = createConversation(session);
        try (SseConnection turn = sendMessage(session, 7, conversation)) {
            awaitModelRequests(1);

            // bob, in his own session, names the same request id: nothing happens
            String bobs = session(bobToken);
            assertThat(postCancel(bobToken, bobs, 7).statusCode()).isEqualTo(202);
            Thread.sleep(300);
            assertThat(lastMessage(conversation).isTurnEnd()).isFalse();

            long cancelled = System.nanoTime();
            assertThat(postCancel(aliceToken, session, 7).statusCode()).isEqualTo(202);
            JsonNode answer = turn.answer();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelled);
            System.err.println("HTTP: time from notifications/cancelled to the turn's answer: " + tookMs + " ms");

            assertThat(answer.path("id").asInt()).isEqualTo(7);
            assertThat(answer.at("/result/isError").asBoolean()).isTrue();
            assertThat(answer.at("/result/content/0/text").asText()).contains("The turn was cancelled by the caller.");
            assertThat(tookMs).isLessThan(1000);
        }
        assertEndedCancelled(conversation);
        assertTakesTheNextMessage(session, conversation);
    }

    @Test
    void aClientThatClosesItsConnectionMidTurnCancelsItAfterTheGrace() throws Exception {
        slowModel();
        String session = session(aliceToken);
        String conversation = createConversation(session);
        SseConnection turn = sendMessage(session, 8, conversation);
        awaitModelRequests(1);
        assertThat(turn.nextEvent().id()).as("the priming event").isNotBlank();

        long closed = System.nanoTime();
        turn.close();
        long until = closed + TimeUnit.SECONDS.toNanos(15);
        while (!lastMessage(conversation).isTurnEnd()) {
            assertThat(System.nanoTime()).as("the turn ended after the disconnect").isLessThan(until);
            Thread.sleep(50);
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
        System.err.println("HTTP: time from closing the connection to the turn's end: " + tookMs + " ms (grace "
                + ResumableStreams.GRACE.toMillis() + " ms, heartbeat " + ResumableStreams.HEARTBEAT.toMillis() + " ms)");

        assertThat(tookMs).isGreaterThanOrEqualTo(ResumableStreams.GRACE.toMillis());
        assertEndedCancelled(conversation);
        assertTakesTheNextMessage(session, conversation);
    }

    @Test
    void aClientThatResumesWithLastEventIdGetsTheEventsItMissedAndTheAnswer() throws Exception {
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions"))
                .willReturn(answer("Done at last.").withFixedDelay(4000)));
        String session = session(aliceToken);
        String conversation = createConversation(session);
        SseConnection first = sendMessage(session, 9, conversation);
        Event priming = first.nextEvent();
        first.close(); // the client drops out at once

        Thread.sleep(300);
        List<Event> resumed = new ArrayList<>();
        try (SseConnection again = resume(session, priming.id())) {
            for (Event e = again.nextEvent(); e != null; e = again.nextEvent()) {
                resumed.add(e);
            }
        }

        assertThat(resumed).isNotEmpty();
        Event last = resumed.get(resumed.size() - 1);
        JsonNode answer = json.readTree(last.data());
        assertThat(answer.path("id").asInt()).isEqualTo(9);
        assertThat(answer.at("/result/isError").asBoolean()).isFalse();
        assertThat(answer.at("/result/structuredContent/reply").asText()).isEqualTo("Done at last.");
        // besides progress, the stream may carry log notifications (notifications/message)
        assertThat(resumed.subList(0, resumed.size() - 1)).as("the notifications it missed")
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.data()).containsAnyOf("notifications/progress", "notifications/message"))
                .anySatisfy(e -> assertThat(e.data()).contains("notifications/progress"));
        // ids: one stream, numbered on from the priming event, never repeated
        String stream = priming.id().substring(0, priming.id().lastIndexOf('-'));
        long previous = Long.parseLong(priming.id().substring(stream.length() + 1));
        for (Event e : resumed) {
            assertThat(e.id()).startsWith(stream + "-");
            long seq = Long.parseLong(e.id().substring(stream.length() + 1));
            assertThat(seq).isGreaterThan(previous);
            previous = seq;
        }
        assertThat(lastMessage(conversation).content()).isEqualTo("Done at last.");
    }

    @Test
    void aLastEventIdOfNoStreamKeptOpensANewListeningStream() throws Exception {
        String session = session(aliceToken);
        try (SseConnection stream = resume(session, "nothing-3")) {
            Event priming = stream.nextEvent();
            assertThat(priming.data()).isEmpty();
            assertThat(priming.id()).matches("[0-9a-f]{16}-1");
        }
    }

    /** Clients older than 2025-11-25 read the priming event's empty data as a broken message: they never get it. */
    @Test
    void aClientOfAnOlderProtocolVersionGetsNoPrimingEvent() throws Exception {
        String session = session(aliceToken);
        try (SseConnection stream = SseConnection.open(server.port(), "GET", Map.of("Authorization",
                "Bearer " + aliceToken, "Accept", "text/event-stream", "Mcp-Session-Id", session,
                "MCP-Protocol-Version", "2025-06-18"), null)) {
            assertThat(stream.nextBlock()).as("the first thing sent is the first keep-alive").isEqualTo(": keep-alive");
        }
    }

    // ---- helpers

    private void slowModel() {
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(answer("Too late.").withFixedDelay(SLOW_MS)));
    }

    private void awaitModelRequests(int count) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (model.getAllServeEvents().size() < count) {
            assertThat(System.nanoTime()).as("the model was asked").isLessThan(until);
            Thread.sleep(20);
        }
        Thread.sleep(200);
    }

    private Message lastMessage(String conversation) {
        List<Message> messages = conversations.readAll(alice, UUID.fromString(conversation)).messages();
        return messages.get(messages.size() - 1);
    }

    private void assertEndedCancelled(String conversation) {
        Message end = lastMessage(conversation);
        assertThat(end.isTurnEnd()).isTrue();
        assertThat(end.content()).isEqualTo("The turn was cancelled by the caller.");
    }

    private void assertTakesTheNextMessage(String session, String conversation) throws Exception {
        model.resetAll();
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.messages[-1].content", containing("again")))
                .willReturn(answer("Here.")));
        try (SseConnection next = sendMessage(session, 100, conversation, "again")) {
            JsonNode answer = next.answer();
            assertThat(answer.at("/result/isError").asBoolean()).as(answer.toString()).isFalse();
            assertThat(answer.at("/result/structuredContent/reply").asText()).isEqualTo("Here.");
        }
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer(String text) {
        String body = """
                {"id":"chatcmpl-test","object":"chat.completion","created":1795000000,"model":"baton-demo",
                 "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"%s"}}],
                 "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""".formatted(text);
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private String session(String token) throws Exception {
        HttpResponse<String> init = http.send(mcpPost(token, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"""), HttpResponse.BodyHandlers.ofString());
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(http.send(mcpPost(token, id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
        return id;
    }

    private String createConversation(String session) throws Exception {
        HttpResponse<String> created = http.send(mcpPost(aliceToken, session, """
                {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_conversation",
                 "arguments":{"title":"Cancellable"}}}"""), HttpResponse.BodyHandlers.ofString());
        String data = null;
        for (String line : created.body().split("\n")) {
            if (line.startsWith("data:") && line.contains("\"result\"")) {
                data = line.substring(5).strip();
            }
        }
        assertThat(data).as(created.body()).isNotNull();
        return json.readTree(data).at("/result/structuredContent/conversation/id").asText();
    }

    private HttpResponse<String> postCancel(String token, String session, int requestId) throws Exception {
        return http.send(mcpPost(token, session, """
                {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":%d,"reason":"test"}}"""
                .formatted(requestId)), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest mcpPost(String token, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.mcpUrl()).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", BOTH).POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
        }
        return request.build();
    }

    private SseConnection sendMessage(String session, int id, String conversation) throws IOException {
        return sendMessage(session, id, conversation, "Hello?");
    }

    private SseConnection sendMessage(String session, int id, String conversation, String content) throws IOException {
        String body = """
                {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"send_message",
                 "arguments":{"conversation_id":"%s","content":"%s"},"_meta":{"progressToken":"p%d"}}}"""
                .formatted(id, conversation, content, id);
        return SseConnection.open(server.port(), "POST", Map.of("Authorization", "Bearer " + aliceToken,
                "Content-Type", "application/json", "Accept", BOTH, "Mcp-Session-Id", session,
                "MCP-Protocol-Version", VERSION), body);
    }

    private SseConnection resume(String session, String lastEventId) throws IOException {
        return SseConnection.open(server.port(), "GET", Map.of("Authorization", "Bearer " + aliceToken,
                "Accept", "text/event-stream", "Mcp-Session-Id", session, "Last-Event-ID", lastEventId,
                "MCP-Protocol-Version", VERSION), null);
    }

    record Event(String id, String data) {
    }

    /** One HTTP/1.1 request on a socket of its own, whose SSE answer is read event by event. */
    static final class SseConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final ByteArrayOutputStream text = new ByteArrayOutputStream();
        private boolean ended;

        private SseConnection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
        }

        static SseConnection open(int port, String method, Map<String, String> headers, String body)
                throws IOException {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method).append(" /mcp HTTP/1.1\r\nHost: 127.0.0.1:").append(port)
                    .append("\r\n");
            if (body != null) {
                head.append("Content-Length: ").append(bytes.length).append("\r\n");
            }
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            SseConnection connection = new SseConnection(socket);
            String status = connection.line();
            assertThat(status).startsWith("HTTP/1.1 200");
            boolean chunked = false;
            for (String line = connection.line(); !line.isEmpty(); line = connection.line()) {
                chunked |= line.toLowerCase().startsWith("transfer-encoding:") && line.contains("chunked");
            }
            assertThat(chunked).as("an SSE stream").isTrue();
            return connection;
        }

        /** The next event with data (comments and blank keep-alives skipped), or null at the stream's end. */
        Event nextEvent() throws IOException {
            for (String block = nextBlock(); block != null; block = nextBlock()) {
                String id = null;
                String data = null;
                for (String line : block.split("\n")) {
                    if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    } else if (line.startsWith("data:")) {
                        data = line.substring(5).strip();
                    }
                }
                if (data != null) {
                    return new Event(id, data);
                }
            }
            return null;
        }

        /** The next block of lines up to a blank line, as sent, or null at the stream's end. */
        String nextBlock() throws IOException {
            while (true) {
                String all = text.toString(StandardCharsets.UTF_8);
                int end = all.indexOf("\n\n");
                if (end >= 0) {
                    byte[] rest = all.substring(end + 2).getBytes(StandardCharsets.UTF_8);
                    text.reset();
                    text.writeBytes(rest);
                    return all.substring(0, end);
                }
                if (ended || !chunk()) {
                    return null;
                }
            }
        }

        /** The JSON-RPC answer: the first event that is not a notification. */
        JsonNode answer() throws IOException {
            ObjectMapper json = new ObjectMapper();
            for (Event e = nextEvent(); e != null; e = nextEvent()) {
                if (!e.data().isEmpty() && !e.data().contains("\"method\"")) {
                    return json.readTree(e.data());
                }
            }
            throw new IOException("the stream ended without an answer");
        }

        private boolean chunk() throws IOException {
            String size;
            try {
                size = line();
            } catch (SocketTimeoutException e) {
                throw new IOException("no event within 20 s", e);
            }
            int n = Integer.parseInt(size.strip(), 16);
            if (n == 0) {
                ended = true;
                return false;
            }
            text.writeBytes(in.readNBytes(n));
            line();
            return true;
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("the connection closed");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
