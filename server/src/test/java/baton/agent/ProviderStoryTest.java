package baton.agent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.Identity;
import baton.conversation.Message;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent story of {@link AgentStoryTest} through Anthropic's Messages API and Gemini's
 * generateContent, each answered by WireMock in the provider's documented shape
 * (test-fixtures/wiremock-providers, written by its generate.py from the OpenAI story): what each
 * provider is sent (system prompt with the fork instructions, tool definitions, the refused tool
 * result with its permission-loss hint), the same stored turns, and the same error sentences.
 */
class ProviderStoryTest {

    static final Path MAPPINGS = AgentHarness.FIXTURES.resolve("wiremock-providers");
    private static final ObjectMapper JSON = new ObjectMapper();

    static ModelSettings settings(AgentHarness harness, Provider provider, int maxRetries) {
        String base = harness.model.baseUrl() + (provider == Provider.ANTHROPIC ? "/v1/" : "/v1beta");
        return new ModelSettings(provider, base, "test-key", AgentHarness.MODEL, Duration.ofSeconds(10), maxRetries,
                Duration.ofMillis(1));
    }

    static Agent agent(AgentHarness harness, Provider provider, int maxRetries) {
        return harness.agent(new AgentSettings(settings(harness, provider, maxRetries),
                List.of(harness.warehouseUpstream()), AgentSettings.DEFAULT_MAX_STEPS,
                AgentSettings.DEFAULT_TURN_TIMEOUT));
    }

