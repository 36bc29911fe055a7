package baton.mcp;

import baton.conversation.Identity;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import java.util.Optional;

/**
 * Who is calling. Over stdio the identity is fixed for the process; over HTTP it comes from the
 * bearer token carried in the request's transport context.
 */
@FunctionalInterface
public interface IdentityResolver {

    /** The caller of the request whose transport context this is. */
    Identity resolve(McpTransportContext context);

    default Identity resolve(McpSyncServerExchange exchange) {
        return resolve(exchange == null ? McpTransportContext.EMPTY : exchange.transportContext());
    }

    /**
     * The caller of the latest request of an MCP session, for what the server sends a session
     * unasked (resource update notifications), or empty when the session is unknown.
     */
    default Optional<Identity> ofSession(String sessionId) {
        return Optional.empty();
    }

    static IdentityResolver fixed(Identity identity) {
        return new IdentityResolver() {
            @Override
            public Identity resolve(McpTransportContext context) {
                return identity;
            }

            @Override
            public Optional<Identity> ofSession(String sessionId) {
                return Optional.of(identity);
            }
        };
    }
}
