package baton.bench;

import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.Tokens;
import baton.auth.WebSessions;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import baton.http.BatonHttpServer;
import baton.http.HttpSettings;
import baton.mcp.ShareLinks;
import baton.prompts.PromptLibrary;
import baton.web.PublicUrl;
import baton.web.WebPages;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Time to first byte of the page {@code /c/{id}} against the same read over MCP
 * ({@code read_conversation} with {@code limit} 1000) of a shared 1,000-message conversation, by
 * another member, on one in-process server, one request at a time. The two take turns request by
 * request, so a slow spell of the machine falls on both; the ratio of their medians is the figure.
 * The first byte is the first byte of the body (for MCP, of its SSE event), not the headers.
 */
public final class WebBenchmark {

    private static final String BOTH = "application/json, text/event-stream";

    private final Database db;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public WebBenchmark(Database db, PrintStream out) {
        this.db = db;
        this.out = out;
    }

    public void run(int size, int requests) throws Exception {
        Conversations conversations = new Conversations(db, Clock.systemUTC());
        Tokens tokens = new Tokens(db, Clock.systemUTC());
        WebSessions sessions = new WebSessions(db, Clock.systemUTC(), WebSessions.DEFAULT_TTL);
        PromptLibrary prompts = new PromptLibrary();
        Identity owner = new Identity("bench-owner", "bench-" + UUID.randomUUID(), Role.EDITOR);
        Identity reader = new Identity("bench-reader", owner.projectId(), Role.EDITOR);
        UUID id = BenchData.conversation(conversations, owner, size);
        conversations.share(owner, id, null);
        String token = tokens.create(reader, "bench").secret();
        String cookie = sessions.open(reader, null).secret();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        PublicUrl url = PublicUrl.parse("http://127.0.0.1:" + port);
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        try (ToolGateway gateway = new ToolGateway(List.of(), json, "bench");
                BatonHttpServer server = BatonHttpServer.start(HttpSettings.loopback(port), conversations,
                        Agent.create(conversations, prompts, AgentSettings.withoutModel(), gateway), prompts, tokens, db,
                        ShareLinks.NONE, new WebPages(conversations, sessions, tokens, url, List.of()))) {
            URI mcp = server.mcpUrl();
            String session = initialize(mcp, token);
            HttpRequest page = HttpRequest.newBuilder(url.base().resolve("/c/" + id))
                    .header("Cookie", "baton_session=" + cookie).timeout(Duration.ofSeconds(30)).GET().build();
            HttpRequest read = mcpPost(mcp, token, """
                    {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"read_conversation",
                     "arguments":{"conversation_id":"%s","limit":1000}}}""".formatted(id))
                    .header("Mcp-Session-Id", session).build();
            int warmUp = Math.max(20, requests / 5);
            for (int i = 0; i < warmUp; i++) {
                firstByte(page);
                firstByte(read);
            }
            long[] pageTimes = new long[requests];
            long[] readTimes = new long[requests];
            long[] pageBytes = new long[1];
            long[] readBytes = new long[1];
            for (int i = 0; i < requests; i++) {
                boolean pageFirst = i % 2 == 0;
                long[] a = firstByte(pageFirst ? page : read);
                long[] b = firstByte(pageFirst ? read : page);
                pageTimes[i] = pageFirst ? a[0] : b[0];
                readTimes[i] = pageFirst ? b[0] : a[0];
                pageBytes[0] = pageFirst ? a[1] : b[1];
                readBytes[0] = pageFirst ? b[1] : a[1];
            }
            out.printf("time to first byte of a shared %d-message conversation read by another member, %d requests each,"
                    + " taking turns, one at a time, on loopback%n", size, requests);
            out.printf("%-34s %10s %10s %12s%n", "request", "p50 ms", "p90 ms", "body bytes");
            double pageP50 = row("GET /c/{id} (HTML page)", pageTimes, pageBytes[0]);
            double readP50 = row("read_conversation (MCP, limit 1000)", readTimes, readBytes[0]);
            out.printf("page / MCP time to first byte (p50): %.2fx%n", pageP50 / readP50);
        }
    }

    private double row(String name, long[] times, long bytes) {
        double p50 = BenchData.percentile(times, 50) / 1e6;
        double p90 = BenchData.percentile(times, 90) / 1e6;
        out.printf("%-34s %10.2f %10.2f %12d%n", name, p50, p90, bytes);
        return p50;
    }

    private String initialize(URI mcp, String token) throws IOException, InterruptedException {
        HttpResponse<String> init = http.send(mcpPost(mcp, token, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""").build(),
                HttpResponse.BodyHandlers.ofString());
        String session = init.headers().firstValue("Mcp-Session-Id")
                .orElseThrow(() -> new IllegalStateException("initialize answered " + init.statusCode()));
        http.send(mcpPost(mcp, token, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .header("Mcp-Session-Id", session).build(), HttpResponse.BodyHandlers.discarding());
        return session;
    }

    private static HttpRequest.Builder mcpPost(URI mcp, String token, String body) {
        return HttpRequest.newBuilder(mcp).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", BOTH).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** Sends {@code request}; returns {nanoseconds to the first body byte, body bytes}, checking the answer is 200. */
    private long[] firstByte(HttpRequest request) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long[] first = {0};
        long[] bytes = {0};
        HttpResponse<Void> response = http.send(request, info -> new FirstByte(start, first, bytes));
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.uri().getPath() + " answered " + response.statusCode());
        }
        return new long[] {first[0], bytes[0]};
    }

    /** Notes when the first body bytes arrive, and counts them. */
    private static final class FirstByte implements HttpResponse.BodySubscriber<Void> {
        private final long start;
        private final long[] first;
        private final long[] bytes;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        FirstByte(long start, long[] first, long[] bytes) {
            this.start = start;
            this.first = first;
            this.bytes = bytes;
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            long n = items.stream().mapToLong(ByteBuffer::remaining).sum();
            if (first[0] == 0 && n > 0) {
                first[0] = System.nanoTime() - start;
            }
            bytes[0] += n;
        }

        @Override
        public void onError(Throwable throwable) {
            done.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }
}
