package baton.e2e;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Starts baton.jar as a separate process, with its embedded PostgreSQL under a test directory. */
public final class BatonLauncher {

    private BatonLauncher() {
    }

    static String jar() {
        return System.getProperty("baton.jar", "target/baton.jar");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Map<String, String> env(Path dataHome, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("XDG_DATA_HOME", dataHome.toString());
        env.keySet().removeIf(k -> k.startsWith("BATON_"));
        env.putAll(extra);
        return env;
    }

    /** {@code baton serve --stdio} as the given user, driven by a real MCP client. */
    static McpSyncClient stdio(Path dataHome, Map<String, String> extraEnv, String label,
            Consumer<McpSchema.ProgressNotification> progress, String... args) {
        List<String> all = new ArrayList<>(List.of("-jar", jar(), "serve", "--stdio"));
        all.addAll(List.of(args));
        ServerParameters params = ServerParameters.builder(java()).args(all).env(env(dataHome, extraEnv)).build();
        var transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
        transport.setStdErrorHandler(line -> System.err.println("[" + label + "] " + line));
        var client = McpClient.sync(transport)
                // every tool result is checked against the tool's outputSchema (the server trusts its own)
                .enableCallToolSchemaCaching(true)
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(120))
                .progressConsumer(progress)
                .resourcesUpdateConsumer(McpTestClient::heard)
                .build();
        long started = System.nanoTime();
        client.initialize();
        System.out.printf("initialize answered for %s after %d ms%n", label, (System.nanoTime() - started) / 1_000_000);
        return client;
    }

    /** A running {@code baton serve --http} process and the URL it printed. */
    public record HttpInstance(Process process, URI mcpUrl) implements AutoCloseable {
        /** SIGTERM, as an orchestrator would stop it; true when it ended by itself within 30 s. */
        public boolean stop() throws InterruptedException {
            process.destroy();
            boolean ended = process.waitFor(30, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            return ended;
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                stop();
            }
        }
    }

    /** {@code baton serve --http --port 0 …}: waits for the line that names its URL. */
    public static HttpInstance http(Path dataHome, Map<String, String> extraEnv, String label, String... args)
            throws IOException, InterruptedException {
        return http(dataHome, extraEnv, label, line -> { }, args);
    }

    /** As above; {@code stderr} sees each line the process writes to stderr. */
    public static HttpInstance http(Path dataHome, Map<String, String> extraEnv, String label,
            Consumer<String> stderr, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar(), "serve", "--http", "--port", "0"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        // the suites drive one caller as fast as they can: the rate limit has tests of its own
        // (LimitsTest), so it is off unless a suite sets it (a --rate-limit flag wins over this)
        Map<String, String> withDefaults = new HashMap<>(Map.of("BATON_HTTP_RATE_LIMIT", "0"));
        withDefaults.putAll(extraEnv);
        builder.environment().putAll(env(dataHome, withDefaults));
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long started = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        var url = new java.util.concurrent.CompletableFuture<URI>();
        Thread reader = new Thread(() -> {
            try (var err = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                    System.err.println("[" + label + "] " + line);
                    stderr.accept(line);
                    baton.http.BatonHttpServer.announcedUrl(line).ifPresent(url::complete);
                }
            } catch (IOException e) {
                // the process ended
            }
            url.completeExceptionally(new AssertionError(label + " ended without serving"));
        }, "stderr-" + label);
        reader.setDaemon(true);
        reader.start();
        try {
            URI mcpUrl = url.get(120, TimeUnit.SECONDS);
            System.out.printf("%s serves at %s after %d ms%n", label, mcpUrl, (System.nanoTime() - started) / 1_000_000);
            return new HttpInstance(process, mcpUrl);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new AssertionError(label + " did not start serving HTTP", e);
        }
    }

    record Result(int status, String stdout, String stderr) {
    }

    /** Runs one baton command to its end. */
    static Result run(Path dataHome, Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env(dataHome, extraEnv));
        Process process = builder.start();
        process.getOutputStream().close();
        var stderr = new java.util.concurrent.CompletableFuture<String>();
        Thread reader = new Thread(() -> {
            try {
                stderr.complete(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                stderr.complete("");
            }
        });
        reader.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("baton " + String.join(" ", args) + " did not end within 120 s");
        }
        reader.join();
        return new Result(process.exitValue(), stdout, stderr.join());
    }
}
