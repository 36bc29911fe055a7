package baton.mcp;

import java.util.concurrent.CompletionStage;

/**
 * A transport that can hold {@code resources/subscribe} until the server hears changes: one that
 * reads requests before the database is open (stdio started early) would otherwise answer a
 * subscription whose first changes nobody hears.
 */
public interface SubscriptionsListening {

    /** {@code listening} completes once changes committed from then on reach the subscribers. */
    void subscriptionsListening(CompletionStage<?> listening);
}
