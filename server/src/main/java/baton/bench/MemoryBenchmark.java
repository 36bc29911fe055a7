package baton.bench;

import baton.auth.Tokens;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resident size of a {@code baton serve --http} process (its own JVM, with the given options): idle,
 * after {@code conversations} conversations were created through it, and with {@code sessions}
 * MCP sessions open at once. Read from /proc, so Linux only.
 */
public final class MemoryBenchmark {

    private final Path jar;
    private final Map<String, String> env;
    private final Database db;
    private final PrintStream out;

    public MemoryBenchmark(Path jar, Map<String, String> env, Database db, PrintStream out) {
        this.jar = jar;
        this.env = env;
        this.db = db;
        this.out = out;
    }

    public void run(int conversations, int sessions, List<String> jvmOptions) throws Exception {
        String token = new Tokens(db, Clock.systemUTC())
                .create(new Identity("bench-memory", "bench-" + UUID.randomUUID(), Role.EDITOR), "bench").secret();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        // one caller makes the conversations and holds the sessions: its rate and session count are not what is measured
        command.addAll(List.of("-jar", jar.toString(), "serve", "--http", "--port", "0", "--rate-limit", "0",
                "--max-sessions-per-caller", "1000000", "--max-sessions", "1000000"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        List<McpSyncClient> open = new ArrayList<>();
        try {
            URI url = ServedProcess.url(process, "bench-memory-stderr");
            Thread.sleep(2000);
            out.printf("%-44s %10s%n", "baton serve --http " + (jvmOptions.isEmpty() ? "(default JVM options)"
                    : String.join(" ", jvmOptions)), "RSS MiB");
            out.printf("%-44s %10d%n", "idle after start", ServedProcess.rssMiB(process));
            create(url, token, conversations);
            out.printf("%-44s %10d%n", "after " + conversations + " conversations created over MCP", ServedProcess.rssMiB(process));
            for (int i = 0; i < sessions; i++) {
                McpSyncClient client = HttpBenchmark.client(url, token);
                client.callTool(McpSchema.CallToolRequest.builder("list_conversations").arguments(Map.of()).build());
                open.add(client);
            }
            out.printf("%-44s %10d%n", "with " + sessions + " MCP sessions open at once", ServedProcess.rssMiB(process));
            out.printf("(peak RSS %d MiB)%n", ServedProcess.peakRssMiB(process));
        } finally {
            open.forEach(McpSyncClient::closeGracefully);
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Creates the conversations from 16 MCP sessions at once. */
    private static void create(URI url, String token, int conversations) throws Exception {
        AtomicInteger left = new AtomicInteger(conversations);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                done.add(pool.submit(() -> {
                    McpSyncClient client = HttpBenchmark.client(url, token);
                    try {
                        while (left.getAndDecrement() > 0) {
                            McpSchema.CallToolResult result = client.callTool(McpSchema.CallToolRequest
                                    .builder("create_conversation").arguments(Map.of("title", "memory")).build());
                            if (Boolean.TRUE.equals(result.isError())) {
                                throw new IllegalStateException("create_conversation failed: " + result.content());
                            }
                        }
                    } finally {
                        client.closeGracefully();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
