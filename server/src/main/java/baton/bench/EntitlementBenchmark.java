package baton.bench;

import baton.agent.ToolGateway;
import baton.agent.UpstreamEntitlements;
import baton.agent.UpstreamServer;
import baton.conversation.ContentType;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Message;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import baton.conversation.Role;
import baton.conversation.ToolResultsPolicy;
import baton.db.Database;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The cost of a {@code checked} share: the first read by a new reader of a shared conversation
 * (1,000 messages, 250 tool results over 25 distinct tool+resource pairs) against an upstream
 * answering in {@code delayMillis}, and a second read by the same reader within the TTL, both
 * against the same reads under policy {@code all}, in one run: a reader's first read of each
 * (both record the read), then reads again taking turns (both folded into that record). Each
 * round uses a new reader, so every first read is cold (the reader's own upstream session, no
 * cache row); warm-up rounds on readers of their own come first, through the same paths.
 */
public final class EntitlementBenchmark {

    static final int TURNS = 250;
    static final int DISTINCT = 25;
    /** Reads again within the TTL per reader, of each policy. */
    static final int REPEATS = 6;

    private final Database db;
    private final PrintStream out;

    public EntitlementBenchmark(Database db, PrintStream out) {
        this.db = db;
        this.out = out;
    }

    public void run(int warmUp, int rounds, long delayMillis) throws Exception {
        // readers may read datasets d0..d19; d20..d24 are refused: both outcomes are exercised
        try (BenchUpstream upstream = new BenchUpstream(delayMillis,
                (user, dataset) -> Integer.parseInt(dataset.substring(1)) < 20);
                ToolGateway gateway = new ToolGateway(List.of(new UpstreamServer("warehouse", URI.create(upstream.url()),
                        null, Map.of(), null, Map.of(), Duration.ofSeconds(10))),
                        new JacksonMcpJsonMapper(new ObjectMapper()), "bench")) {
            UpstreamEntitlements entitlements = new UpstreamEntitlements(gateway, db, UpstreamEntitlements.DEFAULT_TTL,
                    Clock.systemUTC());
            Conversations conversations = new Conversations(db, Clock.systemUTC(), entitlements, ToolResultsPolicy.CHECKED);
            String project = "bench-" + UUID.randomUUID();
            Identity owner = new Identity("bench-owner", project, Role.EDITOR);
            UUID checked = conversation(conversations, owner);
            UUID all = conversation(conversations, owner);
            conversations.share(owner, checked, null, ToolResultsPolicy.CHECKED);
            conversations.share(owner, all, null, ToolResultsPolicy.ALL);

            // Warm up every path that is timed, on readers of their own: the JIT compiles the read,
            // the MCP client and the fixture upstream alike, as in a server that has been running
            // (warming only the policy-all read would charge the compilation of the checked path,
            // and nothing else, to the checked figures).
            for (int w = 0; w < warmUp; w++) {
                Identity warm = new Identity("bench-warm-" + w, project, Role.EDITOR);
                conversations.readAll(warm, all);
                conversations.readAll(warm, checked);
                for (int i = 0; i < REPEATS; i++) {
                    conversations.readAll(warm, all);
                    conversations.readAll(warm, checked);
                }
            }
            long[] allTimes = new long[rounds];
            long[] firstTimes = new long[rounds];
            long[] allAgainTimes = new long[rounds * REPEATS];
            long[] secondTimes = new long[rounds * REPEATS];
            long[] firstCalls = new long[rounds];
            long secondCalls = 0;
            int withheld = 0;
            for (int r = 0; r < rounds; r++) {
                Identity reader = new Identity("bench-reader-" + r, project, Role.EDITOR);
                // a reader's first read of each: both record the read in the activity log
                long start = System.nanoTime();
                conversations.readAll(reader, all);
                allTimes[r] = System.nanoTime() - start;

                long before = upstream.calls();
                start = System.nanoTime();
                List<Message> first = conversations.readAll(reader, checked).messages();
                firstTimes[r] = System.nanoTime() - start;
                firstCalls[r] = upstream.calls() - before;
                withheld = (int) first.stream().filter(m -> m.contentType() == ContentType.WITHHELD).count();

                // reads again within the TTL, taking turns (which goes first alternates): both fold
                // into the read already recorded, so each pair differs only in the policy
                before = upstream.calls();
                for (int i = 0; i < REPEATS; i++) {
                    int at = r * REPEATS + i;
                    if (i % 2 == 0) {
                        allAgainTimes[at] = timed(conversations, reader, all);
                        secondTimes[at] = timed(conversations, reader, checked);
                    } else {
                        secondTimes[at] = timed(conversations, reader, checked);
                        allAgainTimes[at] = timed(conversations, reader, all);
                    }
                }
                secondCalls += upstream.calls() - before;
            }
            double allMs = median(allTimes);
            double firstMs = median(firstTimes);
            double allAgainMs = median(allAgainTimes);
            double secondMs = median(secondTimes);
            long bound = 5 * delayMillis;
            double ratio = secondMs / allAgainMs;
            out.printf("conversation: %d messages, %d tool results over %d distinct tool+resource pairs;"
                    + " upstream answers in %d ms; %d warm-up rounds, %d rounds, medians; %d of %d messages withheld"
                    + " for each reader%n", TURNS * 4, TURNS, DISTINCT, delayMillis, warmUp, rounds, withheld, TURNS * 4);
            out.printf("%-44s %9s %15s%n", "read", "ms", "upstream calls");
            out.printf("%-44s %9.1f %15s%n", "first read, policy all", allMs, "0");
            out.printf("%-44s %9.1f %15s%n", "first read, policy checked (cold)", firstMs, range(firstCalls));
            out.printf("%-44s %9.1f %15s%n", "read again, policy all", allAgainMs, "0");
            out.printf("%-44s %9.1f %15d%n", "read again within the TTL, policy checked", secondMs, secondCalls);
            out.printf("first read:  checked - all = %.1f ms, bound 5 x %d ms = %d ms: %s%n", firstMs - allMs,
                    delayMillis, bound, firstMs - allMs <= bound ? "met" : "NOT met");
            out.printf("second read: checked / all = %.2f, bound 1.50 with 0 upstream calls: %s%n", ratio,
                    ratio <= 1.5 && secondCalls == 0 ? "met" : "NOT met");
        }
    }

