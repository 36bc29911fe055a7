package baton.mcp;

import baton.agent.Agent;
import baton.conversation.Conversations;
import baton.mcp.tools.AppendMessagesTool;
import baton.mcp.tools.CreateConversationTool;
import baton.mcp.tools.ForkConversationTool;
import baton.mcp.tools.ListConversationsTool;
import baton.mcp.tools.ReadConversationTool;
import baton.mcp.tools.SendMessageTool;
import baton.mcp.tools.ShareConversationTool;
import baton.mcp.tools.UnshareConversationTool;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.time.Duration;
import java.util.List;

/** Assembles Baton's MCP server (tools, prompts, resources) on a transport. */
public final class BatonMcpServer {

    public static final String NAME = "baton";

    private BatonMcpServer() {
    }

    /** The tool handlers, one per spec file in tools-spec/. */
    public static List<ToolHandler> tools(Conversations conversations, Agent agent) {
        return List.of(
                new CreateConversationTool(conversations),
                new AppendMessagesTool(conversations),
                new ReadConversationTool(conversations),
                new ListConversationsTool(conversations),
                new ShareConversationTool(conversations),
                new UnshareConversationTool(conversations),
                new ForkConversationTool(conversations),
                new SendMessageTool(agent));
    }

    /** Over a single-session transport (stdio). */
    public static McpSyncServer start(McpServerTransportProvider transport, Conversations conversations,
            Agent agent, PromptLibrary prompts, IdentityResolver identities) {
        return build(McpServer.sync(transport), conversations, agent, prompts, identities);
    }

    /** Over Streamable HTTP, one session per client. */
    public static McpSyncServer start(McpStreamableServerTransportProvider transport, Conversations conversations,
            Agent agent, PromptLibrary prompts, IdentityResolver identities) {
        return build(McpServer.sync(transport), conversations, agent, prompts, identities);
    }

    private static McpSyncServer build(McpServer.SyncSpecification<?> spec, Conversations conversations,
            Agent agent, PromptLibrary prompts, IdentityResolver identities) {
        ObjectMapper mapper = new ObjectMapper();
        JacksonMcpJsonMapper jsonMapper = new JacksonMcpJsonMapper(mapper);
        ArgumentValidator validator = new ArgumentValidator(mapper);
        ToolRegistry registry = new ToolRegistry(new ToolSpecs(mapper), validator, mapper, identities);
        return spec
                .serverInfo(NAME, version())
                .instructions("Baton keeps AI conversations. Record sessions with create_conversation and"
                        + " append_messages, share completed turns with share_conversation, find what others"
                        + " share with list_conversations (scope shared), read with read_conversation and"
                        + " continue someone else's work with fork_conversation; send_message runs a turn of"
                        + " Baton's own agent with the configured model and upstream tools.")
                .jsonMapper(jsonMapper)
                .jsonSchemaValidator(new OwnOutput())
                // Arguments are checked by ToolRegistry so that a schema violation is a JSON-RPC
                // error (-32602), as the contract asks, not an isError result.
                .validateToolInputs(false)
                .requestTimeout(Duration.ofMinutes(5))
                .capabilities(McpSchema.ServerCapabilities.builder()
                        .tools(false).prompts(false).resources(false, false).build())
                .tools(registry.specifications(tools(conversations, agent)))
                .prompts(new ConversationPrompts(conversations, prompts, identities).specifications())
                .resourceTemplates(new ConversationResource(conversations, mapper, identities).specification())
                .build();
    }

    /**
     * The JSON mapper of a transport that takes messages of up to {@code maxMessageChars}. Jackson's
     * default limits (names of 50,000 characters, strings of 20 million) would leave some messages
     * within that size unreadable, and an unreadable message gets no answer tied to its request (over
     * HTTP a 400, which the SDK's client takes for a lost session). With limits as large as the
     * message, it is read, and a tool refuses its arguments with a JSON-RPC error naming them.
     */
    public static JacksonMcpJsonMapper jsonMapper(long maxMessageChars) {
        int limit = (int) Math.min(Integer.MAX_VALUE, maxMessageChars);
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNameLength(limit).maxStringLength(Math.max(limit, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                .build()).build();
        return new JacksonMcpJsonMapper(new ObjectMapper(factory));
    }

    public static String version() {
        String v = BatonMcpServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
