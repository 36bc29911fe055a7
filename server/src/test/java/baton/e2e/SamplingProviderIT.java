package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ModelSettings;
import baton.agent.Provider;
import baton.agent.ToolGateway;
import baton.agent.UpstreamServer;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.fixture.WarehouseServer;
import baton.http.BatonHttpServer;
import baton.http.HttpSettings;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The {@code sampling} provider: the turn's model is the connected MCP client, asked through
 * {@code sampling/createMessage}. Over stdio (the real jar) and over Streamable HTTP: the official
 * Python SDK declaring {@code sampling.tools} plays a model that calls a warehouse tool
 * ({@code tool_use}) and then answers, so the turn runs the upstream tool; the MCP Java client's
 * sampling handler and the Python SDK without tool support answer without tools, which the answer
 * says; a client that declares no sampling gets one sentence and nothing is stored.
 */
class SamplingProviderIT {

    static final String NO_SAMPLING = "send_message asks your MCP client's own model"
            + " (BATON_MODEL_PROVIDER=sampling), but this client did not declare the sampling capability;"
            + " use a client that supports sampling, or configure another model provider.";
    static final String WITHOUT_TOOLS = "\n\n(Answered by your MCP client's own model through sampling, without the"
            + " upstream tools: your MCP client did not declare tool support for sampling.)";
    /** What sampling_client.py asks and its model answers. */
    static final String QUESTION = "What did Acme GmbH order?";
    static final String ANSWER = "Acme GmbH placed two orders: 1200.00 EUR and 1875.00 EUR.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The client's model: answers with what it was asked, and keeps every request. */
    static final class ClientModel {
        final List<McpSchema.CreateMessageRequest> requests = new CopyOnWriteArrayList<>();

        McpSchema.CreateMessageResult answer(McpSchema.CreateMessageRequest request) {
            requests.add(request);
            String last = ((McpSchema.TextContent) request.messages().get(request.messages().size() - 1).content()).text();
            return McpSchema.CreateMessageResult.builder()
                    .role(McpSchema.Role.ASSISTANT)
                    .content(new McpSchema.TextContent("The client's model read: " + last))
                    .model("client-model-1")
                    .stopReason(McpSchema.CreateMessageResult.StopReason.END_TURN)
                    .build();
        }
    }

    private static McpSyncClient client(McpClientTransport transport, ClientModel model) {
        var builder = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(120));
        if (model != null) {
            builder.capabilities(McpSchema.ClientCapabilities.builder().sampling().build()).sampling(model::answer);
        }
        McpSyncClient client = builder.build();
        client.initialize();
        return client;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> structured(McpSchema.CallToolResult result) {
        return (Map<String, Object>) result.structuredContent();
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    private static String create(McpSyncClient client, String title) {
        McpSchema.CallToolResult created = client.callTool(new McpSchema.CallToolRequest("create_conversation",
                Map.of("title", title)));
        assertThat(created.isError()).as(text(created)).isFalse();
        Object conversation = structured(created).get("conversation");
        Object id = conversation instanceof Map<?, ?> m ? m.get("id") : structured(created).get("id");
        return id.toString();
    }

    private static McpSchema.CallToolResult send(McpSyncClient client, String id, String content) {
        return client.callTool(new McpSchema.CallToolRequest("send_message",
                Map.of("conversation_id", id, "content", content)));
    }

    private static McpSyncClient stdio(Path dataHome, String label, ClientModel model) {
        List<String> args = List.of("-jar", BatonLauncher.jar(), "serve", "--stdio", "--user", "alice", "--project",
                "sampling-" + label);
        ServerParameters params = ServerParameters.builder(BatonLauncher.java()).args(args)
                .env(BatonLauncher.env(dataHome, Map.of("BATON_MODEL_PROVIDER", "sampling"))).build();
        var transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(JSON));
        transport.setStdErrorHandler(line -> System.err.println("[" + label + "] " + line));
        return client(transport, model);
    }

