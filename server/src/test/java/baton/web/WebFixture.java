package baton.web;

import baton.TestDatabase;
import baton.agent.Agent;
import baton.agent.AgentSettings;
import baton.agent.ToolGateway;
import baton.auth.Tokens;
import baton.auth.WebSessions;
import baton.conversation.Conversation;
import baton.conversation.Conversations;
import baton.conversation.Identity;
import baton.conversation.NewMessage;
import baton.conversation.Role;
import baton.conversation.ShareRequest;
import baton.conversation.ToolResultsPolicy;
import baton.db.Database;
import baton.http.BatonHttpServer;
import baton.http.HttpSettings;
import baton.mcp.ShareLinks;
import baton.prompts.PromptLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Baton serving MCP and the pages ({@code --public-url}) on a free loopback port, over the
 * test PostgreSQL, with people in a project of their own: alice (editor, the owner), bob and carol (editors),
 * vera (viewer), and mallory (editor of another project).
 */
final class WebFixture implements AutoCloseable {

    final String project = "acme-" + UUID.randomUUID().toString().substring(0, 8);
    final Database db = TestDatabase.database();
    final Conversations conversations = new Conversations(db, Clock.systemUTC());
    final Tokens tokens = new Tokens(db, Clock.systemUTC());
    final Identity alice = new Identity("alice", project, Role.EDITOR);
    final Identity bob = new Identity("bob", project, Role.EDITOR);
    final Identity carol = new Identity("carol", project, Role.EDITOR);
    final Identity vera = new Identity("vera", project, Role.VIEWER);
    final Identity mallory = new Identity("mallory", "other-" + project, Role.EDITOR);
    final String aliceToken = tokens.create(alice, "web test").secret();
    final String bobToken = tokens.create(bob, "web test").secret();
    final String carolToken = tokens.create(carol, "web test").secret();
    final String veraToken = tokens.create(vera, "web test").secret();
    final String malloryToken = tokens.create(mallory, "web test").secret();
    final URI base;
    final BatonHttpServer server;
    private final ToolGateway gateway;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    WebFixture() throws IOException {
        this((url, tokens) -> List.of());
    }

    /** With the sign-in flows {@code flows} makes for the public URL (known once a port is free). */
    WebFixture(java.util.function.BiFunction<PublicUrl, Tokens, List<SignInFlow>> flows) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        PublicUrl url = PublicUrl.parse("http://127.0.0.1:" + port);
        base = url.base();
        PromptLibrary prompts = new PromptLibrary();
        gateway = new ToolGateway(List.of(), new JacksonMcpJsonMapper(new ObjectMapper()), "test");
        WebPages pages = new WebPages(conversations, new WebSessions(db, Clock.systemUTC(), WebSessions.DEFAULT_TTL),
                tokens, url, flows.apply(url, tokens));
        ShareLinks links = id -> Optional.of(url.conversation(id));
        server = BatonHttpServer.start(HttpSettings.loopback(port), conversations,
                Agent.create(conversations, prompts, AgentSettings.withoutModel(), gateway), prompts, tokens, db,
                links, pages);
    }

    /**
     * A conversation of alice's with the given turns, shared up to turn {@code sharedTurns} (0: not
     * shared) with the tool-results policy {@code all}: the fixture has no upstream to check a
     * reader's access against, and the pages' tests are about showing results, not entitlements.
     */
    Conversation conversation(String title, int sharedTurns, List<List<NewMessage>> turns) {
        Conversation c = conversations.create(alice, title);
        List<UUID> ends = new ArrayList<>();
        for (List<NewMessage> turn : turns) {
            List<UUID> ids = conversations.append(alice, c.id(), turn);
            ends.add(ids.get(ids.size() - 1));
        }
        if (sharedTurns > 0) {
            conversations.shareOn(alice, c.id(), new ShareRequest(ends.get(sharedTurns - 1), null, null, false,
                    ToolResultsPolicy.ALL));
        }
        return c;
    }

    URI url(String path) {
        return base.resolve(path);
    }

    /** Signs in over plain HTTP, as a browser's form would: the session cookie's value. */
    String signIn(String token) throws IOException, InterruptedException {
        HttpResponse<String> form = send(HttpRequest.newBuilder(url("/signin")).GET(), null);
        String signinCookie = cookie(form, WebPages.SIGNIN_COOKIE);
        String csrf = hidden(form.body(), "csrf");
        HttpResponse<String> done = send(HttpRequest.newBuilder(url("/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", WebPages.SIGNIN_COOKIE + "=" + signinCookie)
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf + "&next=%2F&token=" + token)), null);
        if (done.statusCode() != 303) {
            throw new AssertionError("sign-in answered " + done.statusCode() + ": " + done.body());
        }
        return cookie(done, WebPages.SESSION_COOKIE);
    }

    HttpResponse<String> get(String path, String session) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(url(path)).GET(), session);
    }

    HttpResponse<String> post(String path, String session, String form) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(url(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)), session);
    }

    HttpResponse<String> send(HttpRequest.Builder request, String session) throws IOException, InterruptedException {
        if (session != null) {
            request.header("Cookie", WebPages.SESSION_COOKIE + "=" + session);
        }
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String cookie(HttpResponse<?> response, String name) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            if (header.startsWith(name + "=")) {
                return header.substring(name.length() + 1, header.indexOf(';'));
            }
        }
        throw new AssertionError("no cookie " + name + " in " + response.headers().allValues("Set-Cookie"));
    }

    static String hidden(String html, String name) {
        Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no field " + name + " in the page");
        }
        return m.group(1);
    }

    @Override
    public void close() {
        server.close();
        gateway.close();
    }
}
