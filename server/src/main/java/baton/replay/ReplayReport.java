package baton.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything a replay did: its runs and the pass rates they give.
 *
 * @param models the model names, in matrix order
 * @param scenarios the scenario names, in order
 */
public record ReplayReport(List<String> models, List<String> scenarios, int repeat, double minPassRate,
        Instant startedAt, Duration duration, List<RunRecord> runs) {

    public ReplayReport {
        models = List.copyOf(models);
        scenarios = List.copyOf(scenarios);
        runs = List.copyOf(runs);
    }

    public PassRates rates() {
        return new PassRates(runs, repeat, minPassRate);
    }

    /** 0 when every expectation meets the minimum pass rate, else 1. */
    public int exitStatus() {
        return rates().passed() ? 0 : 1;
    }
}
