package baton.auth;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.Identity;
import baton.conversation.Role;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RFC 7662 introspection of opaque tokens. mock-oauth2-server's /introspect answers only for its own
 * JWTs, without their custom claims and with {@code aud} as one string ("[…]"), so the endpoint here
 * is a small RFC 7662 one on loopback that knows three opaque tokens.
 */
class IntrospectionTest {

    private static final URI ISSUER = URI.create("https://issuer.example.com");
    private static final URI RESOURCE = URI.create("https://baton.example.com/mcp");

    @Test
    void anActiveTokenForThisResourceActsAsItsSubjectAndAnythingElseIsRefused() throws Exception {
        long exp = Instant.now().getEpochSecond() + 300;
        Map<String, String> answers = Map.of(
                "opaque-good", "{\"active\":true,\"iss\":\"" + ISSUER + "\",\"aud\":[\"" + RESOURCE + "\"],\"sub\":\"ivan\","
                        + "\"baton_project\":\"p1\",\"scope\":\"baton:viewer\",\"exp\":" + exp + "}",
                "opaque-elsewhere", "{\"active\":true,\"iss\":\"" + ISSUER + "\",\"aud\":\"https://other.example.com\","
                        + "\"sub\":\"ivan\",\"baton_project\":\"p1\",\"scope\":\"baton:viewer\",\"exp\":" + exp + "}",
                "opaque-old", "{\"active\":true,\"iss\":\"" + ISSUER + "\",\"aud\":\"" + RESOURCE + "\",\"sub\":\"ivan\","
                        + "\"baton_project\":\"p1\",\"scope\":\"baton:viewer\",\"exp\":" + (exp - 3600) + "}");
        List<String> authorizations = new ArrayList<>();
        HttpServer endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/introspect", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String token = form.replaceAll(".*token=([^&]*).*", "$1");
            byte[] body = answers.getOrDefault(token, "{\"active\":false}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        endpoint.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/introspect");
            OAuthSettings settings = new OAuthSettings(ISSUER, URI.create("https://baton.example.com"), null, null, null,
                    null, url, "baton:introspection-secret");
            Introspection introspection = new Introspection(HttpClient.newHttpClient(), settings, url, RESOURCE,
                    Clock.systemUTC());

            assertThat(introspection.check("opaque-good"))
                    .isEqualTo(new BearerCheck.Accepted(new Identity("ivan", "p1", Role.VIEWER), true));
            assertThat(introspection.check("opaque-elsewhere")).isEqualTo(new BearerCheck.Invalid(
                    "The access token is not meant for this server: its audience (aud) must include " + RESOURCE + "."));
            assertThat(introspection.check("opaque-old"))
                    .isEqualTo(new BearerCheck.Invalid("The access token has expired."));
            assertThat(introspection.check("revoked-or-unknown")).isEqualTo(new BearerCheck.Invalid(
                    "The issuer says the access token is not active (expired, revoked or unknown)."));
            assertThat(authorizations).allSatisfy(a -> assertThat(a).isEqualTo("Basic "
                    + java.util.Base64.getEncoder().encodeToString("baton:introspection-secret".getBytes(
                            StandardCharsets.UTF_8))));
        } finally {
            endpoint.stop(0);
        }
    }
}
