package baton.mcp;

import baton.agent.Cancellation;
import baton.agent.Sampler;
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
import io.modelcontextprotocol.server.McpSyncListFilter;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@link ToolHandler}s into SDK tool specifications: the definition from tools-spec, the
 * arguments checked against its input schema, and the two error channels kept apart. A business
 * failure is a result with {@code isError: true} and one sentence. Arguments that break the schema
 * are such a result too for a session that negotiated protocol 2025-11-25 or later (SEP-1303: the
 * model must see what it got wrong), and a JSON-RPC error (-32602) for older protocol versions, as
 * their specification lists invalid arguments among protocol errors. Nothing else (no stack trace,
 * no SQL) reaches the caller.
 */
public final class ToolRegistry {

    private static final Logger log = LoggerFactory.getLogger(ToolRegistry.class);

    private final ToolSpecs specs;
    private final JsonSchemaValidator validator;
    private final ObjectMapper mapper;
    private final IdentityResolver identities;
    private final Function<String, Optional<String>> protocolVersions;

    /** The first protocol version whose clients get schema violations as tool results (SEP-1303). */
    static final String SCHEMA_ERRORS_AS_RESULTS_SINCE = ProtocolVersions.MCP_2025_11_25;

    /**
     * @param protocolVersions the protocol version a session (by id) negotiated, when known; an
     *        unknown one is taken for the newest this server speaks
     */
    public ToolRegistry(ToolSpecs specs, JsonSchemaValidator validator, ObjectMapper mapper,
            IdentityResolver identities, Function<String, Optional<String>> protocolVersions) {
        this.specs = specs;
        this.validator = validator;
        this.mapper = mapper;
        this.identities = identities;
        this.protocolVersions = protocolVersions;
    }

    public ToolRegistry(ToolSpecs specs, JsonSchemaValidator validator, ObjectMapper mapper,
            IdentityResolver identities) {
        this(specs, validator, mapper, identities, session -> Optional.empty());
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
                String sentence = schemaViolation(handler.name(), validation.errorMessage());
                if (schemaErrorsAsResults(exchange.sessionId())) {
                    return error(sentence);
                }
                throw McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message(sentence).build();
            }
            Identity caller = identities.resolve(exchange);
            return call(handler, caller, arguments, new ClientLog(exchange, request.progressToken(), caller),
                    RequestContext.cancellation(exchange), RequestContext.sampler(exchange));
        }).build();
    }

    /** Whether the session's protocol version reports schema violations as tool results (SEP-1303). */
    boolean schemaErrorsAsResults(String sessionId) {
        return protocolVersions.apply(sessionId)
                .map(version -> version.compareTo(SCHEMA_ERRORS_AS_RESULTS_SINCE) >= 0)
                .orElse(true);
    }

    /**
     * Viewers may not write, so the tools that write are left out of their {@code tools/list}: only
     * tools annotated read-only are shown to them. Calling a hidden tool by name still reaches it
     * and gets the usual one-sentence refusal.
     */
    public McpSyncListFilter<McpSchema.Tool> viewerFilter() {
        return (context, tool) -> {
            Identity caller = identities.resolve(context);
            return caller.role().canWrite()
                    || (tool.annotations() != null && Boolean.TRUE.equals(tool.annotations().readOnlyHint()));
        };
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

    /** Runs a handler and maps every outcome to a tool result. */
    CallToolResult call(ToolHandler handler, Identity caller, Map<String, Object> arguments) {
        return call(handler, caller, arguments, TurnProgress.NONE, Cancellation.none(), Sampler.NONE);
    }

    private CallToolResult call(ToolHandler handler, Identity caller, Map<String, Object> arguments,
            TurnProgress progress, Cancellation cancellation, Sampler sampler) {
        try {
            Map<String, Object> result = handler.call(caller, new Arguments(arguments), progress, cancellation,
                    sampler);
            // serialized once: the text is the structured content, which goes out as that same JSON
            String json = mapper.writeValueAsString(result);
            CallToolResult.Builder built = CallToolResult.builder()
                    .structuredContent(new RawValue(json))
                    .addTextContent(json)
                    .isError(false);
            ConversationLink.of(handler.name(), result).ifPresent(built::addContent);
            return built.build();
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
