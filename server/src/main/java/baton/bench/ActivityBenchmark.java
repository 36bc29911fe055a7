package baton.bench;

import baton.conversation.ConversationView;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * read_conversation's cost of activity recording: the same page of a shared conversation read by
 * its owner (who records nothing) and by another member (every read recorded, folded into one
 * event per 10 minutes), in alternating timed blocks with the same number of threads; and, as the
 * worst case, by a different member at each read (each read a new event, nothing folds).
 */
public final class ActivityBenchmark {

    private final Conversations conversations;
    private final PrintStream out;

    public ActivityBenchmark(Database db, PrintStream out) {
        this.conversations = new Conversations(db, Clock.systemUTC());
        this.out = out;
    }

    private enum Reader { OWNER, MEMBER, NEW_MEMBER_EACH_READ }

    public void run(int messages, int threads, int rounds, long blockMillis) throws Exception {
        Identity owner = new Identity("bench-owner", "bench-" + UUID.randomUUID(), Role.EDITOR);
        Identity member = new Identity("bench-reader", owner.projectId(), Role.EDITOR);
        UUID id = BenchData.conversation(conversations, owner, messages);
        conversations.share(owner, id, null);
        Reader[] kinds = Reader.values();
        long[] reads = new long[kinds.length];
        long[] nanos = new long[kinds.length];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong fresh = new AtomicLong();
        try {
            for (int round = -1; round < rounds; round++) { // round -1 warms up
                for (int k = 0; k < kinds.length; k++) {
                    Reader kind = kinds[k];
                    long end = System.nanoTime() + blockMillis * 1_000_000;
                    long start = System.nanoTime();
                    List<Future<Long>> done = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        done.add(pool.submit(() -> {
                            long n = 0;
                            while (System.nanoTime() < end) {
                                Identity who = switch (kind) {
                                    case OWNER -> owner;
                                    case MEMBER -> member;
                                    case NEW_MEMBER_EACH_READ -> new Identity("reader-" + fresh.incrementAndGet(),
                                            owner.projectId(), Role.EDITOR);
                                };
                                ConversationView page = conversations.read(who, id, -1, Conversations.DEFAULT_READ_LIMIT);
                                if (page.messages().size() != Math.min(messages, Conversations.DEFAULT_READ_LIMIT)) {
                                    throw new IllegalStateException("read " + page.messages().size() + " messages");
                                }
                                n++;
                            }
                            return n;
                        }));
                    }
                    long n = 0;
                    for (Future<Long> f : done) {
                        n += f.get();
                    }
                    if (round >= 0) {
                        reads[k] += n;
                        nanos[k] += System.nanoTime() - start;
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        out.printf("read_conversation of %d messages, %d threads, %d rounds of %d ms blocks taking turns%n",
                messages, threads, rounds, blockMillis);
        out.printf("%-24s %12s %12s %10s%n", "reader", "reads", "reads/s", "vs owner");
        double ownerRate = reads[0] / (nanos[0] / 1e9);
        for (int k = 0; k < kinds.length; k++) {
            double rate = reads[k] / (nanos[k] / 1e9);
            out.printf("%-24s %12d %12.0f %9.2fx%n", kinds[k].name().toLowerCase().replace('_', ' '), reads[k], rate,
                    rate / ownerRate);
        }
    }
}
