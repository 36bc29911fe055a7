package baton.mcp;

import baton.conversation.BatonException;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * JSON-RPC errors for prompts and resources, which have no {@code isError} result: the code says
 * the kind, the message is the same one sentence a tool would give.
 */
final class McpErrors {

    /** Server-defined code for "access denied" (the JSON-RPC range -32000 to -32099). */
    static final int ACCESS_DENIED = -32003;
    /** Server-defined code for a database that cannot be reached. */
    static final int UNAVAILABLE = -32004;

    private McpErrors() {
    }

    static McpError of(BatonException e) {
        int code = switch (e.code()) {
            case NOT_FOUND -> McpSchema.ErrorCodes.RESOURCE_NOT_FOUND;
            case ACCESS_DENIED, ROLE_NOT_ALLOWED -> ACCESS_DENIED;
            case STORAGE_UNAVAILABLE -> UNAVAILABLE;
            case INTERNAL, CONFIGURATION -> McpSchema.ErrorCodes.INTERNAL_ERROR;
            default -> McpSchema.ErrorCodes.INVALID_PARAMS;
        };
        return McpError.builder(code).message(e.getMessage()).build();
    }

    static McpError internal(String what) {
        return McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR)
                .message("An internal error occurred while " + what + ".").build();
    }
}
