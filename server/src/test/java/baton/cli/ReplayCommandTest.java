package baton.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton replay} end to end in process: the real agent on the test database, WireMock as the
 * model (and as the judge), answering right 4 times of 5 through WireMock scenario state.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplayCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private WireMockServer model;
    private Path scenario;

    private record Run(int status, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        model = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        model.start();
        flakyModel(model);
        scenario = dir.resolve("answer.json");
        Files.writeString(scenario, """
                {"$schema": "./scenario.schema.json",
                 "name": "answer",
                 "steps": [
                   {"as": "alice", "create": "Arithmetic"},
                   {"as": "alice", "send": "What is six times seven?",
                    "expect": {"reply_matches": "42", "tool_calls_include": []}}
                 ]}
                """);
    }

    @AfterEach
    void stop() {
        model.stop();
    }

    /** Right ("It is 42.") in runs 1, 2, 4 and 5; wrong ("I think it is 41.") in run 3. */
    static void flakyModel(WireMockServer server) {
        for (int i = 1; i <= 5; i++) {
            server.stubFor(post(urlPathEqualTo("/v1/chat/completions"))
                    .withRequestBody(matchingJsonPath("$.messages[-1].content", containing("six times seven")))
                    .inScenario("flaky")
                    .whenScenarioStateIs(i == 1 ? Scenario.STARTED : "call-" + i)
                    .willSetStateTo("call-" + (i + 1))
                    .willReturn(answer(i == 3 ? "I think it is 41." : "It is 42.")));
        }
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer(String content) {
        ObjectMapper json = new ObjectMapper();
        var body = json.createObjectNode();
        body.put("id", "chatcmpl-replay").put("object", "chat.completion").put("created", 1795000000)
                .put("model", "baton-demo");
        var choice = body.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        body.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 2).put("total_tokens", 12);
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body.toString());
    }

    private Map<String, String> env(WireMockServer server) {
        Map<String, String> env = new HashMap<>();
        env.put("BATON_MODEL_BASE_URL", server.baseUrl() + "/v1");
        env.put("BATON_MODEL_NAME", "baton-demo");
        env.put("BATON_MODEL_MAX_RETRIES", "0");
        env.put("BATON_DATA_DIR", dir.resolve("data").toString());
        return env;
    }

    private static Run run(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("replay", "--db-url", TestDatabase.jdbcUrl()));
        all.addAll(List.of(args));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            int status = Main.run(env, all.toArray(String[]::new));
            return new Run(status, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void repeatFiveTimesAgainstAModelRightFourTimesGivesEightyPercentAndTheMinimumDecidesTheExitStatus()
            throws Exception {
        Path junit = dir.resolve("replay.xml");
        Path json = dir.resolve("replay.json");
        Run met = run(env(model), "--repeat", "5", "--min-pass-rate", "0.8", "--json", json.toString(),
                scenario.toString());

        assertThat(met.status()).as(met.out() + met.err()).isZero();
        assertThat(met.out()).contains("step 2 (alice send): reply matches 42", "4/5 80%").doesNotContain("80%*")
                .contains("all 2 expectation(s) met the minimum pass rate 80% (1 scenario(s), 5 run(s) each)")
                .contains("FAIL  step 2 (alice send): reply matches 42");
        assertThat(met.err()).as("plain progress lines when stderr is no terminal")
                .contains("replay: answer run 3/5 step 2 (alice send) (2/2)");
        JsonNode report = JSON.readTree(json.toFile());
        assertThat(report.get("runs")).hasSize(5);
        JsonNode send = report.get("runs").get(2).get("steps").get(1);
        assertThat(send.get("model_requests").asInt()).isEqualTo(1);
        assertThat(send.get("tokens").get("total").asInt()).isEqualTo(12);
        assertThat(send.get("reply").asText()).isEqualTo("I think it is 41.");
        assertThat(send.get("duration_ms").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(report.get("runs").get(0).get("steps").get(0).get("tokens").isNull()).isTrue();
        assertThat(report.get("expectations").get(1).get("pass_rate").asDouble()).isEqualTo(0.8);
        assertThat(report.get("passed").asBoolean()).isTrue();

        model.resetScenarios();
        Run missed = run(env(model), "--repeat", "5", "--min-pass-rate", "0.9", "--junit", junit.toString(),
                scenario.toString());

        assertThat(missed.status()).as(missed.out() + missed.err()).isEqualTo(1);
        assertThat(missed.out()).contains("4/5 80%*")
                .contains("1 of 2 expectation(s) below the minimum pass rate 90% (marked *)");
        validateJunit(junit);
        String xml = Files.readString(junit);
        assertThat(xml).contains("<testcase name=\"step 2 (alice send): reply matches 42\" classname=\"answer\"")
                .contains("message=\"passed 4 of 5 run(s) (80%), below the minimum 90%; reply: I think it is 41.\"")
                .contains("run 3: reply: I think it is 41.")
                .contains("<testcase name=\"step 2 (alice send): the turn ends with an answer\"");

        model.resetScenarios();
        assertThat(run(env(model), "--repeat", "5", scenario.toString()).status())
                .as("the default minimum is every run").isEqualTo(1);
    }

    static void validateJunit(Path file) throws Exception {
        URL xsd = ReplayCommandTest.class.getResource("/junit/junit.xsd");
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(xsd).newValidator()
                .validate(new StreamSource(file.toFile()));
    }

    @Test
    void aJudgedExpectationIsDecidedByTheJudgeModelWithItsReasonInTheReports() throws Exception {
        Path judged = dir.resolve("judged.json");
        Files.writeString(judged, """
                {"name": "judged", "steps": [
                  {"as": "alice", "create": "Arithmetic"},
                  {"as": "alice", "send": "What is six times seven?",
                   "expect": {"judged": "The reply gives the right product, 42"}}
                ]}
                """);
        model.stubFor(post(urlPathEqualTo("/judge/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.messages[0].content", containing("You judge one turn")))
                .withRequestBody(matchingJsonPath("$.messages[-1].content", containing("It is 42.")))
                .willReturn(answer("{\"verdict\": \"pass\", \"reason\": \"The reply says 42.\"}")));
        model.stubFor(post(urlPathEqualTo("/judge/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.messages[-1].content", containing("it is 41")))
                .willReturn(answer("{\"verdict\": \"fail\", \"reason\": \"The reply says 41, not 42.\"}")));
        Map<String, String> env = env(model);
        env.put("BATON_JUDGE_BASE_URL", model.baseUrl() + "/judge/v1");
        env.put("JUDGE_KEY", "judge-secret");
        Path junit = dir.resolve("judged.xml");

        Run run = run(env, "--repeat", "5", "--judge-model", "judge-1", "--judge-key-variable", "JUDGE_KEY",
                "--min-pass-rate", "0.9", "--junit", junit.toString(), judged.toString());

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains("PASS  step 2 (alice send): judged: The reply gives the right product, 42"
                        + " (judge: The reply says 42.)")
                .contains("FAIL  step 2 (alice send): judged: The reply gives the right product, 42"
                        + " (judge: The reply says 41, not 42.)")
                .contains("4/5 80%*");
        validateJunit(junit);
        assertThat(Files.readString(junit)).contains("(judge: The reply says 41, not 42.) reply: I think it is 41.");
        model.verify(5, postRequestedFor(urlPathEqualTo("/judge/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer judge-secret"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("judge-1"))));
    }

    @Test
    void aJudgedExpectationWithoutAJudgeIsABadConfiguration() throws Exception {
        Path judged = dir.resolve("judged.json");
        Files.writeString(judged, """
                {"name": "judged", "steps": [
                  {"as": "alice", "create": "Arithmetic"},
                  {"as": "alice", "send": "What is six times seven?", "expect": {"judged": "It says 42"}}
                ]}
                """);

        Run run = run(env(model), judged.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("baton: Scenario judged has a judged expectation, but no judge model"
                + " is configured (--judge-model or BATON_JUDGE_MODEL).");
        model.verify(0, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
    }

    @Test
    void aMistakeInAScenarioFileIsABadScenarioFileNamingTheStepAndTheField() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, """
                {"steps": [
                  {"as": "alice", "create": "Arithmetic"},
                  {"as": "alice", "send": "What is six times seven?", "expect": {"permission_hints_min": "one"}}
                ]}
                """);

        Run run = run(env(model), bad.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("baton: Scenario " + bad + ": steps[1].expect.permission_hints_min: ")
                .contains("integer");
    }

    @Test
    void aModelMatrixRunsEveryScenarioAgainstEachModelSideBySide() throws Exception {
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.model", equalTo("steady-model")))
                .willReturn(answer("It is 42.")));
        Path models = dir.resolve("models.json");
        Files.writeString(models, """
                [{"name": "flaky", "provider": "openai", "base_url": "%1$s/v1", "model": "baton-demo"},
                 {"name": "steady", "base_url": "%1$s/v1", "model": "steady-model", "key_variable": "STEADY_KEY"}]
                """.formatted(model.baseUrl()));
        Map<String, String> env = new HashMap<>(Map.of("STEADY_KEY", "steady-secret",
                "BATON_DATA_DIR", dir.resolve("data").toString()));
        Path json = dir.resolve("matrix.json");

        Run run = run(env, "--models", models.toString(), "--repeat", "5", "--min-pass-rate", "0.8",
                "--json", json.toString(), scenario.toString());

        assertThat(run.status()).as(run.out() + run.err()).isZero();
        String row = run.out().lines().filter(l -> l.contains("reply matches 42") && l.contains("/5"))
                .findFirst().orElseThrow();
        assertThat(row).matches(".*4/5 80%\\s+5/5 100%.*");
        assertThat(run.out()).contains("flaky", "steady");
        JsonNode report = JSON.readTree(json.toFile());
        assertThat(report.get("models")).extracting(JsonNode::asText).containsExactly("flaky", "steady");
        model.verify(5, postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer steady-secret")));
    }

    @Test
    void aModelMatrixComparesOpenAiAnthropicAndGeminiSideBySide() throws Exception {
        model.stubFor(post(urlPathEqualTo("/v1/messages")).withHeader("x-api-key", equalTo("anthropic-secret"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
                         "content": [{"type": "text", "text": "It is 42."}], "stop_reason": "end_turn",
                         "usage": {"input_tokens": 10, "output_tokens": 2}}""")));
        model.stubFor(post(urlPathEqualTo("/v1beta/models/gemini-test:generateContent"))
                .withHeader("x-goog-api-key", equalTo("gemini-secret"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"candidates": [{"content": {"role": "model", "parts": [{"text": "I think it is 41."}]},
                          "finishReason": "STOP", "index": 0}],
                         "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 2, "totalTokenCount": 12}}""")));
        Path models = dir.resolve("models.json");
        Files.writeString(models, """
                [{"name": "steady", "base_url": "%1$s/v1", "model": "baton-demo"},
                 {"name": "claude", "provider": "anthropic", "base_url": "%1$s/v1/", "model": "claude-test",
                  "key_variable": "ANTHROPIC_KEY"},
                 {"name": "gemini", "provider": "gemini", "base_url": "%1$s/v1beta", "model": "gemini-test",
                  "key_variable": "GEMINI_KEY"}]
                """.formatted(model.baseUrl()));
        Map<String, String> env = new HashMap<>(Map.of("ANTHROPIC_KEY", "anthropic-secret", "GEMINI_KEY",
                "gemini-secret", "BATON_DATA_DIR", dir.resolve("data").toString()));

        Run run = run(env, "--models", models.toString(), "--repeat", "1", scenario.toString());

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(1);
        String row = run.out().lines().filter(l -> l.contains("reply matches 42") && l.contains("/1"))
                .findFirst().orElseThrow();
        assertThat(row).matches(".*1/1 100%\\s+1/1 100%\\s+0/1 0%.*");
        assertThat(run.out()).contains("steady", "claude", "gemini");
    }

    @Test
    void samplingCannotReplay() {
        Map<String, String> env = env(model);
        env.put("BATON_MODEL_PROVIDER", "sampling");

        Run run = run(env, scenario.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("replay cannot use the model provider \"sampling\": it has no connected MCP"
                + " client to ask; choose openai, anthropic or gemini.");
    }

    @Test
    void aModelMatrixWithAnUnknownProviderIsABadConfiguration() throws Exception {
        Path models = dir.resolve("models.json");
        Files.writeString(models, "[{\"name\": \"x\", \"provider\": \"carrier-pigeon\", \"base_url\": \"http://h/v1\","
                + " \"model\": \"m\"}]");

        Run run = run(Map.of("BATON_DATA_DIR", dir.resolve("data").toString()), "--models", models.toString(),
                scenario.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("Model matrix " + models + ": models[0].provider \"carrier-pigeon\" is not one of");
    }

    @Test
    void recordedExchangesReplayOfflineWithTheSameResults() throws Exception {
        Path recorded = dir.resolve("recorded");
        Path first = dir.resolve("first.json");
        Map<String, String> withKey = env(model);
        withKey.put("BATON_MODEL_API_KEY", "sk-recorded-secret");
        Run live = run(withKey, "--repeat", "5", "--min-pass-rate", "0.8", "--record", recorded.toString(),
                "--json", first.toString(), scenario.toString());
        assertThat(live.status()).as(live.out() + live.err()).isZero();
        assertThat(live.out()).contains("recorded 5 model exchange mapping(s) in " + recorded.resolve("mappings"));
        try (var files = Files.list(recorded.resolve("mappings"))) {
            assertThat(files.toList()).hasSize(5).allSatisfy(f -> assertThat(Files.readString(f))
                    .contains("\"requiredScenarioState\"", "$.messages[-1].content", "$.messages[0].content")
                    .doesNotContain("sk-recorded-secret"));
        }
        model.verify(5, postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-recorded-secret")));

        WireMockServer offline = new WireMockServer(WireMockConfiguration.options().dynamicPort()
                .usingFilesUnderDirectory(recorded.toString()));
        offline.start();
        try {
            Path second = dir.resolve("second.json");
            Run replayed = run(env(offline), "--repeat", "5", "--min-pass-rate", "0.8", "--json", second.toString(),
                    scenario.toString());

            assertThat(replayed.status()).as(replayed.out() + replayed.err()).isZero();
            assertThat(replies(second)).isEqualTo(replies(first))
                    .containsExactly("It is 42.", "It is 42.", "I think it is 41.", "It is 42.", "It is 42.");
            assertThat(rates(second)).isEqualTo(rates(first));
            assertThat(offline.getAllServeEvents()).hasSize(5)
                    .allSatisfy(e -> assertThat(e.getResponse().getBodyAsString())
                            .isIn(model.getAllServeEvents().stream().map(m -> m.getResponse().getBodyAsString()).toList()));
        } finally {
            offline.stop();
        }
    }

    @Test
    void aStepThatCannotBeDoneFailsItsRunAndTheExpectationsAfterItCountAsFailed() throws Exception {
        Path early = dir.resolve("early.json");
        Files.writeString(early, """
                {"name": "early", "steps": [
                  {"as": "alice", "send": "What is six times seven?", "expect": {"reply_matches": "42"}}
                ]}
                """);

        Run run = run(env(model), early.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL  step 1 (alice send): there is no conversation yet")
                .containsPattern("step 1 \\(alice send\\): the step can be done +0/1 0%\\*")
                .containsPattern("step 1 \\(alice send\\): the turn ends with an answer +0/1 0%\\*")
                .containsPattern("step 1 \\(alice send\\): reply matches 42 +0/1 0%\\*")
                .contains("3 of 3 expectation(s) below");
        model.verify(0, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
    }

    private static List<String> replies(Path json) throws Exception {
        List<String> out = new ArrayList<>();
        JSON.readTree(json.toFile()).get("runs").forEach(r -> out.add(r.get("steps").get(1).get("reply").asText()));
        return out;
    }

    private static List<String> rates(Path json) throws Exception {
        List<String> out = new ArrayList<>();
        JSON.readTree(json.toFile()).get("expectations")
                .forEach(e -> out.add(e.get("expectation").asText() + " " + e.get("pass_rate").asDouble()));
        return out;
    }
}
