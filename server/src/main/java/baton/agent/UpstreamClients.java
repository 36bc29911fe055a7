package baton.agent;

import baton.conversation.Identity;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open MCP clients of {@link ToolGateway}: one per caller identity and upstream, whose every
 * request carries that identity (headers for HTTP, the environment of its own process for
 * stdio), connected once and kept while recently used.
 */
final class UpstreamClients implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamClients.class);

    /** Clients kept open at once; the least recently used one is closed beyond this. */
    static final int MAX_CLIENTS = 32;
    static final String PROJECT_HEADER = "X-Baton-Project";
    static final String ROLE_HEADER = "X-Baton-Role";

    private final McpJsonMapper jsonMapper;
    private final String version;
    private final BiConsumer<UpstreamServer, List<McpSchema.Tool>> toolsChanged;
    private final LinkedHashMap<String, McpSyncClient> clients = new LinkedHashMap<>(16, 0.75f, true);
    /** Clients being connected, by key (guarded by {@link #clients}): one connection per caller and upstream. */
    private final Map<String, CompletableFuture<McpSyncClient>> connecting = new HashMap<>();
    /** One HTTP client per HTTP upstream, shared by every caller's transport (by upstream name). */
    private final Map<String, SharedHttpClient> httpClients = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();
    private boolean closed;

    /**
     * @param toolsChanged told the tools an upstream lists after it announced that they changed
     */
    UpstreamClients(McpJsonMapper jsonMapper, String version, BiConsumer<UpstreamServer, List<McpSchema.Tool>> toolsChanged) {
        this.jsonMapper = jsonMapper;
        this.version = version;
        this.toolsChanged = toolsChanged;
    }

    /** Sessions opened so far. */
    long connections() {
        return connections.get();
    }

    /** Whether the caller has a client of the upstream, or one is being connected. */
    boolean isOpenOrOpening(Identity caller, UpstreamServer server) {
        String key = key(caller, server);
        synchronized (clients) {
            return closed || clients.containsKey(key) || connecting.containsKey(key);
        }
    }

    /**
     * The caller's client of the upstream, connected once: callers that need it while it is being
     * connected (the concurrent checks of one read, say) wait for that connection instead of
     * opening their own, and share its failure.
     */
    McpSyncClient client(Identity caller, UpstreamServer server) {
        String key = key(caller, server);
        CompletableFuture<McpSyncClient> pending;
        boolean mine = false;
        synchronized (clients) {
            if (closed) {
                throw new IllegalStateException("the tool gateway is closed");
            }
            McpSyncClient client = clients.get(key);
            if (client != null) {
                return client;
            }
            pending = connecting.get(key);
            if (pending == null) {
                pending = new CompletableFuture<>();
                connecting.put(key, pending);
                mine = true;
            }
        }
        if (!mine) {
            return awaitConnection(pending);
        }
        try {
            McpSyncClient client = connect(caller, server, key);
            pending.complete(client);
            return client;
        } catch (RuntimeException | Error e) {
            pending.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (clients) {
                connecting.remove(key, pending);
            }
        }
    }

    private static McpSyncClient awaitConnection(CompletableFuture<McpSyncClient> pending) {
        try {
            return pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an upstream connection", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private McpSyncClient connect(Identity caller, UpstreamServer server, String key) {
        McpClientTransport transport = transport(caller, server);
        McpSyncClient client = McpClient.sync(transport)
                .clientInfo(McpSchema.Implementation.builder("baton", version).build())
                .requestTimeout(server.timeout())
                .initializationTimeout(server.timeout())
                // the upstream said its tools changed and the client listed them again
                .toolsChangeConsumer(tools -> toolsChanged.accept(server, tools))
                .build();
        try {
            if (transport instanceof IsolatedStdioTransport stdio) {
                stdio.initialize(client);
            } else {
                client.initialize();
            }
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        connections.incrementAndGet();
        List<McpSyncClient> evicted = new ArrayList<>();
        McpSyncClient winner;
        synchronized (clients) {
            winner = clients.putIfAbsent(key, client);
            if (winner != null) {
                evicted.add(client);
            } else {
                winner = client;
                for (Iterator<Map.Entry<String, McpSyncClient>> it = clients.entrySet().iterator();
                        clients.size() - evicted.size() > MAX_CLIENTS && it.hasNext(); ) {
                    Map.Entry<String, McpSyncClient> oldest = it.next();
                    evicted.add(oldest.getValue());
                    it.remove();
                }
            }
        }
        evicted.forEach(UpstreamClients::closeQuietly);
        log.info("[{} {}] connected to upstream {} ({})", caller.projectId(), caller.userId(), server.name(),
                server.location());
        return winner;
    }

    private McpClientTransport transport(Identity caller, UpstreamServer server) {
        if (server.isHttp()) {
            URI url = server.url();
            String base = url.getScheme() + "://" + url.getRawAuthority();
            String endpoint = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            if (url.getRawQuery() != null) {
                endpoint += "?" + url.getRawQuery();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder()
                    .header(server.identityHeader(), caller.userId())
                    .header(PROJECT_HEADER, caller.projectId())
                    .header(ROLE_HEADER, caller.role().wireName());
            server.headers().forEach(request::header);
            return HttpClientStreamableHttpTransport.builder(base)
                    .endpoint(endpoint)
                    .requestBuilder(request)
                    .clientBuilder(httpClients.computeIfAbsent(server.name(), n -> new SharedHttpClient(server.timeout())))
                    .connectTimeout(server.timeout())
                    .jsonMapper(jsonMapper)
                    .build();
        }
        Map<String, String> env = new HashMap<>(server.env());
        env.put(UpstreamServer.USER_ENV, caller.userId());
        env.put(UpstreamServer.PROJECT_ENV, caller.projectId());
        env.put(UpstreamServer.ROLE_ENV, caller.role().wireName());
        return IsolatedStdioTransport.create(server, env, jsonMapper);
    }

    void discard(Identity caller, UpstreamServer server) {
        McpSyncClient client;
        synchronized (clients) {
            client = clients.remove(key(caller, server));
        }
        if (client != null) {
            closeQuietly(client);
        }
    }

    private static String key(Identity caller, UpstreamServer server) {
        return server.name() + '\u0000' + caller.projectId() + '\u0000' + caller.userId() + '\u0000'
                + caller.role().wireName();
    }

    private static void closeQuietly(McpSyncClient client) {
        try {
            client.closeGracefully();
        } catch (RuntimeException e) {
            log.debug("closing an upstream client failed", e);
        }
    }

    @Override
    public void close() {
        List<McpSyncClient> all;
        synchronized (clients) {
            closed = true;
            all = new ArrayList<>(clients.values());
            clients.clear();
        }
        all.forEach(UpstreamClients::closeQuietly);
    }
}
