package baton.mcp.stdio;

import baton.conversation.Quote;
import baton.mcp.UnknownToolErrors;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.io.IOException;
import java.io.OutputStream;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes messages to stdout, each on one line, written and flushed whole under one lock, so answers
 * from many threads never interleave and none is dropped. Once stdout is closed by the client,
 * what is left to write is let go.
 */
final class Outbound {

    private static final Logger log = LoggerFactory.getLogger(Outbound.class);

    /** A qualified Java class name, as Jackson and the SDK put into the messages of their exceptions. */
    private static final Pattern JAVA_NAME = Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*");
    /** The start of Jackson's messages for a value that does not fit the type it should become. */
    private static final Pattern SHAPE = Pattern.compile(
            "Cannot (deserialize|construct|coerce|map)|Unrecognized field|Unexpected token|Missing required");

    private final ObjectMapper mapper;
    private final OutputStream out;
    private boolean broken;

    Outbound(ObjectMapper mapper, OutputStream out) {
        this.mapper = mapper;
        this.out = out;
    }

    /** Writes {@code message} as one line; false when stdout is gone. */
    boolean write(Object message) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            log.error("a message could not be written as JSON: {}", e.getOriginalMessage());
            if (message instanceof JSONRPCResponse r) {
                return write(new ErrorAnswer(r.id(), McpSchema.ErrorCodes.INTERNAL_ERROR,
                        "An internal error occurred while writing the answer."));
            }
            return false;
        }
        synchronized (this) {
            if (broken) {
                return false;
            }
            try {
                out.write(bytes);
                out.write('\n');
                out.flush();
                return true;
            } catch (IOException e) {
                broken = true;
                log.debug("stdout is closed: {}", e.getMessage());
                return false;
            }
        }
    }

    /**
     * The answer as a client may see it: an unknown method quoted short, and an error the SDK made
     * from a Java exception (its message names Java classes; its data is the chain of messages)
     * replaced by one sentence, the original logged.
     */
    static Object clean(JSONRPCResponse answer, String method) {
        JSONRPCError error = answer.error();
        if (error == null) {
            return answer;
        }
        if (error.code() != null && error.code() == McpSchema.ErrorCodes.METHOD_NOT_FOUND) {
            return Inbound.error(answer.id(), error.code(), "Method not found: " + Quote.of(method) + ".");
        }
        if (UnknownToolErrors.isUnknownTool(error)) {
            return answer; // the transport's mapper writes it naming the tool (UnknownToolErrors)
        }
        String message = error.message() == null ? "" : error.message();
        boolean fromException = error.data() instanceof String || JAVA_NAME.matcher(message).find();
        if (!fromException) {
            return answer;
        }
        log.warn("{} failed: {} {}", method, message, error.data() == null ? "" : error.data());
        if (SHAPE.matcher(message).find()) {
            return Inbound.error(answer.id(), McpSchema.ErrorCodes.INVALID_PARAMS,
                    "Invalid params: the params of " + Quote.of(method) + " do not have the shape that method takes.");
        }
        return Inbound.error(answer.id(), McpSchema.ErrorCodes.INTERNAL_ERROR,
                "An internal error occurred while answering " + Quote.of(method) + ".");
    }
}
