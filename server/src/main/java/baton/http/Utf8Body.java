package baton.http;

import baton.mcp.InvalidUtf8;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The UTF-8 check of a POSTed body. JSON-RPC over MCP is UTF-8, but the SDK's transport decodes the
 * body leniently, so bytes that are not UTF-8 became U+FFFD and were stored as if the caller had
 * sent them. The gate reads the body once here: invalid bytes are refused with a JSON-RPC error
 * naming the field that holds them ({@code params.arguments.messages[0].content}); a valid body is
 * handed on in a request that replays it.
 */
final class Utf8Body {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Utf8Body() {
    }

    /**
     * The request to hand on (a replaying one), or null when this method has answered it already:
     * invalid UTF-8 (400, or 200 with the error for a request that has an id). Bodies that declare
     * another charset are handed on unchecked; of a body over {@code maxBytes}, the first
     * {@code maxBytes + 1} bytes, for the transport to refuse.
     */
    static HttpServletRequest check(HttpServletRequest request, HttpServletResponse response, long maxBytes)
            throws IOException {
        String charset = request.getCharacterEncoding();
        if (charset != null && !charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
            return request;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
        if (body.length > maxBytes) {
            // the transport refuses it (413) when it reads one byte more than it accepts
            return new ReplayedRequest(request, body, StandardCharsets.UTF_8);
        }
        InvalidUtf8 problem = InvalidUtf8.find(body, "the body");
        if (problem == null) {
            return new ReplayedRequest(request, body, StandardCharsets.UTF_8);
        }
        // a request with an id gets its error as its answer; anything else is refused outright
        answer(response, problem.id() == null ? HttpServletResponse.SC_BAD_REQUEST : HttpServletResponse.SC_OK,
                problem.id() == null ? null : JSON.valueToTree(problem.id()), problem.code(), problem.sentence());
        return null;
    }

    private static void answer(HttpServletResponse response, int status, JsonNode id, int code, String sentence)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("jsonrpc", "2.0");
        if (id != null) {
            body.set("id", id);
        }
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", sentence);
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
