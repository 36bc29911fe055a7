package baton.auth;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.Identity;
import baton.conversation.Role;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.Test;

/** The algorithms beyond RS256 (ES256 from the mock issuer, EdDSA hand-signed) and the claim mapping options. */
class AccessTokensTest {

    private static final URI RESOURCE = URI.create("https://baton.example.com/mcp");

    private static OAuthSettings settings(URI issuer, String project, String roleClaim) {
        return new OAuthSettings(issuer, URI.create("https://baton.example.com"), null, null, project, roleClaim, null,
                null);
    }

    @Test
    void es256TokensOfTheIssuerAreAccepted() {
        OAuth2TokenProvider signer = new OAuth2TokenProvider(new KeyProvider(List.of(), "ES256"));
        MockOAuth2Server issuerServer = new MockOAuth2Server(new OAuth2Config(false, null, null, false, signer));
        issuerServer.start();
        try {
            URI issuer = URI.create(issuerServer.issuerUrl("default").toString());
            OAuthSettings settings = settings(issuer, null, null);
            OAuthResourceServer oauth = OAuthResourceServer.discover(settings, Clock.systemUTC());
            assertThat(settings.resource(null)).isEqualTo(RESOURCE);
            AccessTokens tokens = new AccessTokens(settings, oauth.keys(), RESOURCE);
            Map<String, Object> claims = new HashMap<>(Map.of("iss", issuer.toString(), "aud", List.of(RESOURCE.toString(),
                    "other"), "sub", "esme", "baton_project", "p1", "scp", List.of("baton:viewer", "baton:admin")));
            String token = signer.jwt(claims, Duration.ofMinutes(5), "default").serialize();

            assertThat(tokens.check(token)).isEqualTo(
                    new BearerCheck.Accepted(new Identity("esme", "p1", Role.ADMIN), true));
        } finally {
            issuerServer.shutdown();
        }
    }

    @Test
    void eddsaTokensAreVerifiedWithTheRuntimesEd25519() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw)).keyID("ed-1").build();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new JWKSet(jwk).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try {
            URI issuer = URI.create("https://issuer.example.com");
            IssuerKeys keys = new IssuerKeys(HttpClient.newHttpClient(),
                    URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks"), Clock.systemUTC(),
                    Duration.ofSeconds(30));
            AccessTokens tokens = new AccessTokens(settings(issuer, "fixed", "roles"), keys, RESOURCE);
            long now = Instant.now().getEpochSecond();
            String payload = "{\"iss\":\"" + issuer + "\",\"aud\":\"" + RESOURCE + "\",\"sub\":\"eddie\",\"exp\":"
                    + (now + 300) + ",\"roles\":[\"viewer\",\"editor\"]}";
            String token = sign(pair, "{\"alg\":\"EdDSA\",\"kid\":\"ed-1\",\"typ\":\"at+jwt\"}", payload);

            assertThat(tokens.check(token)).isEqualTo(
                    new BearerCheck.Accepted(new Identity("eddie", "fixed", Role.EDITOR), true));

            KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            assertThat(tokens.check(sign(other, "{\"alg\":\"EdDSA\",\"kid\":\"ed-1\"}", payload)))
                    .isInstanceOf(BearerCheck.Invalid.class);
            String noRole = payload.replace("\"roles\":[\"viewer\",\"editor\"]", "\"roles\":\"wizard\"");
            assertThat(tokens.check(sign(pair, "{\"alg\":\"EdDSA\",\"kid\":\"ed-1\"}", noRole))).isEqualTo(
                    new BearerCheck.Lacking("The access token names no role (claim 'roles' with viewer, editor or admin).",
                            null));
        } finally {
            jwks.stop(0);
        }
    }

    private static String sign(KeyPair pair, String header, String payload) throws Exception {
        String input = b64(header) + "." + b64(payload);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(pair.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(s.sign());
    }

    private static String b64(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Test
    void jwtShapeDecidesWhichCheckABearerGets() {
        assertThat(AccessTokens.looksLikeJwt("a.b.c")).isTrue();
        assertThat(AccessTokens.looksLikeJwt("a.b.")).isTrue();
        assertThat(AccessTokens.looksLikeJwt(Tokens.PREFIX + "x".repeat(43))).isFalse();
        assertThat(AccessTokens.looksLikeJwt("a.b")).isFalse();
        assertThat(AccessTokens.looksLikeJwt("a.b.c.d.e")).isFalse();
    }

    @Test
    void settingsNeverShowTheIntrospectionSecret() {
        OAuthSettings s = new OAuthSettings(URI.create("https://issuer.example.com"), null, null, null, null, null,
                URI.create("https://issuer.example.com/introspect"), "baton:s3cr3t-value");
        assertThat(s.toString()).doesNotContain("s3cr3t").contains("****");
        assertThat(s.resource(URI.create("http://127.0.0.1:8080/mcp"))).hasToString("http://127.0.0.1:8080/mcp");
        assertThat(new OAuthSettings(URI.create("https://i.example.com"), URI.create("https://b.example.com/mcp/"), null,
                null, null, null, null, null).resource(null)).hasToString("https://b.example.com/mcp");
    }
}
