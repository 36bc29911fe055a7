package baton.mcpapp;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.Conversation;
import baton.conversation.Identity;
import baton.conversation.ListScope;
import baton.conversation.Role;
import baton.mcp.ConversationViewer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The MCP Apps viewer in a real browser: a minimal host page (test resource mcpapp/host.html) that
 * speaks the ext-apps postMessage protocol loads the view Baton serves, under the CSP built from
 * its {@code _meta.ui.csp}, and hands it a real {@code read_conversation} result from a running
 * Baton (the MCP Java SDK client over Streamable HTTP). The view renders the turns, folds the tool
 * calls, shows message content as text, and its Fork button sends {@code tools/call} for
 * {@code fork_conversation} to the host, which forwards it to Baton.
 */
class ConversationViewerBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static RunningBaton baton;
    private static ChromeDriver driver;

    @BeforeAll
    static void start() {
        if (HeadlessChromium.installed()) {
            baton = new RunningBaton();
            driver = HeadlessChromium.start(900, 1100);
        }
    }

    /** Each test, not the class, is skipped (or failed under CI), so the report names the reason. */
    @BeforeEach
    void browser() {
        HeadlessChromium.requireInstalled();
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (baton != null) {
            baton.close();
        }
    }

    @Test
    void theViewerRendersARealResultAndForksThroughTheHost() throws Exception {
        Identity alice = baton.user("alice", Role.EDITOR);
        Identity bob = baton.user("bob", Role.EDITOR);
        UUID id = baton.alicesSharedConversation(alice);
        McpSyncClient host = baton.client(bob, true);

        // what a host does: the view from resources/read, the result from tools/call
        McpSchema.TextResourceContents view = (McpSchema.TextResourceContents) host.readResource(
                new McpSchema.ReadResourceRequest(ConversationViewer.URI)).contents().get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> csp = (Map<String, Object>) ((Map<String, Object>) view.meta().get("ui")).get("csp");
        Map<String, Object> input = Map.of("conversation_id", id.toString());
        McpSchema.CallToolResult result = host.callTool(new McpSchema.CallToolRequest("read_conversation", input));
        assertThat(result.isError()).isFalse();

        openHost(view.text(), csp, input, JSON.writeValueAsString(result));
        awaitHost("return host.initialized");
        driver.switchTo().frame(driver.findElement(By.id("view")));
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(10));
        wait.until(d -> d.findElements(By.cssSelector("article.turn")).size() == 3);

        // the header and the turns, question → answer
        assertThat(driver.findElement(By.id("title")).getText()).isEqualTo("Quarterly review <b>Q4</b>");
        assertThat(driver.findElement(By.id("meta")).getText()).contains("Owner: alice");
        List<WebElement> turns = driver.findElements(By.cssSelector("article.turn"));
        assertThat(turns.get(0).findElement(By.className("question")).getText())
                .isEqualTo("QUESTION\nWhat was our revenue per quarter in 2026?");
        assertThat(turns.get(0).findElement(By.className("answer")).getText())
                .isEqualTo("ANSWER\nQ4 revenue was EUR 521,750.");
        assertThat(turns.get(1).findElement(By.className("answer")).getText()).contains("could not read the finance");

        // tool calls are folded; opening one shows its arguments and result
        WebElement call = turns.get(0).findElement(By.cssSelector("details.call"));
        assertThat(call.findElement(By.tagName("summary")).getText()).isEqualTo("query_dataset done");
        WebElement arguments = call.findElements(By.tagName("pre")).get(0);
        assertThat(arguments.isDisplayed()).isFalse();
        call.findElement(By.tagName("summary")).click();
        assertThat(arguments.isDisplayed()).isTrue();
        assertThat(arguments.getText()).contains("\"dataset\": \"sales\"");
        assertThat(call.findElements(By.tagName("pre")).get(1).getText()).contains("521750");
        WebElement failed = turns.get(1).findElement(By.cssSelector("details.call"));
        assertThat(failed.getAttribute("class")).contains("failed");
        assertThat(failed.findElement(By.tagName("summary")).getText()).isEqualTo("query_dataset failed");

        // message content is text: the markup shows, nothing of it runs or becomes an element
        assertThat(turns.get(2).findElement(By.className("question")).getText())
                .contains("<img src=x onerror=\"document.title='pwned'\"><script>alert(1)</script>");
        assertThat(turns.get(2).findElement(By.className("answer")).getText()).contains("That is <b>text</b>");
        assertThat(driver.findElements(By.cssSelector("#turns img, #turns script, #turns b"))).isEmpty();
        assertThat(driver.executeScript("return document.title")).isEqualTo("Baton conversation");
        assertNoAlert();

        driver.switchTo().defaultContent();
        Files.createDirectories(SCREENSHOTS);
        Files.copy(driver.findElement(By.className("chat")).getScreenshotAs(OutputType.FILE).toPath(),
                SCREENSHOTS.resolve("viewer.png"),
                StandardCopyOption.REPLACE_EXISTING);

        // Fork: the view asks the host for tools/call fork_conversation; the host forwards it to Baton
        driver.switchTo().frame(driver.findElement(By.id("view")));
        driver.findElement(By.id("fork")).click();
        driver.switchTo().defaultContent();
        awaitHost("return host.calls.length === 1");
        @SuppressWarnings("unchecked")
        Map<String, Object> sent = (Map<String, Object>) ((List<Object>) driver.executeScript("return host.calls")).get(0);
        assertThat(sent).containsEntry("name", "fork_conversation")
                .containsEntry("arguments", Map.of("conversation_id", id.toString()));
        @SuppressWarnings("unchecked")
        McpSchema.CallToolResult forked = host.callTool(new McpSchema.CallToolRequest("fork_conversation",
                (Map<String, Object>) sent.get("arguments")));
        assertThat(forked.isError()).isFalse();
        driver.executeScript("host.answer(arguments[0], arguments[1])", sent.get("id"), JSON.writeValueAsString(forked));

        driver.switchTo().frame(driver.findElement(By.id("view")));
        wait.until(d -> d.findElement(By.id("status")).getText().startsWith("Forked into"));
        Conversation fork = baton.conversations.list(bob, ListScope.MINE, 10, null).conversations().stream()
                .filter(c -> c.forkedFrom() != null && c.forkedFrom().conversationId().equals(id))
                .findFirst().orElseThrow();
        assertThat(driver.findElement(By.id("status")).getText())
                .isEqualTo("Forked into “Quarterly review <b>Q4</b> (forked)” (" + fork.id() + ").");
        // a host that also reports the view's own call as a tool result does not replace what is shown
        driver.switchTo().defaultContent();
        driver.executeScript("host.send('ui/notifications/tool-result', JSON.parse(arguments[0]))",
                JSON.writeValueAsString(forked));
        driver.switchTo().frame(driver.findElement(By.id("view")));
        Thread.sleep(300);
        assertThat(driver.findElements(By.cssSelector("article.turn"))).hasSize(3);
        assertThat(driver.findElement(By.id("title")).getText()).isEqualTo("Quarterly review <b>Q4</b>");
        assertThat(driver.findElement(By.id("status")).getText()).startsWith("Forked into");
        driver.switchTo().defaultContent();
        assertThat(severeConsoleEntries()).as("console errors (a CSP violation would be one)").isEmpty();
    }

    /**
     * The owner sees "Shared up to here" after the boundary; a viewer's Fork reaches Baton through
     * the host like anyone's, and the refusal sentence shows in the view.
     */
    @Test
    void theOwnerSeesTheBoundaryAndAViewersForkIsRefusedInTheView() throws Exception {
        Identity alice = baton.user("oalice", Role.EDITOR);
        UUID id = baton.alicesSharedConversation(alice);
        show(baton.client(alice, true), id);
        assertThat(driver.findElement(By.id("meta")).getText()).contains("Owner: oalice (you)", "Shared");
        assertThat(driver.findElements(By.cssSelector("#turns > *")))
                .extracting(e -> e.getAttribute("class")).containsExactly("turn", "turn", "turn", "boundary");
        assertThat(driver.findElement(By.className("boundary")).getText()).isEqualTo("Shared up to here");
        driver.switchTo().defaultContent();

        McpSyncClient vera = baton.client(baton.user("overa", Role.VIEWER), true);
        show(vera, id);
        assertThat(driver.findElement(By.id("meta")).getText()).doesNotContain("Shared", "(you)");
        assertThat(driver.findElements(By.className("boundary"))).isEmpty();
        driver.findElement(By.id("fork")).click();
        driver.switchTo().defaultContent();
        awaitHost("return host.calls.length === 1");
        @SuppressWarnings("unchecked")
        Map<String, Object> sent = (Map<String, Object>) ((List<Object>) driver.executeScript("return host.calls")).get(0);
        @SuppressWarnings("unchecked")
        McpSchema.CallToolResult refused = vera.callTool(new McpSchema.CallToolRequest("fork_conversation",
                (Map<String, Object>) sent.get("arguments")));
        assertThat(refused.isError()).isTrue();
        String sentence = ((McpSchema.TextContent) refused.content().get(0)).text();
        driver.executeScript("host.answer(arguments[0], arguments[1])", sent.get("id"), JSON.writeValueAsString(refused));
        driver.switchTo().frame(driver.findElement(By.id("view")));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("status")).getText().equals(sentence));
        assertThat(driver.findElement(By.id("fork")).isEnabled()).isTrue();
        driver.switchTo().defaultContent();
    }

    /** Opens the view in the host page with {@code client}'s real read of {@code id}, and enters its frame. */
    private static void show(McpSyncClient client, UUID id) throws Exception {
        McpSchema.TextResourceContents view = (McpSchema.TextResourceContents) client.readResource(
                new McpSchema.ReadResourceRequest(ConversationViewer.URI)).contents().get(0);
        Map<String, Object> input = Map.of("conversation_id", id.toString());
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("read_conversation", input));
        assertThat(result.isError()).isFalse();
        openHost(view.text(), Map.of(), input, JSON.writeValueAsString(result));
        awaitHost("return host.initialized");
        driver.switchTo().frame(driver.findElement(By.id("view")));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("article.turn")).size() == 3);
    }

    /**
     * A withheld result (content_type "withheld", its content the JSON {reason, tool, resource,
     * sentence} of the access rules) shows as a notice with its sentence, never as data. The result
     * is a real one whose second turn is rewritten into that shape, as the access entry point gives
     * it to a reader who may not obtain it.
     */
    @Test
    void withheldResultsShowAsNoticesWithTheirSentence() throws Exception {
        Identity alice = baton.user("walice", Role.EDITOR);
        UUID id = baton.alicesSharedConversation(alice);
        McpSyncClient host = baton.client(baton.user("wbob", Role.EDITOR), true);
        McpSchema.TextResourceContents view = (McpSchema.TextResourceContents) host.readResource(
                new McpSchema.ReadResourceRequest(ConversationViewer.URI)).contents().get(0);
        McpSchema.CallToolResult result = host.callTool(new McpSchema.CallToolRequest("read_conversation",
                Map.of("conversation_id", id.toString())));
        ObjectNode withheld = (ObjectNode) JSON.valueToTree(result);
        ArrayNode messages = (ArrayNode) withheld.at("/structuredContent/messages");
        String sentence = "The result of query_dataset is withheld: you may not read dataset 'finance' yourself.";
        withhold(messages.get(6), "access_denied", sentence);
        withhold(messages.get(7), "derived", "This answer is withheld: it was derived from a withheld tool result.");
        ((ObjectNode) withheld.withArray("content").get(0)).put("text", JSON.writeValueAsString(withheld.get("structuredContent")));

        openHost(view.text(), Map.of(), Map.of("conversation_id", id.toString()), JSON.writeValueAsString(withheld));
        awaitHost("return host.initialized");
        driver.switchTo().frame(driver.findElement(By.id("view")));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("article.turn")).size() == 3);
        WebElement turn = driver.findElements(By.cssSelector("article.turn")).get(1);
        WebElement call = turn.findElement(By.cssSelector("details.call"));
        assertThat(call.findElement(By.tagName("summary")).getText()).isEqualTo("query_dataset result withheld");
        call.findElement(By.tagName("summary")).click();
        assertThat(call.findElement(By.className("withheld-notice")).getText())
                .isEqualTo("Withheld · access_denied: " + sentence);
        assertThat(turn.findElement(By.className("answer")).getText()).contains("Withheld · derived:")
                .doesNotContain("could not read");
        assertThat(turn.getText()).doesNotContain("permission denied");
        driver.switchTo().defaultContent();
    }

    private static void withhold(JsonNode message, String reason, String sentence) throws Exception {
        ObjectNode m = (ObjectNode) message;
        ObjectNode content = JSON.createObjectNode().put("reason", reason).put("tool", m.path("tool").asText());
        content.put("resource", "dataset 'finance'").put("sentence", sentence);
        m.put("content_type", "withheld").put("content", JSON.writeValueAsString(content));
    }

    private static void openHost(String html, Map<String, Object> csp, Map<String, Object> input, String resultJson)
            throws Exception {
        URL page = ConversationViewerBrowserIT.class.getResource("/mcpapp/host.html");
        driver.get(page.toString());
        driver.executeScript("host.start(arguments[0], arguments[1], arguments[2], arguments[3])", html,
                JSON.writeValueAsString(csp), JSON.writeValueAsString(input), resultJson);
    }

    private static void awaitHost(String condition) {
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> Boolean.TRUE.equals(driver.executeScript(condition)));
    }

    private static void assertNoAlert() {
        try {
            driver.switchTo().alert();
            throw new AssertionError("an alert opened: content ran as script");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    private static List<String> severeConsoleEntries() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }
}
