package baton.web;

import baton.auth.Tokens;
import baton.auth.WebSessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in and out: the form that takes a Baton token once, the other {@link SignInFlow}s, and
 * the session cookie. The token is read from the form's body, checked, and forgotten; only the
 * session (its hash, in PostgreSQL) remains.
 */
final class SignInPages {

    private static final Logger log = LoggerFactory.getLogger(SignInPages.class);
    static final String SESSION_COOKIE = "baton_session";
    static final String SIGNIN_COOKIE = "baton_signin";
    /** The page to go to after a flow at another site (a local path, checked when set and when read). */
    static final String NEXT_COOKIE = "baton_next";
    private static final String SECRET_SHAPE = "[A-Za-z0-9_-]{43}";

    private final WebSessions sessions;
    private final Tokens tokens;
    private final PublicUrl publicUrl;
    private final List<SignInFlow> flows;
    private final Predicate<String> localPage;

    SignInPages(WebSessions sessions, Tokens tokens, PublicUrl publicUrl, List<SignInFlow> flows,
            Predicate<String> localPage) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.publicUrl = publicUrl;
        this.flows = List.copyOf(flows);
        this.localPage = localPage;
    }

    Optional<WebSessions.Session> session(HttpServletRequest request) {
        return sessions.find(Cookies.get(request, SESSION_COOKIE));
    }

    void form(Page page, String error, int status) throws IOException {
        // the sign-in form's own CSRF token: a random value in a cookie of its own, echoed by the form
        String value = page.cookie(SIGNIN_COOKIE);
        if (value == null || !value.matches(SECRET_SHAPE)) {
            value = WebSessions.randomSecret();
            Cookies.set(page.response, SIGNIN_COOKIE, value, 3600, publicUrl, page.request, "Strict");
        }
        Map<String, Object> model = page.model("Sign in");
        model.put("signin_csrf", value);
        String next = next(page.request.getParameter("next"));
        model.put("next", next);
        model.put("next_query", next.equals("/") ? null
                : java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8));
        model.put("error", error);
        model.put("flows", flows.stream().map(f -> Map.of("name", f.name(), "label", f.label())).toList());
        page.render(status, "signin", model);
    }

    void signIn(Page page) throws IOException {
        String expected = page.cookie(SIGNIN_COOKIE);
        String offered = page.request.getParameter("csrf");
        if (expected == null || offered == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                offered.getBytes(StandardCharsets.UTF_8))) {
            page.refused();
            return;
        }
        Optional<Tokens.Checked> checked = tokens.check(Optional.ofNullable(page.request.getParameter("token"))
                .map(String::strip).orElse(""));
        if (checked.isEmpty()) {
            form(page, "That token is not valid (malformed, unknown or revoked); create one with 'baton token create'.",
                    HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        open(page, new SignedIn(checked.get().identity(), checked.get().tokenId()),
                next(page.request.getParameter("next")));
    }

    /** A GET to {@code /signin/{name}…}: the flow of that name, if there is one. */
    void flow(Page page, String name, String rest) throws IOException {
        Optional<SignInFlow> flow = flows.stream().filter(f -> f.name().equals(name)).findFirst();
        if (flow.isEmpty()) {
            page.notFound();
            return;
        }
        if (rest.isEmpty()) {
            String next = next(page.request.getParameter("next"));
            if (next.equals("/")) {
                Cookies.clear(page.response, NEXT_COOKIE, publicUrl, page.request);
            } else {
                Cookies.set(page.response, NEXT_COOKIE, next, 600, publicUrl, page.request, "Lax");
            }
        }
        Optional<SignedIn> signedIn;
        try {
            signedIn = flow.get().handle(page.request, page.response, rest);
        } catch (SignInFlow.Refused e) {
            page.problem(e.status(), "Not signed in", e.getMessage());
            return;
        }
        if (signedIn.isPresent()) {
            Cookies.clear(page.response, NEXT_COOKIE, publicUrl, page.request);
            open(page, signedIn.get(), next(page.cookie(NEXT_COOKIE)));
        }
    }

    /**
     * Opens a new session (a fresh id at every sign-in, so none set before it can be fixed on the
     * person), ends the one the browser held, sets the cookie, and goes on to the page wanted.
     */
    private void open(Page page, SignedIn who, String next) {
        sessions.close(page.cookie(SESSION_COOKIE));
        WebSessions.Opened opened = sessions.open(who.identity(), who.tokenId());
        Cookies.set(page.response, SESSION_COOKIE, opened.secret(), sessions.ttl().toSeconds(), publicUrl,
                page.request, "Lax");
        Cookies.clear(page.response, SIGNIN_COOKIE, publicUrl, page.request);
        log.info("[{} {}] signed in to the web pages", who.identity().projectId(), who.identity().userId());
        page.redirect(next);
    }

    void signOut(Page page) throws IOException {
        if (!page.csrfOk()) {
            page.refused();
            return;
        }
        sessions.close(page.cookie(SESSION_COOKIE));
        Cookies.clear(page.response, SESSION_COOKIE, publicUrl, page.request);
        page.redirect("/signin");
    }

    /** Only a local page may follow sign-in, never another site. */
    private String next(String next) {
        return next != null && localPage.test(next) ? next : "/";
    }
}
