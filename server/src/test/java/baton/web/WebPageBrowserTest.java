package baton.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.Turns;
import baton.conversation.ContentType;
import baton.conversation.Conversation;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import baton.conversation.NewMessage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The pages in a real browser (headless Chromium, driven by Selenium) against a real Baton and
 * database: sign in with a token, read a shared conversation, fold and unfold a tool call, fork,
 * unshare, the viewer, forged posts, content that tries to run script, the CSP, another project.
 * Screenshots land in {@code target/screenshots/}. Without Chromium the class is skipped with a
 * message, except in CI ({@code CI} set), where it must run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebPageBrowserTest {

    private static final Path SCREENSHOTS = Path.of("target/screenshots");
    private WebFixture web;
    private ChromeDriver owner;
    private ChromeDriver reader;

    @BeforeAll
    void start() throws IOException {
        Optional<Path[]> chromium = Browsers.find();
        if (chromium.isEmpty() && !Browsers.inCi()) {
            Assumptions.abort("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver);"
                    + " the browser tests are skipped outside CI.");
        }
        assertThat(chromium).as("CI must have chromium and chromium-driver (see .ci/run)").isPresent();
        web = new WebFixture();
        owner = Browsers.start(chromium.get());
        reader = Browsers.start(chromium.get());
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    void stop() {
        for (WebDriver d : new WebDriver[] {owner, reader}) {
            if (d != null) {
                d.quit();
            }
        }
        if (web != null) {
            web.close();
        }
    }

    @Test
    void aMemberSignsInReadsTheTurnsFoldsAToolCallAndForks() throws IOException {
        Conversation c = web.conversation("Revenue review", 2, List.of(Turns.turn("Revenue by region?"),
                Turns.turn("And by product?"), Turns.turn("Owner's private follow-up?")));
        signIn(reader, web.bobToken);
        screenshot(reader, "list");
        assertThat(reader.findElement(By.id("shared")).getText()).contains("Revenue review");
        reader.findElement(By.linkText("Revenue review")).click();
        waitForPath(reader, "/c/" + c.id());

        assertThat(reader.findElement(By.id("title")).getText()).isEqualTo("Revenue review");
        assertThat(reader.findElement(By.id("owner")).getText()).isEqualTo("alice");
        String page = reader.findElement(By.tagName("main")).getText();
        assertThat(page).contains("Revenue by region?", "answer to Revenue by region?", "And by product?")
                .doesNotContain("Owner's private follow-up?");
        assertThat(reader.findElements(By.id("shared-mark"))).as("the mark is the owner's").isEmpty();

        WebElement call = reader.findElement(By.cssSelector("details.tool-call"));
        WebElement result = call.findElement(By.cssSelector(".result pre"));
        assertThat(result.isDisplayed()).as("tool calls start folded").isFalse();
        call.findElement(By.tagName("summary")).click();
        assertThat(result.isDisplayed()).isTrue();
        assertThat(result.getText()).isEqualTo("{\"rows\":3}");
        assertThat(call.findElement(By.cssSelector(".arguments pre")).getText()).isEqualTo("{\"dataset\":\"sales\"}");
        screenshot(reader, "conversation-member");
        call.findElement(By.tagName("summary")).click();
        assertThat(result.isDisplayed()).isFalse();

        reader.findElement(By.id("fork")).click();
        new WebDriverWait(reader, Duration.ofSeconds(10)).until(d -> !d.getCurrentUrl().endsWith("/c/" + c.id()));
        assertThat(reader.getCurrentUrl()).matches(".*/c/[0-9a-f-]{36}");
        assertThat(reader.findElement(By.id("title")).getText()).isEqualTo("Revenue review (forked)");
        assertThat(reader.findElement(By.id("owner")).getText()).isEqualTo("bob");
        assertThat(reader.findElement(By.id("forked-from")).getAttribute("href")).endsWith("/c/" + c.id());
        assertThat(reader.findElement(By.tagName("main")).getText()).contains("And by product?")
                .doesNotContain("Owner's private follow-up?");
        screenshot(reader, "fork");
    }

    @Test
    void theOwnerSeesTheSharedMarkUnsharesAndTheMembersReloadSaysNotFound() throws IOException {
        Conversation c = web.conversation("Margins", 1, List.of(Turns.turn("Margins last quarter?"),
                Turns.turn("Not shared yet?")));
        signIn(reader, web.bobToken);
        reader.get(web.url("/c/" + c.id()).toString());
        assertThat(reader.findElement(By.id("title")).getText()).isEqualTo("Margins");

        signIn(owner, web.aliceToken);
        owner.get(web.url("/c/" + c.id()).toString());
        assertThat(owner.findElement(By.id("shared-mark")).getText()).startsWith("Shared up to here");
        assertThat(owner.findElement(By.tagName("main")).getText()).contains("Not shared yet?");
        assertThat(owner.findElement(By.id("share-url")).getText()).isEqualTo(web.base + "/c/" + c.id());
        assertThat(owner.findElement(By.id("activity-events")).getText()).contains("bob read it");
        screenshot(owner, "conversation-owner");
        owner.get(web.url("/c/" + c.id() + "#activity").toString());
        screenshot(owner, "activity");
        owner.findElement(By.id("unshare")).click();
        new WebDriverWait(owner, Duration.ofSeconds(10)).until(d -> d.findElements(By.id("unshare")).isEmpty());
        assertThat(owner.findElements(By.id("shared-mark"))).isEmpty();

        reader.navigate().refresh();
        assertThat(reader.findElement(By.id("problem")).getText()).isEqualTo("Not found");
        assertThat(reader.findElement(By.tagName("main")).getText()).doesNotContain("Margins");
        screenshot(reader, "not-found");
    }

    @Test
    void theOwnerSharesWithBobOnlyAndCarolGetsNotFound() throws IOException {
        Conversation c = web.conversation("For bob", 0, List.of(Turns.turn("Only bob may read this?"),
                Turns.turn("Bob's second turn?")));
        signIn(owner, web.aliceToken);
        owner.get(web.url("/c/" + c.id()).toString());
        assertThat(owner.findElements(By.id("share-terms"))).as("not shared: no terms yet").isEmpty();
        WebElement follow = owner.findElement(By.id("follow"));
        WebElement until = owner.findElement(By.id("until"));
        follow.click();
        assertThat(until.isEnabled()).as("a share that follows has no fixed turn").isFalse();
        follow.click();
        assertThat(until.isEnabled()).isTrue();
        new org.openqa.selenium.support.ui.Select(until).selectByIndex(1); // turn 1
        owner.findElement(By.id("audience")).sendKeys("bob");
        new org.openqa.selenium.support.ui.Select(owner.findElement(By.id("expiry"))).selectByValue("604800");
        new org.openqa.selenium.support.ui.Select(owner.findElement(By.id("tool-results"))).selectByValue("none");
        owner.findElement(By.id("share")).click();
        new WebDriverWait(owner, Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("share-terms")).isEmpty());
        assertThat(owner.findElement(By.id("terms-audience")).getText()).isEqualTo("bob");
        assertThat(owner.findElement(By.id("terms-expires")).getText()).endsWith("UTC");
        assertThat(owner.findElement(By.id("terms-follows")).getText()).isEqualTo("fixed at the marked turn");
        assertThat(owner.findElement(By.id("terms-tool-results")).getText()).startsWith("none: ");
        screenshot(owner, "share-terms");

        signIn(reader, web.carolToken);
        reader.get(web.url("/c/" + c.id()).toString());
        assertThat(reader.findElement(By.id("problem")).getText()).isEqualTo("Not found");
        assertThat(reader.getPageSource()).doesNotContain("Only bob may read this?", "For bob");

        signIn(reader, web.bobToken);
        reader.get(web.url("/c/" + c.id()).toString());
        assertThat(reader.findElement(By.id("title")).getText()).isEqualTo("For bob");
        assertThat(reader.findElement(By.tagName("main")).getText()).contains("Only bob may read this?")
                .doesNotContain("Bob's second turn?");
        assertThat(reader.findElements(By.id("share-terms"))).as("the terms are the owner's").isEmpty();
    }

    @Test
    void aViewerSeesNoForkButtonAndAForgedPostIsRefused() throws Exception {
        Conversation c = web.conversation("For viewers", 1, List.of(Turns.turn("What may a viewer do?")));
        signIn(reader, web.veraToken);
        reader.get(web.url("/c/" + c.id()).toString());
        assertThat(reader.findElement(By.tagName("main")).getText()).contains("What may a viewer do?");
        assertThat(reader.findElements(By.id("fork"))).isEmpty();
        assertThat(reader.findElements(By.id("share"))).isEmpty();

        // a form posted from the page itself without the token (as a forged one would be) ...
        ((JavascriptExecutor) reader).executeScript("""
                var f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
                document.body.appendChild(f); f.submit();""", "/c/" + c.id() + "/fork");
        new WebDriverWait(reader, Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("problem")).isEmpty());
        assertThat(reader.findElement(By.id("problem")).getText()).isEqualTo("Refused");
        // ... and one with the browser's session cookie but an invalid token
        String session = reader.manage().getCookieNamed(WebPages.SESSION_COOKIE).getValue();
        HttpResponse<String> forged = web.post("/c/" + c.id() + "/fork", session, "csrf=invalid");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(web.conversations.list(web.vera, baton.conversation.ListScope.MINE, 10, null).conversations())
                .isEmpty();
    }

    @Test
    void contentThatTriesToRunScriptShowsAsTextAndRunsNothing() throws IOException {
        String script = "<script>alert(1)</script>";
        String img = "<img src=x onerror=alert(1)>";
        String titled = "<img src=x onerror=\"document.title='pwned'\">";
        String link = "[click](javascript:alert(1))";
        UUID root = UUID.randomUUID();
        UUID call = UUID.randomUUID();
        List<NewMessage> turn = List.of(
                new NewMessage(root, MessageRole.USER, MessageType.CALL, "router_agent", null, ContentType.TEXT, script),
                new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, "query", root, ContentType.JSON,
                        "{\"q\":\"" + img.replace("\"", "\\\"") + "\"}"),
                new NewMessage(UUID.randomUUID(), MessageRole.TOOL, MessageType.RESULT, "query", call, ContentType.TEXT, img),
                new NewMessage(UUID.randomUUID(), MessageRole.ASSISTANT, MessageType.RESULT, "router_agent", null,
                        ContentType.TEXT, titled + "\n" + link));
        Conversation c = web.conversation("<b>bold?</b> " + script, 1, List.of(turn));
        signIn(reader, web.bobToken);
        reader.manage().logs().get(LogType.BROWSER); // what earlier pages logged is not this page's
        reader.get(web.url("/c/" + c.id()).toString());
        reader.findElement(By.id("toggle-all")).click(); // the page's own script runs under the CSP: it unfolds
        String text = reader.findElement(By.tagName("main")).getText();
        assertThat(text).contains(script, img, titled, link);
        assertThat(reader.findElement(By.id("title")).getText()).isEqualTo("<b>bold?</b> " + script);
        assertThat(reader.findElements(By.cssSelector("main img, main script, main b, main a[href^='javascript']")))
                .isEmpty();
        assertThat(reader.getTitle()).doesNotContain("pwned");
        assertThatThrownBy(() -> reader.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(errors(reader)).isEmpty();
        screenshot(reader, "escaped");

        // the CSP is present and enforced: a script put into the page by other means does not run
        ((JavascriptExecutor) reader).executeScript("""
                var s = document.createElement('script'); s.textContent = 'window.injected = true;';
                document.body.appendChild(s);""");
        assertThat(((JavascriptExecutor) reader).executeScript("return window.injected === true")).isEqualTo(false);
        assertThat(errors(reader)).anyMatch(e -> e.contains("Content Security Policy"));
        assertThatThrownBy(() -> reader.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    @Test
    void thePageIsServedWithItsCspHeader() throws Exception {
        Conversation c = web.conversation("Headers", 1, List.of(Turns.turn("csp?")));
        signIn(reader, web.bobToken);
        String session = reader.manage().getCookieNamed(WebPages.SESSION_COOKIE).getValue();
        HttpResponse<String> page = web.get("/c/" + c.id(), session);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'nonce-", "frame-ancestors 'none'");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }

    @Test
    void aPersonOfAnotherProjectGetsNotFound() throws IOException {
        Conversation c = web.conversation("Project only", 1, List.of(Turns.turn("Whose is this?")));
        reader.manage().deleteAllCookies();
        reader.get(web.url("/signin").toString());
        screenshot(reader, "signin");
        signIn(reader, web.malloryToken);
        reader.get(web.url("/c/" + c.id()).toString());
        assertThat(reader.findElement(By.id("problem")).getText()).isEqualTo("Not found");
        assertThat(reader.getPageSource()).doesNotContain("Whose is this?", "Project only");
        String missing = reader.findElement(By.tagName("main")).getText();
        reader.get(web.url("/c/" + UUID.randomUUID()).toString());
        assertThat(reader.findElement(By.tagName("main")).getText()).isEqualTo(missing);
    }

    /** Signs in through the form, as a person does. */
    private void signIn(WebDriver driver, String token) {
        driver.manage().deleteAllCookies();
        driver.get(web.url("/signin").toString());
        driver.findElement(By.id("token")).sendKeys(token);
        driver.findElement(By.id("signin")).click();
        try {
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> !d.getCurrentUrl().contains("/signin"));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("sign-in did not end at " + driver.getCurrentUrl() + ": "
                    + driver.findElement(By.tagName("body")).getText(), e);
        }
        assertThat(driver.manage().getCookieNamed(WebPages.SESSION_COOKIE).isHttpOnly()).isTrue();
        assertThat(driver.getCurrentUrl()).doesNotContain(token);
    }

    private void waitForPath(WebDriver driver, String path) {
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().endsWith(path));
    }

    private static List<String> errors(WebDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    private static void screenshot(WebDriver driver, String name) throws IOException {
        byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }
}
