package baton.web;

import static org.assertj.core.api.Assertions.assertThat;

import baton.Turns;
import baton.auth.OAuthResourceServer;
import baton.auth.OAuthSettings;
import baton.conversation.Conversation;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Sign-in at the OAuth issuer in a real Chromium: the browser, not a test's cookie jar, decides
 * whether the pending sign-in's cookie comes back with the issuer's redirect (it is SameSite=Lax
 * for that reason), and the page's CSP must let the trip happen.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OAuthSignInBrowserTest {

    private MockOAuth2Server issuerServer;
    private WebFixture web;
    private ChromeDriver browser;
    private URI resource;

    @BeforeAll
    void start() throws Exception {
        Optional<Path[]> chromium = Browsers.find();
        if (chromium.isEmpty() && !Browsers.inCi()) {
            Assumptions.abort("Chromium and chromedriver are not installed; the browser tests are skipped outside CI.");
        }
        assertThat(chromium).as("CI must have chromium and chromium-driver (see .ci/run)").isPresent();
        issuerServer = new MockOAuth2Server();
        issuerServer.start();
        URI issuer = URI.create(issuerServer.issuerUrl("default").toString());
        web = new WebFixture((url, tokens) -> {
            OAuthResourceServer oauth = OAuthResourceServer.discover(new OAuthSettings(issuer, url.base(), null, null,
                    null, null, null, null), Clock.systemUTC());
            resource = oauth.settings().resource(null);
            return List.of(new OAuthSignIn(oauth.metadata(), oauth.bearers(tokens, resource), resource, url,
                    "baton-web", null, true));
        });
        browser = Browsers.start(chromium.get());
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (web != null) {
            web.close();
        }
        if (issuerServer != null) {
            issuerServer.shutdown();
        }
    }

    @Test
    void aMemberOpensAShareLinkSignsInAtTheIssuerAndReadsIt() {
        Conversation c = web.conversation("Read after OAuth", 1, List.of(Turns.turn("Seen through the issuer?")));
        issuerServer.enqueueCallback(new DefaultOAuth2TokenCallback("default", "bob", "JWT",
                List.of(resource.toString()), Map.of("baton_project", web.project, "scope", "openid baton:editor"),
                3600));
        browser.get(web.url("/c/" + c.id()).toString());
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("/signin"));
        browser.findElement(By.id("signin-oauth")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(d -> d.getCurrentUrl().endsWith("/c/" + c.id()) && !d.findElements(By.id("title")).isEmpty());
        assertThat(browser.findElement(By.className("who")).getText()).isEqualTo("bob · " + web.project + " · editor");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Seen through the issuer?");
        assertThat(browser.manage().getCookieNamed(WebPages.SESSION_COOKIE).isHttpOnly()).isTrue();
        assertThat(browser.manage().getCookieNamed(OAuthSignIn.COOKIE)).as("the pending sign-in is gone").isNull();
    }
}
