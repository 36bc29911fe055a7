package baton.agent;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a turn asks the MCP client's model through {@link Sampler}: the system prompt, the messages,
 * and the tools the model may call (empty when the client did not declare {@code sampling.tools},
 * or when there are none). {@code modelHint} may be null.
 */
public record SamplingRequest(String systemPrompt, List<Message> messages, List<Tool> tools, ToolChoice toolChoice,
        String modelHint, int maxTokens) {

    public SamplingRequest {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages must not be null"));
        tools = tools == null ? List.of() : List.copyOf(tools);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, not " + maxTokens);
        }
    }

    /** Whether the request needs the client's tool support: tools offered, or tool blocks in a message. */
    public boolean usesTools() {
        return !tools.isEmpty() || messages.stream().flatMap(m -> m.content().stream())
                .anyMatch(c -> !(c instanceof SamplingContent.Text));
    }

    /** One message of the conversation sent: the user's ({@code assistant} false) or the model's. */
    public record Message(boolean assistant, List<SamplingContent> content) {
        public Message {
            content = List.copyOf(Objects.requireNonNull(content, "content must not be null"));
            if (content.isEmpty()) {
                throw new IllegalArgumentException("content must not be empty");
            }
        }
    }

    /** A tool the model may call: its name, a description for the model, and its input's JSON Schema. */
    public record Tool(String name, String description, Map<String, Object> inputSchema) {
        public Tool {
            Objects.requireNonNull(name, "name must not be null");
            inputSchema = inputSchema == null ? Map.of("type", "object") : inputSchema;
        }
    }

    /** {@code toolChoice.mode}: whether the model decides, must call a tool, or must not. */
    public enum ToolChoice {
        AUTO("auto"), REQUIRED("required"), NONE("none");

        private final String mode;

        ToolChoice(String mode) {
            this.mode = mode;
        }

        /** The value of {@code toolChoice.mode} on the wire. */
        public String mode() {
            return mode;
        }
    }
}
