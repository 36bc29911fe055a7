package baton.agent;

import baton.conversation.BatonException;
import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Runs one {@link Scenario} with the real agent, model and upstreams, in a project of its own, and
 * checks its expectations. What to do with the results (lines, tables, JUnit, JSON) is the
 * caller's; this class only runs and checks.
 */
public final class ScenarioRunner {

    /** One expectation checked in one run: a stable name (the same in every run) and what was seen. */
    public record Check(String expectation, boolean passed, String detail) {
    }

    /**
     * One step of one run.
     *
     * @param index the step's number, from 1
     * @param turn the turn of a send step, else null
     * @param error the sentence the step failed with before any check (the run stops there), or null
     */
    public record StepResult(int index, Scenario.Step step, TurnResult turn, String error, Duration duration,
            List<Check> checks) {

        public String label() {
            return step.label(index);
        }
    }

    /** The steps of one run, up to the last one run. */
    public record Outcome(Scenario scenario, String project, List<StepResult> steps) {

        public boolean passed() {
            return steps.stream().allMatch(s -> s.error() == null && s.checks().stream().allMatch(Check::passed));
        }
    }

    /** Told when each step starts and ends (progress, metering). */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void stepStarted(Scenario scenario, int index, Scenario.Step step) {
        }

        default void stepEnded(Scenario scenario, StepResult result) {
        }
    }

    /** Decides a {@code judged} expectation; implemented where the judge model is (replay). */
    public interface Judge {

        /** The judge's answer: pass or fail, and one sentence of reason. */
        record Verdict(boolean passed, String reason) {
        }

        Verdict judge(String statement, String message, TurnResult turn);
    }

    private final Conversations conversations;
    private final PromptLibrary prompts;
    private final Agent agent;
    private final Judge judge;

    /** @param judge decides judged expectations; null when none is configured (they then fail) */
    public ScenarioRunner(Conversations conversations, PromptLibrary prompts, Agent agent, Judge judge) {
        this.conversations = conversations;
        this.prompts = prompts;
        this.agent = agent;
        this.judge = judge;
    }

    /** Runs one scenario in {@code project}, stopping at a step that cannot be done. */
    public Outcome run(Scenario scenario, String project, Listener listener) {
        UUID current = null;
        List<StepResult> results = new ArrayList<>();
        int n = 0;
        for (Scenario.Step step : scenario.steps()) {
            n++;
            listener.stepStarted(scenario, n, step);
            long start = System.nanoTime();
            Identity caller = new Identity(step.as(), project, Role.EDITOR);
            TurnResult turn = null;
            StepResult result;
            try {
                switch (step.action()) {
                    case "create" -> current = conversations.create(caller, step.argument()).id();
                    case "send" -> turn = agent.send(caller, require(current), step.argument(), TurnProgress.NONE);
                    case "share" -> conversations.share(caller, require(current), null);
                    case "fork" -> current = conversations.fork(caller, require(current), null).conversation().id();
                    default -> require(current);
                }
                List<Check> checks = check(step, caller, current, turn);
                result = new StepResult(n, step, turn, null, Duration.ofNanos(System.nanoTime() - start), checks);
            } catch (BatonException e) {
                result = new StepResult(n, step, turn, e.getMessage(), Duration.ofNanos(System.nanoTime() - start),
                        List.of());
            }
            results.add(result);
            listener.stepEnded(scenario, result);
            if (result.error() != null) {
                break;
            }
        }
        return new Outcome(scenario, project, List.copyOf(results));
    }

    private List<Check> check(Scenario.Step step, Identity caller, UUID conversation, TurnResult turn) {
        List<Check> checks = new ArrayList<>();
        JsonNode expect = step.expect();
        if (turn != null) {
            boolean wantFailure = expect != null && expect.path("turn_fails").asBoolean(false);
            checks.add(new Check(wantFailure ? "the turn fails" : "the turn ends with an answer",
                    turn.failed() == wantFailure, turn.failed() && !wantFailure ? "(it failed: " + turn.error() + ")" : ""));
        }
        if (expect == null) {
            return checks;
        }
        if (turn != null) {
            checkTurn(expect, step, turn, checks);
        }
        if (expect.has("system_prompt_contains") || expect.has("system_prompt_excludes")) {
            Conversation c = conversations.metadata(caller, conversation).conversation();
            String system = prompts.systemPrompt(c);
            for (String text : Scenario.texts(expect.get("system_prompt_contains"))) {
                checks.add(new Check("system prompt contains \"" + text + "\"", system.contains(text), ""));
            }
            for (String text : Scenario.texts(expect.get("system_prompt_excludes"))) {
                checks.add(new Check("system prompt does not contain \"" + text + "\"", !system.contains(text), ""));
            }
        }
        return checks;
    }

    private void checkTurn(JsonNode expect, Scenario.Step step, TurnResult turn, List<Check> checks) {
        if (expect.has("reply_matches")) {
            String re = expect.get("reply_matches").asText();
            checks.add(new Check("reply matches " + re, Pattern.compile(re).matcher(turn.reply()).find(), ""));
        }
        if (expect.has("reply_not_matches")) {
            String re = expect.get("reply_not_matches").asText();
            checks.add(new Check("reply does not match " + re, !Pattern.compile(re).matcher(turn.reply()).find(), ""));
        }
        for (String tool : Scenario.texts(expect.get("tool_calls_include"))) {
            boolean called = turn.toolCalls().stream().anyMatch(c -> c.tool().equals(tool));
            checks.add(new Check("the turn calls " + tool, called, ""));
        }
        int hints = turn.permissionHints().size();
        if (expect.has("permission_hints_min")) {
            int min = expect.get("permission_hints_min").asInt();
            checks.add(new Check("at least " + min + " permission hint(s)", hints >= min, "(got " + hints + ")"));
        }
        if (expect.has("permission_hints_max")) {
            int max = expect.get("permission_hints_max").asInt();
            checks.add(new Check("at most " + max + " permission hint(s)", hints <= max, "(got " + hints + ")"));
        }
        for (String word : Scenario.texts(expect.get("hints_mention"))) {
            boolean mentioned = turn.permissionHints().stream().anyMatch(h -> h.hint().contains(word));
            checks.add(new Check("a permission hint mentions " + word, mentioned, ""));
        }
        String statement = step.judged();
        if (statement != null) {
            String name = "judged: " + statement;
            if (judge == null) {
                checks.add(new Check(name, false, "(no judge model is configured)"));
            } else {
                Judge.Verdict verdict = judge.judge(statement, step.argument(), turn);
                checks.add(new Check(name, verdict.passed(), "(judge: " + verdict.reason() + ")"));
            }
        }
    }

    /**
     * The names of every check a full run of the scenario makes, in order ("step 3 (alice send):
     * reply matches 42"): reports list them even when no run reached them.
     */
    public static List<String> expectations(Scenario scenario) {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (Scenario.Step step : scenario.steps()) {
            n++;
            String label = step.label(n) + ": ";
            JsonNode expect = step.expect();
            boolean send = step.action().equals("send");
            if (send) {
                out.add(label + (expect != null && expect.path("turn_fails").asBoolean(false)
                        ? "the turn fails" : "the turn ends with an answer"));
            }
            if (expect == null) {
                continue;
            }
            if (send) {
                if (expect.has("reply_matches")) {
                    out.add(label + "reply matches " + expect.get("reply_matches").asText());
                }
                if (expect.has("reply_not_matches")) {
                    out.add(label + "reply does not match " + expect.get("reply_not_matches").asText());
                }
                Scenario.texts(expect.get("tool_calls_include")).forEach(t -> out.add(label + "the turn calls " + t));
                if (expect.has("permission_hints_min")) {
                    out.add(label + "at least " + expect.get("permission_hints_min").asInt() + " permission hint(s)");
                }
                if (expect.has("permission_hints_max")) {
                    out.add(label + "at most " + expect.get("permission_hints_max").asInt() + " permission hint(s)");
                }
                Scenario.texts(expect.get("hints_mention"))
                        .forEach(t -> out.add(label + "a permission hint mentions " + t));
                if (step.judged() != null) {
                    out.add(label + "judged: " + step.judged());
                }
            }
            Scenario.texts(expect.get("system_prompt_contains"))
                    .forEach(t -> out.add(label + "system prompt contains \"" + t + "\""));
            Scenario.texts(expect.get("system_prompt_excludes"))
                    .forEach(t -> out.add(label + "system prompt does not contain \"" + t + "\""));
        }
        return out;
    }

    private static UUID require(UUID current) {
        if (current == null) {
            throw new BatonException(ErrorCode.INVALID_ARGUMENT,
                    "there is no conversation yet: a scenario starts with a create step.");
        }
        return current;
    }
}
