package baton.auth;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.Identity;
import baton.conversation.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/** RFC 7662 introspection at the test's authorization server (mock-oauth2-server's /introspect). */
class IntrospectionTest {

    @Test
    void anActiveTokenForThisResourceActsAsItsSubjectAndAnythingElseIsRefused() throws Exception {
        MockOAuth2Server issuerServer = new MockOAuth2Server();
        issuerServer.start();
        try {
            URI issuer = URI.create(issuerServer.issuerUrl("default").toString());
            URI resource = URI.create("https://baton.example.com/mcp");
            OAuthSettings settings = new OAuthSettings(issuer, URI.create("https://baton.example.com"), null, null, null,
                    null, URI.create(issuer + "/introspect"), "baton:introspection-secret");
            Introspection introspection = new Introspection(HttpClient.newHttpClient(), settings,
                    settings.introspection(), resource, Clock.systemUTC());

            String token = issuerServer.issueToken("default", "ivan", new DefaultOAuth2TokenCallback("default", "ivan",
                    "JWT", List.of(resource.toString()), Map.of("baton_project", "p1", "scope", "baton:viewer"), 3600))
                    .serialize();
            assertThat(introspection.check(token))
                    .isEqualTo(new BearerCheck.Accepted(new Identity("ivan", "p1", Role.VIEWER), true));

            String elsewhere = issuerServer.issueToken("default", "ivan", new DefaultOAuth2TokenCallback("default",
                    "ivan", "JWT", List.of("https://other.example.com"), Map.of("baton_project", "p1",
                    "scope", "baton:viewer"), 3600)).serialize();
            assertThat(introspection.check(elsewhere)).isInstanceOf(BearerCheck.Invalid.class);
            assertThat(introspection.check("opaque-garbage")).isEqualTo(new BearerCheck.Invalid(
                    "The issuer says the access token is not active (expired, revoked or unknown)."));

            RecordedRequest asked = null;
            for (RecordedRequest r = next(issuerServer); r != null; r = next(issuerServer)) {
                if (r.getPath().endsWith("/introspect")) {
                    asked = r;
                }
            }
            assertThat(asked.getHeader("Authorization")).startsWith("Basic ");
        } finally {
            issuerServer.shutdown();
        }
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
