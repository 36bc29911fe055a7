package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.db.EmbeddedPostgresServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11, items 1 and 2, against baton.jar over real pipes: every bad line is answered and the
 * session goes on; the process ends within a second of stdin closing in every phase; bursts of
 * concurrent requests and a long run of sequential ones get every answer exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StdioRobustnessIT {

    /** How long the process may outlive stdin; the aim is under a second, measured and printed. */
    private static final long EXIT_BOUND_MS = 1500;

    private Path dataHome;
    private final List<StdioProcess> processes = new ArrayList<>();

    @BeforeAll
    void dataHome() throws Exception {
        dataHome = Files.createTempDirectory("baton-stdio-robust");
    }

    @AfterAll
    void stop() {
        processes.forEach(StdioProcess::close);
        new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
    }

    private StdioProcess start(String label) throws Exception {
        StdioProcess baton = new StdioProcess(dataHome, Map.of(), label, "--user", "robin", "--project",
                "robust-" + UUID.randomUUID());
        processes.add(baton);
        return baton.awaitServing();
    }

    @Test
    void everyBadLineIsAnsweredAndTheSessionGoesOn() throws Exception {
        StdioProcess baton = start("bad-lines").initialize();
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("not JSON", utf8("hello there\n"));
        bad.put("invalid UTF-8", new byte[] {'{', '"', 'a', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}', '\n'});
        bad.put("no method", utf8("{\"jsonrpc\":\"2.0\",\"id\":11}\n"));
        bad.put("batch", utf8("[{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"ping\"}]\n"));
        bad.put("missing jsonrpc", utf8("{\"id\":13,\"method\":\"ping\"}\n"));
        bad.put("id null", utf8("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}\n"));
        bad.put("id object", utf8("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}\n"));
        bad.put("id true", utf8("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}\n"));
        bad.put("unknown method", utf8("{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"x/" + "y".repeat(300) + "\"}\n"));
        bad.put("params of the wrong shape", utf8("{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"tools/call\","
                + "\"params\":{\"name\":[1],\"arguments\":5}}\n"));
        byte[] huge = new byte[64 * 1024 * 1024 + 100];
        Arrays.fill(huge, (byte) 'x');
        byte[] start = utf8("{\"jsonrpc\":\"2.0\",\"id\":16,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"a\":\"");
        System.arraycopy(start, 0, huge, 0, start.length);
        huge[huge.length - 1] = '\n';
        bad.put("over the size limit", huge);
        Map<String, Integer> codes = Map.ofEntries(Map.entry("not JSON", -32700), Map.entry("invalid UTF-8", -32700),
                Map.entry("no method", -32600), Map.entry("batch", -32600), Map.entry("missing jsonrpc", -32600),
                Map.entry("id null", -32600), Map.entry("id object", -32600), Map.entry("id true", -32600),
                Map.entry("unknown method", -32601), Map.entry("params of the wrong shape", -32602),
                Map.entry("over the size limit", -32600));
        Map<String, Object> ids = Map.of("no method", 11, "missing jsonrpc", 13, "unknown method", 14,
                "params of the wrong shape", 15, "over the size limit", 16);

        for (var line : bad.entrySet()) {
            baton.sendBytes(line.getValue());
            baton.send("");  // a blank line between: ignored, never answered
            JsonNode answer = baton.next();
            assertThat(answer).as("an answer to the line that is %s", line.getKey()).isNotNull();
            assertThat(answer.path("error").path("code").asInt()).as(line.getKey() + ": " + answer)
                    .isEqualTo(codes.get(line.getKey()));
            if (ids.containsKey(line.getKey())) {
                assertThat(answer.path("id").asInt()).as(line.getKey()).isEqualTo(ids.get(line.getKey()));
            } else {
                assertThat(answer.has("id")).as(line.getKey() + ": " + answer).isFalse();
            }
            assertThat(answer.toString()).as(line.getKey()).doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]")
                    .doesNotContain("Exception").hasSizeLessThan(400);
            System.out.printf("%-26s -> %s%n", line.getKey(), answer);
        }
        // the session still answers, and a last line without a newline is answered too
        baton.send(StdioProcess.call(17, "create_conversation", "{\"title\":\"After the bad lines\"}"));
        assertThat(baton.next().path("result").path("isError").asBoolean(true)).isFalse();
        baton.sendBytes(utf8(StdioProcess.call(18, "list_conversations", "{}")));
        baton.closeStdin();
        JsonNode last = baton.next();
        assertThat(last.path("id").asInt()).isEqualTo(18);
        assertThat(last.toString()).contains("After the bad lines");
        long ms = baton.millisToExit();
        System.out.printf("bad lines: ended %d ms after stdin closed%n", ms);
        assertThat(ms).isBetween(0L, EXIT_BOUND_MS);
        assertThat(baton.drain()).isEmpty();
    }

    @Test
    void endsWithinASecondOfStdinClosingInEveryPhase() throws Exception {
        Map<String, Long> figures = new LinkedHashMap<>();
        try (StdioProcess baton = start("serving, nothing sent")) {
            baton.closeStdin();
            figures.put("serving, nothing sent", baton.millisToExit());
        }
        try (StdioProcess baton = start("ping before initialize")) {
            baton.send(StdioProcess.ping(1));
            assertThat(baton.next().path("result").isObject()).isTrue();
            baton.closeStdin();
            figures.put("ping before initialize", baton.millisToExit());
        }
        try (StdioProcess baton = start("during the handshake")) {
            baton.send(StdioProcess.INITIALIZE);
            assertThat(baton.next().path("id").asText()).isEqualTo("init");
            baton.send(StdioProcess.ping(2));
            baton.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
            assertThat(baton.next().path("id").asInt()).isEqualTo(2);
            baton.closeStdin();
            figures.put("during the handshake, tools/list held", baton.millisToExit());
            JsonNode held = baton.next(1);
            assertThat(held.path("id").asInt()).isEqualTo(3);
            assertThat(held.path("error").path("message").asText()).contains("stdin was closed");
        }
        try (StdioProcess baton = start("after the handshake")) {
            baton.initialize();
            baton.send(StdioProcess.call(4, "list_conversations", "{}"));
            assertThat(baton.next().path("id").asInt()).isEqualTo(4);
            baton.closeStdin();
            figures.put("after the handshake", baton.millisToExit());
        }
        try (StdioProcess baton = start("quick requests running")) {
            baton.initialize();
            for (int i = 0; i < 3; i++) { // warm: the figure is the end of stdin, not the first calls
                baton.send(StdioProcess.call("warm" + i, "list_conversations", "{}"));
                baton.next();
            }
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                burst.append(StdioProcess.call(100 + i, "list_conversations", "{}")).append('\n');
            }
            baton.sendBytes(utf8(burst.toString()));
            baton.closeStdin();
            figures.put("20 quick requests running", baton.millisToExit());
            Set<Integer> answered = new HashSet<>();
            for (String line : baton.drain()) {
                JsonNode answer = StdioProcess.JSON.readTree(line);
                assertThat(answer.has("result")).as(line).isTrue();
                answered.add(answer.path("id").asInt());
            }
            assertThat(answered).hasSize(20);
        }
        figures.forEach((phase, ms) -> System.out.printf("stdin closed %-40s -> process ended after %d ms%n", phase, ms));
        assertThat(figures.values()).allSatisfy(ms -> assertThat(ms).isBetween(0L, EXIT_BOUND_MS));
    }

    @Test
    void burstsOfFiftyAndTwentyThousandSequentialCallsAreEachAnsweredOnce() throws Exception {
        StdioProcess baton = start("stress").initialize();
        long started = System.nanoTime();
        int bursts = 20;
        for (int b = 0; b < bursts; b++) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                int id = b * 50 + i;
                burst.append(i % 2 == 0 ? StdioProcess.call(id, "list_conversations", "{}") : StdioProcess.ping(id))
                        .append('\n');
            }
            baton.sendBytes(utf8(burst.toString()));
            Set<Integer> answered = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                JsonNode answer = baton.next();
                assertThat(answer).as("burst %d: answer %d of 50", b, i + 1).isNotNull();
                assertThat(answer.has("result")).as(answer.toString()).isTrue();
                assertThat(answered.add(answer.path("id").asInt())).as("answered once: %s", answer).isTrue();
            }
            int first = b * 50;
            assertThat(answered).allSatisfy(id -> assertThat(id).isBetween(first, first + 49));
        }
        long burstMs = (System.nanoTime() - started) / 1_000_000;
        started = System.nanoTime();
        int sequential = 20_000;
        for (int i = 0; i < sequential; i++) {
            baton.send(StdioProcess.ping("s" + i));
            JsonNode answer = baton.next();
            assertThat(answer).as("sequential call %d", i).isNotNull();
            assertThat(answer.path("id").asText()).isEqualTo("s" + i);
        }
        long sequentialMs = (System.nanoTime() - started) / 1_000_000;
        baton.closeStdin();
        long exitMs = baton.millisToExit();
        System.out.printf("stress: %d bursts of 50 in %d ms; %d sequential pings in %d ms; ended %d ms after stdin closed%n",
                bursts, burstMs, sequential, sequentialMs, exitMs);
        assertThat(baton.drain()).as("no answer twice, nothing unasked").isEmpty();
        assertThat(exitMs).isBetween(0L, EXIT_BOUND_MS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
