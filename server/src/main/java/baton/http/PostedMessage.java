package baton.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.util.Map;

/**
 * The one JSON-RPC message a POST to {@code /mcp} carries, checked before the MCP transport sees
 * it. The transport reads only the first JSON value of a body and drops the rest, and answers a
 * request whose params it cannot read with an empty 200; here such bodies get a JSON-RPC error
 * instead: -32700 for a body that is not exactly one JSON value, -32600 for one that is not a
 * JSON-RPC 2.0 message (a batch array among them: MCP over HTTP takes one message per POST), and
 * -32602 for a request whose params are malformed ({@code initialize} and {@code tools/call} field
 * by field, the other methods whose params the SDK reads into a typed request by reading them so).
 *
 * @param kind what the message is; null when {@code problem} is set
 * @param id the request's or response's id (a string or a number); null for a notification
 * @param method the method of a request or notification
 * @param params the params of a request or notification, or null
 * @param problem the error when the body is not one valid message, else null
 */
record PostedMessage(Kind kind, JsonNode id, String method, JsonNode params, Problem problem) {

    enum Kind { REQUEST, NOTIFICATION, RESPONSE }

    /** Why a body is refused: the JSON-RPC error code and its sentence. */
    record Problem(int code, String sentence) {
    }

    static PostedMessage read(ObjectMapper mapper, String body) {
        JsonNode message;
        try (JsonParser parser = mapper.createParser(body)) {
            message = mapper.readTree(parser);
            if (message == null) {
                return refused(JsonRpcErrors.PARSE_ERROR, "The request body is empty; send one JSON-RPC message.");
            }
            if (parser.nextToken() != null) {
                return refused(JsonRpcErrors.PARSE_ERROR, "The request body holds more than one JSON value;"
                        + " send one JSON-RPC message per POST.");
            }
        } catch (JsonProcessingException e) {
            return refused(JsonRpcErrors.PARSE_ERROR, "The request body is not valid JSON (at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ").");
        } catch (IOException e) {
            return refused(JsonRpcErrors.PARSE_ERROR, "The request body could not be read as JSON.");
        }
        return classify(message);
    }

    private static PostedMessage classify(JsonNode message) {
        if (message.isArray()) {
            return refused(JsonRpcErrors.INVALID_REQUEST, "JSON-RPC batches are not supported;"
                    + " send one message per POST.");
        }
        if (!message.isObject()) {
            return refused(JsonRpcErrors.INVALID_REQUEST, "The request body must be a JSON-RPC message object, not "
                    + message.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ".");
        }
        if (!"2.0".equals(message.path("jsonrpc").textValue())) {
            return refused(JsonRpcErrors.INVALID_REQUEST, "The message must carry \"jsonrpc\": \"2.0\".");
        }
        JsonNode id = message.get("id");
        if (id != null && !id.isTextual() && !id.isNumber()) {
            return refused(JsonRpcErrors.INVALID_REQUEST, "The message's id must be a string or a number.");
        }
        JsonNode method = message.get("method");
        boolean answer = message.has("result") || message.has("error");
        if (method != null) {
            if (!method.isTextual() || method.textValue().isEmpty()) {
                return refused(JsonRpcErrors.INVALID_REQUEST, "The message's method must be a non-empty string.");
            }
            if (answer) {
                return refused(JsonRpcErrors.INVALID_REQUEST,
                        "A message is a request or a response, not both: it has a method and a result or error.");
            }
            JsonNode params = message.get("params");
            return new PostedMessage(id == null ? Kind.NOTIFICATION : Kind.REQUEST, id, method.textValue(),
                    params == null || params.isNull() ? null : params, null);
        }
        if (!answer) {
            return refused(JsonRpcErrors.INVALID_REQUEST,
                    "The message has no method, result or error, so it is no JSON-RPC message.");
        }
        if (id == null) {
            return refused(JsonRpcErrors.INVALID_REQUEST, "A response must carry the id of the request it answers.");
        }
        if (message.has("result") == message.has("error")) {
            return refused(JsonRpcErrors.INVALID_REQUEST, "A response carries a result or an error, not both.");
        }
        return new PostedMessage(Kind.RESPONSE, id, null, null, null);
    }

