package baton.agent;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.Objects;

/**
 * A tool of an upstream server as the model sees it.
 *
 * @param name the name the model calls it by: the upstream's own name, or
 *     {@code <server>__<tool>} when two upstreams offer the same one
 */
public record UpstreamTool(String name, UpstreamServer server, McpSchema.Tool tool) {
    public UpstreamTool {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(server, "server must not be null");
        Objects.requireNonNull(tool, "tool must not be null");
    }
}