    @Test
    void overStdioTheClientsModelAnswersTheTurnWithNoKey() throws Exception {
        Path dataHome = Files.createTempDirectory("baton-sampling-stdio");
        ClientModel model = new ClientModel();
        McpSyncClient client = stdio(dataHome, "stdio", model);
        try {
            String id = create(client, "Sampled");
            McpSchema.CallToolResult first = send(client, id, "What is a baton?");
            assertThat(first.isError()).as(text(first)).isFalse();
            assertThat(structured(first).get("reply")).isEqualTo("The client's model read: What is a baton?");
            McpSchema.CallToolResult second = send(client, id, "And a relay?");
            assertThat(structured(second).get("reply")).isEqualTo("The client's model read: And a relay?");

            assertThat(model.requests).hasSize(2);
            McpSchema.CreateMessageRequest asked = model.requests.get(1);
            assertThat(asked.systemPrompt()).isNotBlank().doesNotContain("This conversation was forked");
            assertThat(asked.includeContext()).isEqualTo(McpSchema.CreateMessageRequest.ContextInclusionStrategy.NONE);
            assertThat(asked.maxTokens()).isPositive();
            // the history so far, in turn order
            assertThat(asked.messages()).extracting(McpSchema.SamplingMessage::role).containsExactly(
                    McpSchema.Role.USER, McpSchema.Role.ASSISTANT, McpSchema.Role.USER);
            assertThat(asked.messages()).extracting(m -> ((McpSchema.TextContent) m.content()).text()).containsExactly(
                    "What is a baton?", "The client's model read: What is a baton?", "And a relay?");
        } finally {
            client.closeGracefully();
        }

        McpSyncClient plain = stdio(dataHome, "stdio-plain", null);
        try {
            String id = create(plain, "Not sampled");
            McpSchema.CallToolResult refused = send(plain, id, "Hello?");
            assertThat(refused.isError()).isTrue();
            assertThat(text(refused)).isEqualTo(NO_SAMPLING);
            McpSchema.CallToolResult read = plain.callTool(new McpSchema.CallToolRequest("read_conversation",
                    Map.of("conversation_id", id)));
            assertThat((List<?>) structured(read).get("messages")).isEmpty();
        } finally {
            plain.closeGracefully();
            // the processes' embedded PostgreSQL outlives them by design: stop it with the test
            new baton.db.EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
        }
    }

    @Test
    void overHttpTheClientsModelAnswersAndTheAnswerSaysTheToolsWereLeftOut() throws Exception {
        List<AutoCloseable> closing = new ArrayList<>();
        try {
            var db = TestDatabase.database();
            Conversations conversations = new Conversations(db, Clock.systemUTC());
            PromptLibrary prompts = new PromptLibrary();
            WarehouseServer.Running warehouse = WarehouseServer.startHttp(0,
                    Path.of("..", "test-fixtures", "upstream", "warehouse.json"));
            closing.add(warehouse::close);
            UpstreamServer upstream = new UpstreamServer("warehouse", URI.create(warehouse.url()), null, Map.of(), null,
                    Map.of(), Duration.ofSeconds(10));
            AgentSettings settings = new AgentSettings(new ModelSettings(Provider.SAMPLING, null, null, null,
                    Duration.ofSeconds(30), 0, Duration.ofMillis(1)), List.of(upstream), 4, Duration.ofMinutes(1));
            ToolGateway gateway = new ToolGateway(settings.upstreams(), new JacksonMcpJsonMapper(JSON), "test");
            closing.add(gateway);
            BatonHttpServer server = BatonHttpServer.start(HttpSettings.loopback(0), conversations,
                    Agent.create(conversations, prompts, settings, gateway), prompts, new Tokens(db, Clock.systemUTC()), db);
            closing.add(server);
            String project = "sampling-http-" + UUID.randomUUID();

            ClientModel model = new ClientModel();
            McpSyncClient client = client(http(server.mcpUrl(), token(db, "alice", project)), model);
            closing.add(client::closeGracefully);
            String id = create(client, "Sampled over HTTP");
            McpSchema.CallToolResult turn = send(client, id, "What was our revenue?");
            assertThat(turn.isError()).as(text(turn)).isFalse();
            assertThat(structured(turn).get("reply")).isEqualTo("The client's model read: What was our revenue?"
                    + WITHOUT_TOOLS);
            assertThat((List<?>) structured(turn).get("tool_calls")).isEmpty();
            assertThat(model.requests).singleElement().satisfies(r -> assertThat(r.systemPrompt()).isNotBlank());

            // a client whose user declines the request: the turn ends with the client's words
            McpSyncClient declining = McpClient.sync(http(server.mcpUrl(), token(db, "carol", project)))
                    .requestTimeout(Duration.ofSeconds(60))
                    .capabilities(McpSchema.ClientCapabilities.builder().sampling().build())
                    .sampling(r -> {
                        throw new IllegalStateException("The user declined the sampling request");
                    })
                    .build();
            declining.initialize();
            closing.add(declining::closeGracefully);
            McpSchema.CallToolResult declined = send(declining, create(declining, "Declined"), "Hello?");
            assertThat(declined.isError()).isTrue();
            assertThat(text(declined)).startsWith("The model call failed: your MCP client answered the sampling"
                    + " request with an error: ").contains("declined");

            McpSyncClient plain = client(http(server.mcpUrl(), token(db, "bob", project)), null);
            closing.add(plain::closeGracefully);
            String other = create(plain, "Not sampled");
            McpSchema.CallToolResult refused = send(plain, other, "Hello?");
            assertThat(refused.isError()).isTrue();
            assertThat(text(refused)).isEqualTo(NO_SAMPLING);

            // the Python SDK declaring sampling.tools: the warehouse's tools go to its model, which calls one
            String url = server.mcpUrl().toString();
            JsonNode withTools = python("http", "tools", "--url", url, "--token", token(db, "alice", project));
            assertToolLoop(withTools);
            // declaring sampling without tools: no tools in the request, and the answer says so
            JsonNode plainPython = python("http", "plain", "--url", url, "--token", token(db, "dave", project));
            assertThat(plainPython.get("requests")).singleElement().satisfies(r -> {
                assertThat(r.has("tools")).isFalse();
                assertThat(r.has("toolChoice")).isFalse();
            });
            assertThat(plainPython.at("/send/structured/reply").asText())
                    .isEqualTo("The client's model read: " + QUESTION + WITHOUT_TOOLS);
            assertSamplingCancelled(python("http", "cancel", "--url", url, "--token", token(db, "erin", project)));
        } finally {
            for (int i = closing.size() - 1; i >= 0; i--) {
                closing.get(i).close();
            }
        }
    }

