package baton.mcp.stdio;

import baton.agent.Cancellation;
import baton.mcp.RequestContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.List;

/**
 * A real SDK server over a stdio transport in this process, driven line by line: stdin is a queue
 * of bytes, stdout is split into the lines written. Its tools are stand-ins: {@code echo} answers at
 * once, {@code slow} waits until its request is cancelled and then answers "stopped: reason".
 */
final class StdioHarness implements AutoCloseable {

    /** Makes the transport under test from stdin, stdout and the line limit. */
    interface Transports {
        McpServerTransportProvider create(JacksonMcpJsonMapper mapper, InputStream in, OutputStream out, int maxLine);
    }

    static final Transports BATON = (mapper, in, out, max) -> new StdioTransport(mapper, in, out, max,
            StdioTransport.DEFAULT_GRACE);

    static final ObjectMapper JSON = new ObjectMapper();

    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    final List<String> cancelReasons = new CopyOnWriteArrayList<>();
    final CountDownLatch slowStarted = new CountDownLatch(1);
    final McpServerTransportProvider transport;
    private final McpSyncServer server;

    StdioHarness(Transports transports, int maxLine) {
        JacksonMcpJsonMapper mapper = new JacksonMcpJsonMapper(JSON);
        transport = transports.create(mapper, new QueueInput(), new LineOutput(), maxLine);
        McpSchema.Tool echo = McpSchema.Tool.builder().name("echo").inputSchema(Map.of("type", "object")).build();
        McpSchema.Tool slow = McpSchema.Tool.builder().name("slow").inputSchema(Map.of("type", "object")).build();
        server = McpServer.sync(transport).serverInfo("harness", "1").jsonMapper(mapper)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(SyncToolSpecification.builder().tool(echo).callHandler((exchange, request) -> {
                            try { // a little work, so that answers finish on several threads at once
                                Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(3));
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return McpSchema.CallToolResult.builder()
                                    .addTextContent(String.valueOf(request.arguments())).build();
                        }).build(),
                        SyncToolSpecification.builder().tool(slow).callHandler((exchange, request) -> {
                            Cancellation cancellation = RequestContext.cancellation(exchange);
                            CountDownLatch stopped = new CountDownLatch(1);
                            cancellation.onCancel(stopped::countDown);
                            slowStarted.countDown();
                            try {
                                stopped.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            cancelReasons.add(String.valueOf(cancellation.reason()));
                            return McpSchema.CallToolResult.builder()
                                    .addTextContent("stopped: " + cancellation.reason()).isError(true).build();
                        }).build())
                .build();
    }

    StdioHarness() {
        this(BATON, StdioTransport.MAX_LINE_BYTES);
    }

    void send(String text) {
        sendBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    void sendLine(String line) {
        send(line + "\n");
    }

    void sendBytes(byte[] bytes) {
        stdin.add(bytes);
    }

    void closeStdin() {
        stdin.add(END);
    }

    /** The next line written, or null after {@code seconds}. */
    JsonNode next(double seconds) throws InterruptedException {
        String line = stdout.poll((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        try {
            return line == null ? null : JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON on stdout: " + line, e);
        }
    }

    JsonNode next() throws InterruptedException {
        return next(5);
    }

    /** initialize, its answer, then notifications/initialized. */
    void initialize() throws InterruptedException {
        sendLine("{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        JsonNode answer = next();
        if (answer == null || !"init".equals(answer.path("id").asText())) {
            throw new AssertionError("no initialize answer: " + answer);
        }
        sendLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    static String call(Object id, String tool, String argumentsJson) {
        String idJson = id instanceof String s ? "\"" + s + "\"" : String.valueOf(id);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argumentsJson + "}}";
    }

    @Override
    public void close() {
        closeStdin();
        server.close();
    }

    private final class QueueInput extends InputStream {
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos == current.length) {
                if (ended) {
                    return -1;
                }
                try {
                    current = stdin.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                pos = 0;
                if (current == END) {
                    ended = true;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private final class LineOutput extends OutputStream {
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                stdout.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }

    static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }
}
