package baton.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.conversation.Conversations;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** tools-spec/ is the single source of truth: code and spec must agree. */
class ToolSpecsTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final ToolSpecs specs = new ToolSpecs(mapper);
    private final List<ToolHandler> handlers = BatonMcpServer.tools(
            new Conversations(TestDatabase.database(), Clock.systemUTC()), null);

    @Test
    void everySpecFileHasAHandlerAndEveryHandlerASpecFile() throws IOException {
        List<String> files;
        try (Stream<Path> list = Files.list(Path.of("..", "tools-spec"))) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
        }
        assertThat(handlers).extracting(ToolHandler::name).containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void everySpecIsCompleteAndItsSchemasAreValid() {
        DefaultJsonSchemaValidator validator = new DefaultJsonSchemaValidator(mapper);
        for (ToolHandler handler : handlers) {
            McpSchema.Tool tool = specs.tool(handler.name());
            assertThat(tool.name()).isEqualTo(handler.name()).matches("[a-z_]+");
            assertThat(tool.title()).as(tool.name()).isNotBlank();
            assertThat(tool.description()).as(tool.name()).hasSizeGreaterThan(80);
            assertThat(tool.annotations()).as(tool.name()).isNotNull();
            assertThat(tool.inputSchema()).as(tool.name()).containsEntry("type", "object");
            assertThat(tool.outputSchema()).as(tool.name()).containsEntry("type", "object");
            for (Map<String, Object> schema : List.of(tool.inputSchema(), tool.outputSchema())) {
                assertThat(validator.validateSchema(schema).valid()).as(tool.name()).isTrue();
            }
        }
    }

    @Test
    void readOnlyToolsSayTheyAre() {
        for (String name : List.of("read_conversation", "list_conversations")) {
            McpSchema.ToolAnnotations a = specs.tool(name).annotations();
            assertThat(a.readOnlyHint()).as(name).isTrue();
            assertThat(a.idempotentHint()).as(name).isTrue();
        }
        for (String name : List.of("share_conversation", "unshare_conversation")) {
            assertThat(specs.tool(name).annotations().idempotentHint()).as(name).isTrue();
        }
    }

    /** read_conversation's spec names the MCP Apps viewer that the server serves (SEP-1865 _meta.ui). */
    @Test
    void readConversationNamesTheViewerTheServerServes() {
        McpSchema.Tool read = specs.tool("read_conversation");
        assertThat(read.meta()).isEqualTo(Map.of("ui", Map.of("resourceUri", ConversationViewer.URI)));
        assertThat(new ConversationViewer().specification().resource().uri()).isEqualTo(ConversationViewer.URI);
        assertThat(new ConversationViewer().html()).startsWith("<!DOCTYPE html>");
    }
}
