package baton.mcp;

import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MCP Apps viewer of a conversation: the resource {@code ui://baton/conversation.html} that
 * {@code read_conversation} names in its {@code _meta.ui.resourceUri} (tools-spec). A host that
 * supports the {@code io.modelcontextprotocol/ui} extension (SEP-1865) reads it and renders the
 * tool's result in it; every other client gets the same text result as before and never needs
 * this resource. The HTML is one static file ({@code ui/conversation.html} on the classpath) with
 * no data in it: the conversation reaches it only through the host, as the tool result the caller
 * already received through the access entry point.
 *
 * @see <a href="https://github.com/modelcontextprotocol/ext-apps/blob/main/specification/2026-01-26/apps.mdx">MCP Apps</a>
 */
public final class ConversationViewer {

    public static final String URI = "ui://baton/conversation.html";
    /** The mime type the extension requires of an HTML view. */
    public static final String MIME_TYPE = "text/html;profile=mcp-app";
    /** The extension's identifier, as clients name it under {@code capabilities.extensions}. */
    public static final String EXTENSION = "io.modelcontextprotocol/ui";

    private static final String RESOURCE = "ui/conversation.html";

    private final String html;

    public ConversationViewer() {
        try (InputStream in = ConversationViewer.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the viewer " + RESOURCE + " is missing from the classpath");
            }
            this.html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the viewer " + RESOURCE, e);
        }
    }

    /** The HTML document as served. */
    public String html() {
        return html;
    }

    /**
     * {@code _meta.ui} of the resource: the viewer loads nothing from anywhere (no fetch, no
     * external script, style, image or frame), so every list of allowed origins is empty and a
     * host applies its most restrictive policy; it asks for a border around the frame.
     */
    public static Map<String, Object> meta() {
        Map<String, Object> csp = new LinkedHashMap<>();
        csp.put("connectDomains", List.of());
        csp.put("resourceDomains", List.of());
        csp.put("frameDomains", List.of());
        csp.put("baseUriDomains", List.of());
        Map<String, Object> ui = new LinkedHashMap<>();
        ui.put("csp", csp);
        ui.put("prefersBorder", true);
        return Map.of("ui", ui);
    }

    public SyncResourceSpecification specification() {
        McpSchema.Resource resource = McpSchema.Resource.builder()
                .uri(URI)
                .name("conversation-viewer")
                .title("Conversation viewer")
                .description("An MCP Apps view (io.modelcontextprotocol/ui) that shows a read_conversation result:"
                        + " each turn as question and answer, tool calls folded, withheld results as notices,"
                        + " and a Fork button.")
                .mimeType(MIME_TYPE)
                .meta(meta())
                .build();
        return new SyncResourceSpecification(resource, (exchange, request) -> new McpSchema.ReadResourceResult(
                List.of(new McpSchema.TextResourceContents(URI, MIME_TYPE, html, meta()))));
    }
}
