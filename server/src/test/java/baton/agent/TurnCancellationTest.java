package baton.agent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.ContentType;
import baton.conversation.Identity;
import baton.conversation.Message;
import baton.conversation.MessageType;
import baton.conversation.Role;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 3: a cancelled turn stops within 1 s wherever it waits (the model's answer, a
 * retry's back-off, an upstream tool call), ends with a root error result saying the caller
 * cancelled it, and the conversation takes the next message at once. Before, the cancellation
 * was ignored and the turn ran to its end.
 */
class TurnCancellationTest {

    /** Longer than any test waits: a turn that ends before it did not wait for the slow part. */
    private static final int SLOW_MS = 30_000;
    private static final Duration PROMPT = Duration.ofSeconds(1);

    static AgentHarness harness;
    /** The warehouse behind a proxy that holds every tools/call answer back for {@link #SLOW_MS}. */
    static WireMockServer slowUpstream;
    Identity alice;

    @BeforeAll
    static void start() {
        harness = new AgentHarness(false);
        slowUpstream = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        slowUpstream.start();
        String warehouse = harness.warehouse.url().replace("/mcp", "");
        // no listening stream (the client is told 405 and goes on without one)
        slowUpstream.stubFor(get(anyUrl()).atPriority(1).willReturn(aResponse().withStatus(405)));
        slowUpstream.stubFor(post(urlPathEqualTo("/mcp")).atPriority(2).withRequestBody(containing("tools/call"))
                .willReturn(aResponse().proxiedFrom(warehouse).withFixedDelay(SLOW_MS)));
        slowUpstream.stubFor(any(anyUrl()).atPriority(3).willReturn(aResponse().proxiedFrom(warehouse)));
    }

    @AfterAll
    static void stop() {
        slowUpstream.stop();
        harness.close();
    }

    @BeforeEach
    void reset() {
        harness.model.resetAll();
        alice = new Identity("alice", "cancel-" + UUID.randomUUID(), Role.EDITOR);
    }

    @Test
    void aTurnWaitingForTheModelStopsWithinASecondOfTheCancel() throws Exception {
        UUID id = harness.conversations.create(alice, "Slow model").id();
        harness.model.stubFor(post(urlPathEqualTo("/v1/chat/completions"))
                .willReturn(AgentTurnTest.answer("Too late.").withFixedDelay(SLOW_MS)));
        Agent agent = harness.agent();

        TurnResult turn = cancelWhen(agent, id, () -> harness.model.getAllServeEvents().size() == 1);

        assertEndsCancelled(id, turn);
        assertTakesTheNextMessage(agent, id);
    }

    @Test
    void aTurnWaitingToRetryTheModelStopsWithinASecondOfTheCancel() throws Exception {
        UUID id = harness.conversations.create(alice, "Back-off").id();
        harness.model.stubFor(post(urlPathEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(503).withBody("overloaded")));
        AgentSettings settings = new AgentSettings(harness.modelSettings(Duration.ofSeconds(10), 2),
                List.of(harness.warehouseUpstream()), 8, Duration.ofMinutes(1));
        ToolGateway gateway = new ToolGateway(settings.upstreams(), new JacksonMcpJsonMapper(AgentTurnTest.JSON), "test");
        try {
            Agent agent = new Agent(harness.conversations, harness.prompts, settings,
                    ModelCaller.openAi(settings.model()), d -> Thread.sleep(SLOW_MS), gateway, Clock.systemUTC());

            TurnResult turn = cancelWhen(agent, id, () -> harness.model.getAllServeEvents().size() == 1);

            assertEndsCancelled(id, turn);
            assertThat(harness.modelRequests()).hasSize(1); // the retry was never made
        } finally {
            gateway.close();
        }
    }

    @Test
    void aTurnWaitingForAnUpstreamToolStopsWithinASecondOfTheCancelAndTheCallKeepsAResult() throws Exception {
        UUID id = harness.conversations.create(alice, "Slow tool").id();
        harness.model.stubFor(post(urlPathEqualTo("/v1/chat/completions"))
                .willReturn(AgentTurnTest.toolCall("c1", "list_datasets", "{}")));
        UpstreamServer slow = new UpstreamServer("warehouse", URI.create(slowUpstream.baseUrl() + "/mcp"), null,
                Map.of(), null, Map.of(), Duration.ofSeconds(60));
        Agent agent = harness.agent(new AgentSettings(harness.modelSettings(Duration.ofSeconds(10), 0), List.of(slow),
                8, Duration.ofMinutes(2)));

        TurnResult turn = cancelWhen(agent, id, () -> slowUpstream.getAllServeEvents().stream()
                .anyMatch(e -> e.getRequest().getBodyAsString().contains("tools/call")));

        assertEndsCancelled(id, turn);
        List<Message> messages = harness.conversations.readAll(alice, id).messages();
        Message call = messages.stream().filter(m -> m.type() == MessageType.CALL && "list_datasets".equals(m.tool()))
                .findFirst().orElseThrow();
        assertThat(messages).anySatisfy(m -> {
            assertThat(m.parentId()).isEqualTo(call.id());
            assertThat(m.contentType()).isEqualTo(ContentType.ERROR);
            assertThat(m.content()).contains("abandoned").contains(TurnCancelled.SENTENCE);
        });
        harness.model.resetAll();
        assertTakesTheNextMessage(harness.agent(), id); // the plain warehouse, through a fresh client
    }

    @Test
    void aTurnCancelledBeforeItAsksTheModelEndsAtOnceWithoutAModelCall() {
        UUID id = harness.conversations.create(alice, "Cancelled early").id();
        Cancellation cancellation = new Cancellation();
        cancellation.cancel("test");

        TurnResult turn = harness.agent().send(alice, id, "Hello?", TurnProgress.NONE, cancellation);

        assertEndsCancelled(id, turn);
        assertThat(harness.modelRequests()).isEmpty();
    }

    /** Runs a turn, cancels it once {@code ready} holds, and checks it ended within {@link #PROMPT}. */
    private TurnResult cancelWhen(Agent agent, UUID id, BooleanSupplier ready) throws Exception {
        Cancellation cancellation = new Cancellation();
        CompletableFuture<TurnResult> turn = CompletableFuture.supplyAsync(
                () -> agent.send(alice, id, "Hello?", TurnProgress.NONE, cancellation));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!ready.getAsBoolean()) {
            assertThat(System.nanoTime()).as("the turn reached the slow part").isLessThan(until);
            assertThat(turn).as("the turn is still running").isNotDone();
            Thread.sleep(20);
        }
        Thread.sleep(200); // well inside the slow part
        long cancelled = System.nanoTime();
        cancellation.cancel("the test cancels");
        TurnResult result = turn.get(SLOW_MS / 2, TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - cancelled);
        System.err.println("time from cancel to turn end: " + took.toMillis() + " ms");
        assertThat(took).isLessThan(PROMPT);
        return result;
    }

    private void assertEndsCancelled(UUID id, TurnResult turn) {
        assertThat(turn.error()).isEqualTo("The turn was cancelled by the caller.");
        List<Message> messages = harness.conversations.readAll(alice, id).messages();
        Message end = messages.get(messages.size() - 1);
        assertThat(end.id()).isEqualTo(turn.turnEndMessageId());
        assertThat(end.isTurnEnd()).isTrue();
        assertThat(end.contentType()).isEqualTo(ContentType.ERROR);
        assertThat(end.content()).isEqualTo("The turn was cancelled by the caller.");
    }

    private void assertTakesTheNextMessage(Agent agent, UUID id) {
        harness.model.resetAll();
        harness.model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).willReturn(AgentTurnTest.answer("Here.")));
        TurnResult next = agent.send(alice, id, "And now?", TurnProgress.NONE);
        assertThat(next.error()).isNull();
        assertThat(next.reply()).isEqualTo("Here.");
    }
}