    /**
     * The problem with a request's or notification's params, or null: params, when present, are an
     * object (MCP names every parameter), an {@code initialize} has them, and a {@code tools/call}
     * names its tool with a string and passes its arguments as an object.
     */
    Problem paramsProblem(ObjectMapper mapper) {
        if (params != null && !params.isObject()) {
            return new Problem(JsonRpcErrors.INVALID_PARAMS, "The params of " + shortMethod() + " must be an object.");
        }
        if (params != null && params.has("_meta") && !params.get("_meta").isObject()
                && !params.get("_meta").isNull()) {
            return new Problem(JsonRpcErrors.INVALID_PARAMS, "params._meta of " + shortMethod() + " must be an object.");
        }
        if ("initialize".equals(method)) {
            return initializeProblem();
        }
        if (!"tools/call".equals(method)) {
            return typedParamsProblem(mapper);
        }
        JsonNode name = params == null ? null : params.get("name");
        if (name == null || name.isNull()) {
            return new Problem(JsonRpcErrors.INVALID_PARAMS, "tools/call needs params.name, the name of the tool.");
        }
        if (!name.isTextual()) {
            return new Problem(JsonRpcErrors.INVALID_PARAMS, "params.name of tools/call must be a string.");
        }
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            return new Problem(JsonRpcErrors.INVALID_PARAMS, "params.arguments of tools/call must be an object.");
        }
        return null;
    }

    /**
     * The methods whose params the SDK reads into a typed request before it can answer: params it
     * cannot read make it answer nothing at all, so they are read here first. (tools/call is
     * checked field by field above: its arguments may be large, and are read once, by the SDK.)
     */
    private static final Map<String, Class<?>> TYPED_PARAMS = Map.of(
            "prompts/get", McpSchema.GetPromptRequest.class,
            "resources/read", McpSchema.ReadResourceRequest.class,
            "resources/subscribe", McpSchema.SubscribeRequest.class,
            "resources/unsubscribe", McpSchema.UnsubscribeRequest.class,
            "completion/complete", McpSchema.CompleteRequest.class,
            "logging/setLevel", McpSchema.SetLevelRequest.class);

    private Problem typedParamsProblem(ObjectMapper mapper) {
        Class<?> type = TYPED_PARAMS.get(method);
        if (type == null || kind != Kind.REQUEST) {
            return null;
        }
        if (params == null) {
            return new Problem(JsonRpcErrors.INVALID_PARAMS, method + " needs params.");
        }
        try {
            mapper.convertValue(params, type);
            return null;
        } catch (IllegalArgumentException e) {
            StringBuilder field = new StringBuilder("params");
            if (e.getCause() instanceof JsonMappingException mapping) {
                for (JsonMappingException.Reference step : mapping.getPath()) {
                    if (step.getFieldName() != null) {
                        field.append('.').append(step.getFieldName());
                    } else if (step.getIndex() >= 0) {
                        field.append('[').append(step.getIndex()).append(']');
                    }
                }
            }
            return new Problem(JsonRpcErrors.INVALID_PARAMS, shorten(field.toString()) + " of " + method
                    + " does not have the type the method takes.");
        }
    }

    /** initialize names its version as a string and its capabilities and itself as objects. */
    private Problem initializeProblem() {
        if (params == null) {
            return new Problem(JsonRpcErrors.INVALID_PARAMS,
                    "initialize needs params with protocolVersion, capabilities and clientInfo.");
        }
        if (params.has("protocolVersion") && !params.get("protocolVersion").isTextual()) {
            return new Problem(JsonRpcErrors.INVALID_PARAMS, "params.protocolVersion of initialize must be a string.");
        }
        for (String field : new String[] {"capabilities", "clientInfo"}) {
            if (params.has(field) && !params.get(field).isObject()) {
                return new Problem(JsonRpcErrors.INVALID_PARAMS, "params." + field + " of initialize must be an object.");
            }
        }
        return null;
    }

    boolean isInitialize() {
        return kind == Kind.REQUEST && "initialize".equals(method);
    }

    private String shortMethod() {
        return shorten(method);
    }

    /** A caller's value cut to 60 characters for a sentence. */
    static String shorten(String value) {
        return value.length() <= 60 ? value : value.substring(0, 60) + "…";
    }

    private static PostedMessage refused(int code, String sentence) {
        return new PostedMessage(null, null, null, null, new Problem(code, sentence));
    }
}
