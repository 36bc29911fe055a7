package baton.agent;

import java.util.Map;
import java.util.Objects;

/**
 * One block of a sampling message, as MCP 2025-11-25 defines them for {@code sampling/createMessage}
 * (https://modelcontextprotocol.io/specification/2025-11-25/client/sampling#sampling-with-tools):
 * text, a model's call of a tool ({@code tool_use}) and the result of one ({@code tool_result}).
 */
public sealed interface SamplingContent {

    /** Text, from the user or the model. */
    record Text(String text) implements SamplingContent {
        public Text {
            Objects.requireNonNull(text, "text must not be null");
        }
    }

    /** The model asks for a tool: {@code id} pairs it with its {@link ToolResult}. */
    record ToolUse(String id, String name, Map<String, Object> input) implements SamplingContent {
        public ToolUse {
            Objects.requireNonNull(id, "id must not be null");
            Objects.requireNonNull(name, "name must not be null");
            input = input == null ? Map.of() : input;
        }
    }

    /** What a tool answered, sent back as the user's; {@code toolUseId} names its {@link ToolUse}. */
    record ToolResult(String toolUseId, String text, boolean isError) implements SamplingContent {
        public ToolResult {
            Objects.requireNonNull(toolUseId, "toolUseId must not be null");
            text = text == null ? "" : text;
        }
    }
}
