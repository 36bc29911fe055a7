package baton.mcp;

import baton.agent.Cancellation;
import baton.agent.Sampler;
import baton.agent.TurnProgress;
import baton.conversation.Identity;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One MCP tool. Its name, description and schemas come from {@code tools-spec/<name>.json}; the
 * arguments it gets have already been checked against the input schema.
 */
public interface ToolHandler {

    /** The tool name, which is also the name of its spec file. */
    String name();

    /**
     * Runs the tool for the caller and returns its structured result (the output schema's shape).
     * A business failure is thrown as a {@link baton.conversation.BatonException}, or as a
     * {@link FailedResult} when the failure has a structured result of its own.
     */
    Map<String, Object> call(Identity caller, Arguments arguments);

    /** Runs the tool, reporting its steps when the client asked for progress notifications. */
    default Map<String, Object> call(Identity caller, Arguments arguments, TurnProgress progress) {
        return call(caller, arguments);
    }

    /**
     * Runs the tool as above; a long-running tool stops when {@code cancellation} is set (a quick
     * one may ignore it: its answer is simply discarded).
     */
    default Map<String, Object> call(Identity caller, Arguments arguments, TurnProgress progress,
            Cancellation cancellation) {
        return call(caller, arguments, progress);
    }

    /**
     * Runs the tool as above; a tool that asks the client's own model does so through
     * {@code sampler}, the MCP client that sent the request.
     */
    default Map<String, Object> call(Identity caller, Arguments arguments, TurnProgress progress,
            Cancellation cancellation, Sampler sampler) {
        return call(caller, arguments, progress, cancellation);
    }

    /**
     * A failure that still produced a result: the caller gets {@code isError: true}, the sentence as
     * text and the structured result (for example a turn that ended with an error).
     */
    final class FailedResult extends RuntimeException {
        private final transient Map<String, Object> structured;

        public FailedResult(String sentence, Map<String, Object> structured) {
            super(Objects.requireNonNull(sentence, "sentence must not be null"), null, false, false);
            this.structured = Collections.unmodifiableMap(new LinkedHashMap<>(structured));
        }

        public Map<String, Object> structured() {
            return structured;
        }
    }
}
