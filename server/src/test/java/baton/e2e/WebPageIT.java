package baton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import baton.Turns;
import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.EmbeddedPostgresServer;
import baton.db.Storage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The web page served by {@code baton.jar serve --http --public-url}, two instances on one
 * database: a person signs in on one with a token made by {@code baton token create}, and the
 * other honours the session (it lives in PostgreSQL); sign-out on the second ends it on the
 * first; {@code share_conversation} answers the page's link.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebPageIT {

    private static final String PUBLIC_URL = "http://127.0.0.1";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path dataHome;
    private BatonLauncher.HttpInstance first;
    private BatonLauncher.HttpInstance second;
    private Storage storage;

    @BeforeAll
    void start() throws Exception {
        dataHome = Files.createTempDirectory("baton-web-e2e");
        first = BatonLauncher.http(dataHome, Map.of(), "web-1", "--public-url", PUBLIC_URL);
        second = BatonLauncher.http(dataHome, Map.of("BATON_PUBLIC_URL", PUBLIC_URL), "web-2");
        storage = Storage.open(null, dataHome.resolve("baton"), 2);
    }

    @AfterAll
    void stop() throws Exception {
        for (BatonLauncher.HttpInstance instance : new BatonLauncher.HttpInstance[] {first, second}) {
            if (instance != null) {
                instance.close();
            }
        }
        if (storage != null) {
            storage.close();
        }
        new EmbeddedPostgresServer(dataHome.resolve("baton")).stop();
    }

    @Test
    void aSessionOpenedOnOneInstanceIsHonouredAndEndedOnAnother() throws Exception {
        String project = Turns.project();
        Conversations conversations = new Conversations(storage.database(), Clock.systemUTC());
        Identity alice = new Identity("alice", project, Role.EDITOR);
        Conversation c = conversations.create(alice, "Across instances");
        conversations.append(alice, c.id(), Turns.turn("seen everywhere?"));
        BatonLauncher.Result created = BatonLauncher.run(dataHome, Map.of(), "token", "create", "--user", "bob",
                "--project", project, "--role", "editor");
        assertThat(created.status()).as(created.stderr()).isZero();
        String token = created.stdout().strip();
        String aliceToken = BatonLauncher.run(dataHome, Map.of(), "token", "create", "--user", "alice",
                "--project", project, "--role", "editor").stdout().strip();

        try (McpTestClient mcp = McpTestClient.overHttp(second.mcpUrl(), aliceToken, p -> { })) {
            Map<String, Object> shared = mcp.call("share_conversation", Map.of("conversation_id", c.id().toString()));
            assertThat(shared.get("share_url")).isEqualTo(PUBLIC_URL + "/c/" + c.id());
        }

        URI one = first.mcpUrl().resolve("/");
        URI two = second.mcpUrl().resolve("/");
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(one.resolve("/signin")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        String signinCookie = cookie(form, "baton_signin");
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(one.resolve("/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "baton_signin=" + signinCookie)
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + hidden(form.body()) + "&token=" + token)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signedIn.statusCode()).isEqualTo(303);
        String session = cookie(signedIn, "baton_session");

        HttpResponse<String> page = get(two.resolve("/c/" + c.id()), session);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Across instances", "seen everywhere?");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("frame-ancestors 'none'");

        HttpResponse<String> out = http.send(HttpRequest.newBuilder(two.resolve("/signout"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "baton_session=" + session)
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + hidden(page.body()))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(out.statusCode()).isEqualTo(303);
        HttpResponse<String> after = get(one.resolve("/c/" + c.id()), session);
        assertThat(after.statusCode()).isEqualTo(303);
        assertThat(after.headers().firstValue("Location").orElseThrow()).contains("/signin");
    }

    private HttpResponse<String> get(URI uri, String session) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Cookie", "baton_session=" + session).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<?> response, String name) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            if (header.startsWith(name + "=")) {
                return header.substring(name.length() + 1, header.indexOf(';'));
            }
        }
        throw new AssertionError("no cookie " + name + " in " + response.headers().allValues("Set-Cookie"));
    }

    private static String hidden(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no csrf field in the page");
        }
        return m.group(1);
    }
}
