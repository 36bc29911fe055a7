package baton.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many MCP sessions stay open on this instance, and for how long: at most
 * {@code maxSessionsPerCaller} per caller and {@code maxSessions} in all (a new session closes the
 * oldest idle one beyond that, the caller's own first), and a session without a request for
 * {@code sessionIdleTimeout} is closed. A session with a request in flight (an open SSE stream
 * among them) is not idle; when every session in the way is busy, the new one is refused (429).
 * Closing goes through {@link Closer}, which ends the session in the transport and forgets it
 * everywhere else it is remembered, so memory follows the open sessions, not the ones ever opened.
 */
final class SessionLimits implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SessionLimits.class);

    /** Ends one session in the transport and everything kept for it. */
    @FunctionalInterface
    interface Closer {
        void close(String sessionId);
    }

    private static final class Open {
        final String owner;
        long lastSeen;
        int inFlight;

        Open(String owner, long now) {
            this.owner = owner;
            this.lastSeen = now;
        }
    }

    private final int perCaller;
    private final int inAll;
    private final long idleNanos;
    private final Closer closer;
    private final LongSupplier nanoTime;
    private final Map<String, Open> open = new HashMap<>();
    private final Map<String, Set<String>> byOwner = new HashMap<>();
    private final Map<String, Integer> pending = new HashMap<>();
    private int pendingInAll;
    private final ScheduledExecutorService sweeper;

    SessionLimits(LimitSettings limits, Closer closer, LongSupplier nanoTime, boolean sweep) {
        this.perCaller = limits.maxSessionsPerCaller();
        this.inAll = limits.maxSessions();
        this.idleNanos = limits.sessionIdleTimeout().toNanos();
        this.closer = closer;
        this.nanoTime = nanoTime;
        if (sweep) {
            long every = Math.max(50, Math.min(30_000, limits.sessionIdleTimeout().toMillis() / 4));
            this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "baton-session-sweeper");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            this.sweeper = null;
        }
    }

    SessionLimits(LimitSettings limits, Closer closer) {
        this(limits, closer, System::nanoTime, true);
    }

    /**
     * Makes room for a new session of {@code owner}, closing the oldest idle sessions in the way;
     * false when every one in the way is busy. A true answer reserves the place until
     * {@link #opened} or {@link #abandoned}.
     */
    boolean reserve(String owner) {
        List<String> victims = new ArrayList<>();
        boolean room;
        synchronized (this) {
            room = true;
            while (room && count(owner) + pending.getOrDefault(owner, 0) >= perCaller) {
                room = evictOldestIdle(byOwner.getOrDefault(owner, Set.of()), victims);
            }
            while (room && open.size() + pendingInAll >= inAll) {
                room = evictOldestIdle(open.keySet(), victims);
            }
            if (room) {
                pending.merge(owner, 1, Integer::sum);
                pendingInAll++;
            }
        }
        for (String victim : victims) {
            log.info("closing idle session {} to make room for a new one", RequestGate.shorten(victim));
            closeQuietly(victim);
        }
        return room;
    }

    /** The reserved place became session {@code sessionId}. */
    synchronized void opened(String sessionId, String owner) {
        release(owner);
        open.put(sessionId, new Open(owner, nanoTime.getAsLong()));
        byOwner.computeIfAbsent(owner, o -> new LinkedHashSet<>()).add(sessionId);
    }

    /** The reserved place was not used (the initialize failed). */
    synchronized void abandoned(String owner) {
        release(owner);
    }

    /** A request to {@code sessionId} starts. */
    synchronized void begin(String sessionId) {
        Open o = open.get(sessionId);
        if (o != null) {
            o.inFlight++;
            o.lastSeen = nanoTime.getAsLong();
        }
    }

    /** A request to {@code sessionId} ends (its SSE stream, if it had one, is closed). */
    synchronized void end(String sessionId) {
        Open o = open.get(sessionId);
        if (o != null) {
            o.inFlight = Math.max(0, o.inFlight - 1);
            o.lastSeen = nanoTime.getAsLong();
        }
    }

    /** {@code sessionId} ended (a DELETE, or closed here). */
    synchronized void closed(String sessionId) {
        forget(sessionId);
    }

    /** Closes the sessions idle for longer than the timeout; how many. */
    int sweep() {
        List<String> idle = new ArrayList<>();
        synchronized (this) {
            long now = nanoTime.getAsLong();
            for (Map.Entry<String, Open> e : open.entrySet()) {
                if (e.getValue().inFlight == 0 && now - e.getValue().lastSeen > idleNanos) {
                    idle.add(e.getKey());
                }
            }
            idle.forEach(this::forget);
        }
        for (String id : idle) {
            log.debug("closing session {}: idle for longer than the session idle timeout", RequestGate.shorten(id));
            closeQuietly(id);
        }
        return idle.size();
    }

    synchronized int size() {
        return open.size();
    }

    synchronized int sizeOf(String owner) {
        return count(owner);
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            log.warn("closing idle sessions failed: {}", e.getMessage());
        }
    }

    private boolean evictOldestIdle(Set<String> among, List<String> victims) {
        String oldest = null;
        long oldestSeen = Long.MAX_VALUE;
        for (String id : among) {
            Open o = open.get(id);
            if (o != null && o.inFlight == 0 && (oldest == null || o.lastSeen - oldestSeen < 0)) {
                oldest = id;
                oldestSeen = o.lastSeen;
            }
        }
        if (oldest == null) {
            return false;
        }
        forget(oldest);
        victims.add(oldest);
        return true;
    }

    private void forget(String sessionId) {
        Open o = open.remove(sessionId);
        if (o != null) {
            Set<String> mine = byOwner.get(o.owner);
            if (mine != null) {
                mine.remove(sessionId);
                if (mine.isEmpty()) {
                    byOwner.remove(o.owner);
                }
            }
        }
    }

    private int count(String owner) {
        Set<String> mine = byOwner.get(owner);
        return mine == null ? 0 : mine.size();
    }

    private void release(String owner) {
        Integer n = pending.get(owner);
        if (n != null) {
            if (n <= 1) {
                pending.remove(owner);
            } else {
                pending.put(owner, n - 1);
            }
            pendingInAll = Math.max(0, pendingInAll - 1);
        }
    }

    private void closeQuietly(String sessionId) {
        try {
            closer.close(sessionId);
        } catch (RuntimeException e) {
            log.warn("closing session {} failed: {}", RequestGate.shorten(sessionId), e.getMessage());
        }
    }
}
