package baton.bench;

import baton.conversation.ContentType;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Message;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** What the benchmarks share: conversations of a given size, and order statistics. */
final class BenchData {

    private BenchData() {
    }

    /** A conversation of {@code size} messages in whole turns of four (user, tool call, tool result, answer). */
    static UUID conversation(Conversations conversations, Identity owner, int size) {
        if (size % 4 != 0) {
            throw new IllegalArgumentException("sizes must be multiples of 4 (whole turns), not " + size);
        }
        UUID id = conversations.create(owner, "bench " + size).id();
        List<NewMessage> batch = new ArrayList<>();
        for (int t = 0; t < size / 4; t++) {
            UUID root = UUID.randomUUID();
            UUID call = UUID.randomUUID();
            batch.add(new NewMessage(root, MessageRole.USER, MessageType.CALL, Message.ROUTER_AGENT, null,
                    ContentType.TEXT, "question " + t + " about the quarterly figures"));
            batch.add(new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, "query", root, ContentType.JSON,
                    "{\"dataset\":\"sales\",\"quarter\":" + (t % 4 + 1) + "}"));
            batch.add(new NewMessage(null, MessageRole.TOOL, MessageType.RESULT, "query", call, ContentType.JSON,
                    "{\"rows\":[[1,2,3],[4,5,6]],\"total\":" + t + "}"));
            batch.add(new NewMessage(null, MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null,
                    ContentType.TEXT, "The answer to question " + t + " is a short paragraph of text."));
            if (batch.size() == Conversations.MAX_APPEND_MESSAGES) {
                conversations.append(owner, id, batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            conversations.append(owner, id, batch);
        }
        return id;
    }

    static double median(long[] values) {
        return percentile(values, 50);
    }

    /** The nearest-rank percentile of {@code values} (0 < p ≤ 100). */
    static double percentile(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        if (p == 50 && sorted.length % 2 == 0) {
            return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