    @Test
    void overStdioAClientDeclaringSamplingToolsRunsTheUpstreamToolsThroughItsModel() throws Exception {
        Path dataHome = Files.createTempDirectory("baton-sampling-tools-stdio");
        try {
            Path upstreams = Files.writeString(dataHome.resolve("upstreams.json"), """
                    {"upstreams": [{"name": "warehouse", "command": ["%s", "-cp", "%s", "baton.fixture.WarehouseServer",
                      "--data", "%s"], "timeout_seconds": 60}]}
                    """.formatted(BatonLauncher.java(), System.getProperty("java.class.path"),
                    AgentEndToEndSuite.FIXTURES.resolve("upstream/warehouse.json")));
            Path env = dataHome.resolve("env.json");
            JSON.writeValue(env.toFile(), BatonLauncher.env(dataHome, Map.of("BATON_MODEL_PROVIDER", "sampling",
                    "BATON_UPSTREAMS", upstreams.toString())));
            List<String> stdio = List.of("--java", BatonLauncher.java(), "--jar",
                    Path.of(BatonLauncher.jar()).toAbsolutePath().toString(), "--env", env.toString(),
                    "--project", "sampling-tools-" + UUID.randomUUID());

            assertToolLoop(python("stdio", "tools", stdio.toArray(String[]::new)));

            // the caller cancels the turn while the model is asked: Baton cancels its sampling request in turn
            assertSamplingCancelled(python("stdio", "cancel", stdio.toArray(String[]::new)));

            List<String> none = new ArrayList<>(stdio);
            none.addAll(List.of("--user", "bob"));
            JsonNode refused = python("stdio", "none", none.toArray(String[]::new));
            assertThat(refused.get("requests")).isEmpty();
            assertThat(refused.at("/send/is_error").asBoolean()).isTrue();
            assertThat(refused.at("/send/text").asText()).isEqualTo(NO_SAMPLING);
            assertThat(refused.get("messages")).isEmpty();
        } finally {
            new baton.db.EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
        }
    }

