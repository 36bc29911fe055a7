package baton.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A JSON-RPC message whose bytes are not UTF-8, as either transport refuses it: with the JSON
 * field that holds the bad bytes named ({@code params.arguments.messages[0].content}), and as the
 * answer to the request when its id can still be read. MCP messages are UTF-8; decoding them
 * leniently would store U+FFFD as if the caller had sent it.
 *
 * @param id the request's id (a String or a Number), or null when there is none to answer
 * @param field the JSON path of the bad bytes, or null when the message is not JSON that far
 * @param code -32602 for bytes under {@code params}, else -32600
 * @param sentence one sentence naming the field and the offset
 */
public record InvalidUtf8(Object id, String field, int code, String sentence) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    /**
     * The refusal of {@code message}, or null when it is valid UTF-8.
     *
     * @param what what the bytes are, for the sentence ("the body", "the line")
     */
    public static InvalidUtf8 find(byte[] message, String what) {
        int bad = firstMalformed(message);
        if (bad < 0) {
            return null;
        }
        byte[] readable = replaceMalformed(message);
        String field = fieldAt(readable, bad);
        String sentence = (field == null ? "The message" : field.startsWith("a ") ? capitalized(field) : field)
                + " is not valid UTF-8 (a malformed byte sequence at byte " + bad + " of " + what
                + "); send text as UTF-8.";
        int code = field != null && (field.equals("params") || field.startsWith("params.") || field.startsWith("params["))
                ? -32602 : -32600;
        return new InvalidUtf8(idOf(readable), field, code, sentence);
    }

    /** The offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
    public static int firstMalformed(byte[] body) {
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
        return path.isEmpty() ? (root == null ? "The message" : root) : path;
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** The request's id (a String or a Number) when the message is a request object with one, so the error can answer it. */
    private static Object idOf(byte[] readable) {
        try {
            JsonNode id = JSON.readTree(readable).get("id");
            if (id != null && id.isTextual()) {
                return id.asText();
            }
            return id != null && id.isIntegralNumber() ? id.numberValue() : null;
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

}
