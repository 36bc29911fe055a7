package baton.mcp;

import baton.agent.Agent;
import baton.conversation.Conversations;
import baton.mcp.tools.AppendMessagesTool;
import baton.mcp.tools.ConversationActivityTool;
import baton.mcp.tools.ConversationLineageTool;
import baton.mcp.tools.DeleteConversationTool;
import baton.mcp.tools.RenameConversationTool;
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
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Assembles Baton's MCP server on a transport: tools (write tools hidden from viewers), prompts, the
 * conversation resource template with subscriptions, completions and log notifications.
 */
public final class BatonMcpServer {

    public static final String NAME = "baton";
    static final String TITLE = "Baton";
    static final String DESCRIPTION = "Keeps AI conversations in PostgreSQL: share a conversation up to a"
            + " completed turn, read what others shared, fork it, and run turns of Baton's own agent.";

    static final String INSTRUCTIONS = "Baton keeps AI conversations. Record sessions with create_conversation and"
            + " append_messages, share completed turns with share_conversation, find what others"
            + " share with list_conversations (scope shared), read with read_conversation and"
            + " continue someone else's work with fork_conversation; send_message runs a turn of"
            + " Baton's own agent with the configured model and upstream tools.";

    private BatonMcpServer() {
    }

    /** What the server offers, as {@code initialize} says. */
    static McpSchema.ServerCapabilities capabilities() {
        return McpSchema.ServerCapabilities.builder()
                .tools(false).prompts(false)
                .resources(true, false) // subscribe: yes; the list never changes
                .completions()
                .logging()
                .build();
    }

    /**
     * The answer to {@code initialize} that the server {@link #start built} on a transport with the
     * protocol versions {@code supported} (oldest first) gives, known before it is built: everything
     * in it is fixed for the build. The version is the SDK's rule: the client's when supported, else
     * the latest. A stdio start answers with this while the server is still being built
     * ({@code StdioTransport#startEarly}); {@code EarlyInitializeTest} holds it equal to the SDK's own.
     */
    public static McpSchema.InitializeResult initializeResult(String requestedVersion, List<String> supported) {
        String version = requestedVersion != null && supported.contains(requestedVersion) ? requestedVersion : supported.get(supported.size() - 1);
        return new McpSchema.InitializeResult(version, capabilities(), info(), INSTRUCTIONS);
    }

    /** The tool handlers, one per spec file in tools-spec/. */
    public static List<ToolHandler> tools(Conversations conversations, Agent agent) {
        return tools(conversations, agent, ShareLinks.NONE);
    }

    /** The tool handlers, with the links to the web page that {@code share_conversation} answers. */
    public static List<ToolHandler> tools(Conversations conversations, Agent agent, ShareLinks links) {
        return List.of(
                new CreateConversationTool(conversations),
                new AppendMessagesTool(conversations),
                new ReadConversationTool(conversations),
                new ListConversationsTool(conversations),
                new ShareConversationTool(conversations, links),
                new UnshareConversationTool(conversations),
                new ForkConversationTool(conversations),
                new SendMessageTool(agent),
                new ConversationActivityTool(conversations),
                new ConversationLineageTool(conversations),
                new RenameConversationTool(conversations),
                new DeleteConversationTool(conversations));
    }

    /** Over a single-session transport (stdio). */
    public static McpSyncServer start(McpServerTransportProvider transport, Conversations conversations,
            Agent agent, PromptLibrary prompts, IdentityResolver identities) {
        SessionWatch watch = new SessionWatch();
        return build(McpServer.sync(watch.watch(transport)), watch, transport, conversations, agent, prompts,
                identities, ShareLinks.NONE);
    }

    /** Over Streamable HTTP, one session per client. */
    public static McpSyncServer start(McpStreamableServerTransportProvider transport, Conversations conversations,
            Agent agent, PromptLibrary prompts, IdentityResolver identities) {
        return start(transport, conversations, agent, prompts, identities, ShareLinks.NONE);
    }

    /** Over Streamable HTTP, with the links to the web page that {@code share_conversation} answers. */
    public static McpSyncServer start(McpStreamableServerTransportProvider transport, Conversations conversations,
            Agent agent, PromptLibrary prompts, IdentityResolver identities, ShareLinks links) {
        SessionWatch watch = new SessionWatch();
        return build(McpServer.sync(watch.watch(transport)), watch, transport, conversations, agent, prompts,
                identities, links);
    }

