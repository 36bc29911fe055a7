package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.db.EmbeddedPostgresServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scenario once more over Streamable HTTP, every user signed in with an OAuth access token of a
 * real authorization server running in the test (mock-oauth2-server): two {@code baton serve --http
 * --oauth-issuer} processes on one PostgreSQL with one {@code --public-url}, so a token is good on
 * both. The viewer's writes are refused at the HTTP gate with the step-up challenge (403), not as
 * tool results, so that one case is checked here in its OAuth form.
 */
class OAuthHttpEndToEndIT extends EndToEndSuite {

    private static final String PUBLIC_URL = "http://baton.test";
    private static final String RESOURCE = PUBLIC_URL + "/mcp";

    private Path dataHome;
    private MockOAuth2Server issuerServer;
    private final List<BatonLauncher.HttpInstance> instances = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final List<McpTestClient> clients = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startTwoInstances() throws Exception {
        issuerServer = new MockOAuth2Server();
        issuerServer.start();
        String issuer = issuerServer.issuerUrl("default").toString();
        dataHome = Files.createTempDirectory("baton-oauth-e2e");
        instances.add(BatonLauncher.http(dataHome, Map.of("BATON_OAUTH_ISSUER", issuer), "oauth-1",
                "--public-url", PUBLIC_URL));
        instances.add(BatonLauncher.http(dataHome, Map.of(), "oauth-2", "--oauth-issuer", issuer,
                "--public-url", PUBLIC_URL));
    }

    @AfterAll
    void stop() throws Exception {
        clients.forEach(McpTestClient::close);
        for (BatonLauncher.HttpInstance instance : instances) {
            instance.close();
        }
        new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
        issuerServer.shutdown();
    }

    private String accessToken(String user, String project, String role) {
        return issuerServer.issueToken("default", user, new DefaultOAuth2TokenCallback("default", user, "JWT",
                List.of(RESOURCE), Map.of("baton_project", project, "scope", "openid baton:" + role), 3600))
                .serialize();
    }

    @Override
    protected McpTestClient start(String user, String project, String role) {
        BatonLauncher.HttpInstance instance = instances.get(next.getAndIncrement() % instances.size());
        McpTestClient client = McpTestClient.overHttp(instance.mcpUrl(), accessToken(user, project, role), p -> { });
        clients.add(client);
        return client;
    }

    private HttpResponse<String> post(BatonLauncher.HttpInstance instance, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(instance.mcpUrl()).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    void viewerWriteIsRefused(McpTestClient viewer, String tool, Map<String, Object> arguments) {
        // over OAuth a viewer's write is refused before the MCP server, with HTTP 403 (the step-up hint)
        assertThatThrownBy(() -> viewer.call(tool, arguments));
    }

    @Override
    @Test
    void viewerReadsSharedButWritesNothingAndProjectsStayApart() {
        String project = "e2e-" + UUID.randomUUID();
        McpTestClient alice = start("alice", project, "editor");
        McpTestClient vera = start("vera", project, "viewer");
        McpTestClient stranger = start("mallory", "other-" + UUID.randomUUID(), "admin");

        String id = (String) conversation(alice.call("create_conversation", Map.of("title", "t"))).get("id");
        alice.call("append_messages", Map.of("conversation_id", id, "messages", turn("q")));
        alice.call("share_conversation", Map.of("conversation_id", id));

        assertThat(messages(vera.call("read_conversation", Map.of("conversation_id", id)))).hasSize(4);
        // over OAuth a viewer's write is refused before the MCP server, with HTTP 403 (the step-up hint)
        assertThatThrownBy(() -> vera.call("fork_conversation", Map.of("conversation_id", id)));
        assertThat(alice.call("list_conversations", Map.of()).get("conversations").toString()).doesNotContain("(forked)");

        String missing = UUID.randomUUID().toString();
        assertThat(stranger.refused("read_conversation", Map.of("conversation_id", id)))
                .isEqualTo(stranger.refused("read_conversation", Map.of("conversation_id", missing)).replace(missing, id))
                .contains("was not found");
        assertThat(messages(alice.call("read_conversation", Map.of("conversation_id", id)))).hasSize(4);
    }

    @Test
    void theChallengeLeadsToTheMetadataAndTheStepUpNamesTheScope() throws Exception {
        BatonLauncher.HttpInstance instance = instances.get(0);
        HttpResponse<String> anonymous = post(instance, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("resource_metadata=\"" + PUBLIC_URL + "/.well-known/oauth-protected-resource/mcp\"");
        HttpResponse<String> metadata = http.send(HttpRequest.newBuilder(instance.mcpUrl()
                .resolve("/.well-known/oauth-protected-resource/mcp")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(metadata.body()).contains("\"resource\":\"" + RESOURCE + "\"",
                "\"authorization_servers\":[\"" + issuerServer.issuerUrl("default") + "\"]");

        String viewer = accessToken("vic", "e2e-" + UUID.randomUUID(), "viewer");
        HttpResponse<String> write = post(instance, viewer, """
                {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"create_conversation","arguments":{}}}""");
        // without a session the gate refuses the write before the transport would ask for one
        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(write.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"", "scope=\"baton:editor\"");
        assertThat(write.body()).contains("may not call create_conversation").doesNotContain(viewer);

        HttpResponse<String> wrongAudience = post(instance, issuerServer.issueToken("default", "eve",
                new DefaultOAuth2TokenCallback("default", "eve", "JWT", List.of("http://elsewhere/mcp"),
                        Map.of("baton_project", "p", "scope", "baton:admin"), 3600)).serialize(), "{}");
        assertThat(wrongAudience.statusCode()).isEqualTo(401);
        assertThat(wrongAudience.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token");
    }
}
