package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.auth.Tokens;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.EmbeddedPostgresServer;
import baton.db.Storage;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scenario over Streamable HTTP: two {@code baton serve --http} processes on one PostgreSQL.
 * Users are spread over both instances in turn, so alice shares through one and bob reads and
 * forks through the other; each connects with a bearer token of his own.
 */
class HttpEndToEndIT extends EndToEndSuite {

    private Path dataHome;
    private Storage storage;
    private Tokens tokens;
    private final List<BatonLauncher.HttpInstance> instances = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final List<McpTestClient> clients = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startTwoInstances() throws Exception {
        dataHome = Files.createTempDirectory("baton-http-e2e");
        instances.add(BatonLauncher.http(dataHome, Map.of(), "http-1"));
        instances.add(BatonLauncher.http(dataHome, Map.of(), "http-2"));
        // tokens are made straight in the shared database; the CLI is exercised below
        storage = Storage.open(null, dataHome.resolve("baton"), 2);
        tokens = new Tokens(storage.database(), Clock.systemUTC());
    }

    @AfterAll
    void stop() throws Exception {
        clients.forEach(McpTestClient::close);
        for (BatonLauncher.HttpInstance instance : instances) {
            instance.close();
        }
        if (storage != null) {
            storage.close();
        }
        new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
    }

    @Override
    protected McpTestClient start(String user, String project, String role) {
        String token = tokens.create(new Identity(user, project, Role.parse(role)), "e2e").secret();
        BatonLauncher.HttpInstance instance = instances.get(next.getAndIncrement() % instances.size());
        McpTestClient client = McpTestClient.overHttp(instance.mcpUrl(), token, p -> { });
        clients.add(client);
        return client;
    }

    private int initialize(BatonLauncher.HttpInstance instance, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(instance.mcpUrl()).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                         "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"""))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aTokenMadeAndRevokedWithTheCliWorksAndThenFailsOnEveryInstance() throws Exception {
        String project = "cli-" + UUID.randomUUID();
        BatonLauncher.Result created = BatonLauncher.run(dataHome, Map.of(), "token", "create", "--user", "dana",
                "--project", project, "--role", "editor", "--label", "e2e");
        assertThat(created.status()).as(created.stderr()).isZero();
        String token = created.stdout().strip();
        for (BatonLauncher.HttpInstance instance : instances) {
            assertThat(initialize(instance, token)).isEqualTo(200);
        }
        String id = tokens.list(project).get(0).id().toString();
        BatonLauncher.Result revoked = BatonLauncher.run(dataHome, Map.of(), "token", "revoke", id);
        assertThat(revoked.status()).as(revoked.stderr()).isZero();
        for (BatonLauncher.HttpInstance instance : instances) {
            assertThat(initialize(instance, token)).isEqualTo(401);
        }
    }

    @Test
    void bothInstancesAreHealthy() throws Exception {
        for (BatonLauncher.HttpInstance instance : instances) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(instance.mcpUrl().resolve("/healthz"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("ok");
        }
    }

    @Test
    void anInstanceStopsCleanlyOnSigtermAndTheOtherServesOn() throws Exception {
        String project = "stop-" + UUID.randomUUID();
        BatonLauncher.HttpInstance third = BatonLauncher.http(dataHome, Map.of(), "http-3");
        String token = tokens.create(new Identity("erin", project, Role.EDITOR), "e2e").secret();
        assertThat(initialize(third, token)).isEqualTo(200);
        assertThat(third.stop()).as("ended within 30 s of SIGTERM").isTrue();
        assertThat(third.process().exitValue()).isIn(0, 143);
        assertThat(initialize(instances.get(0), token)).isEqualTo(200);
    }
}
