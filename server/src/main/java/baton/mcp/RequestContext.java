package baton.mcp;

import baton.agent.Cancellation;
import baton.agent.Sampler;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpSyncServerExchange;

/**
 * What a transport hands a request's handler beside the message, through the SDK's transport
 * context: the request's {@link Cancellation}, which the transport sets when the caller cancels.
 */
public final class RequestContext {

    /** The transport context key of the request's {@link Cancellation}. */
    public static final String CANCELLATION = "baton.cancellation";

    private RequestContext() {
    }

    /**
     * The MCP client that sent the request, as the agent's {@link Sampler}: {@code sampling/createMessage}
     * on the request's exchange, within the request's session (over HTTP the SDK answers on the
     * request's stream), with tools when the client declared {@code sampling.tools}.
     */
    public static Sampler sampler(McpSyncServerExchange exchange) {
        if (exchange == null) {
            return Sampler.NONE;
        }
        return new McpSampler(exchange, cancellation(exchange));
    }

    /** The request's cancellation, or one nobody sets when the transport gave none. */
    public static Cancellation cancellation(McpSyncServerExchange exchange) {
        McpTransportContext context = exchange == null ? null : exchange.transportContext();
        Object value = context == null ? null : context.get(CANCELLATION);
        return value instanceof Cancellation c ? c : Cancellation.none();
    }
}
