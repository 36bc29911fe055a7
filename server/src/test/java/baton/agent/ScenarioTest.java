package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScenarioTest {

    private static final Path SCENARIOS = Path.of("..", "test-fixtures", "scenarios");

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("lost_access.json"), json);
    }

    private static BatonException failure(Path file) {
        BatonException e = catchThrowableOfType(() -> Scenario.load(file), BatonException.class);
        assertThat(e).as("loading %s", file).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.getMessage()).startsWith("Scenario " + file + ": ");
        return e;
    }

    @Test
    void everyScenarioOfTheTestFixturesLoads() throws IOException {
        assumeTrue(Files.isDirectory(SCENARIOS), "no scenarios in " + SCENARIOS);
        List<Path> files;
        try (Stream<Path> list = Files.list(SCENARIOS)) {
            files = list.filter(Scenario::isScenarioFile).sorted().toList();
        }
        for (Path file : files) {
            Scenario scenario = Scenario.load(file);
            assertThat(scenario.name()).as(file.toString()).isNotBlank();
            assertThat(scenario.steps()).as(file.toString()).isNotEmpty()
                    .allSatisfy(step -> assertThat(step.as()).isNotBlank());
        }
    }

    @Test
    void aScenarioGivesItsStepsInOrderWithTheirActionArgumentAndExpectations() throws IOException {
        Path file = write("""
                {"description": "bob forks alice's finance chat",
                 "steps": [
                   {"as": "alice", "create": "Budget"},
                   {"as": "alice", "send": "What is the finance budget?",
                    "expect": {"tool_calls_include": ["query_dataset"], "reply_matches": "900"}},
                   {"as": "alice", "share": true},
                   {"as": "bob", "fork": {}},
                   {"as": "bob", "check": {}, "expect": {"system_prompt_contains": "forked"}}
                 ]}""");

        Scenario scenario = Scenario.load(file);

        assertThat(scenario.name()).isEqualTo("lost_access");
        assertThat(scenario.description()).isEqualTo("bob forks alice's finance chat");
        assertThat(scenario.steps()).extracting(Scenario.Step::as)
                .containsExactly("alice", "alice", "alice", "bob", "bob");
        assertThat(scenario.steps()).extracting(Scenario.Step::action)
                .containsExactly("create", "send", "share", "fork", "check");
        assertThat(scenario.steps()).extracting(Scenario.Step::argument)
                .containsExactly("Budget", "What is the finance budget?", null, null, null);
        assertThat(scenario.steps().get(0).expect()).isNull();
        assertThat(scenario.steps().get(1).expect().get("reply_matches").asText()).isEqualTo("900");
        assertThat(scenario.steps().get(4).expect().get("system_prompt_contains").asText()).isEqualTo("forked");
    }

    @Test
    void aNameInTheFileWinsOverTheFileName() throws IOException {
        Path file = write("{\"name\": \"fork keeps history\", \"steps\": [{\"as\": \"alice\", \"create\": \"t\"}]}");

        assertThat(Scenario.load(file).name()).isEqualTo("fork keeps history");
        assertThat(Scenario.load(file).description()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}|non-empty \"steps\" array",
            "{\"steps\": []}|non-empty \"steps\" array",
            "{\"steps\": {\"as\": \"alice\"}}|non-empty \"steps\" array",
            "[{\"as\": \"alice\", \"create\": \"t\"}]|non-empty \"steps\" array",
            "{\"steps\": [|cannot be read as JSON"})
    void aFileWithoutStepsIsRefused(String json, String message) throws IOException {
        assertThat(failure(write(json)).getMessage()).contains(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"send\": \"hi\"}|steps[1].as (the user doing the step) is missing",
            "{\"as\": \" \", \"send\": \"hi\"}|steps[1].as (the user doing the step) is missing",
            "{\"as\": \"bob\", \"send\": \"hi\", \"share\": true}|steps[1] must have exactly one of",
            "{\"as\": \"bob\"}|steps[1] must have exactly one of",
            "{\"as\": \"bob\", \"expect\": {\"turn_fails\": true}}|steps[1] must have exactly one of",
            "{\"as\": \"bob\", \"send\": \"hi\", \"expect\": {\"reply_contains\": \"x\"}}"
                    + "|steps[1].expect has an unknown expectation \"reply_contains\"",
            "{\"as\": \"bob\", \"send\": \"hi\", \"expect\": [\"reply_matches\"]}|steps[1].expect must be an object",
            "\"send hi\"|steps[1].as (the user doing the step) is missing"})
    void aMalformedStepIsRefusedNamingTheStep(String step, String message) throws IOException {
        Path file = write("{\"steps\": [{\"as\": \"alice\", \"create\": \"Budget\"}, " + step + "]}");

        assertThat(failure(file).getMessage()).contains(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"as\": \"bob\", \"send\": \"hi\", \"expect\": {\"permission_hints_min\": \"one\"}}"
                    + "|steps[1].expect.permission_hints_min: string found, integer expected",
            "{\"as\": \"bob\", \"send\": \"hi\", \"expect\": {\"permission_hints_max\": -1}}"
                    + "|steps[1].expect.permission_hints_max: ",
            "{\"as\": \"bob\", \"send\": \"hi\", \"expect\": {\"turn_fails\": \"yes\"}}"
                    + "|steps[1].expect.turn_fails: string found, boolean expected",
            "{\"as\": \"bob\", \"send\": \"hi\", \"expect\": {\"tool_calls_include\": [1]}}"
                    + "|steps[1].expect.tool_calls_include",
            "{\"as\": \"bob\", \"send\": 7}|steps[1].send: integer found, string expected",
            "{\"as\": \"bob\", \"send\": \"hi\", \"sned\": \"x\"}|steps[1].sned is not a known field",
            "{\"as\": \"bob\", \"send\": \"hi\", \"expect\": {\"reply_matches\": \"(\"}}"
                    + "|steps[1].expect.reply_matches is not a regular expression",
            "{\"as\": \"bob\", \"check\": true, \"expect\": {\"judged\": \"x\"}}"
                    + "|steps[1].expect.judged needs a send step (it judges the reply)"})
    void aWrongTypeOrFieldIsRefusedByTheSchemaNamingTheStepAndTheField(String step, String message)
            throws IOException {
        Path file = write("{\"steps\": [{\"as\": \"alice\", \"create\": \"Budget\"}, " + step + "]}");

        assertThat(failure(file).getMessage()).contains(message);
    }

    @Test
    void anUnknownTopLevelFieldIsRefusedAndTheSchemaReferenceIsAllowed() throws IOException {
        assertThat(failure(write("{\"title\": \"x\", \"steps\": [{\"as\": \"alice\", \"create\": \"t\"}]}"))
                .getMessage()).contains(": title is not a known field");
        Scenario ok = Scenario.load(write("{\"$schema\": \"./scenario.schema.json\","
                + " \"steps\": [{\"as\": \"alice\", \"create\": \"t\"}]}"));
        assertThat(ok.steps()).hasSize(1);
    }

    @Test
    void aJudgedExpectationIsAStatementTheScenarioNeedsAJudgeFor() throws IOException {
        Scenario s = Scenario.load(write("{\"steps\": [{\"as\": \"alice\", \"create\": \"t\"},"
                + " {\"as\": \"alice\", \"send\": \"hi\", \"expect\": {\"judged\": \"It greets\"}}]}"));

        assertThat(s.needsJudge()).isTrue();
        assertThat(s.steps().get(1).judged()).isEqualTo("It greets");
        assertThat(Scenario.load(write("{\"steps\": [{\"as\": \"alice\", \"create\": \"t\"}]}")).needsJudge())
                .isFalse();
    }

    /** The schema editors read and the loader's own rules name the same actions and expectations. */
    @Test
    void theSchemaAndTheLoaderAgreeOnActionsAndExpectations() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(SCENARIOS.resolve("scenario.schema.json").toFile());
        Set<String> expectations = new TreeSet<>();
        schema.at("/$defs/expect/properties").fieldNames().forEachRemaining(expectations::add);
        Set<String> actions = new TreeSet<>();
        schema.at("/$defs/step/oneOf").forEach(o -> actions.add(o.get("required").get(0).asText()));
        Set<String> stepFields = new TreeSet<>();
        schema.at("/$defs/step/properties").fieldNames().forEachRemaining(stepFields::add);

        assertThat(expectations).isEqualTo(new TreeSet<>(Scenario.EXPECTATIONS));
        assertThat(actions).isEqualTo(new TreeSet<>(Scenario.ACTIONS));
        Set<String> expectedFields = new TreeSet<>(Scenario.ACTIONS);
        expectedFields.addAll(List.of("as", "expect"));
        assertThat(stepFields).isEqualTo(expectedFields);
        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(Files.readString(SCENARIOS.resolve("scenario.schema.json")))
                .as("the jar carries the same schema").isEqualTo(new String(
                        ScenarioTest.class.getClassLoader().getResourceAsStream(ScenarioSchema.RESOURCE).readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8));
    }
}
