package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.auth.Tokens;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.EmbeddedPostgresServer;
import baton.db.Storage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's cost bound, on the real jar with a 512 MiB heap: 24 callers each send 16 MiB bodies
 * of 1.2 million tiny JSON values over and over (before the limits one such body cost 1.5 GiB of
 * heap), while another caller works and {@code /healthz} is asked. The other caller's calls and
 * the health check keep answering, no OutOfMemoryError happens, and SIGTERM ends the instance
 * within 10 s while the adversaries are still sending.
 */
class AdversarialBodiesIT {

    private static final int ADVERSARIES = 24;
    private static final String BOTH = "application/json, text/event-stream";

    @Test
    @Timeout(240)
    void adversarialBodiesLeaveOthersServedAndSigtermStopsWithinTenSeconds() throws Exception {
        Path dataHome = Files.createTempDirectory("baton-adversarial");
        List<String> stderr = new CopyOnWriteArrayList<>();
        BatonLauncher.HttpInstance instance = BatonLauncher.http(dataHome,
                Map.of("JAVA_TOOL_OPTIONS", "-Xmx512m", "BATON_HTTP_RATE_LIMIT", "50"), // serve's defaults, all of them
                "adversarial", stderr::add);
        Storage storage = Storage.open(null, dataHome.resolve("baton"), 2);
        ExecutorService pool = Executors.newFixedThreadPool(ADVERSARIES + 2);
        AtomicBoolean attacking = new AtomicBoolean(true);
        try {
            Tokens tokens = new Tokens(storage.database(), Clock.systemUTC());
            String project = "adversarial-" + UUID.randomUUID();
            String worker = tokens.create(new Identity("worker", project, Role.EDITOR), "it").secret();
            List<String> viewers = new ArrayList<>();
            for (int i = 0; i < ADVERSARIES; i++) {
                viewers.add(tokens.create(new Identity("mallory-" + i, project, Role.VIEWER), "it").secret());
            }
            byte[] hostile = hostileBody();
            assertThat(hostile.length).isBetween(15_000_000, 16 * 1024 * 1024 - 1024);
            URI mcp = instance.mcpUrl();
            URI health = mcp.resolve("/healthz");

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String session = initialize(client, mcp, worker);
            List<Long> quiet = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                quiet.add(work(client, mcp, health, worker, session, 100 + i));
            }
            Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
            for (String viewer : viewers) {
                pool.submit(() -> {
                    while (attacking.get()) {
                        outcomes.computeIfAbsent(attack(mcp, viewer, hostile), o -> new AtomicLong()).incrementAndGet();
                    }
                });
            }
            Thread.sleep(3000); // the attack is under way

            List<Long> attacked = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until || attacked.size() < 10) {
                attacked.add(work(client, mcp, health, worker, session, attacked.size() + 1));
                Thread.sleep(200);
            }
            long slowest = attacked.stream().mapToLong(Long::longValue).max().orElseThrow() * 1_000_000;
            int calls = attacked.size();
            System.out.printf("the worker's list_conversations + /healthz in ms: quiet %s, under attack %s%n", quiet,
                    attacked);
            System.out.printf("adversarial bodies: %s; the worker's %d calls (each with /healthz), slowest %d ms%n",
                    outcomes, calls, slowest / 1_000_000);
            assertThat(outcomes.keySet()).as("the hostile bodies were refused, not served").doesNotContain("HTTP 200");
            assertThat(outcomes.getOrDefault("HTTP 400", new AtomicLong()).get()
                    + outcomes.getOrDefault("HTTP 200 JSON-RPC error", new AtomicLong()).get())
                    .as("some hostile bodies reached the JSON count").isPositive();
            assertThat(Duration.ofNanos(slowest)).as("a call and a health check beside the attack")
                    .isLessThan(Duration.ofSeconds(15));

            long stopping = System.nanoTime();
            instance.process().destroy(); // SIGTERM, with the attack still going
            boolean ended = instance.process().waitFor(10, TimeUnit.SECONDS);
            long took = (System.nanoTime() - stopping) / 1_000_000;
            System.out.printf("SIGTERM under attack: ended=%s after %d ms%n", ended, took);
            assertThat(ended).as("the instance ended within 10 s of SIGTERM").isTrue();
            assertThat(stderr).noneMatch(line -> line.contains("OutOfMemoryError"));
        } finally {
            attacking.set(false);
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
            instance.close();
            storage.close();
            new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
        }
    }

    /**
     * One hostile POST over a plain socket (the shared body is written as it is, with no copy on
     * this side): the status line's code, or how the connection ended.
     */
    private static String attack(URI mcp, String token, byte[] hostile) {
        try (Socket socket = new Socket(mcp.getHost(), mcp.getPort())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nAccept: " + BOTH + "\r\nContent-Length: " + hostile.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try {
                out.write(hostile);
                out.flush();
            } catch (IOException refusedEarly) {
                // the server answered and closed before reading it all: its answer may still be there
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            if (status == null) {
                return "connection closed";
            }
            String code = status.split(" ")[1];
            if (!code.equals("200")) {
                return "HTTP " + code;
            }
            // a 200 may be the refusal as the request's own JSON-RPC error (its id came first)
            StringBuilder answer = new StringBuilder();
            for (String line = in.readLine(); line != null && answer.length() < 4096; line = in.readLine()) {
                answer.append(line).append('\n');
            }
            return answer.indexOf("\"error\"") >= 0 && answer.indexOf("JSON values") >= 0
                    ? "HTTP 200 JSON-RPC error" : "HTTP 200";
        } catch (IOException e) {
            return "connection closed";
        }
    }

    /** One list_conversations and one /healthz, both answered; how long the two took, in ms. */
    private static long work(HttpClient client, URI mcp, URI health, String worker, String session, int id)
            throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> listed = client.send(post(mcp, worker, """
                {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"list_conversations","arguments":{}}}"""
                .formatted(id)).header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(listed.body()).contains("\"result\"");
        HttpResponse<String> healthy = client.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(healthy.statusCode()).as(healthy.body()).isEqualTo(200);
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** 1.2 million tiny objects in one tools/call: about 15.6 MB. */
    private static byte[] hostileBody() {
        StringBuilder body = new StringBuilder(16 * 1024 * 1024);
        body.append("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"list_conversations\",\"arguments\":{\"x\":[");
        for (int i = 0; i < 1_200_000; i++) {
            body.append(i == 0 ? "" : ",").append("{\"k\":\"vvvv\"}");
        }
        return body.append("]}}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static HttpRequest.Builder post(URI mcp, String token, String body) {
        return HttpRequest.newBuilder(mcp).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", BOTH)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String initialize(HttpClient client, URI mcp, String token) throws Exception {
        HttpResponse<String> init = client.send(post(mcp, token, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"worker","version":"1"}}}""").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = client.send(post(mcp, token,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").header("Mcp-Session-Id", session)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(initialized.statusCode()).isEqualTo(202);
        return session;
    }
}
