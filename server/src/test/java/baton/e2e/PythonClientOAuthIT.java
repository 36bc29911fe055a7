package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.db.EmbeddedPostgresServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * The official Python MCP SDK as an OAuth client: given only Baton's URL, its
 * {@code ClientCredentialsOAuthProvider} finds the authorization server through Baton's 401 and
 * RFC 9728 metadata, gets a client-credentials token from the test's authorization server
 * (mock-oauth2-server) and calls Baton's tools with it.
 */
class PythonClientOAuthIT {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void thePythonSdkDiscoversTheIssuerFromThe401AndConnectsWithClientCredentials() throws Exception {
        Path python = ExternalTools.python();
        MockOAuth2Server issuerServer = new MockOAuth2Server();
        issuerServer.start();
        Path dataHome = Files.createTempDirectory("baton-py-oauth");
        String issuer = issuerServer.issuerUrl("default").toString();
        BatonLauncher.HttpInstance baton = BatonLauncher.http(dataHome, Map.of(), "py-oauth", "--oauth-issuer", issuer);
        try {
            String url = baton.mcpUrl().toString();
            String project = "py-oauth-" + UUID.randomUUID();
            // the token the issuer hands out for the next request: this client, for Baton, as an editor of the project
            issuerServer.enqueueCallback(new DefaultOAuth2TokenCallback("default", "py-client", "JWT", List.of(url),
                    Map.of("baton_project", project, "scope", "baton:editor"), 3600));

            List<String> command = new ArrayList<>(List.of(python.toString(),
                    ExternalTools.pythonSources().resolve("oauth_client.py").toString(), "--url", url, "--issuer", issuer,
                    "--client-id", "py-client", "--client-secret", "not-so-secret"));
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            process.getOutputStream().close();
            var stderr = new java.io.ByteArrayOutputStream();
            Thread drain = new Thread(() -> {
                try {
                    process.getErrorStream().transferTo(stderr);
                } catch (java.io.IOException e) {
                    // ended
                }
            });
            drain.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            drain.join(5000);
            assertThat(process.exitValue()).as(stderr.toString(StandardCharsets.UTF_8)).isZero();

            JsonNode result = json.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
            assertThat(result.path("created_is_error").asBoolean()).isFalse();
            assertThat(result.path("created").path("conversation").path("owner_id").asText()).isEqualTo("py-client");
            assertThat(result.path("listed").path("conversations").toString()).contains("from the python oauth client");

            List<String> requested = new ArrayList<>();
            result.path("requested").forEach(r -> requested.add(r.asText()));
            String origin = url.substring(0, url.indexOf("/mcp"));
            assertThat(requested.get(0)).isEqualTo("POST " + url); // the 401
            assertThat(requested).contains("GET " + origin + "/.well-known/oauth-protected-resource/mcp");
            assertThat(requested).anyMatch(r -> r.startsWith("POST " + issuerServer.tokenEndpointUrl("default")));
            int metadata = indexOf(requested, "/.well-known/oauth-protected-resource/mcp");
            int token = indexOf(requested, issuerServer.tokenEndpointUrl("default").toString());
            assertThat(metadata).isLessThan(token);

            RecordedRequest tokenRequest = null;
            for (RecordedRequest r = next(issuerServer); r != null; r = next(issuerServer)) {
                if (r.getPath() != null && r.getPath().endsWith("/token")) {
                    tokenRequest = r;
                }
            }
            assertThat(tokenRequest).isNotNull();
            String form = java.net.URLDecoder.decode(tokenRequest.getBody().readUtf8(), StandardCharsets.UTF_8);
            assertThat(form).contains("grant_type=client_credentials", "resource=" + url);
        } finally {
            baton.close();
            new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
            issuerServer.shutdown();
        }
    }

    private static int indexOf(List<String> requested, String part) {
        for (int i = 0; i < requested.size(); i++) {
            if (requested.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    /** The next request the issuer received, or null when there is none (the mock throws then). */
    private static RecordedRequest next(MockOAuth2Server issuerServer) {
        try {
            return issuerServer.takeRequest(1, TimeUnit.SECONDS);
        } catch (RuntimeException none) {
            return null;
        }
    }
}
