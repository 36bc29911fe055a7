package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.db.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scenario over stdio: one {@code baton serve --stdio} process per user, each with its identity in flags. */
class StdioEndToEndIT extends EndToEndSuite {

    private Path dataHome;
    private final List<McpTestClient> clients = new ArrayList<>();

    @BeforeAll
    void dataHome() throws Exception {
        dataHome = Files.createTempDirectory("baton-e2e");
    }

    @AfterAll
    void stop() {
        clients.forEach(McpTestClient::close);
        new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
    }

    @Override
    protected McpTestClient start(String user, String project, String role) {
        var client = BatonLauncher.stdio(dataHome, Map.of(), user, n -> { }, "--user", user, "--project", project,
                "--role", role);
        McpTestClient wrapped = new McpTestClient(client);
        clients.add(wrapped);
        return wrapped;
    }

    /**
     * Regression: the SDK's stdio transport dropped answers not yet written when stdin ended, so a
     * client that piped its requests and closed stdin got only some of the answers.
     */
    @Test
    void answersEveryRequestWhenStdinClosesRightAfterTheLastOne() throws Exception {
        String requests = String.join("\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"pipe\",\"version\":\"1\"}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"create_conversation\","
                        + "\"arguments\":{\"title\":\"Piped\"}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"list_conversations\","
                        + "\"arguments\":{}}}") + "\n";
        ProcessBuilder builder = new ProcessBuilder(BatonLauncher.java(), "-jar", BatonLauncher.jar(), "serve", "--stdio",
                "--user", "piper", "--project", "pipe-" + UUID.randomUUID());
        builder.environment().clear();
        builder.environment().putAll(BatonLauncher.env(dataHome, Map.of()));
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(requests.getBytes(StandardCharsets.UTF_8));
        }
        List<String> answers = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines().toList();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(answers).hasSize(4);
        assertThat(answers).allSatisfy(a -> assertThat(a).doesNotContain("\"error\":{\"code\""));
        assertThat(String.join("\n", answers)).contains("\"id\":1", "\"id\":2", "\"id\":3", "\"id\":4", "Piped");
    }

}
