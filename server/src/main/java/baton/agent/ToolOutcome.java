package baton.agent;

import java.util.Objects;

/**
 * What a tool call gave back, as the model will see it.
 *
 * @param text the result's text (every text content joined), or the error's sentence
 * @param isError true for an {@code isError} result, a JSON-RPC error or a failed call
 * @param rpcErrorCode the JSON-RPC error code when the upstream answered with one, else null
 * @param unreachable true when the upstream did not answer at all (no result, no error)
 */
public record ToolOutcome(String text, boolean isError, Integer rpcErrorCode, boolean unreachable) {

    public ToolOutcome {
        Objects.requireNonNull(text, "text must not be null");
    }

    public static ToolOutcome success(String text) {
        return new ToolOutcome(text, false, null, false);
    }

    public static ToolOutcome error(String text) {
        return new ToolOutcome(text, true, null, false);
    }
}