    private static long timed(Conversations conversations, Identity reader, UUID id) {
        long start = System.nanoTime();
        conversations.readAll(reader, id);
        return System.nanoTime() - start;
    }

    /** 250 turns of four messages: question, call of query_dataset on one of 25 datasets, result, answer. */
    private static UUID conversation(Conversations conversations, Identity owner) {
        UUID id = conversations.create(owner, "entitlement bench").id();
        List<NewMessage> batch = new ArrayList<>();
        for (int t = 0; t < TURNS; t++) {
            UUID root = UUID.randomUUID();
            UUID call = UUID.randomUUID();
            batch.add(new NewMessage(root, MessageRole.USER, MessageType.CALL, Message.ROUTER_AGENT, null,
                    ContentType.TEXT, "question " + t));
            batch.add(new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, "query_dataset", root,
                    ContentType.JSON, "{\"dataset\":\"d" + (t % DISTINCT) + "\",\"table\":\"t\"}"));
            batch.add(new NewMessage(UUID.randomUUID(), MessageRole.TOOL, MessageType.RESULT, "query_dataset", call,
                    ContentType.JSON, "{\"rows\":[[" + t + ",2,3]]}"));
            batch.add(new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT,
                    null, ContentType.TEXT, "answer " + t));
        }
        for (int from = 0; from < batch.size(); from += Conversations.MAX_APPEND_MESSAGES) {
            conversations.append(owner, id, batch.subList(from, Math.min(batch.size(), from + Conversations.MAX_APPEND_MESSAGES)));
        }
        return id;
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    private static String range(long[] values) {
        long min = Arrays.stream(values).min().orElse(0);
        long max = Arrays.stream(values).max().orElse(0);
        return min == max ? String.valueOf(min) : min + "-" + max;
    }
}
