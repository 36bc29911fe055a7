package baton.mcp;

import baton.agent.SamplingContent;
import baton.agent.SamplingReply;
import baton.agent.SamplingRequest;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.ContextualSerializer;
import com.fasterxml.jackson.databind.ser.ResolvableSerializer;
import java.util.function.Function;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sampling with tools (MCP 2025-11-25, SEP-1577) on the MCP Java SDK 2.1.0, whose schema has none
 * of it: no {@code sampling.tools} in {@code ClientCapabilities}, no {@code tools}/{@code toolChoice}
 * in {@code CreateMessageRequest}, a single content block in {@code CreateMessageResult}, no
 * {@code tool_use}/{@code tool_result} content. The SDK hands every message to the transport's
 * object mapper, so this Jackson module on Baton's transports carries what the schema lacks, under
 * Baton-private {@code _meta} keys that never reach the wire:
 * <ul>
 * <li>reading {@code initialize}: a client whose {@code capabilities.sampling} has {@code tools} gets
 *     {@value #TOOLS_DECLARED} in its capabilities' {@code experimental} ({@link #toolsDeclared});</li>
 * <li>writing {@code sampling/createMessage}: {@value #REQUEST} in the request's {@code _meta} holds
 *     the messages as the spec writes them (content arrays, {@code tool_use}, {@code tool_result}),
 *     {@code tools} and {@code toolChoice}; they replace the SDK's fields and the key is dropped. It
 *     also holds a call token, so that the JSON-RPC id the SDK gave the request is remembered for
 *     {@code notifications/cancelled} ({@link #sentId});</li>
 * <li>reading a {@code CreateMessageResult} whose content is an array or holds a block the SDK does
 *     not know ({@code tool_use}): the blocks as sent go in the result's {@code _meta} under
 *     {@value #REPLY}, and the SDK gets a text block, so it does not fail;</li>
 * <li>writing a progress notification whose {@code _meta} holds {@value #CANCEL}: it goes out as
 *     the {@code notifications/cancelled} it carries (the SDK's exchange has no other way to send a
 *     notification of Baton's choosing).</li>
 * </ul>
 * Everything else is written and read exactly as the SDK does. The agent never sees any of this:
 * it speaks {@link SamplingRequest} and {@link SamplingReply} through {@link McpSampler}.
 */
public final class SamplingWire {

    static final String TOOLS_DECLARED = "baton.sampling.tools";
    static final String REQUEST = "baton.sampling/request";
    static final String REPLY = "baton.sampling/reply";
    static final String CANCEL = "baton.sampling/cancel";

    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final Set<String> SDK_CONTENT_TYPES = Set.of("text", "image", "audio", "resource", "resource_link");
    /** Call token of a sampling request → the JSON-RPC id it went out with, while it is pending. */
    private static final Map<String, Object> SENT = new ConcurrentHashMap<>();

    private SamplingWire() {
    }

    /** The Jackson module to register on a transport's object mapper. */
    static SimpleModule module() {
        SimpleModule module = new SimpleModule("baton-sampling-tools");
        module.addDeserializer(McpSchema.ClientCapabilities.class, new CapabilitiesReader());
        module.addDeserializer(McpSchema.CreateMessageResult.class, new ResultReader());
        module.setSerializerModifier(new BeanSerializerModifier() {
            @Override
            @SuppressWarnings("unchecked")
            public JsonSerializer<?> modifySerializer(SerializationConfig config, BeanDescription description,
                    JsonSerializer<?> serializer) {
                if (description.getBeanClass() == McpSchema.CreateMessageRequest.class) {
                    return new RequestWriter((JsonSerializer<Object>) serializer);
                }
                if (description.getBeanClass() == McpSchema.JSONRPCNotification.class) {
                    return new NotificationWriter((JsonSerializer<Object>) serializer);
                }
                return serializer;
            }
        });
        return module;
    }

    /** Whether the client declared {@code sampling.tools} when it initialized. */
    static boolean toolsDeclared(McpSchema.ClientCapabilities capabilities) {
        return capabilities != null && capabilities.sampling() != null && capabilities.experimental() != null
                && Boolean.TRUE.equals(capabilities.experimental().get(TOOLS_DECLARED));
    }

    /** The JSON-RPC id the sampling request of {@code call} went out with, or null (not sent yet, or answered). */
    static Object sentId(String call) {
        return SENT.get(call);
    }

    static void forget(String call) {
        SENT.remove(call);
    }

    /**
     * The SDK request for {@code request}: text messages as the SDK writes them; with tools or
     * tool blocks, the spec's messages, {@code tools} and {@code toolChoice} under {@value #REQUEST}.
     */
    static McpSchema.CreateMessageRequest request(SamplingRequest request, String call) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("call", call);
        List<McpSchema.SamplingMessage> messages = new ArrayList<>();
        List<Object> raw = new ArrayList<>();
        for (SamplingRequest.Message m : request.messages()) {
            McpSchema.Role role = m.assistant() ? McpSchema.Role.ASSISTANT : McpSchema.Role.USER;
            StringBuilder text = new StringBuilder();
            List<Object> blocks = new ArrayList<>();
            for (SamplingContent c : m.content()) {
                blocks.add(block(c));
                if (c instanceof SamplingContent.Text t) {
                    text.append(t.text());
                }
            }
            messages.add(new McpSchema.SamplingMessage(role, new McpSchema.TextContent(text.toString())));
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.assistant() ? "assistant" : "user");
            message.put("content", blocks.size() == 1 ? blocks.get(0) : blocks);
            raw.add(message);
        }
        if (request.usesTools()) {
            wire.put("messages", raw);
            List<Object> tools = new ArrayList<>();
            for (SamplingRequest.Tool t : request.tools()) {
                Map<String, Object> tool = new LinkedHashMap<>();
                tool.put("name", t.name());
                if (t.description() != null) {
                    tool.put("description", t.description());
                }
                tool.put("inputSchema", t.inputSchema());
                tools.add(tool);
            }
            if (!tools.isEmpty()) {
                wire.put("tools", tools);
            }
            if (request.toolChoice() != null && !tools.isEmpty()) {
                wire.put("toolChoice", Map.of("mode", request.toolChoice().mode()));
            }
        }
        McpSchema.CreateMessageRequest.Builder out = McpSchema.CreateMessageRequest.builder()
                .messages(messages)
                .systemPrompt(request.systemPrompt())
                .includeContext(McpSchema.CreateMessageRequest.ContextInclusionStrategy.NONE)
                .maxTokens(request.maxTokens())
                .meta(Map.of(REQUEST, wire));
        if (request.modelHint() != null) {
            out.modelPreferences(McpSchema.ModelPreferences.builder().addHint(request.modelHint()).build());
        }
        return out.build();
    }

    private static Map<String, Object> block(SamplingContent content) {
        Map<String, Object> block = new LinkedHashMap<>();
        if (content instanceof SamplingContent.Text t) {
            block.put("type", "text");
            block.put("text", t.text());
        } else if (content instanceof SamplingContent.ToolUse u) {
            block.put("type", "tool_use");
            block.put("id", u.id());
            block.put("name", u.name());
            block.put("input", u.input());
        } else if (content instanceof SamplingContent.ToolResult r) {
            block.put("type", "tool_result");
            block.put("toolUseId", r.toolUseId());
            block.put("content", List.of(Map.of("type", "text", "text", r.text())));
            block.put("isError", r.isError());
        }
        return block;
    }

    /** The client's answer as the agent reads it: its text and {@code tool_use} blocks. */
    static SamplingReply reply(McpSchema.CreateMessageResult result) {
        String stopReason = result.stopReason() == null ? null : result.stopReason().name();
        List<SamplingContent> content = new ArrayList<>();
        if (result.meta() != null && result.meta().get(REPLY) instanceof Map<?, ?> raw) {
            stopReason = raw.get("stopReason") instanceof String s ? s : stopReason;
            if (raw.get("content") instanceof List<?> blocks) {
                for (Object b : blocks) {
                    if (b instanceof Map<?, ?> block) {
                        SamplingContent c = content(block);
                        if (c != null) {
                            content.add(c);
                        }
                    }
                }
            }
        } else if (result.content() instanceof McpSchema.TextContent t && t.text() != null) {
            content.add(new SamplingContent.Text(t.text()));
        }
        return new SamplingReply(result.model(), stopReason, content);
    }

    @SuppressWarnings("unchecked")
    private static SamplingContent content(Map<?, ?> block) {
        Object type = block.get("type");
        if ("text".equals(type) && block.get("text") instanceof String text) {
            return new SamplingContent.Text(text);
        }
        if ("tool_use".equals(type) && block.get("name") instanceof String name) {
            Object id = block.get("id");
            Object input = block.get("input");
            return new SamplingContent.ToolUse(id == null ? "" : id.toString(), name,
                    input instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of());
        }
        return null; // images and audio say nothing the agent can use
    }

    /** {@code ClientCapabilities} as the SDK reads them, remembering {@code sampling.tools}. */
    private static final class CapabilitiesReader extends StdDeserializer<McpSchema.ClientCapabilities> {
        CapabilitiesReader() {
            super(McpSchema.ClientCapabilities.class);
        }

        @Override
        public McpSchema.ClientCapabilities deserialize(JsonParser parser, DeserializationContext context)
                throws IOException {
            JsonNode node = context.readTree(parser);
            McpSchema.ClientCapabilities read = PLAIN.treeToValue(node, McpSchema.ClientCapabilities.class);
            if (read == null || read.sampling() == null || !node.path("sampling").path("tools").isObject()) {
                return read;
            }
            Map<String, Object> experimental = read.experimental() == null ? new HashMap<>()
                    : new HashMap<>(read.experimental());
            experimental.put(TOOLS_DECLARED, Boolean.TRUE);
            return new McpSchema.ClientCapabilities(experimental, read.roots(), read.sampling(), read.elicitation(),
                    read.extensions());
        }
    }

    /** A {@code CreateMessageResult} as the SDK reads it, with content it cannot hold kept under {@value #REPLY}. */
    private static final class ResultReader extends StdDeserializer<McpSchema.CreateMessageResult> {
        ResultReader() {
            super(McpSchema.CreateMessageResult.class);
        }

        @Override
        public McpSchema.CreateMessageResult deserialize(JsonParser parser, DeserializationContext context)
                throws IOException {
            JsonNode node = context.readTree(parser);
            JsonNode content = node.get("content");
            if (!node.isObject() || content != null && content.isObject()
                    && SDK_CONTENT_TYPES.contains(content.path("type").asText())) {
                return PLAIN.treeToValue(node, McpSchema.CreateMessageResult.class);
            }
            ObjectNode sdk = ((ObjectNode) node).deepCopy();
            List<Object> blocks = new ArrayList<>();
            if (content != null && content.isArray()) {
                content.forEach(b -> blocks.add(PLAIN.convertValue(b, Object.class)));
            } else if (content != null && !content.isNull()) {
                blocks.add(PLAIN.convertValue(content, Object.class));
            }
            sdk.putObject("content").put("type", "text").put("text", "");
            Map<String, Object> raw = new LinkedHashMap<>();
            raw.put("content", blocks);
            if (node.path("stopReason").isTextual()) {
                raw.put("stopReason", node.get("stopReason").asText());
            }
            ObjectNode meta = node.path("_meta").isObject() ? ((ObjectNode) node.get("_meta")).deepCopy()
                    : PLAIN.createObjectNode();
            meta.set(REPLY, PLAIN.valueToTree(raw));
            sdk.set("_meta", meta);
            return PLAIN.treeToValue(sdk, McpSchema.CreateMessageResult.class);
        }
    }

    /** A writer in front of the SDK's own, which it resolves and contextualizes as Jackson would. */
    private abstract static class InFront extends StdSerializer<Object> implements ResolvableSerializer,
            ContextualSerializer {
        final JsonSerializer<Object> sdk;
        private final Function<JsonSerializer<Object>, InFront> again;

        InFront(JsonSerializer<Object> sdk, Function<JsonSerializer<Object>, InFront> again) {
            super(Object.class);
            this.sdk = sdk;
            this.again = again;
        }

        @Override
        public void resolve(SerializerProvider provider) throws JsonMappingException {
            if (sdk instanceof ResolvableSerializer resolvable) {
                resolvable.resolve(provider);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public JsonSerializer<?> createContextual(SerializerProvider provider, BeanProperty property)
                throws JsonMappingException {
            if (sdk instanceof ContextualSerializer contextual) {
                JsonSerializer<?> made = contextual.createContextual(provider, property);
                return made == sdk ? this : again.apply((JsonSerializer<Object>) made);
            }
            return this;
        }
    }

    /** Writes a {@code CreateMessageRequest}; one carrying {@value #REQUEST} as the spec has it. */
    private static final class RequestWriter extends InFront {
        RequestWriter(JsonSerializer<Object> sdk) {
            super(sdk, RequestWriter::new);
        }

        @Override
        public void serialize(Object value, JsonGenerator json, SerializerProvider provider) throws IOException {
            McpSchema.CreateMessageRequest request = (McpSchema.CreateMessageRequest) value;
            Map<String, Object> meta = request.meta();
            if (meta == null || !(meta.get(REQUEST) instanceof Map<?, ?> wire)) {
                sdk.serialize(value, json, provider);
                return;
            }
            // the params of the JSON-RPC request being written: remember its id for notifications/cancelled
            if (json.currentValue() instanceof McpSchema.JSONRPCRequest rpc && wire.get("call") instanceof String call
                    && rpc.id() != null) {
                SENT.put(call, rpc.id());
            }
            Map<String, Object> rest = new LinkedHashMap<>(meta);
            rest.remove(REQUEST);
            McpSchema.CreateMessageRequest sent = new McpSchema.CreateMessageRequest(request.messages(),
                    request.modelPreferences(), request.systemPrompt(), request.includeContext(),
                    request.temperature(), request.maxTokens(), request.stopSequences(), request.metadata(),
                    rest.isEmpty() ? null : rest);
            ObjectNode node = PLAIN.valueToTree(sent);
            for (String field : List.of("messages", "tools", "toolChoice")) {
                if (wire.get(field) != null) {
                    node.set(field, PLAIN.valueToTree(wire.get(field)));
                }
            }
            provider.defaultSerializeValue(node, json);
        }
    }

    /** Writes a notification; a progress notification carrying {@value #CANCEL} as {@code notifications/cancelled}. */
    private static final class NotificationWriter extends InFront {
        NotificationWriter(JsonSerializer<Object> sdk) {
            super(sdk, NotificationWriter::new);
        }

        @Override
        public void serialize(Object value, JsonGenerator json, SerializerProvider provider) throws IOException {
            McpSchema.JSONRPCNotification notification = (McpSchema.JSONRPCNotification) value;
            if (!(notification.params() instanceof McpSchema.ProgressNotification progress) || progress.meta() == null
                    || !(progress.meta().get(CANCEL) instanceof Map<?, ?> cancelled)) {
                sdk.serialize(value, json, provider);
                return;
            }
            json.writeStartObject();
            json.writeStringField("jsonrpc", McpSchema.JSONRPC_VERSION);
            json.writeStringField("method", "notifications/cancelled");
            json.writeFieldName("params");
            provider.defaultSerializeValue(cancelled, json);
            json.writeEndObject();
        }
    }
}
