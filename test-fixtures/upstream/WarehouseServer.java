package baton.fixture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small "warehouse" MCP server that answers as its caller: each user may read only the datasets
 * granted to them in the data file. Over stdio the caller comes from {@value #USER_ENV}; over
 * Streamable HTTP from a request header ({@value #DEFAULT_USER_HEADER} unless told otherwise).
 *
 * <p>Failures use both MCP error channels on purpose: {@code describe_dataset} and
 * {@code query_dataset} answer {@code isError} results, {@code export_dataset} a JSON-RPC error.
 *
 * <p>{@code list_datasets}, {@code describe_dataset} and {@code query_dataset} are annotated
 * {@code readOnlyHint: true} (Baton re-runs such calls to check what a reader may see);
 * {@code export_dataset} carries no annotation, so it counts as a tool that may write. With
 * {@code --delay-ms N} every tool call answers N milliseconds late (a slow upstream).
 *
 * <pre>
 * java -cp server/target/baton.jar test-fixtures/upstream/WarehouseServer.java --data FILE [--http PORT] [--user-header NAME] [--delay-ms N]
 * </pre>
 */
public final class WarehouseServer {

    public static final String USER_ENV = "BATON_CALLER_USER";
    public static final String PROJECT_ENV = "BATON_CALLER_PROJECT";
    public static final String DEFAULT_USER_HEADER = "X-Baton-User";
    /** Server-defined JSON-RPC code for "access denied", the same one Baton uses. */
    public static final int FORBIDDEN = -32003;

    private static final Logger log = LoggerFactory.getLogger(WarehouseServer.class);
    private static final String USER_KEY = "user";
    private static final int DEFAULT_LIMIT = 100;

    private final ObjectMapper mapper;
    private final JsonNode data;
    private final Function<McpSyncServerExchange, String> caller;
    private final long delayMillis;

    private WarehouseServer(ObjectMapper mapper, Path data, Function<McpSyncServerExchange, String> caller,
            long delayMillis) throws IOException {
        this.mapper = mapper;
        this.data = mapper.readTree(data.toFile());
        this.caller = caller;
        this.delayMillis = delayMillis;
    }

    /** A warehouse served over Streamable HTTP at {@link #url()}, stopped by {@link #close()}. */
    public record Running(int port, Server jetty, McpSyncServer mcp) implements AutoCloseable {

        /** The endpoint, {@code http://127.0.0.1:PORT/mcp}. */
        public String url() {
            return "http://127.0.0.1:" + port + "/mcp";
        }

        @Override
        public void close() {
            mcp.closeGracefully();
            try {
                jetty.stop();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop the warehouse on port " + port, e);
            }
        }
    }

    /** Serves Streamable HTTP at {@code /mcp} on 127.0.0.1; port 0 picks a free one. */
    public static Running startHttp(int port, Path data, String userHeader) throws IOException {
        return startHttp(port, data, userHeader, 0);
    }

    /** As above, every tool call answering {@code delayMillis} late. */
    public static Running startHttp(int port, Path data, String userHeader, long delayMillis) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        // The header is read per HTTP request and handed to the tool through the exchange.
        var transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(new JacksonMcpJsonMapper(mapper))
                .mcpEndpoint("/mcp")
                .contextExtractor(request -> {
                    String user = request.getHeader(userHeader);
                    return user == null || user.isBlank() ? McpTransportContext.EMPTY
                            : McpTransportContext.create(Map.of(USER_KEY, user.strip()));
                })
                .build();
        WarehouseServer warehouse = new WarehouseServer(mapper, data,
                exchange -> (String) exchange.transportContext().get(USER_KEY), delayMillis);
        McpSyncServer mcp = warehouse.serve(McpServer.sync(transport));

        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(transport);
        holder.setAsyncSupported(true); // the transport answers over SSE streams
        context.addServlet(holder, "/mcp");
        jetty.setHandler(context);
        try {
            jetty.start();
        } catch (Exception e) {
            mcp.closeGracefully();
            throw new IOException("could not serve the warehouse on 127.0.0.1:" + port, e);
        }
        return new Running(connector.getLocalPort(), jetty, mcp);
    }

    public static Running startHttp(int port, Path data) throws IOException {
        return startHttp(port, data, DEFAULT_USER_HEADER);
    }

    public static void main(String[] args) throws Exception {
        Path data = null;
        Integer port = null;
        String userHeader = DEFAULT_USER_HEADER;
        long delayMillis = 0;
        boolean understood = args.length % 2 == 0;
        for (int i = 0; understood && i < args.length; i += 2) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[i + 1]);
                case "--http" -> port = Integer.valueOf(args[i + 1]);
                case "--user-header" -> userHeader = args[i + 1];
                case "--delay-ms" -> delayMillis = Long.parseLong(args[i + 1]);
                default -> understood = false;
            }
        }
        if (data == null || !understood) {
            System.err.println("usage: WarehouseServer --data FILE [--http PORT] [--user-header NAME] [--delay-ms N]");
            System.exit(2);
        }
        if (port != null) {
            Running running = startHttp(port, data, userHeader, delayMillis);
            Runtime.getRuntime().addShutdownHook(new Thread(running::close));
            System.err.println("listening on " + running.url());
            running.jetty().join();
        } else {
            serveStdio(data, delayMillis);
        }
    }

    private static void serveStdio(Path data, long delayMillis) throws IOException, InterruptedException {
        // stdout carries the protocol: anything else that would print there goes to stderr.
        PrintStream protocolOut = System.out;
        System.setOut(System.err);
        String user = blankToNull(System.getenv(USER_ENV));
        if (user == null) {
            log.warn("{} is not set: every tool call will be refused as unauthorized", USER_ENV);
        } else {
            log.info("warehouse over stdio for user {} in project {}", user, System.getenv(PROJECT_ENV));
        }
        ObjectMapper mapper = new ObjectMapper();
        // The SDK's stdio transport stops writing as soon as its input ends, which would drop the
        // answers to a client (a shell pipe, say) that writes its requests and closes stdin at once.
        // So stdin reaches it through a pipe that ends only once every request has been answered.
        Answers answers = new Answers(mapper, protocolOut);
        PipedOutputStream requests = new PipedOutputStream();
        var transport = new StdioServerTransportProvider(new JacksonMcpJsonMapper(mapper),
                new PipedInputStream(requests, 1 << 16), answers);
        McpSyncServer mcp = new WarehouseServer(mapper, data, exchange -> user, delayMillis).serve(McpServer.sync(transport));
        try (requests; var stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
                answers.expectIfRequest(line);
                requests.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                requests.flush();
            }
            answers.awaitAll(10_000);
        } catch (IOException e) {
            log.warn("stdio ended: {}", e.getMessage()); // e.g. the transport stopped reading
        }
        mcp.closeGracefully();
        System.exit(0); // the transport's reader and writer threads are not daemons
    }

    private McpSyncServer serve(McpServer.SyncSpecification<?> spec) {
        Map<String, Object> dataset = Map.of("type", "string", "description", "Name of the dataset, e.g. sales");
        return spec.serverInfo("warehouse", "1.0.0")
                .instructions("A data warehouse. Call list_datasets first: each user sees only the datasets"
                        + " granted to them.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(
                        tool("list_datasets", "Lists the datasets you may read, with their tables.",
                                Map.of(), List.of(), READ_ONLY, this::listDatasets),
                        tool("describe_dataset", "Describes a dataset you may read: its tables and their columns.",
                                Map.of("dataset", dataset), List.of("dataset"), READ_ONLY, this::describeDataset),
                        tool("query_dataset", "Returns the rows of one table of a dataset as JSON objects.",
                                Map.of("dataset", dataset,
                                        "table", Map.of("type", "string", "description", "Table name, e.g. orders"),
                                        "limit", Map.of("type", "integer",
                                                "description", "Most rows to return, at least 1 (default 100)")),
                                List.of("dataset", "table"), READ_ONLY, this::queryDataset),
                        tool("export_dataset", "Exports every table of a dataset as CSV text.",
                                Map.of("dataset", dataset), List.of("dataset"), null, this::exportDataset))
                .build();
    }

    /** The annotations of a tool that only reads. */
    private static final McpSchema.ToolAnnotations READ_ONLY =
            new McpSchema.ToolAnnotations(null, true, false, true, false, null);

    private SyncToolSpecification tool(String name, String description, Map<String, Object> properties,
            List<String> required, McpSchema.ToolAnnotations annotations,
            BiFunction<String, Map<String, Object>, CallToolResult> body) {
        Map<String, Object> schema = Map.of("type", "object", "properties", properties, "required", required);
        return SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder(name, schema).description(description).annotations(annotations).build())
                .callHandler((exchange, request) -> {
                    if (delayMillis > 0) {
                        try {
                            Thread.sleep(delayMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    String user = caller.apply(exchange);
                    if (user == null) {
                        return refused("unauthorized: no caller identity");
                    }
                    Map<String, Object> arguments = request.arguments() == null ? Map.of() : request.arguments();
                    log.info("{} calls {} {}", user, name, arguments);
                    return body.apply(user, arguments);
                })
                .build();
    }

    private CallToolResult listDatasets(String user, Map<String, Object> arguments) {
        ObjectNode result = mapper.createObjectNode().put("user", user);
        ArrayNode datasets = result.putArray("datasets");
        for (String name : granted(user)) {
            JsonNode dataset = data.path("datasets").get(name);
            if (dataset != null) {
                ArrayNode tables = datasets.addObject().put("name", name)
                        .put("description", dataset.path("description").asText())
                        .putArray("tables");
                dataset.path("tables").properties().forEach(table -> tables.add(table.getKey()));
            }
        }
        return ok(result);
    }

    private CallToolResult describeDataset(String user, Map<String, Object> arguments) {
        String name = String.valueOf(arguments.get("dataset"));
        JsonNode dataset = data.path("datasets").get(name);
        // A dataset the caller may not read is reported exactly like one that does not exist.
        if (dataset == null || !granted(user).contains(name)) {
            return refused("dataset '" + name + "' not found");
        }
        ObjectNode result = mapper.createObjectNode().put("dataset", name);
        ArrayNode tables = result.putArray("tables");
        dataset.path("tables").properties().forEach(table -> tables.addObject()
                .put("name", table.getKey())
                .put("rows", table.getValue().path("rows").size())
                .set("columns", table.getValue().path("columns")));
        return ok(result);
    }

    private CallToolResult queryDataset(String user, Map<String, Object> arguments) {
        String name = String.valueOf(arguments.get("dataset"));
        String tableName = String.valueOf(arguments.get("table"));
        if (!granted(user).contains(name)) {
            return refused("permission denied: user '" + user + "' may not read dataset '" + name + "'");
        }
        JsonNode table = data.path("datasets").path(name).path("tables").get(tableName);
        if (table == null) {
            return refused("table '" + tableName + "' does not exist in dataset '" + name + "'");
        }
        int limit = arguments.get("limit") instanceof Number n ? n.intValue() : DEFAULT_LIMIT;
        if (limit < 1) {
            return refused("limit must be at least 1");
        }
        ObjectNode result = mapper.createObjectNode().put("dataset", name).put("table", tableName);
        ArrayNode rows = result.putArray("rows");
        JsonNode columns = table.path("columns");
        for (JsonNode values : table.path("rows")) {
            if (rows.size() == limit) {
                break;
            }
            ObjectNode row = rows.addObject();
            for (int c = 0; c < columns.size(); c++) {
                row.set(columns.get(c).asText(), values.get(c));
            }
        }
        return ok(result);
    }

    private CallToolResult exportDataset(String user, Map<String, Object> arguments) {
        String name = String.valueOf(arguments.get("dataset"));
        JsonNode dataset = data.path("datasets").get(name);
        if (dataset == null || !granted(user).contains(name)) {
            // A JSON-RPC error rather than an isError result, so callers meet both channels.
            throw McpError.builder(FORBIDDEN)
                    .message("Forbidden: user '" + user + "' may not export dataset '" + name + "'")
                    .build();
        }
        StringBuilder csv = new StringBuilder();
        dataset.path("tables").properties().forEach(table -> {
            csv.append("# ").append(table.getKey()).append('\n');
            csvLine(csv, table.getValue().path("columns"));
            table.getValue().path("rows").forEach(row -> csvLine(csv, row));
        });
        return CallToolResult.builder().addTextContent(csv.toString()).isError(false).build();
    }

    private List<String> granted(String user) {
        List<String> names = new ArrayList<>();
        data.path("grants").path(user).forEach(name -> names.add(name.asText()));
        return names;
    }

    private static void csvLine(StringBuilder csv, JsonNode values) {
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i).asText();
            boolean quote = value.contains(",") || value.contains("\"") || value.contains("\n");
            csv.append(i == 0 ? "" : ",").append(quote ? '"' + value.replace("\"", "\"\"") + '"' : value);
        }
        csv.append('\n');
    }

    private static CallToolResult ok(JsonNode result) {
        return CallToolResult.builder().addTextContent(result.toString()).isError(false).build();
    }

    private static CallToolResult refused(String sentence) {
        return CallToolResult.builder().addTextContent(sentence).isError(true).build();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The transport's stdout: it counts the answers to the requests read from stdin. */
    private static final class Answers extends OutputStream {
        private final ObjectMapper mapper;
        private final OutputStream stdout;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private int pending;

        Answers(ObjectMapper mapper, OutputStream stdout) {
            this.mapper = mapper;
            this.stdout = stdout;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            line.write(b);
            if (b == '\n') {
                stdout.write(line.toByteArray());
                stdout.flush();
                JsonNode message = parse(line.toString(StandardCharsets.UTF_8));
                line.reset();
                if (message.has("id") && !message.has("method")) {
                    pending--;
                    notifyAll();
                }
            }
        }

        synchronized void expectIfRequest(String text) {
            JsonNode message = parse(text);
            if (message.has("id") && message.has("method")) {
                pending++;
            }
        }

        /** Waits for the answers still owed, but not forever. */
        synchronized void awaitAll(long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (pending > 0 && System.currentTimeMillis() < deadline) {
                wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
        }

        private JsonNode parse(String text) {
            try {
                return mapper.readTree(text);
            } catch (IOException e) {
                return mapper.createObjectNode(); // the transport reports a malformed line itself
            }
        }
    }
}
