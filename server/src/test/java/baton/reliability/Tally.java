package baton.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Answers counted by tool and kind, their latencies, and every unexpected answer (the first 50 kept). */
final class Tally {

    static final List<String> LABELS = List.of("ok", "refused", "rejected", "unavailable", "failed");
    private static final int KEPT = 50;

    private final ConcurrentMap<String, ConcurrentMap<String, AtomicInteger>> counts = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Queue<Double>> millis = new ConcurrentHashMap<>();
    private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unexpectedCount = new AtomicInteger();

    /** Counts an answer that was expected (or tolerated) under {@code label}. */
    void count(Outcome outcome, String label) {
        counts.computeIfAbsent(outcome.tool(), t -> new ConcurrentHashMap<>())
                .computeIfAbsent(label, l -> new AtomicInteger()).incrementAndGet();
        millis.computeIfAbsent(outcome.tool(), t -> new ConcurrentLinkedQueue<>()).add(outcome.millis());
    }

    void unexpected(String what) {
        if (unexpectedCount.incrementAndGet() <= KEPT) {
            unexpected.add(what);
        }
    }

    int unexpectedCount() {
        return unexpectedCount.get();
    }

    List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    int count(String tool, String label) {
        Map<String, AtomicInteger> byLabel = counts.get(tool);
        AtomicInteger n = byLabel == null ? null : byLabel.get(label);
        return n == null ? 0 : n.get();
    }

    int total(String label) {
        return counts.keySet().stream().mapToInt(tool -> count(tool, label)).sum();
    }

    int total() {
        return LABELS.stream().mapToInt(this::total).sum();
    }

    /** A Markdown table: per tool, the answers by kind and the latency percentiles. */
    String table(Duration elapsed) {
        StringBuilder out = new StringBuilder("| call | answers | ok | refused (expected) | JSON-RPC error (expected)"
                + " | database unavailable (tolerated) | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|---|\n");
        for (String tool : new TreeMap<>(counts).keySet()) {
            List<Double> sorted = new ArrayList<>(millis.getOrDefault(tool, new ConcurrentLinkedQueue<>()));
            sorted.sort(null);
            int n = LABELS.stream().mapToInt(l -> count(tool, l)).sum();
            out.append(String.format("| %s | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f |%n", tool, n,
                    count(tool, "ok"), count(tool, "refused"), count(tool, "rejected"), count(tool, "unavailable"),
                    percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sorted, 1.0)));
        }
        double seconds = elapsed.toMillis() / 1000.0;
        out.append(String.format("%nTotal: %d answers in %.1f s = %.0f calls/s; %d unexpected.", total(), seconds,
                total() / seconds, unexpectedCount()));
        return out.toString();
    }

    private static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
