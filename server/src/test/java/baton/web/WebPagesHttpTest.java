package baton.web;

import static org.assertj.core.api.Assertions.assertThat;

import baton.Turns;
import baton.auth.WebSessions;
import baton.conversation.Conversation;
import baton.conversation.ListScope;
import baton.conversation.ShareTerms;
import baton.conversation.ToolResultsPolicy;
import baton.e2e.McpTestClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pages over real HTTP against a real server and database, without a browser: sign-in,
 * sessions, CSRF, the security headers, the one "not found", and {@code share_url}. What a browser
 * must show and run is {@link WebPageBrowserTest}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebPagesHttpTest {

    private WebFixture web;
    private Conversation shared;
    private Conversation unshared;
    private String bob;
    private String alice;

    @BeforeAll
    void start() throws Exception {
        web = new WebFixture();
        shared = web.conversation("Quarterly revenue", 1, List.of(Turns.turn("revenue by region?"),
                Turns.turn("and by product?")));
        unshared = web.conversation("Private notes", 0, List.of(Turns.turn("secret plan?")));
        bob = web.signIn(web.bobToken);
        alice = web.signIn(web.aliceToken);
    }

    @AfterAll
    void stop() {
        web.close();
    }

    @Test
    void aSignedOutVisitorIsSentToSignInAndBackAfterwards() throws Exception {
        HttpResponse<String> page = web.get("/c/" + shared.id(), null);
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/signin?next=/c/" + shared.id());
        HttpResponse<String> form = web.get("/signin?next=/c/" + shared.id(), null);
        assertThat(WebFixture.hidden(form.body(), "next")).isEqualTo("/c/" + shared.id());
        assertThat(WebFixture.hidden(web.get("/signin?next=https://evil.example/", null).body(), "next"))
                .as("only a local page follows sign-in").isEqualTo("/");
    }

    @Test
    void aBadTokenIsRefusedAndOpensNoSession() throws Exception {
        HttpResponse<String> form = web.get("/signin", null);
        String cookie = WebFixture.cookie(form, WebPages.SIGNIN_COOKIE);
        String wrong = "baton_" + "x".repeat(43);
        HttpResponse<String> answer = web.send(HttpRequest.newBuilder(web.url("/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", WebPages.SIGNIN_COOKIE + "=" + cookie)
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + WebFixture.hidden(form.body(), "csrf")
                        + "&token=" + wrong)), null);
        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).contains("That token is not valid").doesNotContain(wrong);
        assertThat(answer.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(WebPages.SESSION_COOKIE + "=")
                && !c.startsWith(WebPages.SESSION_COOKIE + "=;"));
        // without the sign-in form's own token, even a good token is refused (login CSRF)
        HttpResponse<String> forged = web.post("/signin", null, "token=" + web.bobToken);
        assertThat(forged.statusCode()).isEqualTo(403);
    }

    @Test
    void theSessionCookieIsHttpOnlyLaxAndTheDatabaseKeepsOnlyItsHash() throws Exception {
        HttpResponse<String> form = web.get("/signin", null);
        HttpResponse<String> done = web.send(HttpRequest.newBuilder(web.url("/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", WebPages.SIGNIN_COOKIE + "=" + WebFixture.cookie(form, WebPages.SIGNIN_COOKIE))
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + WebFixture.hidden(form.body(), "csrf")
                        + "&token=" + web.veraToken)), null);
        String header = done.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(WebPages.SESSION_COOKIE + "=")).findFirst().orElseThrow();
        assertThat(header).contains("HttpOnly", "SameSite=Lax", "Path=/").doesNotContain("Secure");
        String secret = WebFixture.cookie(done, WebPages.SESSION_COOKIE);
        List<byte[]> hashes = web.db.read("reading sessions", c -> {
            try (PreparedStatement ps = c.prepareStatement("select id_hash from web_sessions where project_id = ?")) {
                ps.setString(1, web.project);
                try (ResultSet rs = ps.executeQuery()) {
                    List<byte[]> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(rs.getBytes(1));
                    }
                    return out;
                }
            }
        });
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        assertThat(hashes).anyMatch(h -> MessageDigest.isEqual(h, expected));
        assertThat(hashes).noneMatch(h -> new String(h, StandardCharsets.UTF_8).contains(secret));
        assertThat(done.headers().firstValue("Location")).hasValue("/");
    }

    @Test
    void everyPageCarriesAStrictCspWithTheNonceOfItsOnlyScriptAndDeniesFraming() throws Exception {
        for (String path : List.of("/c/" + shared.id(), "/", "/c/" + UUID.randomUUID())) {
            HttpResponse<String> page = web.get(path, bob);
            String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'",
                    "form-action 'self'").doesNotContain("unsafe-inline", "unsafe-eval");
            assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            Matcher nonce = Pattern.compile("script-src 'nonce-([A-Za-z0-9_-]+)'").matcher(csp);
            assertThat(nonce.find()).isTrue();
            Matcher scripts = Pattern.compile("<script[^>]*>").matcher(page.body());
            int count = 0;
            while (scripts.find()) {
                count++;
                assertThat(scripts.group()).contains("nonce=\"" + nonce.group(1) + "\"").contains("src=\"/static/");
            }
            assertThat(count).isEqualTo(1);
        }
        assertThat(web.get("/c/" + shared.id(), bob).headers().firstValue("Content-Security-Policy"))
                .isNotEqualTo(web.get("/c/" + shared.id(), bob).headers().firstValue("Content-Security-Policy"));
    }

    @Test
    void formsWithoutTheSessionsCsrfTokenAreRefusedAndChangeNothing() throws Exception {
        int before = web.conversations.list(web.bob, ListScope.MINE, 200, null).conversations().size();
        String bobsCsrf = WebFixture.hidden(web.get("/c/" + shared.id(), bob).body(), "csrf");
        assertThat(web.post("/c/" + shared.id() + "/fork", bob, "").statusCode()).isEqualTo(403);
        assertThat(web.post("/c/" + shared.id() + "/fork", bob, "csrf=forged").statusCode()).isEqualTo(403);
        assertThat(web.post("/c/" + shared.id() + "/fork", null, "csrf=" + bobsCsrf).statusCode())
                .as("the token without the session").isEqualTo(403);
        assertThat(web.post("/c/" + shared.id() + "/fork", alice, "csrf=" + bobsCsrf).statusCode())
                .as("another session's token").isEqualTo(403);
        assertThat(web.post("/c/" + shared.id() + "/unshare", alice, "").statusCode()).isEqualTo(403);
        assertThat(web.conversations.list(web.bob, ListScope.MINE, 200, null).conversations()).hasSize(before);
        assertThat(web.conversations.metadata(web.alice, shared.id()).conversation().isShared()).isTrue();
        assertThat(web.post("/c/" + shared.id() + "/fork", bob, "csrf=" + bobsCsrf).statusCode())
                .as("the real form works").isEqualTo(303);
    }

    @Test
    void aViewerSeesNoForkButtonAndCannotForkEvenWithAValidForm() throws Exception {
        String vera = web.signIn(web.veraToken);
        HttpResponse<String> page = web.get("/c/" + shared.id(), vera);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("revenue by region?").doesNotContain("id=\"fork\"", "id=\"share\"");
        String csrf = WebFixture.hidden(page.body(), "csrf");
        HttpResponse<String> fork = web.post("/c/" + shared.id() + "/fork", vera, "csrf=" + csrf);
        assertThat(fork.statusCode()).isEqualTo(403);
        assertThat(fork.body()).contains("viewer role");
    }

    @Test
    void everythingAPersonMayNotSeeIsTheSameNotFound() throws Exception {
        String mallory = web.signIn(web.malloryToken);
        HttpResponse<String> otherProject = web.get("/c/" + shared.id(), mallory);
        HttpResponse<String> notShared = web.get("/c/" + unshared.id(), bob);
        HttpResponse<String> missing = web.get("/c/" + UUID.randomUUID(), bob);
        for (HttpResponse<String> r : List.of(otherProject, notShared, missing)) {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("Not found").doesNotContain("secret plan", "Quarterly");
        }
        assertThat(main(notShared.body())).isEqualTo(main(missing.body()));
        assertThat(main(otherProject.body())).isEqualTo(main(missing.body()));
        assertThat(web.post("/c/" + unshared.id() + "/fork", bob,
                "csrf=" + WebFixture.hidden(web.get("/", bob).body(), "csrf")).statusCode()).isEqualTo(404);
    }

    @Test
    void theOwnerSharesUpToAChosenTurnAndUnshares() throws Exception {
        Conversation c = web.conversation("Choose a turn", 0, List.of(Turns.turn("first question?"),
                Turns.turn("second question?")));
        HttpResponse<String> page = web.get("/c/" + c.id(), alice);
        String csrf = WebFixture.hidden(page.body(), "csrf");
        Matcher option = Pattern.compile("<option value=\"([0-9a-f-]{36})\">Turn 1").matcher(page.body());
        assertThat(option.find()).as(page.body()).isTrue();
        assertThat(web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf + "&until=" + option.group(1))
                .statusCode()).isEqualTo(303);
        HttpResponse<String> bobs = web.get("/c/" + c.id(), bob);
        assertThat(bobs.body()).contains("first question?").doesNotContain("second question?", "shared-mark");
        assertThat(web.get("/c/" + c.id(), alice).body()).contains("id=\"shared-mark\"", "second question?",
                web.base + "/c/" + c.id());
        assertThat(web.post("/c/" + c.id() + "/unshare", alice, "csrf=" + csrf).statusCode()).isEqualTo(303);
        assertThat(web.get("/c/" + c.id(), bob).statusCode()).isEqualTo(404);
        HttpResponse<String> bad = web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf + "&until=nonsense");
        assertThat(bad.statusCode()).isEqualTo(409);
        assertThat(bad.body()).contains("not a message id");
    }

    @Test
    void theOwnerSharesWithAnAudienceAnExpiryAndAFollowingBoundaryAndSeesTheTerms() throws Exception {
        Conversation c = web.conversation("Governed", 0, List.of(Turns.turn("for bob only?")));
        String csrf = WebFixture.hidden(web.get("/c/" + c.id(), alice).body(), "csrf");
        Instant before = Instant.now();
        HttpResponse<String> shared = web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf
                + "&until=&audience=" + enc("bob,  bob ") + "&expiry=86400&follow=on");
        assertThat(shared.statusCode()).as(shared.body()).isEqualTo(303);
        ShareTerms terms = web.conversations.metadata(web.alice, c.id()).conversation().share();
        assertThat(terms.withUsers()).containsExactly("bob");
        assertThat(terms.follows()).isTrue();
        assertThat(terms.expiresAt()).isBetween(before.plusSeconds(86_400), Instant.now().plusSeconds(86_400));

        assertThat(web.get("/c/" + c.id(), bob).body()).contains("for bob only?");
        HttpResponse<String> carols = web.get("/c/" + c.id(), web.signIn(web.carolToken));
        assertThat(carols.statusCode()).as("not in the audience").isEqualTo(404);
        assertThat(main(carols.body())).isEqualTo(main(web.get("/c/" + UUID.randomUUID(), bob).body()));

        String page = web.get("/c/" + c.id(), alice).body();
        assertThat(text(page, "terms-audience")).isEqualTo("bob");
        assertThat(text(page, "terms-expires")).isEqualTo(ConversationModel.time(terms.expiresAt()));
        assertThat(text(page, "terms-follows")).isEqualTo("follows each new turn end");
        assertThat(page).contains("id=\"follow\" name=\"follow\" value=\"on\" checked",
                "<select id=\"until\" name=\"until\" disabled>", "name=\"audience\" value=\"bob\"");

        // the boundary follows: bob sees the turn that ends after the share
        web.conversations.append(web.alice, c.id(), Turns.turn("and the next one?"));
        assertThat(web.get("/c/" + c.id(), bob).body()).contains("and the next one?");

        // a re-share with an empty audience, no expiry and no follow: the whole project, pinned
        assertThat(web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf + "&audience=&expiry=")
                .statusCode()).isEqualTo(303);
        page = web.get("/c/" + c.id(), alice).body();
        assertThat(text(page, "terms-audience")).isEqualTo("the whole project");
        assertThat(text(page, "terms-expires")).isEqualTo("never");
        assertThat(text(page, "terms-follows")).isEqualTo("fixed at the marked turn");
        assertThat(web.get("/c/" + c.id(), web.signIn(web.carolToken)).statusCode()).isEqualTo(200);

        // a number of seconds of the owner's choosing
        assertThat(web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf + "&expiry=seconds&expiry_seconds=600")
                .statusCode()).isEqualTo(303);
        assertThat(web.conversations.metadata(web.alice, c.id()).conversation().share().expiresAt())
                .isBetween(before.plusSeconds(600), Instant.now().plusSeconds(600));
    }

    @Test
    void theOwnerChoosesTheToolResultsPolicyAndSeesItInTheTerms() throws Exception {
        Conversation c = web.conversation("Results policy", 0, List.of(Turns.turn("what did the tool say?")));
        HttpResponse<String> form = web.get("/c/" + c.id(), alice);
        assertThat(form.body()).contains("<select id=\"tool-results\" name=\"tool_results\">",
                "<option value=\"checked\" selected>checked: ", "<option value=\"all\">all: ",
                "<option value=\"none\">none: ");
        String csrf = WebFixture.hidden(form.body(), "csrf");
        assertThat(web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf + "&tool_results=none").statusCode())
                .isEqualTo(303);
        assertThat(web.conversations.metadata(web.alice, c.id()).conversation().sharedToolResults())
                .isEqualTo(ToolResultsPolicy.NONE);
        String page = web.get("/c/" + c.id(), alice).body();
        assertThat(text(page, "terms-tool-results")).startsWith("none: no reader sees any tool result");
        assertThat(page).contains("<option value=\"none\" selected>none: ");
        assertThat(web.get("/c/" + c.id(), bob).body()).as("bob reads it without the results")
                .contains("class=\"withheld\"").doesNotContain("id=\"terms-tool-results\"", "tool-results");

        assertThat(web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf + "&tool_results=all").statusCode())
                .isEqualTo(303);
        assertThat(text(web.get("/c/" + c.id(), alice).body(), "terms-tool-results"))
                .startsWith("all: every reader sees every tool result");
        assertThat(web.get("/c/" + c.id(), bob).body()).doesNotContain("class=\"withheld\"");

        Conversation before = web.conversations.metadata(web.alice, c.id()).conversation();
        HttpResponse<String> bad = web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf + "&tool_results=some");
        assertThat(bad.statusCode()).isEqualTo(409);
        assertThat(text(bad.body(), "sentence")).startsWith("tool_results must be one of checked, all, none");
        assertThat(web.conversations.metadata(web.alice, c.id()).conversation()).isEqualTo(before);
    }

    @Test
    void theOwnersPageListsTheActivityNewestFirstAndOthersSeeNone() throws Exception {
        Conversation c = web.conversation("Watched", 1, List.of(Turns.turn("who reads this?")));
        HttpResponse<String> bobs = web.get("/c/" + c.id(), bob);
        assertThat(bobs.statusCode()).isEqualTo(200);
        assertThat(bobs.body()).as("a member sees no activity").doesNotContain("id=\"activity\"", "activity-events");
        web.conversations.rename(web.alice, c.id(), "Watched <closely>");

        String page = web.get("/c/" + c.id(), alice).body();
        assertThat(page).contains("id=\"activity\"");
        List<String> events = events(page);
        assertThat(events).as(page).hasSize(3);
        assertThat(events.get(0)).startsWith("alice renamed it from \u201cWatched\u201d to \u201cWatched &lt;closely&gt;\u201d");
        assertThat(events.get(1)).startsWith("bob read it");
        assertThat(events.get(2)).startsWith("alice shared it");
        assertThat(page).doesNotContain("activity-more");

        // more than a page: a link that carries the cursor, and the rest on the next page
        for (int i = 0; i < ActivityModel.PAGE; i++) {
            web.conversations.unshare(web.alice, c.id());
        }
        page = web.get("/c/" + c.id(), alice).body();
        assertThat(events(page)).hasSize(ActivityModel.PAGE).allMatch(e -> e.startsWith("alice unshared it"));
        Matcher more = Pattern.compile("id=\"activity-more\" href=\"([^\"]+)\"").matcher(page);
        assertThat(more.find()).as(page).isTrue();
        String next = more.group(1).replace("&amp;", "&").replace("&#x3D;", "=").replace("&#61;", "=");
        assertThat(next).startsWith("/c/" + c.id() + "?activity=");
        List<String> rest = events(web.get(next, alice).body());
        assertThat(rest).hasSize(3);
        assertThat(rest.get(1)).startsWith("bob read it");

        assertThat(web.get("/c/" + c.id() + "?activity=nonsense", alice).statusCode()).isEqualTo(400);
        assertThat(web.get("/c/" + c.id() + "?activity=nonsense", bob).body()).doesNotContain("id=\"activity\"");
    }

    /** The page's activity lines, tags dropped, white space collapsed. */
    private static List<String> events(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<li class=\"event\"[^>]*>(.*?)</li>", Pattern.DOTALL).matcher(html);
        while (m.find()) {
            out.add(m.group(1).replaceAll("<[^>]+>", "").strip().replaceAll("\\s+", " "));
        }
        return out;
    }

    @Test
    void badShareTermsGetTheToolsOneSentenceAndChangeNothing() throws Exception {
        Conversation c = web.conversation("Terms kept", 1, List.of(Turns.turn("kept?"), Turns.turn("later?")));
        Conversation before = web.conversations.metadata(web.alice, c.id()).conversation();
        HttpResponse<String> page = web.get("/c/" + c.id(), alice);
        String csrf = WebFixture.hidden(page.body(), "csrf");
        Matcher option = Pattern.compile("<option value=\"([0-9a-f-]{36})\">Turn 2").matcher(page.body());
        assertThat(option.find()).isTrue();
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("&expiry=30", "expires_in_seconds must be between 60 (one minute) and 31536000 (365 days), not 30.");
        refused.put("&expiry=seconds&expiry_seconds=" + (366L * 86_400),
                "expires_in_seconds must be between 60 (one minute) and 31536000 (365 days), not 31622400.");
        refused.put("&expiry=soon", "The expiry must be a whole number of seconds, not &quot;soon&quot;.");
        refused.put("&expiry=seconds&expiry_seconds=", "Give the number of seconds after which the share expires.");
        refused.put("&until=" + option.group(1) + "&follow=on", "until_message_id " + option.group(1)
                + " cannot be given with follow: true, since a share that follows moves to each new turn end.");
        refused.put("&audience=" + enc(String.join(", ", java.util.stream.IntStream.range(0, 101)
                .mapToObj(i -> "user" + i).toList())), "with_users names 101 users; a share is for at most 100.");
        refused.put("&audience=" + enc("bob, " + "z".repeat(201)), "with_users[1] must be at most 200 characters.");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            HttpResponse<String> answer = web.post("/c/" + c.id() + "/share", alice, "csrf=" + csrf + bad.getKey());
            assertThat(answer.statusCode()).as(bad.getKey()).isEqualTo(409);
            assertThat(text(answer.body(), "sentence")).as(bad.getKey()).isEqualTo(bad.getValue());
        }
        assertThat(web.conversations.metadata(web.alice, c.id()).conversation()).isEqualTo(before);
    }

    @Test
    void signingOutOrRevokingTheTokenEndsTheSession() throws Exception {
        String session = web.signIn(web.bobToken);
        assertThat(web.get("/", session).statusCode()).isEqualTo(200);
        String csrf = WebFixture.hidden(web.get("/", session).body(), "csrf");
        HttpResponse<String> out = web.post("/signout", session, "csrf=" + csrf);
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith(WebPages.SESSION_COOKIE + "=;"));
        assertThat(web.get("/", session).statusCode()).isEqualTo(303);

        var token = web.tokens.create(web.bob, "revoked soon");
        String revoked = web.signIn(token.secret());
        assertThat(web.get("/", revoked).statusCode()).isEqualTo(200);
        web.tokens.revoke(token.info().id());
        assertThat(web.get("/", revoked).statusCode()).isEqualTo(303);
    }

    @Test
    void signingInAgainEndsTheSessionTheBrowserHeld() throws Exception {
        String old = web.signIn(web.bobToken);
        HttpResponse<String> form = web.get("/signin", old);
        HttpResponse<String> done = web.send(HttpRequest.newBuilder(web.url("/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", WebPages.SIGNIN_COOKIE + "=" + WebFixture.cookie(form, WebPages.SIGNIN_COOKIE)
                        + "; " + WebPages.SESSION_COOKIE + "=" + old)
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + WebFixture.hidden(
                        form.body().substring(form.body().indexOf("action=\"/signin\"")), "csrf")
                        + "&token=" + web.bobToken)), null);
        String fresh = WebFixture.cookie(done, WebPages.SESSION_COOKIE);
        assertThat(fresh).isNotEqualTo(old);
        assertThat(web.get("/", fresh).statusCode()).isEqualTo(200);
        assertThat(web.get("/", old).statusCode()).isEqualTo(303);
    }

    @Test
    void aSessionExpires() {
        WebSessions now = new WebSessions(web.db, Clock.systemUTC(), Duration.ofMinutes(5));
        WebSessions.Opened opened = now.open(web.bob, null);
        assertThat(now.find(opened.secret())).isPresent();
        WebSessions later = new WebSessions(web.db, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(6)),
                Duration.ofMinutes(5));
        assertThat(later.find(opened.secret())).isEmpty();
        assertThat(opened.toString()).doesNotContain(opened.secret());
    }

    @Test
    void thePagesKeepTheHostAndOriginChecks() throws Exception {
        // java.net.http will not send a Host header of the caller's choosing: a raw request does
        try (java.net.Socket socket = new java.net.Socket(web.base.getHost(), web.base.getPort())) {
            socket.getOutputStream().write(("GET /signin HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 403").contains("is not served here");
        }
        HttpResponse<String> origin = web.send(HttpRequest.newBuilder(web.url("/c/" + shared.id() + "/fork"))
                .header("Origin", "https://evil.example").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=x")), bob);
        assertThat(origin.statusCode()).isEqualTo(403);
        assertThat(origin.body()).contains("may not call this server");
    }

    @Test
    void shareConversationAnswersTheLinkToItsPage() {
        Conversation c = web.conversation("Linked", 0, List.of(Turns.turn("link me?")));
        try (McpTestClient mcp = McpTestClient.overHttp(web.server.mcpUrl(), web.aliceToken, progress -> { })) {
            Map<String, Object> result = mcp.call("share_conversation", Map.of("conversation_id", c.id().toString()));
            assertThat(result.get("share_url")).isEqualTo(web.base + "/c/" + c.id());
        }
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The text of the element with {@code id} (no nested tags), white space collapsed. */
    private static String text(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\">([^<]*)<").matcher(html);
        assertThat(m.find()).as("no element " + id + " in " + html).isTrue();
        return m.group(1).strip().replaceAll("\\s+", " ");
    }

    /** The part of a page that depends on what is shown, not on who asks. */
    private static String main(String html) {
        return html.substring(html.indexOf("<main>"));
    }
}
