package baton.reliability;

import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import baton.e2e.McpTestClient;
import baton.http.BatonHttpServer;
import baton.http.HttpSettings;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Baton serving MCP over Streamable HTTP on a loopback port, in this JVM, on the given database,
 * with no model configured (send_message answers that it needs one). Clients connect with tokens
 * of their own, through the real MCP client.
 */
final class InProcessBaton implements AutoCloseable {

    private final Database database;
    private final Conversations conversations;
    private final Tokens tokens;
    private final ToolGateway gateway;
    private final BatonHttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private InProcessBaton(Database database) {
        this.database = database;
        this.conversations = new Conversations(database, Clock.systemUTC());
        this.tokens = new Tokens(database, Clock.systemUTC());
        PromptLibrary prompts = new PromptLibrary();
        AgentSettings settings = AgentSettings.withoutModel();
        this.gateway = new ToolGateway(List.of(), new JacksonMcpJsonMapper(new ObjectMapper()), "reliability");
        this.server = BatonHttpServer.start(HttpSettings.loopback(0), conversations,
                Agent.create(conversations, prompts, settings, gateway), prompts, tokens, database);
    }

    static InProcessBaton start(Database database) {
        return new InProcessBaton(database);
    }

    Database database() {
        return database;
    }

    /** The service itself, for setting up data that is not under test. */
    Conversations conversations() {
        return conversations;
    }

    URI mcpUrl() {
        return server.mcpUrl();
    }

    /** A new bearer token for the identity. */
    String token(String user, String project, Role role) {
        return tokens.create(new Identity(user, project, role), "reliability").secret();
    }

    /** A real MCP client over Streamable HTTP, connected as the identity. */
    McpTestClient connect(String user, String project, Role role) {
        return McpTestClient.overHttp(mcpUrl(), token(user, project, role), progress -> { });
    }

    /** GET /healthz: the status code and the body. */
    HttpResponse<String> health() throws Exception {
        return http.send(HttpRequest.newBuilder(mcpUrl().resolve(BatonHttpServer.HEALTH_PATH))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
        gateway.close();
    }
}
