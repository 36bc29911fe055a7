package baton.bench;

import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * delete_conversation of a big conversation: how long the delete takes, and the latency of reads
 * of other conversations by other members while it runs, against the same reads just before.
 */
public final class DeleteBenchmark {

    private final Conversations conversations;
    private final PrintStream out;

    public DeleteBenchmark(Database db, PrintStream out) {
        this.conversations = new Conversations(db, Clock.systemUTC());
        this.out = out;
    }

    public void run(int size, int repeats, int readers) throws Exception {
        Identity owner = new Identity("bench-owner", "bench-" + UUID.randomUUID(), Role.EDITOR);
        Identity member = new Identity("bench-reader", owner.projectId(), Role.EDITOR);
        List<UUID> others = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            UUID other = BenchData.conversation(conversations, owner, 200);
            conversations.share(owner, other, null);
            others.add(other);
        }
        out.printf("delete of %d messages; %d threads read pages of 50 of 8 other shared conversations%n", size, readers);
        out.printf("%-6s %10s %14s %14s %14s %14s %8s%n", "run", "delete ms", "p50 before µs", "p99 before µs",
                "p50 during µs", "p99 during µs", "reads");
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            for (int r = 0; r < repeats; r++) {
                UUID big = BenchData.conversation(conversations, owner, size);
                conversations.share(owner, big, null);
                // before: as long as the delete will take, at least one second
                List<Long> before = readFor(pool, readers, member, others, null, 1000);
                AtomicBoolean deleting = new AtomicBoolean(true);
                List<Future<List<Long>>> during = startReading(pool, readers, member, others, deleting);
                Thread.sleep(50);
                long start = System.nanoTime();
                int deleted = conversations.delete(owner, big);
                long took = System.nanoTime() - start;
                deleting.set(false);
                List<Long> duringTimes = new ArrayList<>();
                for (Future<List<Long>> f : during) {
                    duringTimes.addAll(f.get());
                }
                if (deleted != size) {
                    throw new IllegalStateException("deleted " + deleted + " messages, expected " + size);
                }
                long[] b = before.stream().mapToLong(Long::longValue).toArray();
                long[] d = duringTimes.stream().mapToLong(Long::longValue).toArray();
                out.printf("%-6d %10.1f %14.1f %14.1f %14.1f %14.1f %8d%n", r + 1, took / 1e6,
                        BenchData.percentile(b, 50) / 1e3, BenchData.percentile(b, 99) / 1e3,
                        BenchData.percentile(d, 50) / 1e3, BenchData.percentile(d, 99) / 1e3, d.length);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Long> readFor(ExecutorService pool, int readers, Identity member, List<UUID> others,
            AtomicBoolean unused, long millis) throws Exception {
        AtomicBoolean on = new AtomicBoolean(true);
        List<Future<List<Long>>> futures = startReading(pool, readers, member, others, on);
        Thread.sleep(millis);
        on.set(false);
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : futures) {
            all.addAll(f.get());
        }
        return all;
    }

    /** Reader threads that read pages while {@code on} holds; each returns its read times (ns). */
    private List<Future<List<Long>>> startReading(ExecutorService pool, int readers, Identity member, List<UUID> others,
            AtomicBoolean on) {
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int t = 0; t < readers; t++) {
            int offset = t;
            futures.add(pool.submit(() -> {
                List<Long> times = new ArrayList<>();
                int i = offset;
                while (on.get()) {
                    UUID id = others.get(i++ % others.size());
                    long start = System.nanoTime();
                    conversations.read(member, id, (i % 3) * 50 - 1, 50);
                    times.add(System.nanoTime() - start);
                }
                return times;
            }));
        }
        return futures;
    }
}
