package baton.conversation;

import baton.db.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reads this process folded without a round trip. The first read of a reader at a boundary in a
 * 10-minute window is written before it is answered (its event exists, durably enough, before any
 * data leaves); the next ones in this process only add to a count here, which a background task
 * adds to the event every second (and before this process lists or exports activity). So a polling
 * client costs a memory increment per read, not a write. What a crash of this process loses is at
 * most the last second of counts, never an event; an orderly end loses nothing ({@link #close}).
 */
final class ReadFolds {

    private static final Logger log = LoggerFactory.getLogger(ReadFolds.class);
    /** Beyond this many folds at once, reads are written one by one (memory stays bounded). */
    static final int MAX_KEYS = 100_000;
    private static final long FLUSH_MILLIS = 1000;

    record Key(UUID conversationId, String actorId, int boundary, long window) {
    }

    /** Reads folded here and not yet added to the stored event, and the time of the last one (µs). */
    private static final class Pending {
        final AtomicLong count = new AtomicLong();
        final AtomicLong lastMicros = new AtomicLong(Long.MIN_VALUE);
    }

    private final Database db;
    private final ActivityStore store;
    private final Map<Key, Pending> known = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService flusher;
    private volatile boolean closed;

    ReadFolds(Database db, ActivityStore store) {
        this.db = db;
        this.store = store;
    }

    /** Counts a read whose event this process already wrote; false when the read must be written. */
    boolean fold(Key key, Instant at) {
        Pending p = known.computeIfPresent(key, (k, v) -> {
            v.count.incrementAndGet();
            v.lastMicros.accumulateAndGet(micros(at), Math::max);
            return v;
        });
        return p != null;
    }

    /** The read of {@code key} was written: the next ones in its window fold here. */
    void written(Key key) {
        if (!closed && known.size() < MAX_KEYS) {
            known.putIfAbsent(key, new Pending());
            startFlusher();
        }
    }

    private void startFlusher() {
        if (flusher == null) {
            synchronized (this) {
                if (flusher == null && !closed) {
                    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "baton-activity-flush");
                        t.setDaemon(true);
                        return t;
                    });
                    s.scheduleWithFixedDelay(this::flushQuietly, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
                    flusher = s;
                }
            }
        }
    }

    private void flushQuietly() {
        if (db.isClosed()) {
            // The owner closed the database without closing this first: nothing can be added any
            // more, and a task failing every second would only fill the log.
            log.debug("the database was closed; folded reads are no longer added to the activity");
            ScheduledExecutorService s = flusher;
            if (s != null) {
                s.shutdown();
            }
            return;
        }
        try {
            flush(Instant.now());
        } catch (RuntimeException e) {
            log.warn("could not add folded reads to the activity, will try again: {}", e.getMessage());
        }
    }

    /** Adds every count folded here to its stored event, and forgets the folds of past windows. */
    synchronized void flush(Instant now) {
        long window = Math.floorDiv(now.getEpochSecond(), ActivityStore.FOLD_SECONDS);
        List<ActivityStore.FoldedReads> batch = new ArrayList<>();
        List<Pending> taken = new ArrayList<>();
        for (Map.Entry<Key, Pending> e : known.entrySet()) {
            long n = e.getValue().count.getAndSet(0);
            if (n > 0) {
                batch.add(new ActivityStore.FoldedReads(e.getKey(), n, e.getValue().lastMicros.get()));
                taken.add(e.getValue());
            }
        }
        if (!batch.isEmpty()) {
            try {
                db.write("adding folded reads to the activity", c -> {
                    store.addFolded(c, batch);
                    return null;
                });
            } catch (RuntimeException e) {
                for (int i = 0; i < batch.size(); i++) {
                    taken.get(i).count.addAndGet(batch.get(i).count()); // kept for the next flush
                }
                throw e;
            }
        }
        for (Key key : known.keySet()) {
            if (key.window() < window) {
                // under the key's lock, as fold takes it: no read is counted into a fold being forgotten
                known.computeIfPresent(key, (k, v) -> v.count.get() == 0 ? null : v);
            }
        }
    }

    /**
     * Stops the task and adds what is still counted here to the activity. From then on every read
     * is written by itself: nothing is folded where no task would add it.
     */
    void close(Instant now) {
        ScheduledExecutorService s;
        synchronized (this) {
            closed = true;
            s = flusher;
        }
        if (s != null) {
            s.shutdown();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS); // a flush under way ends first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // no key is added from now on; a read folding meanwhile into a key is taken by the second round
        for (int round = 0; round < 2 && !known.isEmpty(); round++) {
            flush(now);
            for (Key key : known.keySet()) {
                // under the key's lock, as fold takes it: only a fold with nothing left to add goes
                known.computeIfPresent(key, (k, v) -> v.count.get() == 0 ? null : v);
            }
        }
    }

    private static long micros(Instant at) {
        return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
    }
}
