package baton.replay;

import baton.agent.ScenarioRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of one scenario against one model: its steps, each with the model requests and tokens
 * it used.
 *
 * @param repeat the run's number, from 1
 */
public record RunRecord(String model, ScenarioRunner.Outcome outcome, int repeat, Instant startedAt,
        Duration duration, List<StepRecord> steps) {

    /** A step and what it used of the model; tokens are null when the provider reported none. */
    public record StepRecord(ScenarioRunner.StepResult result, long requests, Long inputTokens, Long outputTokens,
            Long totalTokens) {
    }

    public String scenario() {
        return outcome.scenario().name();
    }

    /**
     * The run's checks as (expectation name, check) pairs; a step that could not be done is one
     * failed check "the step can be done".
     */
    public List<Named> checks() {
        List<Named> out = new ArrayList<>();
        for (StepRecord s : steps) {
            String label = s.result().label();
            if (s.result().error() != null) {
                out.add(new Named(label + ": the step can be done",
                        new ScenarioRunner.Check("the step can be done", false, "(" + s.result().error() + ")"), s));
            }
            for (ScenarioRunner.Check c : s.result().checks()) {
                out.add(new Named(label + ": " + c.expectation(), c, s));
            }
        }
        return out;
    }

    /** A check with its stable name across runs. */
    public record Named(String name, ScenarioRunner.Check check, StepRecord step) {
    }
}
