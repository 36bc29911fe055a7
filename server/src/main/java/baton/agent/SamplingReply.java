package baton.agent;

import java.util.List;

/**
 * The MCP client's answer to a {@link SamplingRequest}: text and, when the model wants tools,
 * {@link SamplingContent.ToolUse} blocks ({@code stopReason} {@code toolUse}). {@code model} and
 * {@code stopReason} are what the client said, or null.
 */
public record SamplingReply(String model, String stopReason, List<SamplingContent> content) {

    public SamplingReply {
        content = content == null ? List.of() : List.copyOf(content);
    }

    /** The text blocks, joined by a blank line. */
    public String text() {
        StringBuilder text = new StringBuilder();
        for (SamplingContent c : content) {
            if (c instanceof SamplingContent.Text t && !t.text().isEmpty()) {
                text.append(text.isEmpty() ? "" : "\n\n").append(t.text());
            }
        }
        return text.toString();
    }

    /** The tools the model asks for, in order. */
    public List<SamplingContent.ToolUse> toolUses() {
        return content.stream().filter(SamplingContent.ToolUse.class::isInstance)
                .map(SamplingContent.ToolUse.class::cast).toList();
    }
}
