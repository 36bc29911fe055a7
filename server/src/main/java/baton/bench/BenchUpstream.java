package baton.bench;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A one-tool upstream for the entitlement benchmark: {@code query_dataset}, annotated read-only,
 * answers every call {@code delayMillis} late, as the caller named in the {@code X-Baton-User}
 * header, refusing datasets {@code granted} says no to. It counts the tool calls it answers.
 */
final class BenchUpstream implements AutoCloseable {

    private final Server jetty;
    private final McpSyncServer mcp;
    private final int port;
    private final AtomicLong calls = new AtomicLong();

    BenchUpstream(long delayMillis, BiPredicate<String, String> granted) throws Exception {
        var transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
                .mcpEndpoint("/mcp")
                .contextExtractor(request -> {
                    String user = request.getHeader("X-Baton-User");
                    return McpTransportContext.create(Map.of("user", user == null ? "" : user));
                })
                .build();
        Map<String, Object> schema = Map.of("type", "object", "properties",
                Map.of("dataset", Map.of("type", "string"), "table", Map.of("type", "string")),
                "required", List.of("dataset", "table"));
        SyncToolSpecification query = SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder("query_dataset", schema).description("Rows of a table.")
                        .annotations(new McpSchema.ToolAnnotations(null, true, false, true, false, null)).build())
                .callHandler((exchange, request) -> {
                    calls.incrementAndGet();
                    try {
                        Thread.sleep(delayMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    String user = (String) exchange.transportContext().get("user");
                    String dataset = String.valueOf(request.arguments().get("dataset"));
                    if (!granted.test(user, dataset)) {
                        return McpSchema.CallToolResult.builder().isError(true)
                                .addTextContent("permission denied: user '" + user + "' may not read dataset '"
                                        + dataset + "'").build();
                    }
                    return McpSchema.CallToolResult.builder().isError(false)
                            .addTextContent("{\"rows\":[[1,2,3]]}").build();
                })
                .build();
        mcp = McpServer.sync(transport).serverInfo("bench-upstream", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(query).build();
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(transport);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/mcp");
        jetty.setHandler(context);
        jetty.start();
        port = connector.getLocalPort();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    /** Tool calls answered so far. */
    long calls() {
        return calls.get();
    }

    @Override
    public void close() throws Exception {
        mcp.closeGracefully();
        jetty.stop();
    }
}