    @ParameterizedTest
    @EnumSource(value = Provider.class, names = {"ANTHROPIC", "GEMINI"})
    void theStoryGoesTheSameWayThroughEachProvider(Provider provider) throws IOException {
        try (AgentHarness harness = new AgentHarness(MAPPINGS.resolve(provider.id()))) {
            Agent agent = agent(harness, provider, 2);
            Identity alice = harness.user("alice");
            Identity bob = harness.user("bob");

            UUID aliceId = harness.conversations.create(alice, "Quarterly review").id();
            TurnResult revenue = agent.send(alice, aliceId, "What was our revenue per quarter in 2026?",
                    TurnProgress.NONE);
            TurnResult margins = agent.send(alice, aliceId,
                    "And what were our gross margins in Q4? Use the finance dataset.", TurnProgress.NONE);
            assertThat(revenue.error()).isNull();
            assertThat(revenue.reply()).contains("Q4 EUR 521,750");
            assertThat(margins.error()).isNull();
            assertThat(margins.toolCalls()).singleElement().satisfies(c -> assertThat(c.resultText()).contains("78.2"));

            harness.conversations.share(alice, aliceId, null);
            UUID forkId = harness.conversations.fork(bob, aliceId, null).conversation().id();
            TurnResult followUp = agent.send(bob, forkId,
                    "What is the Software margin now? Please check the finance data again.", TurnProgress.NONE);

            assertThat(followUp.error()).isNull();
            assertThat(followUp.reply()).contains("forked from alice's conversation");
            assertThat(followUp.toolCalls()).singleElement().satisfies(c -> {
                assertThat(c.isError()).isTrue();
                assertThat(c.resultText()).startsWith("permission denied: user 'bob' may not read dataset 'finance'");
            });
            String hint = followUp.permissionHints().get(0).hint();
            assertThat(hint).startsWith(AgentStoryTest.HINT);

            List<JsonNode> requests = harness.modelRequests();
            assertThat(requests).hasSize(6);
            String forkPrompt = harness.prompts.systemPrompt(harness.conversations.metadata(bob, forkId).conversation());
            for (JsonNode r : requests.subList(0, 4)) {
                assertThat(system(provider, r)).doesNotContain(AgentStoryTest.FORK_INSTRUCTIONS);
                assertThat(r.toString()).doesNotContain(AgentStoryTest.HINT);
            }
            assertThat(system(provider, requests.get(4))).isEqualTo(forkPrompt).contains(AgentStoryTest.FORK_INSTRUCTIONS);
            assertThat(toolNames(provider, requests.get(0))).containsExactlyInAnyOrder("list_datasets",
                    "describe_dataset", "query_dataset", "export_dataset");
            assertThat(toolSchema(provider, requests.get(0), "query_dataset").at("/properties/dataset/type").asText())
                    .isEqualToIgnoringCase("string");
            assertRefusedResult(provider, requests.get(5), hint);
            // the key goes where each API wants it, never as an OpenAI bearer token
            var sent = postRequestedFor(urlPathEqualTo(path(provider)));
            if (provider == Provider.ANTHROPIC) {
                sent.withHeader("x-api-key", equalTo("test-key")).withHeader("anthropic-version", matching(".+"));
            } else {
                sent.withHeader("x-goog-api-key", equalTo("test-key"));
            }
            harness.model.verify(6, sent.withoutHeader("Authorization"));
            requests.forEach(r -> assertThat(r.toString()).doesNotContain("test-key"));
            assertHistory(provider, requests.get(4));

            // the same stored conversations as through OpenAI (tool arguments compared as JSON:
            // each provider writes them with its own spacing)
            assertSameAsGolden("story.alice.json", harness.conversations.readAll(alice, aliceId).messages());
            assertSameAsGolden("story.bob-fork.json", harness.conversations.readAll(bob, forkId).messages());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Provider.class, names = {"ANTHROPIC", "GEMINI"})
    void aRefusedKeyIsTheSameSentenceAndIsNotRetried(Provider provider) {
        try (AgentHarness harness = new AgentHarness(false)) {
            harness.model.stubFor(post(urlPathEqualTo(path(provider))).willReturn(aResponse().withStatus(401)
                    .withHeader("Content-Type", "application/json").withBody(errorBody(provider, 401))));
            Identity alice = harness.user("alice");
            UUID id = harness.conversations.create(alice, "Hello").id();

            TurnResult turn = agent(harness, provider, 2).send(alice, id, "Hello?", TurnProgress.NONE);

            assertThat(turn.error()).isEqualTo(
                    "The model endpoint refused the API key (HTTP 401); check BATON_MODEL_API_KEY.");
            assertThat(harness.modelRequests()).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Provider.class, names = {"ANTHROPIC", "GEMINI"})
    void aRateLimitIsRetriedThenTheSameSentence(Provider provider) {
        try (AgentHarness harness = new AgentHarness(false)) {
            harness.model.stubFor(post(urlPathEqualTo(path(provider))).willReturn(aResponse().withStatus(429)
                    .withHeader("Content-Type", "application/json").withBody(errorBody(provider, 429))));
            Identity alice = harness.user("alice");
            UUID id = harness.conversations.create(alice, "Hello").id();

            TurnResult turn = agent(harness, provider, 2).send(alice, id, "Hello?", TurnProgress.NONE);

            assertThat(turn.error()).isEqualTo(
                    "The model endpoint kept failing (HTTP 429) after 3 attempts; the turn was stopped.");
            assertThat(harness.modelRequests()).hasSize(3);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Provider.class, names = {"ANTHROPIC", "GEMINI"})
    void aServerErrorIsRetriedThenTheSameSentence(Provider provider) {
        try (AgentHarness harness = new AgentHarness(false)) {
            harness.model.stubFor(post(urlPathEqualTo(path(provider))).willReturn(aResponse().withStatus(503)
                    .withHeader("Content-Type", "application/json").withBody(errorBody(provider, 503))));
            Identity alice = harness.user("alice");
            UUID id = harness.conversations.create(alice, "Hello").id();

            TurnResult turn = agent(harness, provider, 1).send(alice, id, "Hello?", TurnProgress.NONE);

            assertThat(turn.error()).isEqualTo(
                    "The model endpoint kept failing (HTTP 503) after 2 attempts; the turn was stopped.");
            assertThat(harness.modelRequests()).hasSize(2);
        }
    }

    private static String path(Provider provider) {
        return provider == Provider.ANTHROPIC ? "/v1/messages" : "/v1beta/models/" + AgentHarness.MODEL + ":generateContent";
    }

    /** The error bodies each API documents. */
    private static String errorBody(Provider provider, int status) {
        if (provider == Provider.ANTHROPIC) {
            String type = switch (status) {
                case 401 -> "authentication_error";
                case 429 -> "rate_limit_error";
                default -> "overloaded_error";
            };
            return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + type + "\"}}";
        }
        String state = switch (status) {
            case 401 -> "UNAUTHENTICATED";
            case 429 -> "RESOURCE_EXHAUSTED";
            default -> "UNAVAILABLE";
        };
        return "{\"error\":{\"code\":" + status + ",\"message\":\"" + state + "\",\"status\":\"" + state + "\"}}";
    }

    private static String system(Provider provider, JsonNode request) {
        JsonNode system = provider == Provider.ANTHROPIC ? request.get("system") : request.at("/systemInstruction/parts");
        if (system.isTextual()) {
            return system.asText();
        }
        StringBuilder text = new StringBuilder();
        system.forEach(b -> text.append(b.path("text").asText()));
        return text.toString();
    }

    private static List<String> toolNames(Provider provider, JsonNode request) {
        List<String> names = new ArrayList<>();
        tools(provider, request).forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    private static JsonNode toolSchema(Provider provider, JsonNode request, String name) {
        for (JsonNode t : tools(provider, request)) {
            if (t.path("name").asText().equals(name)) {
                return provider == Provider.ANTHROPIC ? t.get("input_schema") : t.get("parameters");
            }
        }
        throw new AssertionError("no tool " + name + " in " + request);
    }

    private static JsonNode tools(Provider provider, JsonNode request) {
        return provider == Provider.ANTHROPIC ? request.get("tools") : request.at("/tools/0/functionDeclarations");
    }

    /** The refused call's result, as the provider's tool-result block, carries the error and the hint. */
    private static void assertRefusedResult(Provider provider, JsonNode request, String hint) {
        String expected = "permission denied: user 'bob' may not read dataset 'finance'\n\n" + hint;
        if (provider == Provider.ANTHROPIC) {
            JsonNode last = request.get("messages").get(request.get("messages").size() - 1);
            assertThat(last.path("role").asText()).isEqualTo("user");
            JsonNode block = last.at("/content/0");
            assertThat(block.path("type").asText()).isEqualTo("tool_result");
            assertThat(block.path("tool_use_id").asText()).isEqualTo("call_bob_finance");
            assertThat(text(block.get("content"))).isEqualTo(expected);
        } else {
            JsonNode last = request.get("contents").get(request.get("contents").size() - 1);
            JsonNode response = last.at("/parts/0/functionResponse");
            assertThat(response.path("name").asText()).isEqualTo("query_dataset");
            assertThat(response.get("response").toString()).contains(JSON.valueToTree(expected).toString()
                    .replaceAll("^\"|\"$", ""));
        }
    }

    /** alice's history, as bob's fork sends it: every tool call paired with its result, in order. */
    private static void assertHistory(Provider provider, JsonNode request) {
        List<String> kinds = new ArrayList<>();
        JsonNode messages = provider == Provider.ANTHROPIC ? request.get("messages") : request.get("contents");
        for (JsonNode m : messages) {
            JsonNode blocks = provider == Provider.ANTHROPIC ? m.get("content") : m.get("parts");
            if (blocks.isTextual()) {
                kinds.add(m.path("role").asText() + ":text");
                continue;
            }
            for (JsonNode b : blocks) {
                String kind = provider == Provider.ANTHROPIC ? b.path("type").asText()
                        : b.has("functionCall") ? "functionCall" : b.has("functionResponse") ? "functionResponse" : "text";
                kinds.add(m.path("role").asText() + ":" + kind);
            }
        }
        if (provider == Provider.ANTHROPIC) {
            assertThat(kinds).containsExactly("user:text", "assistant:tool_use", "user:tool_result", "assistant:text",
                    "user:text", "assistant:tool_use", "user:tool_result", "assistant:text", "user:text");
        } else {
            assertThat(kinds).containsExactly("user:text", "model:functionCall", "user:functionResponse", "model:text",
                    "user:text", "model:functionCall", "user:functionResponse", "model:text", "user:text");
        }
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        content.forEach(b -> text.append(b.path("text").asText()));
        return text.toString();
    }

    private static void assertSameAsGolden(String name, List<Message> messages) throws IOException {
        JsonNode expected = normalised(JSON.readTree(Files.readString(AgentStoryTest.GOLDEN.resolve(name))));
        List<JsonNode> actual = new ArrayList<>();
        for (Message m : messages) {
            ObjectNode row = JSON.createObjectNode();
            row.put("index", m.index());
            row.put("role", m.role().name().toLowerCase());
            row.put("type", m.type().name().toLowerCase());
            row.put("tool", m.tool());
            row.put("content_type", m.contentType().name().toLowerCase());
            row.put("content", m.content());
            actual.add(row);
        }
        assertThat(normalised(JSON.valueToTree(actual))).isEqualTo(expected);
    }

    private static JsonNode normalised(JsonNode rows) throws IOException {
        for (JsonNode row : rows) {
            ObjectNode o = (ObjectNode) row;
            o.remove("parent");
            if ("json".equals(o.path("content_type").asText())) {
                o.set("content", JSON.readTree(o.path("content").asText()));
            }
        }
        return rows;
    }
}
