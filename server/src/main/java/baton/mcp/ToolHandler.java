package baton.mcp;

import baton.conversation.Identity;
import java.util.Map;

/**
 * One MCP tool. Its name, description and schemas come from {@code tools-spec/<name>.json}; the
 * arguments it gets have already been checked against the input schema.
 */
public interface ToolHandler {

    /** The tool name, which is also the name of its spec file. */
    String name();

    /**
     * Runs the tool for the caller and returns its structured result (the output schema's shape).
     * A business failure is thrown as a {@link baton.conversation.BatonException}.
     */
    Map<String, Object> call(Identity caller, Arguments arguments);
}
