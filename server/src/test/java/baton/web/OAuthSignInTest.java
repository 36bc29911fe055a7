package baton.web;

import static org.assertj.core.api.Assertions.assertThat;

import baton.Turns;
import baton.auth.OAuthResourceServer;
import baton.auth.OAuthSettings;
import baton.conversation.Conversation;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Signing in to the pages at a real authorization server running in the test (mock-oauth2-server,
 * which answers the authorization code flow without a login form), over real HTTP with a browser's
 * cookie jar: the button, the redirect with PKCE, state, nonce and resource, the token checked as
 * {@code /mcp} checks it, and the refusals (a wrong state, denied consent, a token naming no project).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OAuthSignInTest {

    private static final String CLIENT = "baton-web";

    private MockOAuth2Server issuerServer;
    private WebFixture web;
    private URI resource;

    @BeforeAll
    void start() throws Exception {
        issuerServer = new MockOAuth2Server();
        issuerServer.start();
        URI issuer = URI.create(issuerServer.issuerUrl("default").toString());
        web = new WebFixture((url, tokens) -> {
            OAuthResourceServer oauth = OAuthResourceServer.discover(new OAuthSettings(issuer, url.base(), null, null,
                    null, null, null, null), Clock.systemUTC());
            resource = oauth.settings().resource(null);
            return List.of(new OAuthSignIn(oauth.metadata(), oauth.bearers(tokens, resource), resource, url,
                    CLIENT, null, true));
        });
    }

    @AfterAll
    void stop() {
        web.close();
        issuerServer.shutdown();
    }

    /** The issuer's next token: for {@code user}, with {@code claims}, for Baton's resource. */
    private void nextToken(String user, Map<String, Object> claims) {
        issuerServer.enqueueCallback(new DefaultOAuth2TokenCallback("default", user, "JWT",
                List.of(resource.toString()), claims, 3600));
    }

    private Map<String, Object> editorOf(String project) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("baton_project", project);
        claims.put("scope", "openid baton:editor");
        return claims;
    }

    private static HttpClient browser(HttpClient.Redirect redirects) {
        return HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(redirects).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> get(HttpClient browser, URI url) throws Exception {
        return browser.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theButtonLeadsToTheIssuerAndBackSignedInAsTheTokensSubject() throws Exception {
        Conversation mine = web.conversation("Signed in by OAuth", 0, List.of(Turns.turn("who am I?")));
        HttpClient browser = browser(HttpClient.Redirect.NORMAL);
        HttpResponse<String> form = get(browser, web.url("/signin"));
        assertThat(form.body()).contains("href=\"/signin/oauth\"");

        nextToken("alice", editorOf(web.project));
        HttpResponse<String> landed = get(browser, web.url("/signin/oauth"));
        assertThat(landed.statusCode()).as(landed.body()).isEqualTo(200);
        assertThat(landed.uri().getPath()).isEqualTo("/");
        assertThat(landed.body()).contains("alice · " + web.project + " · editor", "Signed in by OAuth");
        assertThat(landed.uri().toString()).doesNotContain("code=", "state=");
        HttpResponse<String> page = get(browser, web.url("/c/" + mine.id()));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("who am I?");
    }

    @Test
    void aShareLinkOpenedSignedOutLandsOnItsPageAfterTheIssuer() throws Exception {
        Conversation shared = web.conversation("Opened from a link", 1, List.of(Turns.turn("shared with bob?")));
        HttpClient browser = browser(HttpClient.Redirect.NORMAL);
        HttpResponse<String> signin = get(browser, web.url("/c/" + shared.id()));
        assertThat(signin.uri().getPath()).isEqualTo("/signin");
        Matcher button = Pattern.compile("id=\"signin-oauth\" href=\"([^\"]+)\"").matcher(signin.body());
        assertThat(button.find()).as(signin.body()).isTrue();
        nextToken("bob", editorOf(web.project));
        HttpResponse<String> landed = get(browser, web.url(button.group(1).replace("&#x2F;", "/").replace("&#61;", "=")));
        assertThat(landed.statusCode()).as(landed.body()).isEqualTo(200);
        assertThat(landed.uri().getPath()).isEqualTo("/c/" + shared.id());
        assertThat(landed.body()).contains("bob · " + web.project + " · editor", "shared with bob?");
    }

    @Test
    void theRedirectCarriesPkceStateNonceAndResourceAndTheirSecretsOnlyInAnHttpOnlyCookie() throws Exception {
        HttpClient browser = browser(HttpClient.Redirect.NEVER);
        HttpResponse<String> start = get(browser, web.url("/signin/oauth"));
        assertThat(start.statusCode()).isEqualTo(303);
        URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
        Map<String, String> query = query(authorize);
        assertThat(authorize.toString()).startsWith(issuerServer.authorizationEndpointUrl("default").toString());
        assertThat(query).containsEntry("response_type", "code").containsEntry("client_id", CLIENT)
                .containsEntry("code_challenge_method", "S256").containsEntry("resource", resource.toString())
                .containsEntry("redirect_uri", web.base + "/signin/oauth/callback")
                .containsEntry("scope", "openid baton:viewer baton:editor baton:admin")
                .containsKeys("state", "nonce", "code_challenge");
        String cookie = start.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("baton_oauth="))
                .findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly", "SameSite=Lax", "Max-Age=600");
        String[] kept = cookie.substring("baton_oauth=".length(), cookie.indexOf(';')).split("\\.");
        assertThat(kept[0]).isEqualTo(query.get("state"));
        assertThat(OAuthSignIn.challenge(kept[1])).isEqualTo(query.get("code_challenge"));
        assertThat(authorize.toString()).as("the verifier never travels in a URL").doesNotContain(kept[1]);
    }

    @Test
    void aWrongStateIsRefusedAndOpensNoSession() throws Exception {
        HttpClient browser = browser(HttpClient.Redirect.NEVER);
        URI authorize = URI.create(get(browser, web.url("/signin/oauth")).headers().firstValue("Location").orElseThrow());
        HttpResponse<String> issued = get(browser, authorize);
        URI callback = URI.create(issued.headers().firstValue("Location").orElseThrow());
        assertThat(callback.getPath()).isEqualTo("/signin/oauth/callback");
        Map<String, String> query = query(callback);
        URI forged = web.url("/signin/oauth/callback?code=" + enc(query.get("code")) + "&state="
                + enc(query.get("state").substring(1) + "x"));
        HttpResponse<String> refused = get(browser, forged);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(sentence(refused.body())).contains("its state does not match");
        assertThat(refused.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(WebPages.SESSION_COOKIE + "="));
        // the right state after a refusal is no good either: the pending sign-in is gone
        HttpResponse<String> again = get(browser, callback);
        assertThat(again.statusCode()).isEqualTo(400);
    }

    @Test
    void deniedConsentAndATokenWithoutAProjectGetOneSentence() throws Exception {
        HttpClient browser = browser(HttpClient.Redirect.NEVER);
        URI authorize = URI.create(get(browser, web.url("/signin/oauth")).headers().firstValue("Location").orElseThrow());
        String state = query(authorize).get("state");
        HttpResponse<String> denied = get(browser, web.url("/signin/oauth/callback?error=access_denied&state=" + enc(state)));
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(sentence(denied.body())).startsWith("The sign-in was not allowed at ");

        HttpClient other = browser(HttpClient.Redirect.NORMAL);
        nextToken("dora", Map.of("scope", "openid baton:editor"));
        HttpResponse<String> lacking = get(other, web.url("/signin/oauth"));
        assertThat(lacking.statusCode()).isEqualTo(403);
        assertThat(sentence(lacking.body())).isEqualTo(
                "Baton does not accept the issuer's token: The access token names no project (claim 'baton_project').");
        assertThat(lacking.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(WebPages.SESSION_COOKIE + "="));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String sentence(String html) {
        Matcher m = Pattern.compile("id=\"sentence\">([^<]*)<").matcher(html);
        assertThat(m.find()).as(html).isTrue();
        return m.group(1).strip().replace("&#39;", "'").replace("&#x27;", "'").replace("&quot;", "\"")
                .replace("&amp;", "&");
    }
}
