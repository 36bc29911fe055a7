package baton.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The MCP Java SDK client over Streamable HTTP, with a tap on what the server sends it unasked:
 * every {@code notifications/resources/updated} (the SDK client would only hand on what it could
 * read again afterwards) and every log notification, each with the time it arrived.
 */
final class WatchingClient implements AutoCloseable {

    record Heard(String uri, long nanos) {
    }

    final McpSyncClient client;
    final List<Heard> updates = new CopyOnWriteArrayList<>();
    final List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();

    private WatchingClient(URI mcpUrl, String token, List<String> protocolVersions) {
        String base = mcpUrl.getScheme() + "://" + mcpUrl.getAuthority();
        var http = HttpClientStreamableHttpTransport.builder(base)
                .endpoint(mcpUrl.getPath())
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .supportedProtocolVersions(protocolVersions)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        client = McpClient.sync(new Tap(http))
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(60))
                .loggingConsumer(logs::add)
                .build();
        client.initialize();
    }

    static WatchingClient connect(URI mcpUrl, String token) {
        return new WatchingClient(mcpUrl, token, List.of("2025-03-26", "2025-06-18", "2025-11-25"));
    }

    /** A client that offers only {@code version}, so the session negotiates it. */
    static WatchingClient speaking(String version, URI mcpUrl, String token) {
        return new WatchingClient(mcpUrl, token, List.of(version));
    }

    void subscribe(String conversationId) {
        client.subscribeResource(new McpSchema.SubscribeRequest(ConversationResource.URI_PREFIX + conversationId));
    }

    List<String> updatedUris() {
        List<String> out = new ArrayList<>();
        updates.forEach(h -> out.add(h.uri()));
        return out;
    }

    @Override
    public void close() {
        client.closeGracefully();
    }

    private final class Tap implements McpClientTransport {
        private final McpClientTransport inner;

        Tap(McpClientTransport inner) {
            this.inner = inner;
        }

        @Override
        public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
            return inner.connect(messages -> handler.apply(messages.doOnNext(message -> {
                if (message instanceof McpSchema.JSONRPCNotification n
                        && "notifications/resources/updated".equals(n.method())
                        && n.params() instanceof Map<?, ?> params) {
                    updates.add(new Heard(String.valueOf(params.get("uri")), System.nanoTime()));
                }
            })));
        }

        @Override
        public void setExceptionHandler(Consumer<Throwable> handler) {
            inner.setExceptionHandler(handler);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return inner.closeGracefully();
        }

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return inner.sendMessage(message);
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return inner.unmarshalFrom(data, typeRef);
        }

        @Override
        public List<String> protocolVersions() {
            return inner.protocolVersions();
        }
    }
}
