package baton.mcp;

import baton.conversation.Identity;
import io.modelcontextprotocol.server.McpSyncServerExchange;

/**
 * Who is calling. Over stdio the identity is fixed for the process; over HTTP it comes from the
 * bearer token carried in the request's transport context.
 */
@FunctionalInterface
public interface IdentityResolver {

    Identity resolve(McpSyncServerExchange exchange);

    static IdentityResolver fixed(Identity identity) {
        return exchange -> identity;
    }
}