    /**
     * The turn of sampling_client.py's model with tools: the first request offers the warehouse's
     * tools, the model calls query_dataset, the second request carries that tool_use and its
     * tool_result, the model answers; the stored turn holds call, result and answer.
     */
    private static void assertToolLoop(JsonNode report) {
        assertThat(report.at("/send/is_error").asBoolean()).as(report.at("/send/text").asText()).isFalse();
        assertThat(report.at("/send/structured/reply").asText()).isEqualTo(ANSWER);
        assertThat(report.at("/send/structured/tool_calls")).singleElement()
                .satisfies(c -> {
                    assertThat(c.get("tool").asText()).isEqualTo("query_dataset");
                    assertThat(c.get("is_error").asBoolean()).isFalse();
                });

        JsonNode requests = report.get("requests");
        assertThat(requests).hasSize(2);
        JsonNode first = requests.get(0);
        assertThat(first.get("tools")).extracting(t -> t.get("name").asText())
                .contains("list_datasets", "describe_dataset", "query_dataset", "export_dataset");
        JsonNode query = null;
        for (JsonNode t : first.get("tools")) {
            query = "query_dataset".equals(t.get("name").asText()) ? t : query;
        }
        assertThat(query.get("description").asText()).isNotBlank();
        assertThat(query.at("/inputSchema/type").asText()).isEqualTo("object");
        assertThat(query.at("/inputSchema/properties").has("table")).isTrue();
        assertThat(query.at("/inputSchema/required")).extracting(JsonNode::asText).contains("dataset", "table");
        assertThat(first.at("/toolChoice/mode").asText()).isEqualTo("auto");
        assertThat(first.get("messages")).singleElement()
                .satisfies(m -> assertThat(blocks(m).get(0).get("text").asText()).isEqualTo(QUESTION));

        JsonNode second = requests.get(1);
        assertThat(second.get("tools")).isEqualTo(first.get("tools"));
        JsonNode messages = second.get("messages");
        assertThat(messages).extracting(m -> m.get("role").asText()).containsExactly("user", "assistant", "user");
        List<JsonNode> call = blocks(messages.get(1));
        assertThat(call).extracting(b -> b.get("type").asText()).containsExactly("text", "tool_use");
        assertThat(call.get(1).get("id").asText()).isEqualTo("toolu_01");
        assertThat(call.get(1).get("name").asText()).isEqualTo("query_dataset");
        assertThat(call.get(1).get("input")).isEqualTo(JSON.valueToTree(Map.of("dataset", "sales", "table", "orders")));
        List<JsonNode> results = blocks(messages.get(2));
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.get("type").asText()).isEqualTo("tool_result");
            assertThat(r.get("toolUseId").asText()).isEqualTo("toolu_01");
            assertThat(r.path("isError").asBoolean()).isFalse();
            assertThat(r.at("/content/0/type").asText()).isEqualTo("text");
            assertThat(r.at("/content/0/text").asText()).contains("Acme GmbH", "1875");
        });

        // the stored turn: the question, the call, its result, the answer
        JsonNode stored = report.get("messages");
        assertThat(stored).extracting(m -> m.get("role").asText() + " " + m.get("type").asText() + " "
                + m.get("tool").asText()).containsExactly("user call router_agent", "assistant call query_dataset",
                        "tool result query_dataset", "assistant result router_agent");
        assertThat(JSON.valueToTree(Map.of("dataset", "sales", "table", "orders")).equals(
                readJson(stored.get(1).get("content").asText()))).isTrue();
        assertThat(stored.get(2).get("content").asText()).contains("Acme GmbH");
        assertThat(stored.get(3).get("content").asText()).isEqualTo(ANSWER);
    }

    /**
     * sampling_client.py cancelled send_message while its model was asked: the model's request was
     * cancelled by Baton (notifications/cancelled ended the client's callback) and the turn ended
     * with the cancellation sentence.
     */
    private static void assertSamplingCancelled(JsonNode report) {
        assertThat(report.get("requests")).singleElement().satisfies(r -> assertThat(r.has("tools")).isTrue());
        assertThat(report.get("sampling_cancelled").asBoolean()).as("the client's sampling callback was cancelled")
                .isTrue();
        JsonNode stored = report.get("messages");
        assertThat(stored).extracting(m -> m.get("type").asText() + " " + m.get("tool").asText())
                .containsExactly("call router_agent", "result router_agent");
        assertThat(stored.get(1).get("content_type").asText()).isEqualTo("error");
        assertThat(stored.get(1).get("content").asText()).isEqualTo("The turn was cancelled by the caller.");
    }

    /** A sampling message's content as a list of blocks (the wire has one block or an array). */
    private static List<JsonNode> blocks(JsonNode message) {
        JsonNode content = message.get("content");
        List<JsonNode> blocks = new ArrayList<>();
        if (content.isArray()) {
            content.forEach(blocks::add);
        } else {
            blocks.add(content);
        }
        return blocks;
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(text, e);
        }
    }

    /** Runs src/test/python/sampling_client.py and reads its report. */
    private static JsonNode python(String transport, String sampling, String... args) throws Exception {
        Path out = Files.createTempFile("baton-sampling-" + transport + "-" + sampling, ".json");
        List<String> command = new ArrayList<>(List.of(ExternalTools.python().toString(),
                ExternalTools.pythonSources().resolve("sampling_client.py").toString(), "--transport", transport,
                "--sampling", sampling, "--out", out.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        boolean ended = process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly();
        }
        Path stderr = Path.of(out + ".stderr.log");
        String log = Files.exists(stderr) ? Files.readString(stderr) : "";
        assertThat(ended && process.exitValue() == 0).as("sampling_client.py %s %s failed:%n%s%n%s", transport,
                sampling, output, log).isTrue();
        return JSON.readTree(out.toFile());
    }

    private static String token(baton.db.Database db, String user, String project) {
        return new Tokens(db, Clock.systemUTC()).create(new Identity(user, project, Role.EDITOR), "test").secret();
    }

    private static McpClientTransport http(URI mcpUrl, String token) {
        return HttpClientStreamableHttpTransport.builder(mcpUrl.getScheme() + "://" + mcpUrl.getAuthority())
                .endpoint(mcpUrl.getPath())
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }
}
