package baton.replay;

import static org.assertj.core.api.Assertions.assertThat;

import baton.agent.ScenarioRunner;
import baton.agent.TurnResult;
import baton.prompts.PromptLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The judge's prompts, pinned like the others (update with {@code -Dbaton.updateGolden=true}). */
class JudgePromptGoldenTest {

    private static final Path GOLDEN = Path.of("..", "test-fixtures", "golden", "prompts");
    private final PromptLibrary prompts = new PromptLibrary();

    @Test
    void judgeSystemPrompt() throws IOException {
        assertGolden("judge.md", prompts.render("judge", Map.of()));
    }

    @Test
    void judgeCaseNamesTheStatementTheMessageTheToolsAndTheReply() throws IOException {
        TurnResult turn = new TurnResult("You forked alice's conversation; you may lack access to finance data.",
                UUID.randomUUID(), List.of(new TurnResult.ToolCallRecord("query_dataset", "{}", true, UUID.randomUUID(),
                        UUID.randomUUID(), "access denied")), List.of(), null);
        String text = ModelJudge.caseText(prompts, "The reply says the conversation was forked",
                "What is the Software margin now?", turn);

        assertGolden("judge_case.md", text);
    }

    @Test
    void aVerdictIsReadFromJsonOrALeadingWord() {
        assertThat(ModelJudge.verdict("```json\n{\"verdict\": \"PASS\", \"reason\": \"It says so.\"}\n```"))
                .isEqualTo(new ScenarioRunner.Judge.Verdict(true, "It says so."));
        assertThat(ModelJudge.verdict("FAIL: it never mentions the fork."))
                .isEqualTo(new ScenarioRunner.Judge.Verdict(false, "it never mentions the fork."));
        assertThat(ModelJudge.verdict("I am not sure.").passed()).isFalse();
        assertThat(ModelJudge.verdict("I am not sure.").reason()).startsWith("the judge did not answer with a verdict");
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("baton.updateGolden") || !Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}
