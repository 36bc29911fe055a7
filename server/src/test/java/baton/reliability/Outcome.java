package baton.reliability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one MCP request answered, as seen by a real client: a result, a result with
 * {@code isError}, a JSON-RPC error, or a failure of the transport (the server gone, or an HTTP
 * refusal such as the gate's 503 that the SDK client surfaces as an exception carrying the body).
 */
record Outcome(String tool, Kind kind, String text, Map<String, Object> structured, long startNanos, long endNanos) {

    enum Kind { OK, REFUSED, REJECTED, FAILED }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UNAVAILABLE = Pattern.compile("database (is|became) unavailable");
    private static final Pattern ERROR_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** What must never reach a caller: stack traces, SQL and driver names. */
    static final List<String> FORBIDDEN = List.of("\tat ", "Exception", "SQL", "select ", "insert ",
            "org.postgresql", "Hikari");

    /** Calls a tool. */
    @SuppressWarnings("unchecked")
    static Outcome call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        long start = System.nanoTime();
        try {
            CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, arguments));
            String text = result.content().size() == 1 && result.content().get(0) instanceof McpSchema.TextContent t
                    ? t.text() : String.valueOf(result.content());
            Kind kind = Boolean.TRUE.equals(result.isError()) ? Kind.REFUSED : Kind.OK;
            Map<String, Object> structured = result.structuredContent() instanceof Map<?, ?> m
                    ? (Map<String, Object>) m : Map.of();
            return new Outcome(tool, kind, text, structured, start, System.nanoTime());
        } catch (McpError e) {
            return new Outcome(tool, Kind.REJECTED, e.getMessage(), Map.of(), start, System.nanoTime());
        } catch (RuntimeException e) {
            return new Outcome(tool, Kind.FAILED, String.valueOf(e), Map.of(), start, System.nanoTime());
        }
    }

    /** Gets the system_prompt prompt of a conversation. */
    static Outcome prompt(McpSyncClient client, String conversationId) {
        long start = System.nanoTime();
        try {
            McpSchema.GetPromptResult result = client.getPrompt(
                    new McpSchema.GetPromptRequest("system_prompt", Map.of("conversation_id", conversationId)));
            String text = ((McpSchema.TextContent) result.messages().get(0).content()).text();
            return new Outcome("prompt", Kind.OK, text, Map.of(), start, System.nanoTime());
        } catch (McpError e) {
            return new Outcome("prompt", Kind.REJECTED, e.getMessage(), Map.of(), start, System.nanoTime());
        } catch (RuntimeException e) {
            return new Outcome("prompt", Kind.FAILED, String.valueOf(e), Map.of(), start, System.nanoTime());
        }
    }

    /** Reads the resource baton://conversations/{id}. */
    static Outcome resource(McpSyncClient client, String conversationId) {
        long start = System.nanoTime();
        try {
            McpSchema.ReadResourceResult result = client.readResource(
                    new McpSchema.ReadResourceRequest("baton://conversations/" + conversationId));
            String text = ((McpSchema.TextResourceContents) result.contents().get(0)).text();
            return new Outcome("resource", Kind.OK, text, Map.of(), start, System.nanoTime());
        } catch (McpError e) {
            return new Outcome("resource", Kind.REJECTED, e.getMessage(), Map.of(), start, System.nanoTime());
        } catch (RuntimeException e) {
            return new Outcome("resource", Kind.FAILED, String.valueOf(e), Map.of(), start, System.nanoTime());
        }
    }

    boolean ok() {
        return kind == Kind.OK;
    }

    /** The {@code conversation} of a result (create, read, fork). */
    @SuppressWarnings("unchecked")
    Map<String, Object> conversation() {
        return (Map<String, Object>) structured.get("conversation");
    }

    /** The {@code messages} of a read. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> messages() {
        return (List<Map<String, Object>>) structured.get("messages");
    }

    /** A number of the result, or null. */
    Integer number(String name) {
        return structured.get(name) instanceof Number n ? n.intValue() : null;
    }

    /**
     * The sentence the server wrote: the text of a refusal or a JSON-RPC error, or the JSON-RPC
     * error in the body of an HTTP refusal; null for a transport failure with no such body.
     */
    String serverSentence() {
        if (kind != Kind.FAILED) {
            return text;
        }
        Matcher m = ERROR_MESSAGE.matcher(text);
        if (!m.find()) {
            return null;
        }
        try {
            return JSON.readValue("\"" + m.group(1) + "\"", String.class);
        } catch (JsonProcessingException e) {
            return m.group(1);
        }
    }

    /** A failure saying, in one sentence, that the database is unavailable. */
    boolean unavailable() {
        String sentence = serverSentence();
        return kind != Kind.OK && sentence != null && UNAVAILABLE.matcher(sentence).find();
    }

    /**
     * Whether the call may have been applied although it failed: the database's answer to the
     * commit was lost (the sentence says so), or the server's answer was (no sentence at all).
     */
    boolean outcomeUnknown() {
        if (kind == Kind.OK) {
            return false;
        }
        String sentence = serverSentence();
        return sentence == null ? kind == Kind.FAILED : sentence.contains("may or may not have been saved");
    }

    double millis() {
        return (endNanos - startNanos) / 1e6;
    }

    /** What the server wrote that must not be there: forbidden markers, or any of the secrets. */
    List<String> leaks(List<String> secrets) {
        List<String> found = new ArrayList<>();
        String written = kind == Kind.OK ? text + structured : serverSentence();
        if (written == null) {
            return found;
        }
        if (kind != Kind.OK) {
            // results carry stored content, which callers may fill with anything; failures are ours
            FORBIDDEN.stream().filter(written::contains).forEach(found::add);
            if (written.contains("\n")) {
                found.add("a line break (more than one sentence)");
            }
        }
        secrets.stream().filter(written::contains).map(s -> "the secret " + s).forEach(found::add);
        return found;
    }

    /** A short account for failure messages. */
    String describe() {
        String shown = text == null ? "" : text.length() > 300 ? text.substring(0, 300) + "…" : text;
        return tool + " → " + kind + ": " + shown;
    }
}
