package baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code baton serve --stdio} driven line by line, as a client nobody here wrote would: raw JSON-RPC
 * lines to its stdin, every line of its stdout kept in order.
 */
final class StdioProcess implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final CountDownLatch serving = new CountDownLatch(1);
    private long stdinClosedAt;

    StdioProcess(Path dataHome, Map<String, String> env, String label, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(BatonLauncher.java(), "-jar", BatonLauncher.jar(), "serve",
                "--stdio"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(BatonLauncher.env(dataHome, env));
        process = builder.start();
        stdin = process.getOutputStream();
        Thread out = new Thread(() -> {
            try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    stdout.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "stdout-" + label);
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(() -> {
            try (var reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.contains("serving MCP over stdio")) {
                        serving.countDown();
                    }
                    if (!line.contains(" DEBUG ")) {
                        System.err.println("[" + label + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "stderr-" + label);
        err.setDaemon(true);
        err.start();
    }

    /** Waits for the line that says Baton reads stdin. */
    StdioProcess awaitServing() throws InterruptedException {
        if (!serving.await(120, TimeUnit.SECONDS)) {
            throw new AssertionError("baton serve --stdio did not start serving within 120 s");
        }
        return this;
    }

    /** initialize, its answer, notifications/initialized. */
    StdioProcess initialize() throws IOException, InterruptedException {
        send(INITIALIZE);
        JsonNode answer = next(120);
        if (answer == null || !"init".equals(answer.path("id").asText())) {
            throw new AssertionError("no answer to initialize: " + answer);
        }
        send(INITIALIZED);
        return this;
    }

    void send(String line) throws IOException {
        sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    synchronized void sendBytes(byte[] bytes) throws IOException {
        stdin.write(bytes);
        stdin.flush();
    }

    /** The next line of stdout as JSON, or null when none came within {@code seconds}. */
    JsonNode next(double seconds) throws InterruptedException {
        String line = stdout.poll((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        try {
            return line == null ? null : JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("stdout carried a line that is not JSON: " + line, e);
        }
    }

    JsonNode next() throws InterruptedException {
        return next(30);
    }

    /** Every line of stdout not read yet, as it stands. */
    List<String> drain() {
        List<String> rest = new ArrayList<>();
        stdout.drainTo(rest);
        return rest;
    }

    void closeStdin() throws IOException {
        stdinClosedAt = System.nanoTime();
        stdin.close();
    }

    /** Milliseconds from {@link #closeStdin()} to the end of the process, or -1 when it ran on for 30 s. */
    long millisToExit() throws InterruptedException {
        boolean ended = process.waitFor(30, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - stdinClosedAt) / 1_000_000;
        return ended ? ms : -1;
    }

    static String call(Object id, String tool, String argumentsJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + idJson(id) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argumentsJson + "}}";
    }

    static String ping(Object id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + idJson(id) + ",\"method\":\"ping\"}";
    }

    private static String idJson(Object id) {
        return id instanceof String s ? "\"" + s + "\"" : String.valueOf(id);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
