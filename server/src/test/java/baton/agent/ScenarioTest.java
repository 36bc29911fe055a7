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
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
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
}
