package baton.agent;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a blocking call of a turn (the model's HTTP call, a retry's wait, an upstream MCP call) on
 * a thread of its own, so that a {@link Cancellation} stops the wait at once: the turn's thread
 * returns with {@link TurnCancelled} and the call's thread is interrupted, which abandons the JDK
 * HTTP exchange or the upstream request. The turn's own thread is never interrupted, so it can
 * record the turn's end on the database straight away.
 */
final class Abandonable {

    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(work -> {
        Thread thread = new Thread(work, "baton-turn-call-" + COUNT.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private Abandonable() {
    }

    /**
     * The result of {@code work}, or {@link TurnCancelled} as soon as {@code cancellation} is set
     * (at once when it was set before). What {@code work} throws is thrown as it is (checked
     * exceptions wrapped in an {@link IllegalStateException}).
     */
    static <T> T call(Cancellation cancellation, Callable<T> work) {
        if (cancellation.isCancelled()) {
            throw new TurnCancelled();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Future<?> task = THREADS.submit(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try (Cancellation.Registration stop = cancellation.onCancel(() -> {
            result.completeExceptionally(new TurnCancelled());
            task.cancel(true);
        })) {
            return result.get();
        } catch (InterruptedException e) {
            // Nobody interrupts a turn's thread on purpose; if it happens the turn stops as cancelled,
            // and the flag is cleared so that the turn can still record its end.
            task.cancel(true);
            throw new TurnCancelled();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Runs {@code work} in the background, for clean-up a turn need not wait for. */
    static void later(Runnable work) {
        THREADS.execute(work);
    }
}
