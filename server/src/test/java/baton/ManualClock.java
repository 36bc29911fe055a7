package baton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A clock that a test moves by hand. {@link #then} queues instants that the next calls of
 * {@link #instant} return one by one (a call that reads the clock several times can be made to
 * cross an instant between two of its reads); after the queue it stays at the last one.
 */
public final class ManualClock extends Clock {

    private Instant now;
    private final Deque<Instant> upcoming = new ArrayDeque<>();

    public ManualClock(Instant start) {
        this.now = start;
    }

    public synchronized void set(Instant instant) {
        upcoming.clear();
        now = instant;
    }

    public synchronized void advance(Duration by) {
        set(now.plus(by));
    }

    /** The next calls of {@link #instant} return these, in order. */
    public synchronized void then(Instant... instants) {
        upcoming.addAll(java.util.List.of(instants));
    }

    @Override
    public synchronized Instant instant() {
        if (!upcoming.isEmpty()) {
            now = upcoming.poll();
        }
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a manual clock stays in UTC");
    }
}
