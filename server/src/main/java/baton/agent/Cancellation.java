package baton.agent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A caller's request to stop what it asked for: set by a transport (a {@code notifications/cancelled},
 * stdin closing, an HTTP client going away), honoured by the work it was handed to (a turn stops,
 * abandoning its model and upstream calls). Cancelling twice keeps the first reason.
 */
public final class Cancellation {

    private final AtomicReference<String> reason = new AtomicReference<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** A cancellation nobody will set (a request that cannot be cancelled). */
    public static Cancellation none() {
        return new Cancellation();
    }

    /**
     * Asks the work to stop; the listeners run on the calling thread.
     *
     * @return whether this call cancelled it (false when it was cancelled already)
     */
    public boolean cancel(String why) {
        if (!reason.compareAndSet(null, why == null ? "cancelled" : why)) {
            return false;
        }
        for (Runnable listener : listeners) {
            listener.run();
        }
        return true;
    }

    public boolean isCancelled() {
        return reason.get() != null;
    }

    /** Why it was cancelled, or null while it was not. */
    public String reason() {
        return reason.get();
    }

    /**
     * Runs {@code listener} when this is cancelled (at once if it was already). Closing the returned
     * registration removes the listener.
     */
    public Registration onCancel(Runnable listener) {
        listeners.add(listener);
        if (isCancelled() && listeners.remove(listener)) {
            listener.run();
        }
        return () -> listeners.remove(listener);
    }

    /** A listener's registration; closing it stops the listener from running. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
