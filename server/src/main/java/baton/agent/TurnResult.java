package baton.agent;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * How a turn ended.
 *
 * @param reply the model's final answer, or the error sentence when the turn failed
 * @param turnEndMessageId the root result of router_agent that ends the turn
 * @param toolCalls every tool call of the turn, in order
 * @param permissionHints the hints added to tool results (cross-owner forks only)
 * @param error the sentence the turn failed with, or null when it ended with an answer
 */
public record TurnResult(String reply, UUID turnEndMessageId, List<ToolCallRecord> toolCalls,
        List<PermissionHint> permissionHints, String error) {

    public TurnResult {
        Objects.requireNonNull(reply, "reply must not be null");
        Objects.requireNonNull(turnEndMessageId, "turnEndMessageId must not be null");
        toolCalls = List.copyOf(toolCalls);
        permissionHints = List.copyOf(permissionHints);
    }

    public boolean failed() {
        return error != null;
    }

    /**
     * One tool call of a turn.
     *
     * @param arguments the arguments as the model wrote them (JSON text, maybe malformed)
     * @param resultText what the model got back, permission hint included
     */
    public record ToolCallRecord(String tool, String arguments, boolean isError, UUID callMessageId,
            UUID resultMessageId, String resultText) {
    }

    /**
     * A permission-loss hint, as added to a tool result.
     *
     * @param reason {@code access_denied} or {@code not_found}
     * @param hint the text the model saw
     */
    public record PermissionHint(String tool, String resource, String reason, String hint) {
    }
}
