package baton.replay;

import baton.agent.ScenarioRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pass rates per model, scenario and expectation over the runs of a replay. An expectation that a
 * run never reached (a step before it could not be done) counts as failed in that run.
 */
public final class PassRates {

    /** One expectation of one scenario against one model. */
    /** @param stepMillis the mean time of the expectation's step over the runs that reached it */
    public record Rate(String model, String scenario, String expectation, int passes, int runs,
            List<Failure> failures, long stepMillis) {

        public double rate() {
            return runs == 0 ? 0 : (double) passes / runs;
        }

        public boolean meets(double minPassRate) {
            // a tolerance so that 4 of 5 meets 0.8
            return rate() + 1e-9 >= minPassRate;
        }

        public String percent() {
            return Math.round(rate() * 100) + "%";
        }
    }

    /** A failed run of an expectation: which run, what was seen, and the reply of its step. */
    public record Failure(int repeat, String detail, String reply) {
    }

    private final List<Rate> rates;
    private final double minPassRate;

    PassRates(List<RunRecord> runs, int repeat, double minPassRate) {
        this.minPassRate = minPassRate;
        Map<List<String>, List<RunRecord.Named>> seen = new LinkedHashMap<>();
        Map<List<String>, List<Failure>> failures = new LinkedHashMap<>();
        for (RunRecord run : runs) {
            // every expectation of the scenario has a row, also one that no run reached
            for (String name : ScenarioRunner.expectations(run.outcome().scenario())) {
                seen.computeIfAbsent(List.of(run.model(), run.scenario(), name), k -> new ArrayList<>());
            }
            for (RunRecord.Named n : run.checks()) {
                List<String> key = List.of(run.model(), run.scenario(), n.name());
                seen.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
                if (!n.check().passed()) {
                    var turn = n.step().result().turn();
                    failures.computeIfAbsent(key, k -> new ArrayList<>())
                            .add(new Failure(run.repeat(), n.check().detail(), turn == null ? null : turn.reply()));
                }
            }
        }
        List<Rate> out = new ArrayList<>();
        seen.forEach((key, checks) -> {
            int passes = (int) checks.stream().filter(n -> n.check().passed()).count();
            long millis = (long) checks.stream().mapToLong(n -> n.step().result().duration().toMillis()).average()
                    .orElse(0);
            out.add(new Rate(key.get(0), key.get(1), key.get(2), passes, repeat,
                    List.copyOf(failures.getOrDefault(key, List.of())), millis));
        });
        this.rates = List.copyOf(out);
    }

    public List<Rate> all() {
        return rates;
    }

    public double minPassRate() {
        return minPassRate;
    }

    /** Whether every expectation of every scenario and model meets the minimum pass rate. */
    public boolean passed() {
        return rates.stream().allMatch(r -> r.meets(minPassRate));
    }

    public long below() {
        return rates.stream().filter(r -> !r.meets(minPassRate)).count();
    }
}
