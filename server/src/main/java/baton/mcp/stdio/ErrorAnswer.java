package baton.mcp.stdio;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A JSON-RPC error answer made by the transport itself. Unlike the SDK's response record it may
 * leave out the id, as an answer to a line whose id could not be read must (JSON-RPC 2.0 allows
 * {@code "id": null} there, but MCP requires ids to be strings or integers, so clients take a
 * missing id better than a null one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"jsonrpc", "id", "error"})
record ErrorAnswer(String jsonrpc, Object id, Error error) {

    record Error(int code, String message) {
    }

    ErrorAnswer(Object id, int code, String message) {
        this("2.0", id, new Error(code, message));
    }
}
