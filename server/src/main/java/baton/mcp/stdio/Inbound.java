package baton.mcp.stdio;

import baton.conversation.Quote;
import baton.mcp.InvalidUtf8;
import baton.mcp.JsonBudget;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What one line of stdin is: a JSON-RPC message to hand to the session, a line to ignore, or a
 * malformed message and the error that answers it (JSON-RPC 2.0 section 5.1: -32700 for a line
 * that is not JSON, -32600 for JSON that is not a valid request; the id is echoed only when the
 * line had a valid one). Batches are refused: MCP dropped them in 2025-06-18.
 */
final class Inbound {

    /** The outcome of reading one line. */
    sealed interface Read {
    }

    /** A valid message; {@code id} is the request's or response's id, null for a notification. */
    record Message(McpSchema.JSONRPCMessage message, Object id) implements Read {
    }

    /** A malformed message and its answer. */
    record Rejected(ErrorAnswer answer) implements Read {
    }

    /** A blank line, or a notification or response too broken to act on: nothing to do or answer. */
    record Ignored(String why) implements Read {
    }

    private final ObjectMapper mapper;
    private final int maxBytes;
    private final JsonBudget json = JsonBudget.defaults();

    Inbound(ObjectMapper mapper, int maxBytes) {
        this.mapper = mapper.copy().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.maxBytes = maxBytes;
    }

    Read read(LineReader.Line line) {
        if (line.tooLong()) {
            return new Rejected(error(idOfStart(line.bytes()), McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: the message is longer than the limit of " + (maxBytes / (1024 * 1024)) + " MiB; it was skipped."));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line.bytes())).toString();
        } catch (CharacterCodingException e) {
            InvalidUtf8 problem = InvalidUtf8.find(line.bytes(), "the line");
            if (problem == null || problem.code() != McpSchema.ErrorCodes.INVALID_PARAMS) {
                return new Rejected(error(null, McpSchema.ErrorCodes.PARSE_ERROR, "Parse error: the line is not valid UTF-8."));
            }
            // bad bytes in a request's params: refused naming the field, as the answer to the request
            return new Rejected(error(problem.id() == null ? null : id(mapper.valueToTree(problem.id())), problem.code(),
                    problem.sentence()));
        }
        if (text.isBlank()) {
            return new Ignored("a blank line");
        }
        String tooMuch = json.check(line.bytes(), 0, line.bytes().length, "the line");
        if (tooMuch != null) {
            // counted before any tree is built: a line of a million tiny values costs a scan, not a million nodes
            return new Rejected(error(idOfStart(line.bytes()), McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: " + Character.toLowerCase(tooMuch.charAt(0)) + tooMuch.substring(1)));
        }
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            return new Rejected(error(null, McpSchema.ErrorCodes.PARSE_ERROR, "Parse error: the line is not valid JSON"
                    + (at == null ? "." : " (at column " + at.getColumnNr() + ").")));
        }
        if (node.isArray()) {
            return new Rejected(error(null, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: batches (JSON arrays) are not supported; send one message per line."));
        }
        if (!node.isObject()) {
            return new Rejected(error(null, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a message must be a JSON object."));
        }
        return message((ObjectNode) node);
    }

    private Read message(ObjectNode node) {
        JsonNode idNode = node.get("id");
        Object id = idNode == null ? null : id(idNode);
        boolean hasId = idNode != null;
        if (hasId && id == null) {
            return new Rejected(error(null, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: id must be a string or an integer (of at most 64 bits)."));
        }
        JsonNode version = node.get("jsonrpc");
        if (version == null || !version.isTextual() || !"2.0".equals(version.textValue())) {
            return new Rejected(error(id, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: jsonrpc must be \"2.0\"."));
        }
        JsonNode method = node.get("method");
        if (method == null) {
            if (hasId && (node.has("result") ^ node.has("error"))) {
                return response(node, id);
            }
            return new Rejected(error(id, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a message needs a method (or, as a response, an id and a result or an error)."));
        }
        if (!method.isTextual() || method.textValue().isEmpty()) {
            return new Rejected(error(id, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "Invalid request: method must be a non-empty string."));
        }
        JsonNode params = node.get("params");
        if (params != null && !params.isObject()) {
            if (!hasId) {
                return new Ignored("the notification " + Quote.of(method.textValue()) + " whose params are not an object");
            }
            return new Rejected(error(id, McpSchema.ErrorCodes.INVALID_PARAMS,
                    "Invalid params: params of " + Quote.of(method.textValue()) + " must be a JSON object."));
        }
        Object paramsValue = params == null ? null : mapper.convertValue(params, Map.class);
        if (!hasId) {
            return new Message(new McpSchema.JSONRPCNotification(McpSchema.JSONRPC_VERSION, method.textValue(),
                    paramsValue), null);
        }
        return new Message(new McpSchema.JSONRPCRequest(McpSchema.JSONRPC_VERSION, method.textValue(), id,
                paramsValue), id);
    }

    private Read response(ObjectNode node, Object id) {
        JsonNode error = node.get("error");
        if (error != null) {
            if (!error.isObject() || !error.path("code").isIntegralNumber()) {
                return new Ignored("an error response without a code");
            }
            return new Message(JSONRPCResponse.error(id, new JSONRPCError(error.get("code").intValue(),
                    error.path("message").asText(""), error.has("data") ? mapper.convertValue(error.get("data"),
                            Object.class) : null)), id);
        }
        return new Message(JSONRPCResponse.result(id, mapper.convertValue(node.get("result"), Object.class)), id);
    }

    /** A valid id as the SDK holds it (a String, Integer, Long or BigInteger), or null when it is not one. */
    static Object id(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber()) {
            // the SDK holds ids as Integer or Long; a larger one is not taken
            BigInteger value = node.bigIntegerValue();
            if (value.bitLength() < 32) {
                return value.intValue();
            }
            return value.bitLength() < 64 ? value.longValue() : null;
        }
        return null;
    }

    /** The key of an id in the table of running requests: "1" and 1 are different ids. */
    static String key(Object id) {
        return (id instanceof String ? "s:" : "n:") + id;
    }

    /**
     * The id of an over-long line, when its start names one at the top level before anything the
     * kept bytes cut off.
     */
    private Object idOfStart(byte[] start) {
        try (JsonParser p = mapper.getFactory().createParser(start)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("id".equals(name)) {
                    if (value == JsonToken.VALUE_STRING) {
                        return p.getText();
                    }
                    return value == JsonToken.VALUE_NUMBER_INT ? id(mapper.getNodeFactory().numberNode(
                            p.getBigIntegerValue())) : null;
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            // cut off before an id was seen
        }
        return null;
    }

    static ErrorAnswer error(Object id, int code, String message) {
        return new ErrorAnswer(id, code, message);
    }
}
