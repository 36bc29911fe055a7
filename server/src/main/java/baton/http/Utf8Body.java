package baton.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
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
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The UTF-8 check of a POSTed body. JSON-RPC over MCP is UTF-8, but the SDK's transport decodes the
 * body leniently, so bytes that are not UTF-8 became U+FFFD and were stored as if the caller had
 * sent them. The gate reads the body once here: invalid bytes are refused with a JSON-RPC error
 * naming the field that holds them ({@code params.arguments.messages[0].content}); a valid body is
 * handed on in a request that replays it.
 */
final class Utf8Body {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

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
        int bad = firstMalformed(body);
        if (bad < 0) {
            return new Replay(request, body);
        }
        byte[] readable = replaceMalformed(body);
        String field = fieldAt(readable, bad);
        JsonNode id = idOf(readable);
        String sentence = (field == null ? "The request body" : field.startsWith("a ") ? capitalized(field) : field)
                + " is not valid UTF-8 (a malformed byte sequence at byte " + bad + " of the body); send text as UTF-8.";
        int code = field != null && (field.equals("params") || field.startsWith("params.") || field.startsWith("params["))
                ? -32602 : -32600;
        // a request with an id gets its error as its answer; anything else is refused outright
        answer(response, id == null ? HttpServletResponse.SC_BAD_REQUEST : HttpServletResponse.SC_OK, id, code, sentence);
        return null;
    }

    /** The offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
    static int firstMalformed(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isOverflow()) {
                out.clear();
                continue;
            }
            result = decoder.flush(out);
            if (result.isOverflow()) {
                out.clear();
                continue;
            }
            return -1;
        }
    }

    /** The body with every malformed sequence replaced by as many '?' bytes: valid UTF-8, same offsets. */
    private static byte[] replaceMalformed(byte[] body) {
        byte[] copy = body.clone();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(8192);
        while (in.hasRemaining()) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    copy[in.position() + i] = '?';
                }
                in.position(in.position() + result.length());
            } else if (result.isOverflow()) {
                out.clear();
            } else {
                break;
            }
        }
        return copy;
    }

    /**
     * The JSON path ({@code params.arguments.messages[0].content}) of the string or field name that
     * spans byte {@code offset}, or null when the body is not JSON that far.
     */
    static String fieldAt(byte[] readable, int offset) {
        try (JsonParser parser = FACTORY.createParser(readable)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                long start = parser.currentTokenLocation().getByteOffset();
                if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    parser.getText(); // reads the whole string, so the location is its end
                    long end = parser.currentLocation().getByteOffset();
                    if (offset >= start && offset < end) {
                        JsonStreamContext context = parser.getParsingContext();
                        return token == JsonToken.FIELD_NAME
                                ? "a field name in " + path(context.getParent(), "the request")
                                : path(context, null);
                    }
                } else if (start > offset) {
                    return null;
                }
            }
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
        return null;
    }

    private static String path(JsonStreamContext context, String root) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.addFirst("[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                parts.addFirst((c.getParent() != null && c.getParent().inRoot() ? "" : ".") + c.getCurrentName());
            }
        }
        String path = String.join("", parts);
        return path.isEmpty() ? (root == null ? "The request body" : root) : path;
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** The request's id when the body is a request object with one, so the error can answer it. */
    private static JsonNode idOf(byte[] readable) {
        try {
            JsonNode id = JSON.readTree(readable).get("id");
            return id != null && (id.isTextual() || id.isIntegralNumber()) ? id : null;
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
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
