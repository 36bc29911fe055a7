package baton.http;

import baton.mcp.InvalidUtf8;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
            return new Replay(request, body);
        }
        InvalidUtf8 problem = InvalidUtf8.find(body, "the body");
        if (problem == null) {
            return new Replay(request, body);
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

    /** A request whose body has been read, and is read again from memory. */
    private static final class Replay extends HttpServletRequestWrapper {
        private final byte[] body;

        Replay(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body has been read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String charset = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body),
                    charset == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(charset)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public String toString() {
            return "Replay[" + getMethod() + " " + getRequestURI() + ", " + body.length + " bytes]";
        }
    }
}
