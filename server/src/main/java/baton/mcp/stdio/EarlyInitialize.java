package baton.mcp.stdio;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The early {@code initialize} answer of a stdio start, read and written without Jackson's bean
 * machinery: the first use of it (introspecting the SDK's records, their annotations and
 * accessors) took about a fifth of the time to the answer, and nothing else needs it that soon.
 * The request's params stay plain maps, and the answer is written as maps of the same JSON the
 * SDK's records give. Whatever this does not know for certain is left to Jackson as before, so the
 * answer is the same either way ({@code EarlyInitializeTest}, {@code EarlyInitializeJsonTest}).
 */
final class EarlyInitialize {

    private EarlyInitialize() {
    }

    /**
     * True when {@code params} (as {@code Inbound} reads them: maps, lists, strings, numbers,
     * booleans) certainly read as the SDK's {@code InitializeRequest}, with a protocol version: every
     * field the request's records know has the JSON type of its Java type or is null; fields they do
     * not know are ignored by them. False says nothing: Jackson is asked then, as before.
     */
    static boolean plainParams(Object params) {
        return params instanceof Map<?, ?> p
                && p.get("protocolVersion") instanceof String
                && objectOrNull(p.get("_meta"))
                && capabilities(p.get("capabilities"))
                && implementation(p.get("clientInfo"));
    }

    private static boolean capabilities(Object value) {
        if (value == null) {
            return true;
        }
        if (!(value instanceof Map<?, ?> c)) {
            return false;
        }
        return objectOrNull(c.get("experimental"))
                && (c.get("roots") == null || c.get("roots") instanceof Map<?, ?> roots && booleanOrNull(roots.get("listChanged")))
                && objectOrNull(c.get("sampling"))
                && (c.get("elicitation") == null || c.get("elicitation") instanceof Map<?, ?> elicitation
                        && objectOrNull(elicitation.get("form")) && objectOrNull(elicitation.get("url")))
                && extensions(c.get("extensions"));
    }

    private static boolean extensions(Object value) {
        if (value == null) {
            return true;
        }
        if (!(value instanceof Map<?, ?> extensions)) {
            return false;
        }
        for (Object extension : extensions.values()) {
            if (!objectOrNull(extension)) {
                return false;
            }
        }
        return true;
    }

    /** A client's {@code Implementation}; one with icons is left to Jackson. */
    private static boolean implementation(Object value) {
        if (value == null) {
            return true;
        }
        return value instanceof Map<?, ?> info
                && stringOrNull(info.get("name")) && stringOrNull(info.get("title")) && stringOrNull(info.get("version"))
                && stringOrNull(info.get("description")) && stringOrNull(info.get("websiteUrl"))
                && info.get("icons") == null;
    }

    private static boolean objectOrNull(Object value) {
        return value == null || value instanceof Map;
    }

    private static boolean stringOrNull(Object value) {
        return value == null || value instanceof String;
    }

    private static boolean booleanOrNull(Object value) {
        return value == null || value instanceof Boolean;
    }

    /** The JSON-RPC answer carrying {@code result} (made by {@link #result}). */
    static Map<String, Object> response(Object id, Map<String, Object> result) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        response.put("id", id);
        response.put("result", result);
        return response;
    }

    /**
     * {@code result} as the JSON the SDK's mapper writes for it (null fields left out, as its records
     * ask), or null when it holds what this does not write (server icons).
     */
    static Map<String, Object> result(McpSchema.InitializeResult result) {
        Map<String, Object> json = new LinkedHashMap<>();
        put(json, "protocolVersion", result.protocolVersion());
        if (result.capabilities() != null) {
            json.put("capabilities", capabilities(result.capabilities()));
        }
        McpSchema.Implementation info = result.serverInfo();
        if (info != null) {
            if (info.icons() != null) {
                return null;
            }
            Map<String, Object> server = new LinkedHashMap<>();
            put(server, "name", info.name());
            put(server, "title", info.title());
            put(server, "version", info.version());
            put(server, "description", info.description());
            put(server, "websiteUrl", info.websiteUrl());
            json.put("serverInfo", server);
        }
        put(json, "instructions", result.instructions());
        put(json, "_meta", result.meta());
        return json;
    }

    private static Map<String, Object> capabilities(McpSchema.ServerCapabilities c) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (c.completions() != null) {
            json.put("completions", Map.of());
        }
        put(json, "experimental", c.experimental());
        if (c.logging() != null) {
            json.put("logging", Map.of());
        }
        if (c.prompts() != null) {
            json.put("prompts", listChanged(c.prompts().listChanged()));
        }
        if (c.resources() != null) {
            Map<String, Object> resources = new LinkedHashMap<>();
            put(resources, "subscribe", c.resources().subscribe());
            put(resources, "listChanged", c.resources().listChanged());
            json.put("resources", resources);
        }
        if (c.tools() != null) {
            json.put("tools", listChanged(c.tools().listChanged()));
        }
        put(json, "extensions", c.extensions());
        return json;
    }

    private static Map<String, Object> listChanged(Boolean listChanged) {
        Map<String, Object> json = new LinkedHashMap<>();
        put(json, "listChanged", listChanged);
        return json;
    }

    private static void put(Map<String, Object> json, String name, Object value) {
        if (value != null) {
            json.put(name, value);
        }
    }
}
