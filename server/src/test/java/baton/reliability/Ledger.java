package baton.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What clients were told: every conversation with the messages appended to it that were
 * acknowledged, in order, and every acknowledged fork. After a run the database must hold all of
 * it; a call whose answer never came (the server killed, the database gone at the commit) leaves
 * a pending batch that must be there whole or not at all.
 */
final class Ledger {

    /** A conversation as the one client that appends to it knows it. */
    static final class Tracked {
        final String id;
        /** Messages copied by the fork that made it (0 for a new conversation). */
        final int copied;
        /** Acknowledged appended ids, in order. */
        final List<String> ids = new ArrayList<>();
        final List<String> turnEnds = new ArrayList<>();
        /** Acknowledged ids that are not turn ends (share or fork at one of them is refused). */
        final List<String> others = new ArrayList<>();
        /** A batch whose outcome the client never learned: whole or absent. */
        List<Map<String, Object>> pending = List.of();
        String openRoot;
        String openCall;

        Tracked(String id, int copied) {
            this.id = id;
            this.copied = copied;
        }

        int size() {
            return copied + ids.size();
        }

        boolean hasTurnEnd() {
            return copied > 0 || !turnEnds.isEmpty();
        }

        /** The id at {@code index}, or null inside the copied part (the fork chose those ids). */
        String idAt(int index) {
            return index < copied ? null : ids.get(index - copied);
        }

        /** Records an acknowledged batch (see {@link Batches}). */
        void acknowledge(List<Map<String, Object>> batch) {
            for (Map<String, Object> m : batch) {
                String id = (String) m.get("id");
                ids.add(id);
                (Batches.isTurnEnd(m) ? turnEnds : others).add(id);
            }
            pending = List.of();
        }

        void pending(List<Map<String, Object>> batch) {
            pending = batch;
        }

        List<String> pendingIds() {
            return Batches.ids(pending);
        }
    }

    /** An acknowledged fork. */
    record Fork(String forkId, String sourceId, int copied) {
    }

    final Queue<Tracked> conversations = new ConcurrentLinkedQueue<>();
    final Queue<Fork> forks = new ConcurrentLinkedQueue<>();
    /** Writes whose outcome the client could not know: a fork or creation may exist (whole) or not. */
    final AtomicInteger unknownOutcomes = new AtomicInteger();
    /** Appends sent again with the same ids after a lost answer. */
    final AtomicInteger retriedAppends = new AtomicInteger();

    Tracked track(String id, int copied) {
        Tracked t = new Tracked(id, copied);
        conversations.add(t);
        return t;
    }
}