    private static McpSyncServer build(McpServer.SyncSpecification<?> spec, SessionWatch watch, Object transport,
            Conversations conversations, Agent agent, PromptLibrary prompts, IdentityResolver identities,
            ShareLinks links) {
        ObjectMapper mapper = new ObjectMapper();
        JacksonMcpJsonMapper jsonMapper = new JacksonMcpJsonMapper(mapper);
        ArgumentValidator validator = new ArgumentValidator(mapper);
        ToolRegistry registry = new ToolRegistry(new ToolSpecs(mapper), validator, mapper, identities,
                watch::protocolVersion);
        AtomicReference<McpSyncServer> built = new AtomicReference<>();
        ConversationSubscriptions subscriptions = new ConversationSubscriptions(conversations.changes(), identities,
                built::get);
        watch.gate(subscriptions::admit);
        watch.onClose(subscriptions::close);
        // Listening starts first, on a thread of its own (off the path of the initialize answer): a
        // stdio client that was answered early subscribes as soon as the session exists, and the
        // connection that listens needs the database, which may still be opening. Changes before the
        // server exists reach nobody (built is empty), as nobody can have subscribed yet.
        subscriptions.start();
        if (transport instanceof SubscriptionsListening holds) {
            holds.subscriptionsListening(subscriptions.listening());
        }
        McpSyncServer server;
        try {
            server = spec
                    .serverInfo(info())
                    .instructions(INSTRUCTIONS)
                    .jsonMapper(jsonMapper)
                    .jsonSchemaValidator(new OwnOutput())
                    // Arguments are checked by ToolRegistry: its sentence names the argument, and whether a
                    // violation is an isError result or a JSON-RPC error depends on the protocol version.
                    .validateToolInputs(false)
                    .requestTimeout(Duration.ofMinutes(5))
                    .capabilities(capabilities())
                    .tools(registry.specifications(tools(conversations, agent, links)))
                    .addToolFilter(registry.viewerFilter())
                    .prompts(new ConversationPrompts(conversations, prompts, identities).specifications())
                    .resourceTemplates(new ConversationResource(conversations, mapper, identities).specification())
                    .resources(new ConversationViewer().specification())
                    .completions(new ConversationCompletions(conversations, identities).specifications())
                    .build();
        } catch (RuntimeException e) {
            subscriptions.close();
            throw e;
        }
        built.set(server);
        return server;
    }

    /**
     * The JSON mapper of a transport that takes messages of up to {@code maxMessageChars}. Jackson's
     * default limits (names of 50,000 characters, strings of 20 million) would leave some messages
     * within that size unreadable, and an unreadable message gets no answer tied to its request (over
     * HTTP a 400, which the SDK's client takes for a lost session). With limits as large as the
     * message, it is read, and a tool refuses its arguments with a sentence naming them. It also
     * writes the SDK's error for an unknown tool with a message that names the tool ({@link UnknownToolErrors}),
     * and carries sampling with tools, which the SDK's schema lacks ({@link SamplingWire}).
     */
    public static JacksonMcpJsonMapper jsonMapper(long maxMessageChars) {
        int limit = (int) Math.min(Integer.MAX_VALUE, maxMessageChars);
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNameLength(limit).maxStringLength(Math.max(limit, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                .build()).build();
        return new JacksonMcpJsonMapper(new ObjectMapper(factory).registerModule(UnknownToolErrors.module())
                .registerModule(SamplingWire.module()));
    }

    /** What {@code initialize} says of this server: name, version, and for people a title and description. */
    public static McpSchema.Implementation info() {
        return McpSchema.Implementation.builder(NAME, version())
                .title(TITLE)
                .description(DESCRIPTION)
                .build();
    }

    /**
     * The version of this build, from {@code baton/build.properties} (filled in by the build from the
     * pom, so it is right in the jar and in the build's own tests), else the jar manifest's
     * Implementation-Version; {@code dev} only when neither exists (classes compiled by an IDE).
     */
    public static String version() {
        String v = Version.VALUE;
        return v == null ? "dev" : v;
    }

    /** Read once, on first use. */
    private static final class Version {
        static final String VALUE = read();

        private static String read() {
            try (InputStream in = BatonMcpServer.class.getResourceAsStream("/baton/build.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version", "");
                    if (!v.isBlank() && !v.startsWith("${")) {
                        return v.strip();
                    }
                }
            } catch (IOException e) {
                // fall through to the manifest
            }
            return BatonMcpServer.class.getPackage().getImplementationVersion();
        }
    }
}
