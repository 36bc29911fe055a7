package baton.mcp;

import baton.conversation.Quote;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.io.IOException;

/**
 * The SDK 2.1.0 answers {@code tools/call} for a tool it does not have with the JSON-RPC error
 * -32602 "Unknown tool: invalid_tool_name" (a literal, whatever the caller sent) and the name in
 * full only in {@code data}. A client shows the message, so Baton's transports write that error
 * with a message naming the tool the caller sent, quoted short ({@link Quote}), and leave out the
 * unbounded echo. Every other error is written as the SDK made it.
 */
public final class UnknownToolErrors extends StdSerializer<JSONRPCError> {

    static final String SDK_MESSAGE = "Unknown tool: invalid_tool_name";
    static final String SDK_DATA_PREFIX = "Tool not found: ";

    private UnknownToolErrors() {
        super(JSONRPCError.class);
    }

    /** The Jackson module to register on a transport's object mapper. */
    static SimpleModule module() {
        return new SimpleModule("baton-unknown-tool").addSerializer(JSONRPCError.class, new UnknownToolErrors());
    }

    /** The sentence for a call of an unknown tool. */
    static String sentence(String name) {
        return "Unknown tool " + Quote.of(name) + "; tools/list names the tools of this server.";
    }

    /** Whether {@code error} is the SDK's answer to a call of an unknown tool (written as {@link #sentence}). */
    public static boolean isUnknownTool(JSONRPCError error) {
        return error.code() != null && error.code() == McpSchema.ErrorCodes.INVALID_PARAMS
                && SDK_MESSAGE.equals(error.message())
                && error.data() instanceof String echo && echo.startsWith(SDK_DATA_PREFIX);
    }

    @Override
    public void serialize(JSONRPCError error, JsonGenerator json, SerializerProvider provider) throws IOException {
        String message = error.message();
        Object data = error.data();
        if (isUnknownTool(error) && data instanceof String echo) {
            message = sentence(echo.substring(SDK_DATA_PREFIX.length()));
            data = null;
        }
        json.writeStartObject();
        json.writeNumberField("code", error.code());
        json.writeStringField("message", message);
        if (data != null) {
            json.writeFieldName("data");
            provider.defaultSerializeValue(data, json);
        }
        json.writeEndObject();
    }
}
