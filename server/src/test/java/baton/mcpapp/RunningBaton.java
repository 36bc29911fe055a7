package baton.mcpapp;

import baton.TestDatabase;
import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ModelSettings;
import baton.agent.ToolGateway;
import baton.auth.Tokens;
import baton.conversation.ContentType;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import baton.conversation.Role;
import baton.db.Database;
import baton.http.BatonHttpServer;
import baton.http.HttpSettings;
import baton.mcp.ConversationViewer;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Baton over Streamable HTTP on the test database, with real MCP Java SDK clients: one that
 * declares the MCP Apps extension (as a host that renders views does) and one that does not.
 */
final class RunningBaton implements AutoCloseable {

    final String project = "mcpapp-" + UUID.randomUUID();
    final Database db = TestDatabase.database();
    final Conversations conversations = new Conversations(db, Clock.systemUTC());
    private final Tokens tokens = new Tokens(db, Clock.systemUTC());
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final BatonHttpServer server;

    RunningBaton() {
        ObjectMapper json = new ObjectMapper();
        PromptLibrary prompts = new PromptLibrary();
        // no model is ever asked: these tests never send a message
        AgentSettings settings = new AgentSettings(new ModelSettings("http://127.0.0.1:9/v1", "unused", "unused",
                Duration.ofSeconds(5), 0, Duration.ofMillis(1)), List.of(), 4, Duration.ofMinutes(1));
        ToolGateway gateway = new ToolGateway(List.of(), new JacksonMcpJsonMapper(json), "test");
        closing.add(gateway);
        server = BatonHttpServer.start(HttpSettings.loopback(0), conversations,
                Agent.create(conversations, prompts, settings, gateway), prompts, tokens, db);
        closing.add(server);
    }

    Identity user(String name, Role role) {
        return new Identity(name, project, role);
    }

    /** A client of {@code user}; with {@code appsHost} it declares the extension as SEP-1865 says. */
    McpSyncClient client(Identity user, boolean appsHost) {
        String token = tokens.create(user, "test").secret();
        URI url = server.mcpUrl();
        var transport = HttpClientStreamableHttpTransport.builder(url.getScheme() + "://" + url.getAuthority())
                .endpoint(url.getPath())
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        McpSchema.ClientCapabilities.Builder capabilities = McpSchema.ClientCapabilities.builder();
        if (appsHost) {
            capabilities.extensions(Map.of(ConversationViewer.EXTENSION,
                    Map.of("mimeTypes", List.of(ConversationViewer.MIME_TYPE))));
        }
        McpSyncClient client = McpClient.sync(transport)
                .capabilities(capabilities.build())
                .requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(30))
                .build();
        client.initialize();
        closing.add(client::closeGracefully);
        return client;
    }

    /**
     * alice's conversation, shared: a sales turn with a tool call and its result, a turn whose
     * tool failed, and a turn whose question holds HTML that must show as text.
     */
    UUID alicesSharedConversation(Identity alice) {
        UUID id = conversations.create(alice, "Quarterly review <b>Q4</b>").id();
        conversations.append(alice, id, turn("What was our revenue per quarter in 2026?", "query_dataset",
                "{\"dataset\":\"sales\",\"table\":\"revenue\"}", ContentType.JSON,
                "{\"rows\":[{\"quarter\":\"2026-Q4\",\"revenue\":521750}]}", "Q4 revenue was EUR 521,750."));
        conversations.append(alice, id, turn("And the margins?", "query_dataset",
                "{\"dataset\":\"finance\",\"table\":\"margins\"}", ContentType.ERROR,
                "permission denied: dataset 'finance'", "I could not read the finance dataset."));
        conversations.append(alice, id, turn("<img src=x onerror=\"document.title='pwned'\"><script>alert(1)</script>",
                null, null, null, null, "That is <b>text</b>, not markup."));
        // every result shown: the viewer's rendering of them is under test (no upstream here could check them)
        conversations.share(alice, id, null, baton.conversation.ToolResultsPolicy.ALL);
        return id;
    }

    private static List<NewMessage> turn(String question, String tool, String arguments, ContentType resultType,
            String result, String answer) {
        UUID root = UUID.randomUUID();
        List<NewMessage> messages = new ArrayList<>();
        messages.add(new NewMessage(root, MessageRole.USER, MessageType.CALL, "router_agent", null, ContentType.TEXT,
                question));
        if (tool != null) {
            UUID call = UUID.randomUUID();
            messages.add(new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, tool, root, ContentType.JSON,
                    arguments));
            messages.add(new NewMessage(null, MessageRole.TOOL, MessageType.RESULT, tool, call, resultType, result));
        }
        messages.add(new NewMessage(null, MessageRole.ASSISTANT, MessageType.RESULT, "router_agent", null,
                ContentType.TEXT, answer));
        return messages;
    }

    @Override
    public void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
