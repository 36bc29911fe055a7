package baton.mcpapp;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.Identity;
import baton.conversation.Role;
import baton.mcp.ConversationViewer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP Apps viewer over a real transport with the MCP Java SDK client: read_conversation names
 * the view in tools/list, the view is listed and read with the extension's mime type and its CSP,
 * and the tool's result is the same text for a host with the extension and a client without it.
 */
class ConversationViewerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningBaton baton;

    @BeforeAll
    static void start() {
        baton = new RunningBaton();
    }

    @AfterAll
    static void stop() throws Exception {
        baton.close();
    }

    @Test
    void readConversationNamesTheViewerInToolsList() {
        McpSyncClient host = baton.client(baton.user("list-alice", Role.EDITOR), true);
        McpSyncClient viewer = baton.client(baton.user("list-vera", Role.VIEWER), false);
        for (McpSyncClient client : new McpSyncClient[] {host, viewer}) {
            McpSchema.Tool read = client.listTools().tools().stream()
                    .filter(t -> t.name().equals("read_conversation")).findFirst().orElseThrow();
            assertThat(read.meta()).isEqualTo(Map.of("ui", Map.of("resourceUri", "ui://baton/conversation.html")));
        }
        // the tools the view calls carry no _meta.ui, so their visibility is the default: model and app
        assertThat(host.listTools().tools()).filteredOn(t -> t.name().equals("fork_conversation"))
                .singleElement().satisfies(t -> assertThat(t.meta()).isNull());
    }

    @Test
    void theViewerIsListedAndReadAsAnMcpAppWithItsCsp() {
        McpSyncClient host = baton.client(baton.user("res-alice", Role.EDITOR), true);
        McpSchema.Resource listed = host.listResources().resources().stream()
                .filter(r -> r.uri().equals(ConversationViewer.URI)).findFirst().orElseThrow();
        assertThat(listed.mimeType()).isEqualTo("text/html;profile=mcp-app");
        assertThat(listed.meta()).isEqualTo(ConversationViewer.meta());

        McpSchema.ReadResourceResult read = host.readResource(new McpSchema.ReadResourceRequest("ui://baton/conversation.html"));
        assertThat(read.contents()).singleElement().isInstanceOfSatisfying(McpSchema.TextResourceContents.class, c -> {
            assertThat(c.uri()).isEqualTo("ui://baton/conversation.html");
            assertThat(c.mimeType()).isEqualTo("text/html;profile=mcp-app");
            assertThat(c.text()).startsWith("<!DOCTYPE html>").contains("ui/initialize", "ui/notifications/tool-result",
                    "tools/call", "fork_conversation").doesNotContain("innerHTML", "<script src", "<link ");
            Map<String, Object> meta = c.meta();
            assertThat(meta).containsKey("ui");
            @SuppressWarnings("unchecked")
            Map<String, Object> ui = (Map<String, Object>) meta.get("ui");
            assertThat(ui.get("csp")).isEqualTo(Map.of("connectDomains", java.util.List.of(),
                    "resourceDomains", java.util.List.of(), "frameDomains", java.util.List.of(),
                    "baseUriDomains", java.util.List.of()));
            assertThat(ui).containsEntry("prefersBorder", true);
        });
        // a viewer role reads it too: it holds no data, only the page that shows a result
        McpSyncClient viewer = baton.client(baton.user("res-vera", Role.VIEWER), false);
        assertThat(viewer.readResource(new McpSchema.ReadResourceRequest(ConversationViewer.URI)).contents()).hasSize(1);
    }

    @Test
    void aHostWithoutTheExtensionGetsTheSameTextResult() throws Exception {
        Identity alice = baton.user("text-alice", Role.EDITOR);
        UUID id = baton.alicesSharedConversation(alice);
        McpSchema.CallToolRequest request = new McpSchema.CallToolRequest("read_conversation",
                Map.of("conversation_id", id.toString()));

        McpSchema.CallToolResult plain = baton.client(baton.user("text-bob", Role.EDITOR), false).callTool(request);
        McpSchema.CallToolResult app = baton.client(baton.user("text-bob", Role.EDITOR), true).callTool(request);

        for (McpSchema.CallToolResult result : new McpSchema.CallToolResult[] {plain, app}) {
            assertThat(result.isError()).isFalse();
            // as before the viewer: one text item, the JSON of the structured content, and nothing else
            assertThat(result.content()).singleElement().isInstanceOf(McpSchema.TextContent.class);
            JsonNode text = JSON.readTree(((McpSchema.TextContent) result.content().get(0)).text());
            assertThat(text).isEqualTo((JsonNode) JSON.valueToTree(result.structuredContent()));
            assertThat(text.at("/conversation/id").asText()).isEqualTo(id.toString());
            assertThat(text.get("messages")).hasSize(10);
            assertThat((Object) result.meta()).isNull();
        }
        assertThat((JsonNode) JSON.valueToTree(app.content())).isEqualTo(JSON.valueToTree(plain.content()));
    }
}
