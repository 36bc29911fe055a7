package baton.mcp.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Baton's stdio transport under a real SDK server, line by line. Each bad line is a regression of
 * issue 11: the SDK's stdio transport stopped reading at the first one, so nothing after it was
 * answered. Run with {@code -Dstdio.transport=sdk} to see them fail on the SDK's transport.
 */
class StdioTransportTest {

    private static final int SMALL_LIMIT = 4096;

    private StdioHarness baton;

    static StdioHarness.Transports transports() {
        if ("sdk".equals(System.getProperty("stdio.transport"))) {
            return (mapper, in, out, max) -> new StdioServerTransportProvider(mapper, in, out, max);
        }
        return StdioHarness.BATON;
    }

    @BeforeEach
    void start() throws Exception {
        baton = new StdioHarness(transports(), SMALL_LIMIT);
    }

    @AfterEach
    void stop() {
        baton.close();
    }

    /** Sends a bad line, then a ping: the bad line's answer comes first, and the ping is still answered. */
    private JsonNode answerTo(String badLine) throws Exception {
        baton.initialize();
        baton.send(badLine);
        baton.sendLine("{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}");
        JsonNode answer = baton.next();
        assertThat(answer).as("an answer to the bad line").isNotNull();
        JsonNode after = baton.next();
        assertThat(after).as("the ping after the bad line is answered").isNotNull();
        assertThat(after.path("id").asText()).isEqualTo("after");
        assertThat(after.has("result")).isTrue();
        assertThat(answer.toString()).doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]").doesNotContain("Exception");
        return answer;
    }

    private static void assertError(JsonNode answer, int code) {
        assertThat(answer.path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(answer.path("error").path("code").asInt()).as(answer.toString()).isEqualTo(code);
        assertThat(answer.path("error").path("message").asText()).isNotBlank();
    }

    @Test
    void aLineThatIsNotJsonIsAParseErrorWithoutId() throws Exception {
        JsonNode answer = answerTo("this is not json\n");
        assertError(answer, -32700);
        assertThat(answer.has("id")).isFalse();
    }

    @Test
    void invalidUtf8IsAParseErrorWithoutId() throws Exception {
        baton.initialize();
        baton.sendBytes(new byte[] {'{', '"', 'j', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}', '\n'});
        baton.sendLine("{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}");
        JsonNode answer = baton.next();
        assertThat(answer).isNotNull();
        assertError(answer, -32700);
        assertThat(answer.has("id")).isFalse();
        JsonNode after = baton.next();
        assertThat(after).isNotNull();
        assertThat(after.path("id").asText()).isEqualTo("after");
    }

    @Test
    void aMessageWithoutMethodIsAnInvalidRequestEchoingItsId() throws Exception {
        JsonNode answer = answerTo("{\"jsonrpc\":\"2.0\",\"id\":7}\n");
        assertError(answer, -32600);
        assertThat(answer.path("id").asInt()).isEqualTo(7);
    }

    @Test
    void aBatchIsAnInvalidRequest() throws Exception {
        JsonNode answer = answerTo("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]\n");
        assertError(answer, -32600);
        assertThat(answer.has("id")).isFalse();
        assertThat(answer.path("error").path("message").asText()).contains("batch");
    }

    @Test
    void aMissingJsonrpcIsAnInvalidRequestEchoingTheId() throws Exception {
        JsonNode answer = answerTo("{\"id\":\"x1\",\"method\":\"ping\"}\n");
        assertError(answer, -32600);
        assertThat(answer.path("id").asText()).isEqualTo("x1");
    }

    @Test
    void aWrongJsonrpcIsAnInvalidRequest() throws Exception {
        assertError(answerTo("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}\n"), -32600);
    }

    @Test
    void anIdOfNullIsAnInvalidRequestWithoutId() throws Exception {
        JsonNode answer = answerTo("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}\n");
        assertError(answer, -32600);
        assertThat(answer.has("id")).isFalse();
    }

    @Test
    void anIdThatIsAnObjectIsAnInvalidRequestWithoutId() throws Exception {
        JsonNode answer = answerTo("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}\n");
        assertError(answer, -32600);
        assertThat(answer.has("id")).isFalse();
    }

    @Test
    void anIdThatIsTrueIsAnInvalidRequestWithoutId() throws Exception {
        JsonNode answer = answerTo("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"tools/list\"}\n");
        assertError(answer, -32600);
        assertThat(answer.has("id")).isFalse();
    }

    @Test
    void aLineOverTheLimitIsSkippedToItsNewlineAndAnswered() throws Exception {
        String big = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"" + "x".repeat(SMALL_LIMIT * 3) + "\"}}}\n";
        JsonNode answer = answerTo(big);
        assertError(answer, -32600);
        assertThat(answer.path("id").asInt()).as("the id read from the start of the line").isEqualTo(42);
        assertThat(answer.path("error").path("message").asText()).contains("limit");
    }

    @Test
    void aLineNestedDeeperThanTheJsonDepthLimitIsAnInvalidRequestEchoingItsId() throws Exception {
        String deep = "[".repeat(100) + "]".repeat(100);
        JsonNode answer = answerTo("{\"jsonrpc\":\"2.0\",\"id\":43,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":" + deep + "}}}\n");
        assertError(answer, -32600);
        assertThat(answer.path("id").asInt()).isEqualTo(43);
        assertThat(answer.path("error").path("message").asText())
                .isEqualTo("Invalid request: the line nests JSON deeper than 64 levels; this server reads at most 64.");
    }

    @Test
    void blankLinesAreIgnoredAndTheNextRequestIsAnswered() throws Exception {
        baton.initialize();
        baton.send("\n   \n\r\n");
        baton.sendLine("{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}");
        JsonNode answer = baton.next();
        assertThat(answer).isNotNull();
        assertThat(answer.path("id").asText()).isEqualTo("after");
    }

    @Test
    void anUnknownMethodIsNamedQuotedAndShort() throws Exception {
        String method = "no/such\u0007method" + "y".repeat(500);
        JsonNode answer = answerTo("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"" + method.replace("\u0007", "\\u0007")
                + "\"}\n");
        assertError(answer, -32601);
        assertThat(answer.path("id").asInt()).isEqualTo(5);
        String message = answer.path("error").path("message").asText();
        assertThat(message).contains("'no/such\\u0007method").hasSizeLessThan(120);
    }

    @Test
    void paramsOfTheWrongShapeAreRefusedWithoutJavaNames() throws Exception {
        JsonNode answer = answerTo("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":{\"a\":1}}}\n");
        assertThat(answer.path("id").asInt()).isEqualTo(6);
        assertThat(answer.path("error").path("code").asInt()).isIn(-32602, -32603);
        assertThat(answer.path("error").has("data")).isFalse();
    }

    @Test
    void paramsThatAreNotAnObjectAreInvalidParams() throws Exception {
        JsonNode answer = answerTo("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":[1,2]}\n");
        assertError(answer, -32602);
        assertThat(answer.path("id").asInt()).isEqualTo(8);
    }

    @Test
    void aPingBeforeInitializeIsAnswered() throws Exception {
        baton.sendLine("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
        JsonNode answer = baton.next();
        assertThat(answer).isNotNull();
        assertThat(answer.path("id").asInt()).isEqualTo(1);
        assertThat(answer.path("result").isObject()).isTrue();
    }

    @Test
    void aLastLineWithoutNewlineIsAnswered() throws Exception {
        baton.initialize();
        baton.send("{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"tools/list\"}");
        baton.closeStdin();
        JsonNode answer = baton.next();
        assertThat(answer).isNotNull();
        assertThat(answer.path("id").asText()).isEqualTo("last");
        assertThat(answer.path("result").path("tools").size()).isEqualTo(2);
    }

    @Test
    void aBurstOfConcurrentRequestsIsAnsweredOnceEach() throws Exception {
        baton.initialize();
        int count = 500;
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < count; i++) {
            burst.append(i % 2 == 0 ? StdioHarness.call(i, "echo", "{\"i\":" + i + "}")
                    : "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"ping\"}").append('\n');
        }
        baton.send(burst.toString());
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            JsonNode answer = baton.next();
            assertThat(answer).as("answer %d of %d", i + 1, count).isNotNull();
            assertThat(answer.has("result")).as(answer.toString()).isTrue();
            assertThat(ids.add(answer.path("id").asInt())).as("answered once: %s", answer).isTrue();
        }
        assertThat(baton.next(0.3)).isNull();
    }

    @Test
    void notificationsCancelledStopsTheRequestAndItsAnswerIsNotWritten() throws Exception {
        baton.initialize();
        baton.sendLine(StdioHarness.call("turn", "slow", "{}"));
        assertThat(baton.slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
        long cancelled = System.nanoTime();
        baton.sendLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"turn\","
                + "\"reason\":\"user pressed stop\"}}");
        baton.sendLine("{\"jsonrpc\":\"2.0\",\"id\":\"next\",\"method\":\"ping\"}");

        JsonNode answer = baton.next();
        assertThat(answer.path("id").asText()).isEqualTo("next");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (baton.cancelReasons.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(baton.cancelReasons).containsExactly("cancelled by the caller");
        System.out.printf("slow tool saw the cancel after %d ms%n", (System.nanoTime() - cancelled) / 1_000_000);
        assertThat(baton.next(0.5)).as("no answer to a cancelled request").isNull();
    }

    @Test
    void stdinClosingCancelsWhatRunsWritesItsAnswerAndEnds() throws Exception {
        baton.initialize();
        baton.sendLine(StdioHarness.call(9, "slow", "{}"));
        assertThat(baton.slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
        long closed = System.nanoTime();
        baton.closeStdin();
        JsonNode answer = baton.next(2);
        assertThat(answer).isNotNull();
        assertThat(answer.path("id").asInt()).isEqualTo(9);
        assertThat(answer.toString()).contains("stopped: stdin closed");
        assertThat(((StdioTransport) baton.transport).awaitEnd(2, TimeUnit.SECONDS)).isTrue();
        System.out.printf("ended %d ms after stdin closed%n", (System.nanoTime() - closed) / 1_000_000);
    }

    @Test
    void aRequestHeldBeforeInitializeIsAnsweredWhenStdinCloses() throws Exception {
        baton.sendLine("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        long closed = System.nanoTime();
        baton.closeStdin();
        assertThat(((StdioTransport) baton.transport).awaitEnd(2, TimeUnit.SECONDS)).isTrue();
        long ms = (System.nanoTime() - closed) / 1_000_000;
        JsonNode answer = baton.next(1);
        assertThat(answer).isNotNull();
        assertThat(answer.path("id").asInt()).isEqualTo(1);
        assertError(answer, -32603);
        assertThat(answer.path("error").path("message").asText()).contains("stdin was closed");
        assertThat(ms).isLessThan(1000);
    }

    @Test
    void theEndOfStdinWaitsForTheAnswersOfQuickRequests() throws Exception {
        // from StdioDrainTest: a client that pipes its requests and closes stdin gets every answer
        baton.initialize();
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            requests.append(StdioHarness.call(i, "echo", "{\"i\":" + i + "}")).append('\n');
        }
        baton.send(requests.toString());
        baton.closeStdin();
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            JsonNode answer = baton.next(2);
            assertThat(answer).isNotNull();
            assertThat(answer.has("result")).isTrue();
            ids.add(answer.path("id").asInt());
        }
        assertThat(ids).hasSize(20);
    }

    @Test
    void aStringIdAndANumberIdThatLookAlikeAreDifferentRequests() throws Exception {
        baton.initialize();
        baton.sendLine(StdioHarness.call("1", "echo", "{}"));
        baton.sendLine(StdioHarness.call(1, "echo", "{}"));
        Set<String> ids = new HashSet<>();
        ids.add(baton.next().path("id").toString());
        ids.add(baton.next().path("id").toString());
        assertThat(ids).containsExactlyInAnyOrder("\"1\"", "1");
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
