package baton.conversation;

import java.util.Objects;

/**
 * A tool call as a conversation recorded it: the tool's name and its arguments as stored (JSON text
 * when the call was well formed).
 */
public record RecordedCall(String tool, String arguments) {
    public RecordedCall {
        Objects.requireNonNull(tool, "tool must not be null");
        Objects.requireNonNull(arguments, "arguments must not be null");
    }
}
