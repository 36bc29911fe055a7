package baton.mcp.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ModelSettings;
import baton.agent.ToolGateway;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.mcp.BatonMcpServer;
import baton.mcp.IdentityResolver;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A stdio start answers {@code initialize} before Baton's MCP server is built
 * ({@link StdioTransport#startEarly} with {@link BatonMcpServer#initializeResult}). That answer must
 * be the one the SDK's session gives once it exists, for every protocol version the transport
 * supports and for one it does not, so that the two can never drift; and the session must still be
 * initialized by the same request, answering what follows it.
 */
class EarlyInitializeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> versions() {
        List<String> all = new ArrayList<>(new StdioTransport(BatonMcpServer.jsonMapper(1024), InputStream.nullInputStream(),
                OutputStream.nullOutputStream(), 1024, StdioTransport.DEFAULT_GRACE).protocolVersions());
        assertThat(all).contains(ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_11_25);
        all.add("1999-01-01");
        return all.stream();
    }

    private static String initialize(String version) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    }

    @ParameterizedTest
    @MethodSource("versions")
    void theEarlyAnswerIsTheSdksAnswer(String version) throws Exception {
        JsonNode sdk;
        try (Baton late = new Baton(false)) {
            late.send(initialize(version));
            sdk = late.next();
        }
        JsonNode early;
        try (Baton started = new Baton(true)) {
            started.send(initialize(version));
            early = started.next(); // written before the server exists
            assertThat(started.lines.poll(300, TimeUnit.MILLISECONDS)).as("one answer only").isNull();
            started.build();
            assertThat(started.lines.poll(500, TimeUnit.MILLISECONDS)).as("the session's answer is dropped").isNull();
            started.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            started.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
            JsonNode tools = started.next();
            assertThat(tools.path("id").asInt()).isEqualTo(2);
            assertThat(tools.path("result").path("tools").size()).as(tools.toString()).isPositive();
        }
        assertThat(sdk.path("result").path("protocolVersion").isTextual()).as(sdk.toString()).isTrue();
        assertThat(early).isEqualTo(sdk);
    }

    /** Baton's MCP server over a stdio transport fed through a pipe, started early or not. */
    private static final class Baton implements AutoCloseable {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final PipedOutputStream stdin = new PipedOutputStream();
        final StdioTransport transport;
        final ToolGateway gateway;
        McpSyncServer server;

        Baton(boolean early) throws IOException {
            JacksonMcpJsonMapper mapper = BatonMcpServer.jsonMapper(StdioTransport.MAX_LINE_BYTES);
            transport = new StdioTransport(mapper, new PipedInputStream(stdin, 1 << 16), new OutputStream() {
                private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

                @Override
                public synchronized void write(int b) {
                    if (b == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            }, StdioTransport.MAX_LINE_BYTES, StdioTransport.DEFAULT_GRACE);
            gateway = new ToolGateway(List.of(), mapper, "test");
            if (early) {
                transport.startEarly(v -> BatonMcpServer.initializeResult(v, transport.protocolVersions()));
            } else {
                build();
            }
        }

        void build() {
            Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC());
            PromptLibrary prompts = new PromptLibrary();
            AgentSettings settings = new AgentSettings(new ModelSettings("http://127.0.0.1:9/v1", "sk-test",
                    "test-model", Duration.ofSeconds(1), 0, Duration.ofMillis(1)), List.of(), 4, Duration.ofMinutes(1));
            server = BatonMcpServer.start(transport, conversations, Agent.create(conversations, prompts, settings, gateway),
                    prompts, IdentityResolver.fixed(new Identity("early-user", "early-project", Role.EDITOR)));
        }

        void send(String line) throws IOException {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        JsonNode next() throws Exception {
            String line = lines.poll(10, TimeUnit.SECONDS);
            assertThat(line).as("an answer").isNotNull();
            return JSON.readTree(line);
        }

        @Override
        public void close() throws Exception {
            stdin.close();
            transport.awaitEnd(5, TimeUnit.SECONDS);
            if (server != null) {
                server.close();
            }
            gateway.close();
        }
    }
}
