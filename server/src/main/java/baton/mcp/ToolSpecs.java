package baton.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Loads {@code tools-spec/<name>.json}, the single source of truth of a tool's name, title,
 * description, schemas and annotations. The files have the MCP {@code Tool} wire shape.
 */
public final class ToolSpecs {

    private final ObjectMapper mapper;

    public ToolSpecs(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The raw spec as a JSON map. */
    public Map<String, Object> raw(String name) {
        String resource = "tools-spec/" + name + ".json";
        try (InputStream in = ToolSpecs.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("tool spec " + resource + " is missing from the classpath");
            }
            Map<String, Object> spec = mapper.readValue(in, new TypeReference<Map<String, Object>>() { });
            if (!name.equals(spec.get("name"))) {
                throw new IllegalStateException("tool spec " + resource + " names the tool '" + spec.get("name") + "'");
            }
            return spec;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tool spec " + resource, e);
        }
    }

    /** The spec as the SDK's tool definition. */
    public McpSchema.Tool tool(String name) {
        return mapper.convertValue(raw(name), McpSchema.Tool.class);
    }
}
