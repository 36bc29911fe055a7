package baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one shape of every error Baton's HTTP side writes: a JSON-RPC error whose message is one
 * sentence. The {@code id} is the request's when it is known and left out when it is not (JSON-RPC
 * 2.0 allows null there, but MCP's schema does not, and strict clients reject {@code "id": null}).
 */
final class JsonRpcErrors {

    /** The body is not JSON, or holds more than one JSON value. */
    static final int PARSE_ERROR = -32700;
    /** The body is JSON but not one JSON-RPC 2.0 message (a batch array, a wrong id, no method). */
    static final int INVALID_REQUEST = -32600;
    /** The message is a request whose params do not have the shape its method takes. */
    static final int INVALID_PARAMS = -32602;
    /** The server failed to answer a well-formed request. */
    static final int INTERNAL_ERROR = -32603;
    /** Refused at the HTTP level: a header, the credentials, the path, the HTTP method. */
    static final int REFUSED = -32000;

    static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonRpcErrors() {
    }

    /** The error's body; {@code id} null leaves the id out. */
    static byte[] body(JsonNode id, int code, String sentence) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("jsonrpc", "2.0");
        if (id != null && !id.isNull() && !id.isMissingNode()) {
            body.set("id", id);
        }
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", sentence);
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers with the error as the whole response. */
    static void write(HttpServletResponse response, int status, JsonNode id, int code, String sentence)
            throws IOException {
        byte[] bytes = body(id, code, sentence);
        response.setStatus(status);
        response.setContentType(JSON);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setContentLength(bytes.length);
        try {
            response.getOutputStream().write(bytes);
        } catch (IllegalStateException writerInUse) {
            // the transport took the writer already (it had meant to stream its answer)
            response.getWriter().write(new String(bytes, StandardCharsets.UTF_8));
            response.getWriter().flush();
        }
    }
}
