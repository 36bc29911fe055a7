package baton.http;

import static org.assertj.core.api.Assertions.assertThat;

import baton.cli.LogSetup;
import baton.TestDatabase;
import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.OAuthResourceServer;
import baton.auth.OAuthSettings;
import baton.auth.Tokens;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Baton as an OAuth 2.1 resource server of a real authorization server running in the test
 * (mock-oauth2-server, which serves metadata, JWKS and a token endpoint and signs RS256 tokens):
 * the token checks, the identity from claims, the RFC 9728 metadata, the 401 and 403 challenges.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OAuthResourceServerTest {

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
             "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
    private static final String CREATE = """
            {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_conversation",
             "arguments":{"title":"from oauth"}}}""";
    private static final String LIST = """
            {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_conversations","arguments":{}}}""";
    private static final String BOTH = "application/json, text/event-stream";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String project = "oauth-" + UUID.randomUUID();
    private final TestClock clock = new TestClock(Instant.now());
    private RSAKey keyA;
    private RSAKey keyB;
    private KeyProvider keys;
    private OAuth2TokenProvider signer;
    private MockOAuth2Server issuerServer;
    private String issuer;
    private OAuthResourceServer oauth;
    private BatonHttpServer baton;
    private ToolGateway gateway;
    private Tokens tokens;
    private String resource;

    @BeforeAll
    @SuppressWarnings("unchecked")
    void start() throws Exception {
        keyA = new RSAKeyGenerator(2048).keyID("key-a").generate();
        keyB = new RSAKeyGenerator(2048).keyID("key-b").generate();
        keys = new KeyProvider(List.of(), "RS256");
        Field field = KeyProvider.class.getDeclaredField("signingKeys");
        field.setAccessible(true);
        ((Map<String, Object>) field.get(keys)).put("default", keyA);
        signer = new OAuth2TokenProvider(keys);
        issuerServer = new MockOAuth2Server(new OAuth2Config(false, null, null, false, signer));
        issuerServer.start();
        issuer = issuerServer.issuerUrl("default").toString();

        oauth = OAuthResourceServer.discover(new OAuthSettings(URI.create(issuer), null, null, null, null, null, null,
                null), clock);
        Database db = TestDatabase.database();
        tokens = new Tokens(db, Clock.systemUTC());
        Conversations conversations = new Conversations(db, Clock.systemUTC());
        PromptLibrary prompts = new PromptLibrary();
        gateway = new ToolGateway(List.of(), new JacksonMcpJsonMapper(json), "test");
        baton = BatonHttpServer.start(HttpSettings.loopback(0), conversations,
                Agent.create(conversations, prompts, AgentSettings.withoutModel(), gateway), prompts, tokens, db, oauth);
        resource = baton.mcpUrl().toString();
    }

    @AfterAll
    void stop() {
        baton.close();
        gateway.close();
        issuerServer.shutdown();
    }

    private Map<String, Object> claims(String user, String scope) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("iss", issuer);
        claims.put("aud", resource);
        claims.put("sub", user);
        claims.put("baton_project", project);
        claims.put("scope", scope);
        return claims;
    }

    /** A token the issuer signs with its current key. */
    private String token(Map<String, Object> claims) {
        return signer.jwt(claims, Duration.ofMinutes(5), "default").serialize();
    }

    private String issued(String user, String scope) {
        return token(claims(user, scope));
    }

    private HttpResponse<String> post(String token, String body, String session) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(baton.mcpUrl()).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", BOTH)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String session(String token) throws Exception {
        HttpResponse<String> init = post(token, INITIALIZE, null);
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(post(token, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", id).statusCode())
                .isEqualTo(202);
        return id;
    }

    /** The JSON-RPC answer inside a 200 (plain JSON or one SSE event). */
    private JsonNode answer(HttpResponse<String> response) throws Exception {
        String body = response.body();
        if (body.startsWith("{")) {
            return json.readTree(body);
        }
        return json.readTree(body.lines().filter(l -> l.startsWith("data:")).reduce((a, b) -> b).orElseThrow()
                .substring(5));
    }

    private String refusal(HttpResponse<String> response, String token) throws Exception {
        assertThat(response.body()).doesNotContain("Exception", "java.");
        if (token != null) {
            String secretPart = token.substring(token.lastIndexOf('.') + 1);
            assertThat(response.body()).doesNotContain(token);
            if (secretPart.length() > 8) {
                assertThat(response.body()).doesNotContain(secretPart);
            }
            assertThat(response.headers().allValues("WWW-Authenticate").toString()).doesNotContain(token);
        }
        String sentence = json.readTree(response.body()).path("error").path("message").asText();
        assertThat(sentence).endsWith(".").doesNotContain("\n");
        return sentence;
    }

    private String metadataUrl() {
        return baton.mcpUrl().resolve("/.well-known/oauth-protected-resource/mcp").toString();
    }

    private void assertInvalid(String token, String sentencePart) throws Exception {
        HttpResponse<String> response = post(token, INITIALIZE, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("resource_metadata=\"" + metadataUrl() + "\"", "error=\"invalid_token\"");
        assertThat(refusal(response, token)).contains(sentencePart);
    }

    @Test
    void aValidAccessTokenActsAsItsSubjectInItsProjectWithTheRoleOfItsScope() throws Exception {
        String token = issued("olivia", "openid baton:viewer baton:editor");
        String session = session(token);

        JsonNode created = answer(post(token, CREATE, session));
        assertThat(created.path("result").path("isError").asBoolean()).as(created.toString()).isFalse();
        assertThat(created.path("result").path("structuredContent").path("conversation").path("owner_id").asText())
                .isEqualTo("olivia");
        JsonNode listed = answer(post(token, LIST, session));
        assertThat(listed.path("result").path("structuredContent").path("conversations").toString())
                .contains("from oauth");
    }

    @Test
    void noTokenReachesALogLineWhateverHappensToIt() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level before = root.getLevel();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
                new ch.qos.logback.core.read.ListAppender<>();
        captured.start();
        root.addAppender(captured);
        // the most Baton ever logs: BATON_LOG_LEVEL=DEBUG
        LogSetup.levels(root.getLoggerContext(), "DEBUG");
        List<String> secrets = new java.util.ArrayList<>();
        try {
            String good = issued("olivia", "baton:editor");
            secrets.add(good);
            answer(post(good, CREATE, session(good)));
            Map<String, Object> wrongAudience = claims("olivia", "baton:editor");
            wrongAudience.put("aud", "https://other.example.com/mcp");
            secrets.add(token(wrongAudience));
            Map<String, Object> noProject = claims("olivia", "baton:editor");
            noProject.remove("baton_project");
            secrets.add(token(noProject));
            secrets.add(good.substring(0, good.lastIndexOf('.') + 1) + "AAAA"); // a forged signature
            String batonToken = tokens.create(new Identity("bert", project, Role.EDITOR), "logged?").secret();
            secrets.add(batonToken);
            session(batonToken);
            secrets.add(batonToken.substring(0, batonToken.length() - 2) + "xx"); // unknown Baton token
            for (String secret : secrets.subList(1, secrets.size())) {
                post(secret, INITIALIZE, null);
            }
        } finally {
            LogSetup.levels(root.getLoggerContext(), before == null ? null : before.toString());
            root.detachAppender(captured);
        }
        assertThat(captured.list).isNotEmpty();
        for (ch.qos.logback.classic.spi.ILoggingEvent event : captured.list) {
            if (event.getLoggerName().startsWith("no.nav")) {
                continue; // the test's authorization server, not Baton
            }
            StringBuilder text = new StringBuilder(event.getFormattedMessage());
            for (ch.qos.logback.classic.spi.IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append(' ').append(t.getMessage());
            }
            for (String secret : secrets) {
                // the signature (or a Baton token's secret part) is what would let someone replay it
                String tail = secret.substring(secret.length() - 20);
                assertThat(text.toString()).as(event.getLoggerName()).doesNotContain(tail);
            }
        }
    }

    @Test
    void batonTokensKeepWorkingBesideOAuth() throws Exception {
        String batonToken = tokens.create(new Identity("bert", project, Role.EDITOR), "beside oauth").secret();
        session(batonToken);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        Map<String, Object> claims = claims("olivia", "baton:editor");
        claims.put("aud", "https://other.example.com/mcp");
        assertInvalid(token(claims), "audience (aud) must include " + resource);
    }

    @Test
    void aTokenOfAnotherIssuerIsRefused() throws Exception {
        Map<String, Object> claims = claims("olivia", "baton:editor");
        claims.put("iss", issuerServer.issuerUrl("other").toString());
        // signed with the right key: only the iss check can refuse it
        assertInvalid(token(claims), "was not issued by " + issuer);
    }

    @Test
    void anExpiredTokenIsRefusedAfterTheLeeway() throws Exception {
        OAuth2TokenProvider past = new OAuth2TokenProvider(keys, Instant.now().minus(Duration.ofMinutes(10)));
        String expired = past.jwt(claims("olivia", "baton:editor"), Duration.ofMinutes(8), "default").serialize();
        assertInvalid(expired, "has expired");

        // within the 60 s leeway: accepted
        OAuth2TokenProvider recent = new OAuth2TokenProvider(keys, Instant.now().minus(Duration.ofSeconds(90)));
        String justExpired = recent.jwt(claims("olivia", "baton:editor"), Duration.ofSeconds(60), "default").serialize();
        session(justExpired);
    }

    @Test
    void aTokenNotYetValidIsRefused() throws Exception {
        Instant later = Instant.now().plus(Duration.ofMinutes(10));
        Map<String, Object> claims = claims("olivia", "baton:editor");
        claims.put("nbf", later.getEpochSecond());
        String notYet = new OAuth2TokenProvider(keys, later).jwt(claims, Duration.ofMinutes(5), "default").serialize();
        assertInvalid(notYet, "not valid yet");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTokenWithoutExpIsRefusedNamingTheMissingClaim() throws Exception {
        Field field = KeyProvider.class.getDeclaredField("signingKeys");
        field.setAccessible(true);
        RSAKey current = (RSAKey) ((Map<String, Object>) field.get(keys)).get("default");
        JWTClaimsSet noExp = JWTClaimsSet.parse(claims("olivia", "baton:editor")); // claims() sets no exp
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(current.getKeyID())
                .type(com.nimbusds.jose.JOSEObjectType.JWT).build(), noExp);
        token.sign(new RSASSASigner(current));
        assertInvalid(token.serialize(), "The access token has no exp claim; exp, iss and aud are required.");
    }

    @Test
    void unsignedAndHmacWithThePublicKeyTokensAreRefused() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder(JWTClaimsSet.parse(claims("mallory", "baton:admin")))
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build();
        assertInvalid(new PlainJWT(claims).serialize(), "alg none");

        // the classic confusion: HS256 "signed" with the issuer's public RSA key as the HMAC secret
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("key-a").build(), claims);
        hmac.sign(new MACSigner(keyA.toPublicJWK().toRSAPublicKey().getEncoded()));
        assertInvalid(hmac.serialize(), "signature could not be verified");

        // and a token signed with a key the issuer never published
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("key-a").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("key-a").build(), claims);
        forged.sign(new RSASSASigner(stranger));
        assertInvalid(forged.serialize(), "signature could not be verified");
    }

    @Test
    void aTokenWithoutProjectOrRoleIsForbiddenNamingWhatIsMissing() throws Exception {
        Map<String, Object> noProject = claims("olivia", "baton:editor");
        noProject.remove("baton_project");
        String token = token(noProject);
        HttpResponse<String> response = post(token, INITIALIZE, null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(refusal(response, token)).isEqualTo("The access token names no project (claim 'baton_project').");

        String noRole = token(claims("olivia", "openid profile"));
        response = post(noRole, INITIALIZE, null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"", "scope=\"baton:viewer\"");
        assertThat(refusal(response, noRole))
                .isEqualTo("The access token names no role (scope baton:viewer, baton:editor or baton:admin).");
    }

    @Test
    void aViewerWritingGetsTheStepUpChallengeAndReadingStillWorks() throws Exception {
        String token = issued("victor", "baton:viewer");
        String session = session(token);

        HttpResponse<String> write = post(token, CREATE, session);
        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(write.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"", "scope=\"baton:editor\"", "resource_metadata=");
        JsonNode error = json.readTree(write.body());
        assertThat(error.path("id").asInt()).isEqualTo(2);
        assertThat(error.path("error").path("message").asText()).isEqualTo("User victor has the viewer role in project "
                + project + " and may not call create_conversation; an access token with scope baton:editor may.");

        HttpResponse<String> read = post(token, LIST, session);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(answer(read).path("result").path("isError").asBoolean()).isFalse();
    }

    @Test
    void theProtectedResourceMetadataIsServedWithoutAToken() throws Exception {
        for (String path : List.of("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")) {
            HttpResponse<String> doc = http.send(HttpRequest.newBuilder(baton.mcpUrl().resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
            JsonNode body = json.readTree(doc.body());
            assertThat(body.path("resource").asText()).isEqualTo(resource);
            assertThat(body.path("authorization_servers").toString()).isEqualTo("[\"" + issuer + "\"]");
            assertThat(body.path("scopes_supported").toString())
                    .isEqualTo("[\"baton:viewer\",\"baton:editor\",\"baton:admin\"]");
            assertThat(body.path("bearer_methods_supported").toString()).isEqualTo("[\"header\"]");
        }
    }

    @Test
    void every401CarriesTheResourceMetadataUrl() throws Exception {
        HttpResponse<String> none = post(null, INITIALIZE, null);
        assertThat(none.statusCode()).isEqualTo(401);
        String challenge = none.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertThat(challenge).startsWith("Bearer ").contains("resource_metadata=\"" + metadataUrl() + "\"")
                .doesNotContain("error=");
        assertInvalid("not-a-token", "not valid");
        assertInvalid("a.b.c", "not a well-formed JWT");
    }

    /**
     * The issuer rotates its key: a token with the new kid makes Baton fetch the keys again, but
     * at most once per 30 s, so a flood of made-up kids costs the issuer one request each 30 s.
     */
    @Test
    void anUnknownKidRefetchesTheKeysAtMostOncePer30Seconds() throws Exception {
        synchronized (this) {
            int before = oauth.keys().fetches();
            session(issued("olivia", "baton:editor")); // key A, cached: no fetch
            assertThat(oauth.keys().fetches()).isEqualTo(before);

            rotate();
            String withB = issued("olivia", "baton:editor");
            assertThat(SignedJWT.parse(withB).getHeader().getKeyID()).isEqualTo("key-b");
            clock.advance(Duration.ofSeconds(31));
            session(withB);
            assertThat(oauth.keys().fetches()).isEqualTo(before + 1);

            // a made-up kid within 30 s of that fetch: refused, and no fetch
            RSAKey stranger = new RSAKeyGenerator(2048).keyID("key-z").generate();
            SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("key-z").build(),
                    new JWTClaimsSet.Builder(JWTClaimsSet.parse(claims("olivia", "baton:editor")))
                            .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
            forged.sign(new RSASSASigner(stranger));
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofSeconds(5));
                assertInvalid(forged.serialize(), "signature could not be verified");
            }
            assertThat(oauth.keys().fetches()).isEqualTo(before + 1);
            clock.advance(Duration.ofSeconds(10));
            assertInvalid(forged.serialize(), "signature could not be verified");
            assertThat(oauth.keys().fetches()).isEqualTo(before + 2);
        }
    }

    /**
     * The issuer's next signing key: its JWKS now publishes key B only, and it signs with it. (The
     * mock names a key it generates after the issuer; a real issuer gives a new key a new kid, as
     * this one, put in place directly, has.)
     */
    @SuppressWarnings("unchecked")
    private void rotate() throws Exception {
        Field field = KeyProvider.class.getDeclaredField("signingKeys");
        field.setAccessible(true);
        ((Map<String, Object>) field.get(keys)).put("default", keyB);
    }

    private static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
