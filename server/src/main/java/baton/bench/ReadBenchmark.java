package baton.bench;

import baton.conversation.ConversationView;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import java.io.PrintStream;
import java.time.Clock;
import java.util.UUID;

/**
 * One page of 200 messages read by a project member from a shared conversation, by conversation
 * size: the middle page and the last page of each. A page costs the same whatever the size when
 * the read is one index range scan, which is what the ratio shows.
 */
public final class ReadBenchmark {

    static final int PAGE = 200;

    private final Conversations conversations;
    private final PrintStream out;

    public ReadBenchmark(Database db, PrintStream out) {
        this.conversations = new Conversations(db, Clock.systemUTC());
        this.out = out;
    }

    /**
     * Times {@code reads} page reads per size and page; the first size is the reference of the
     * ratio. Reads of all sizes and pages take turns, so JIT and caches treat them alike.
     */
    public void run(int[] sizes, int reads) {
        Identity owner = new Identity("bench-owner", "bench-" + UUID.randomUUID(), Role.EDITOR);
        Identity reader = new Identity("bench-reader", owner.projectId(), Role.EDITOR);
        String[] pages = {"middle", "last"};
        UUID[] ids = new UUID[sizes.length];
        for (int s = 0; s < sizes.length; s++) {
            if (sizes[s] < 2 * PAGE) {
                throw new IllegalArgumentException("sizes must be at least " + 2 * PAGE + ", not " + sizes[s]);
            }
            ids[s] = BenchData.conversation(conversations, owner, sizes[s]);
            conversations.share(owner, ids[s], null);
        }
        long[][][] times = new long[sizes.length][pages.length][reads];
        int warmUp = Math.max(50, reads / 2);
        for (int round = -warmUp; round < reads; round++) {
            for (int s = 0; s < sizes.length; s++) {
                int[] afters = {sizes[s] / 2 - 1, sizes[s] - PAGE - 1};
                for (int p = 0; p < pages.length; p++) {
                    long start = System.nanoTime();
                    read(reader, ids[s], afters[p]);
                    if (round >= 0) {
                        times[s][p][round] = System.nanoTime() - start;
                    }
                }
            }
        }
        out.printf("%-10s %-8s %12s %12s %10s%n", "messages", "page", "median µs", "p99 µs", "vs first");
        for (int s = 0; s < sizes.length; s++) {
            for (int p = 0; p < pages.length; p++) {
                double median = BenchData.median(times[s][p]);
                out.printf("%-10d %-8s %12.1f %12.1f %9.2fx%n", sizes[s], pages[p], median / 1e3,
                        BenchData.percentile(times[s][p], 99) / 1e3, median / BenchData.median(times[0][p]));
            }
        }
    }

    private void read(Identity reader, UUID id, int after) {
        ConversationView page = conversations.read(reader, id, after, PAGE);
        if (page.messages().size() != PAGE) {
            throw new IllegalStateException("read " + page.messages().size() + " messages, expected " + PAGE);
        }
    }
}
