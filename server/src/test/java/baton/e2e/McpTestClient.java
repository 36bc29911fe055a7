package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A real MCP client with the calls the end-to-end scenarios need. */
public final class McpTestClient implements AutoCloseable {

    private final McpSyncClient client;

    /** A resource update a client of this JVM heard (and read again): its URI and when it arrived. */
    public record HeardUpdate(String uri, long nanos) {
    }

    private static final List<HeardUpdate> HEARD = new CopyOnWriteArrayList<>();

    /**
     * For a client's {@code resourcesUpdateConsumer}: the SDK client reads an updated resource again
     * and hands on what it read, so an update is recorded when the subscriber may still read it.
     */
    public static void heard(List<McpSchema.ResourceContents> contents) {
        long now = System.nanoTime();
        contents.forEach(c -> HEARD.add(new HeardUpdate(c.uri(), now)));
    }

    /** The updates of {@code uri} that clients of this JVM heard, oldest first. */
    public static List<HeardUpdate> heardUpdates(String uri) {
        return HEARD.stream().filter(h -> h.uri().equals(uri)).toList();
    }

    public McpTestClient(McpSyncClient client) {
        this.client = client;
    }

    /** A client of Baton's Streamable HTTP endpoint, sending {@code token} as its bearer token. */
    public static McpTestClient overHttp(URI mcpUrl, String token,
            Consumer<McpSchema.ProgressNotification> progress) {
        String base = mcpUrl.getScheme() + "://" + mcpUrl.getAuthority();
        var transport = HttpClientStreamableHttpTransport.builder(base)
                .endpoint(mcpUrl.getPath())
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        McpSyncClient client = McpClient.sync(transport)
                // every tool result is checked against the tool's outputSchema (the server trusts its own)
                .enableCallToolSchemaCaching(true)
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(60))
                .progressConsumer(progress)
                .resourcesUpdateConsumer(McpTestClient::heard)
                .build();
        client.initialize();
        return new McpTestClient(client);
    }

    public McpSyncClient raw() {
        return client;
    }

    /** Calls a tool that must succeed; returns its structured content. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> call(String tool, Map<String, Object> arguments) {
        CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, arguments));
        assertThat(result.isError()).as("%s failed: %s", tool, result.content()).isFalse();
        assertThat(result.content()).as("text content mirrors structuredContent")
                .first().isInstanceOf(McpSchema.TextContent.class);
        assertThat(result.content()).as("at most a resource link beside the text").hasSizeLessThanOrEqualTo(2);
        return (Map<String, Object>) result.structuredContent();
    }

    /** Calls a tool that must fail as a business failure; returns its one sentence. */
    public String refused(String tool, Map<String, Object> arguments) {
        CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, arguments));
        assertThat(result.isError()).as("%s should have failed", tool).isTrue();
        assertThat(result.content()).hasSize(1);
        String text = ((McpSchema.TextContent) result.content().get(0)).text();
        assertThat(text).doesNotContain("Exception", "SQL", "\tat ", "org.postgresql");
        return text;
    }

    /** Calls a tool that must be refused with a JSON-RPC error (an unknown tool; old protocol versions: bad arguments). */
    public McpError rejected(String tool, Map<String, Object> arguments) {
        McpError[] error = new McpError[1];
        assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest(tool, arguments)))
                .isInstanceOfSatisfying(McpError.class, e -> error[0] = e);
        return error[0];
    }

    public String systemPrompt(String conversationId) {
        McpSchema.GetPromptResult result = client.getPrompt(
                new McpSchema.GetPromptRequest("system_prompt", Map.of("conversation_id", conversationId)));
        return ((McpSchema.TextContent) result.messages().get(0).content()).text();
    }

    public void subscribe(String conversationId) {
        client.subscribeResource(new McpSchema.SubscribeRequest("baton://conversations/" + conversationId));
    }

    public String resource(String conversationId) {
        McpSchema.ReadResourceResult result = client.readResource(
                new McpSchema.ReadResourceRequest("baton://conversations/" + conversationId));
        return ((McpSchema.TextResourceContents) result.contents().get(0)).text();
    }

    @Override
    public void close() {
        client.closeGracefully();
    }
}
