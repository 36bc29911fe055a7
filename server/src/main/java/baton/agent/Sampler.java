package baton.agent;

import java.util.concurrent.CompletableFuture;

/**
 * The connected MCP client's model, asked through {@code sampling/createMessage}: the port the
 * {@code sampling} provider uses. The MCP layer implements it on the request's exchange and hands
 * it to the turn beside the request's {@link Cancellation}.
 */
public interface Sampler {

    /** No client to ask (a replay, a test, a transport that gave none). */
    Sampler NONE = new Sampler() {
        @Override
        public boolean declared() {
            return false;
        }

        @Override
        public boolean toolsDeclared() {
            return false;
        }

        @Override
        public CompletableFuture<SamplingReply> sample(SamplingRequest request) {
            return CompletableFuture.failedFuture(new IllegalStateException("no MCP client to sample"));
        }
    };

    /** Whether the client declared the {@code sampling} capability when it initialized. */
    boolean declared();

    /**
     * Whether the client also declared {@code sampling.tools} (MCP 2025-11-25): only then may a
     * request carry tools or tool blocks.
     */
    boolean toolsDeclared();

    /**
     * Asks the client's model; the answer (or the client's error) completes the returned future.
     * Cancelling the future abandons the request: the client is told with
     * {@code notifications/cancelled} when the request had gone out.
     */
    CompletableFuture<SamplingReply> sample(SamplingRequest request);
}
