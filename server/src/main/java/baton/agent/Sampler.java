package baton.agent;

import io.modelcontextprotocol.spec.McpSchema;

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
        public McpSchema.CreateMessageResult createMessage(McpSchema.CreateMessageRequest request) {
            throw new IllegalStateException("no MCP client to sample");
        }
    };

    /** Whether the client declared the {@code sampling} capability when it initialized. */
    boolean declared();

    /** Asks the client's model; blocks until it answers or fails. */
    McpSchema.CreateMessageResult createMessage(McpSchema.CreateMessageRequest request);
}
