package baton.bench;

import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import baton.http.BatonHttpServer;
import baton.http.HttpSettings;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * MCP over Streamable HTTP on loopback: {@code clients} concurrent MCP sessions calling {@code ping},
 * and {@code read_conversation} of a shared 50-message conversation as another member, on one
 * in-process server; the two take turns in {@link #ROUNDS} rounds. Reports throughput and latency
 * of each, and their ratio overall and per round.
 */
public final class HttpBenchmark {

    /** Rounds in which the two calls take turns; each gets a share of the measured time per round. */
    static final int ROUNDS = 4;

    private final Database db;
    private final PrintStream out;

    public HttpBenchmark(Database db, PrintStream out) {
        this.db = db;
        this.out = out;
    }

    /** A call made by one client; the benchmark times each. */
    interface Call extends Consumer<McpSyncClient> {
    }

    public void run(int clients, Duration warmUp, Duration measure) {
        Conversations conversations = new Conversations(db, Clock.systemUTC());
        Tokens tokens = new Tokens(db, Clock.systemUTC());
        PromptLibrary prompts = new PromptLibrary();
        AgentSettings noModel = AgentSettings.withoutModel();
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        Identity owner = new Identity("bench-owner", "bench-" + UUID.randomUUID(), Role.EDITOR);
        Identity reader = new Identity("bench-reader", owner.projectId(), Role.EDITOR);
        UUID id = BenchData.conversation(conversations, owner, 52);
        conversations.share(owner, id, null);
        String token = tokens.create(reader, "bench").secret();

        try (ToolGateway gateway = new ToolGateway(List.of(), json, "bench");
                BatonHttpServer server = BatonHttpServer.start(HttpSettings.loopback(0), conversations,
                        Agent.create(conversations, prompts, noModel, gateway), prompts, tokens, db)) {
            List<McpSyncClient> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    sessions.add(client(server.mcpUrl(), token));
                }
                Call ping = McpSyncClient::ping;
                McpSchema.CallToolRequest readRequest = McpSchema.CallToolRequest.builder("read_conversation")
                        .arguments(Map.of("conversation_id", id.toString(), "limit", 50)).build();
                Call read = c -> {
                    McpSchema.CallToolResult result = c.callTool(readRequest);
                    if (Boolean.TRUE.equals(result.isError())) {
                        throw new IllegalStateException("read_conversation failed: " + result.content());
                    }
                };
                out.printf("%d concurrent MCP sessions over Streamable HTTP on loopback, %d s each, in %d rounds%n",
                        clients, measure.toSeconds(), ROUNDS);
                phase(sessions, ping, warmUp);
                phase(sessions, read, warmUp);
                // the two calls take turns, so a slow spell of the machine falls on both
                Duration slice = measure.dividedBy(ROUNDS);
                List<long[]> pings = new ArrayList<>();
                List<long[]> reads = new ArrayList<>();
                List<String> ratios = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    boolean pingFirst = round % 2 == 0;
                    long[] first = phase(sessions, pingFirst ? ping : read, slice);
                    long[] second = phase(sessions, pingFirst ? read : ping, slice);
                    long[] pinged = pingFirst ? first : second;
                    long[] readTimes = pingFirst ? second : first;
                    pings.add(pinged);
                    reads.add(readTimes);
                    ratios.add(String.format("%.0f%%", 100.0 * readTimes.length / pinged.length));
                }
                out.printf("%-20s %12s %10s %10s%n", "call", "calls/s", "p50 ms", "p99 ms");
                double[] pingFigures = report("ping", concat(pings), measure);
                double[] readFigures = report("read_conversation", concat(reads), measure);
                out.printf("read_conversation throughput is %.0f%% of ping's (rounds: %s)%n",
                        100 * readFigures[0] / pingFigures[0], String.join(", ", ratios));
            } finally {
                sessions.forEach(McpSyncClient::closeGracefully);
            }
        }
    }

    static McpSyncClient client(URI url, String token) {
        var transport = HttpClientStreamableHttpTransport.builder(url.getScheme() + "://" + url.getAuthority())
                .endpoint(url.getPath())
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        return client;
    }

    /** Every session calls {@code call} in a loop until the time is up; returns each call's nanoseconds. */
    static long[] phase(List<McpSyncClient> sessions, Call call, Duration length) {
        long deadline = System.nanoTime() + length.toNanos();
        long[][] perClient = new long[sessions.size()][];
        CountDownLatch done = new CountDownLatch(sessions.size());
        RuntimeException[] failure = new RuntimeException[1];
        for (int i = 0; i < sessions.size(); i++) {
            int n = i;
            Thread worker = new Thread(() -> {
                long[] times = new long[1024];
                int count = 0;
                try {
                    while (System.nanoTime() < deadline) {
                        long start = System.nanoTime();
                        call.accept(sessions.get(n));
                        if (count == times.length) {
                            times = Arrays.copyOf(times, count * 2);
                        }
                        times[count++] = System.nanoTime() - start;
                    }
                } catch (RuntimeException e) {
                    failure[0] = e;
                } finally {
                    perClient[n] = Arrays.copyOf(times, count);
                    done.countDown();
                }
            }, "bench-client-" + i);
            worker.start();
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return concat(Arrays.asList(perClient));
    }

    static long[] concat(List<long[]> parts) {
        return parts.stream().flatMapToLong(Arrays::stream).toArray();
    }

    private double[] report(String name, long[] times, Duration length) {
        double perSecond = times.length / (length.toNanos() / 1e9);
        double p50 = BenchData.percentile(times, 50) / 1e6;
        double p99 = BenchData.percentile(times, 99) / 1e6;
        out.printf("%-20s %12.0f %10.2f %10.2f%n", name, perSecond, p50, p99);
        return new double[] {perSecond, p50, p99};
    }
}
