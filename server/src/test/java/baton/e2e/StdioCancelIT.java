package baton.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import baton.db.EmbeddedPostgresServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11, item 3 over stdio, against baton.jar: a {@code send_message} whose model call hangs
 * (WireMock answers after 30 s) is stopped by {@code notifications/cancelled} or by stdin closing;
 * the turn ends with a root result of content type error saying it was cancelled, and the
 * conversation takes the next message at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StdioCancelIT {

    private static final String SLOW = "Please take your time";
    private static final String QUICK = "Are you still there?";

    private Path dataHome;
    private WireMockServer model;
    private Map<String, String> env;

    @BeforeAll
    void start() throws Exception {
        dataHome = Files.createTempDirectory("baton-stdio-cancel");
        model = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        model.start();
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(containing(SLOW))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.notContaining(QUICK))
                .willReturn(answer("I took my time.").withFixedDelay(30_000)));
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).atPriority(5)
                .willReturn(answer("Here I am.")));
        env = Map.of("BATON_MODEL_BASE_URL", model.baseUrl() + "/v1", "BATON_MODEL_NAME", "baton-demo",
                "BATON_MODEL_API_KEY", "test-key");
    }

    @AfterAll
    void stop() {
        model.stop();
        new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer(String text) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                {"id": "chatcmpl-cancel", "object": "chat.completion", "created": 1795000000, "model": "baton-demo",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "%s"}, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
                """.formatted(text));
    }

    private StdioProcess start(String label, String project) throws Exception {
        return new StdioProcess(dataHome, env, label, "--user", "carl", "--project", project).awaitServing().initialize();
    }

    private static JsonNode structured(JsonNode answer) throws Exception {
        JsonNode result = answer.path("result");
        JsonNode structured = result.path("structuredContent");
        return structured.isMissingNode() ? StdioProcess.JSON.readTree(result.path("content").path(0).path("text").asText())
                : structured;
    }

    private String createConversation(StdioProcess baton) throws Exception {
        baton.send(StdioProcess.call("create", "create_conversation", "{\"title\":\"Cancel me\"}"));
        return structured(baton.next()).path("conversation").path("id").asText();
    }

    private void awaitModelCalled(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (model.findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withRequestBody(containing(text))).isEmpty()) {
            assertThat(System.nanoTime()).as("the model was called").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Sends QUICK until the conversation takes it; milliseconds from {@code since}. */
    /** How many send_message calls the last {@link #millisUntilTheNextMessageIsTaken} made. */
    private int lastAttempts;

    private long millisUntilTheNextMessageIsTaken(StdioProcess baton, String conversationId, long since)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            baton.send(StdioProcess.call("next-" + attempt, "send_message", "{\"conversation_id\":\"" + conversationId
                    + "\",\"content\":\"" + QUICK + "\"}"));
            JsonNode answer = baton.next();
            while (answer != null && !("next-" + attempt).equals(answer.path("id").asText())) {
                assertThat(answer.path("id").asText()).as("no answer to the cancelled turn").isNotEqualTo("turn");
                answer = baton.next();
            }
            assertThat(answer).isNotNull();
            if (!answer.path("result").path("isError").asBoolean(false) && answer.has("result")) {
                lastAttempts = attempt + 1;
                return (System.nanoTime() - since) / 1_000_000;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the conversation did not take the next message within 30 s");
    }

    private JsonNode rootResults(StdioProcess baton, String conversationId) throws Exception {
        baton.send(StdioProcess.call("read", "read_conversation", "{\"conversation_id\":\"" + conversationId + "\"}"));
        JsonNode answer = baton.next();
        while (!"read".equals(answer.path("id").asText())) {
            answer = baton.next();
        }
        var roots = StdioProcess.JSON.createArrayNode();
        for (JsonNode message : structured(answer).path("messages")) {
            if ("result".equals(message.path("type").asText()) && message.path("parent_id").isNull()) {
                roots.add(message);
            }
        }
        return roots;
    }

    @Test
    void notificationsCancelledStopsTheTurnAndTheConversationTakesTheNextMessageAtOnce() throws Exception {
        try (StdioProcess baton = start("cancel", "cancel-" + UUID.randomUUID())) {
            String id = createConversation(baton);
            baton.send(StdioProcess.call("turn", "send_message", "{\"conversation_id\":\"" + id + "\",\"content\":\""
                    + SLOW + "\"}"));
            awaitModelCalled(SLOW);
            long cancelled = System.nanoTime();
            baton.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"turn\","
                    + "\"reason\":\"the user pressed stop\"}}");

            long ms = millisUntilTheNextMessageIsTaken(baton, id, cancelled);
            System.out.printf("cancel to the next send_message taken: %d ms%n", ms);
            assertThat(ms).isLessThan(1000);
            JsonNode roots = rootResults(baton, id);
            assertThat(roots).as("the cancelled turn's end").isNotEmpty();
            JsonNode end = roots.get(0);
            assertThat(end.path("content_type").asText()).isEqualTo("error");
            assertThat(end.path("content").asText()).containsIgnoringCase("cancelled by the caller");
            baton.closeStdin();
            assertThat(baton.millisToExit()).isBetween(0L, 1500L);
            assertThat(baton.drain()).noneSatisfy(line -> assertThat(line).contains("\"id\":\"turn\""));
        }
    }

    @Test
    void stdinClosingDuringATurnEndsTheProcessWithinASecondAndFreesTheConversation() throws Exception {
        String project = "close-" + UUID.randomUUID();
        String id;
        long exitMs;
        try (StdioProcess baton = start("close", project)) {
            id = createConversation(baton);
            String slow = SLOW + " (" + project + ")";
            baton.send(StdioProcess.call("turn", "send_message", "{\"conversation_id\":\"" + id + "\",\"content\":\""
                    + slow + "\"}"));
            awaitModelCalled(project);
            baton.closeStdin();
            exitMs = baton.millisToExit();
            System.out.printf("stdin closed during a turn: process ended after %d ms; written: %s%n", exitMs,
                    baton.drain());
        }
        assertThat(exitMs).isBetween(0L, 1500L);
        try (StdioProcess next = start("after-close", project)) {
            long asked = System.nanoTime();
            long ms = millisUntilTheNextMessageIsTaken(next, id, asked);
            System.out.printf("the next process's send_message taken after %d ms (%d attempt(s))%n", ms, lastAttempts);
            // free at once: the first send_message is taken (a turn left open would refuse it for the
            // stale-turn time); the time includes the new process opening its database
            assertThat(lastAttempts).isEqualTo(1);
            assertThat(ms).isLessThan(5000);
            JsonNode roots = rootResults(next, id);
            assertThat(roots).isNotEmpty();
            assertThat(roots.get(0).path("content_type").asText()).isEqualTo("error");
        }
    }
}
