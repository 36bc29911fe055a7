package baton.mcp;

import baton.agent.Cancellation;
import baton.agent.TurnProgress;
import baton.conversation.BatonException;
import baton.conversation.ErrorCode;
import baton.conversation.Identity;
import baton.conversation.Quote;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@link ToolHandler}s into SDK tool specifications: the definition from tools-spec, the
 * arguments checked against its input schema, and the two error channels kept apart. Arguments
 * that break the schema are a JSON-RPC error (-32602); a business failure is a result with
 * {@code isError: true} and one sentence; nothing else (no stack trace, no SQL) reaches the caller.
 */
public final class ToolRegistry {

    private static final Logger log = LoggerFactory.getLogger(ToolRegistry.class);

    private final ToolSpecs specs;
    private final JsonSchemaValidator validator;
    private final ObjectMapper mapper;
    private final IdentityResolver identities;

    public ToolRegistry(ToolSpecs specs, JsonSchemaValidator validator, ObjectMapper mapper,
            IdentityResolver identities) {
        this.specs = specs;
        this.validator = validator;
        this.mapper = mapper;
        this.identities = identities;
    }

    public List<SyncToolSpecification> specifications(List<ToolHandler> handlers) {
        return handlers.stream().map(this::specification).toList();
    }

    private SyncToolSpecification specification(ToolHandler handler) {
        McpSchema.Tool tool = specs.tool(handler.name());
        Map<String, Object> inputSchema = tool.inputSchema();
        return SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            Map<String, Object> arguments = request.arguments() == null ? Map.of() : request.arguments();
            var validation = validator.validate(inputSchema, arguments);
            if (!validation.valid()) {
                throw McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
                        .message(schemaViolation(handler.name(), validation.errorMessage()))
                        .build();
            }
            Identity caller = identities.resolve(exchange);
            return call(handler, caller, arguments, progress(exchange, request.progressToken()),
                    RequestContext.cancellation(exchange));
        }).build();
    }

    /** The validator's list of errors, e.g. {@code [/limit: must have a minimum value of 1, : property 'x' is …]}. */
    private static final Pattern VALIDATOR_LIST = Pattern.compile(
            "^Validation failed: JSON schema validation errors: \\[(.*)]$", Pattern.DOTALL);
    /** A value or key the validator quotes, as the caller sent it. */
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'", Pattern.DOTALL);
    private static final int MAX_DETAIL = 300;

    /**
     * One sentence for arguments that break the schema. The validator quotes unknown keys as sent,
     * which may be megabytes long or hold line breaks; each is shown as {@link Quote} shows any
     * caller's value, and the whole detail is kept short.
     */
    static String schemaViolation(String tool, String validatorMessage) {
        String detail = validatorMessage == null ? "" : validatorMessage.strip();
        Matcher list = VALIDATOR_LIST.matcher(detail);
        if (list.matches()) {
            detail = list.group(1);
        }
        detail = QUOTED.matcher(detail).replaceAll(m -> Matcher.quoteReplacement(Quote.of(m.group(1))));
        // the validator names the arguments object itself with an empty location: ": property …"
        detail = Quote.printable(detail.replaceAll("(^|, ): ", "$1"), MAX_DETAIL);
        return "Invalid arguments for tool " + tool + ": " + detail + (detail.endsWith(".") ? "" : ".");
    }

    /**
     * Progress notifications for a request whose client sent a progress token, else none
     * (https://modelcontextprotocol.io/specification/2025-06-18/basic/utilities/progress).
     */
    private static TurnProgress progress(McpSyncServerExchange exchange, Object token) {
        if (token == null) {
            return TurnProgress.NONE;
        }
        AtomicInteger done = new AtomicInteger();
        return message -> {
            try {
                exchange.progressNotification(
                        new McpSchema.ProgressNotification(token, done.incrementAndGet(), null, message));
            } catch (RuntimeException e) {
                // a client that went away does not stop the work it asked for
                log.debug("progress notification not delivered: {}", e.toString());
            }
        };
    }

    /** Runs a handler and maps every outcome to a tool result. */
    CallToolResult call(ToolHandler handler, Identity caller, Map<String, Object> arguments) {
        return call(handler, caller, arguments, TurnProgress.NONE, Cancellation.none());
    }

    private CallToolResult call(ToolHandler handler, Identity caller, Map<String, Object> arguments,
            TurnProgress progress, Cancellation cancellation) {
        try {
            Map<String, Object> result = handler.call(caller, new Arguments(arguments), progress, cancellation);
            // serialized once: the text is the structured content, which goes out as that same JSON
            String json = mapper.writeValueAsString(result);
            return CallToolResult.builder()
                    .structuredContent(new RawValue(json))
                    .addTextContent(json)
                    .isError(false)
                    .build();
        } catch (ToolHandler.FailedResult e) {
            log.info("[{} {}] {} failed: {}", caller.projectId(), caller.userId(), handler.name(), e.getMessage());
            return CallToolResult.builder()
                    .structuredContent(e.structured())
                    .addTextContent(e.getMessage())
                    .isError(true)
                    .build();
        } catch (BatonException e) {
            if (e.code() == ErrorCode.INTERNAL) {
                log.error("[{} {}] {} failed", caller.projectId(), caller.userId(), handler.name(), e);
            } else {
                log.info("[{} {}] {} refused: {}", caller.projectId(), caller.userId(), handler.name(), e.getMessage());
            }
            return error(e.getMessage());
        } catch (JsonProcessingException | RuntimeException e) {
            log.error("[{} {}] {} failed unexpectedly", caller.projectId(), caller.userId(), handler.name(), e);
            return error("An internal error occurred while running " + handler.name() + "; nothing was changed.");
        }
    }

    private static CallToolResult error(String sentence) {
        return CallToolResult.builder().addTextContent(sentence).isError(true).build();
    }
}
