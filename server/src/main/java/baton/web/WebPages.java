package baton.web;

import baton.auth.Tokens;
import baton.auth.WebSessions;
import baton.conversation.BatonException;
import baton.conversation.Conversation;
import baton.conversation.ConversationPage;
import baton.conversation.ConversationView;
import baton.conversation.Conversations;
import baton.conversation.ErrorCode;
import baton.conversation.ForkResult;
import baton.conversation.ForkedFrom;
import baton.conversation.Identity;
import baton.conversation.ListScope;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages for people: {@code /} (your conversations and those shared with you),
 * {@code /c/{id}} (one conversation, with share, unshare and fork for those who may), sign-in and
 * sign-out. A page is just another transport: every read and change goes through
 * {@link Conversations}, so a person sees exactly what an MCP client with their identity would,
 * and anything they may not see is the same "not found" page (404), whether it is missing, of
 * another project or not shared. Every answer carries a strict CSP with a fresh nonce and denies
 * framing; every POST needs the session's CSRF token.
 */
public final class WebPages extends HttpServlet {

    private static final Logger log = LoggerFactory.getLogger(WebPages.class);
    static final String SESSION_COOKIE = "baton_session";
    static final String SIGNIN_COOKIE = "baton_signin";
    static final int LIST_PAGE = 20;
    private static final Pattern CONVERSATION = Pattern.compile(
            "/c/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:/(share|unshare|fork))?");
    private static final Pattern SIGNIN_FLOW = Pattern.compile("/signin/([a-z]+)(/.*)?");

    private final Conversations conversations;
    private final WebSessions sessions;
    private final Tokens tokens;
    private final PublicUrl publicUrl;
    private final List<SignInFlow> flows;
    private final Templates templates = new Templates();

    public WebPages(Conversations conversations, WebSessions sessions, Tokens tokens, PublicUrl publicUrl,
            List<SignInFlow> flows) {
        this.conversations = Objects.requireNonNull(conversations, "conversations must not be null");
        this.sessions = Objects.requireNonNull(sessions, "sessions must not be null");
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
        this.publicUrl = Objects.requireNonNull(publicUrl, "publicUrl must not be null");
        this.flows = List.copyOf(flows);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String nonce = WebSessions.randomSecret();
        SecurityHeaders.apply(response, nonce);
        String path = request.getRequestURI();
        String method = request.getMethod();
        boolean get = method.equals("GET") || method.equals("HEAD");
        boolean post = method.equals("POST");
        try {
            if (path.startsWith(StaticFiles.PREFIX) && get) {
                StaticFiles.serve(path, response);
                return;
            }
            if (path.equals("/favicon.ico")) {
                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
            Page page = new Page(request, response, nonce, session(request));
            Matcher c = CONVERSATION.matcher(path);
            Matcher flow = SIGNIN_FLOW.matcher(path);
            if (path.equals("/signin") && get) {
                signInForm(page, null, HttpServletResponse.SC_OK);
            } else if (path.equals("/signin") && post) {
                signIn(page);
            } else if (flow.matches() && get) {
                signInWith(page, flow.group(1), flow.group(2) == null ? "" : flow.group(2));
            } else if (path.equals("/signout") && post) {
                signOut(page);
            } else if (path.equals("/") && get) {
                list(page);
            } else if (c.matches() && c.group(2) == null && get) {
                conversation(page, UUID.fromString(c.group(1)));
            } else if (c.matches() && c.group(2) != null && post) {
                action(page, UUID.fromString(c.group(1)), c.group(2));
            } else {
                notFound(page);
            }
        } catch (BatonException e) {
            Page page = new Page(request, response, nonce, Optional.empty());
            if (e.code() == ErrorCode.STORAGE_UNAVAILABLE) {
                problem(page, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Try again shortly", e.getMessage());
            } else {
                log.warn("a page failed: {}", e.getMessage());
                problem(page, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Something went wrong",
                        "The server could not show this page; its log has the details.");
            }
        }
    }

    // ---------------------------------------------------------------- sign-in and sign-out

    private Optional<WebSessions.Session> session(HttpServletRequest request) {
        return sessions.find(cookie(request, SESSION_COOKIE));
    }

    private void signInForm(Page page, String error, int status) throws IOException {
        // the sign-in form's own CSRF token: a random value in a cookie of its own, echoed by the form
        String value = cookie(page.request, SIGNIN_COOKIE);
        if (value == null || !value.matches("[A-Za-z0-9_-]{43}")) {
            value = WebSessions.randomSecret();
            Cookies.set(page.response, SIGNIN_COOKIE, value, 3600, publicUrl, page.request, "Strict");
        }
        Map<String, Object> model = page.model("Sign in");
        model.put("signin_csrf", value);
        model.put("next", safeNext(page.request.getParameter("next")));
        model.put("error", error);
        model.put("flows", flows.stream().map(f -> Map.of("name", f.name(), "label", f.label())).toList());
        page.render(status, "signin", model);
    }

    private void signIn(Page page) throws IOException {
        String expected = cookie(page.request, SIGNIN_COOKIE);
        String offered = page.request.getParameter("csrf");
        if (expected == null || offered == null || !constantTimeEquals(expected, offered)) {
            refused(page);
            return;
        }
        Optional<Tokens.Checked> checked = tokens.check(Optional.ofNullable(page.request.getParameter("token"))
                .map(String::strip).orElse(""));
        if (checked.isEmpty()) {
            signInForm(page, "That token is not valid (malformed, unknown or revoked); create one with 'baton token create'.",
                    HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        open(page, new SignedIn(checked.get().identity(), checked.get().tokenId()),
                safeNext(page.request.getParameter("next")));
    }

    private void signInWith(Page page, String name, String rest) throws IOException {
        Optional<SignInFlow> flow = flows.stream().filter(f -> f.name().equals(name)).findFirst();
        if (flow.isEmpty()) {
            notFound(page);
            return;
        }
        Optional<SignedIn> signedIn = flow.get().handle(page.request, page.response, rest);
        if (signedIn.isPresent()) {
            open(page, signedIn.get(), "/");
        }
    }

    /** Opens the session, sets its cookie and goes on to the page the person wanted. */
    private void open(Page page, SignedIn who, String next) throws IOException {
        WebSessions.Opened opened = sessions.open(who.identity(), who.tokenId());
        Cookies.set(page.response, SESSION_COOKIE, opened.secret(), sessions.ttl().toSeconds(), publicUrl,
                page.request, "Lax");
        Cookies.clear(page.response, SIGNIN_COOKIE, publicUrl, page.request);
        log.info("[{} {}] signed in to the web pages", who.identity().projectId(), who.identity().userId());
        redirect(page, next);
    }

    private void signOut(Page page) throws IOException {
        if (!csrfOk(page)) {
            refused(page);
            return;
        }
        sessions.close(cookie(page.request, SESSION_COOKIE));
        Cookies.clear(page.response, SESSION_COOKIE, publicUrl, page.request);
        redirect(page, "/signin");
    }

    // ---------------------------------------------------------------- pages

    private void list(Page page) throws IOException {
        if (page.session.isEmpty()) {
            redirect(page, "/signin");
            return;
        }
        Identity caller = page.session.get().identity();
        Map<String, Object> model = page.model("Conversations");
        try {
            model.put("mine", listing(caller, ListScope.MINE, page.request.getParameter("mine"), "mine"));
            model.put("shared", listing(caller, ListScope.SHARED, page.request.getParameter("shared"), "shared"));
        } catch (BatonException e) {
            if (e.code() == ErrorCode.INVALID_ARGUMENT) {
                problem(page, HttpServletResponse.SC_BAD_REQUEST, "Cannot list", e.getMessage());
                return;
            }
            throw e;
        }
        page.render(HttpServletResponse.SC_OK, "list", model);
    }

    private Map<String, Object> listing(Identity caller, ListScope scope, String cursor, String param) {
        ConversationPage found = conversations.list(caller, scope, LIST_PAGE, cursor);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", found.conversations().stream().map(c -> Map.<String, Object>of(
                "id", c.id().toString(), "title", c.title(), "owner", c.ownerId(),
                "created", ConversationModel.time(c.createdAt()), "shared", c.isShared())).toList());
        out.put("empty", found.conversations().isEmpty());
        out.put("next", found.nextCursor() == null ? null : "/?" + param + "=" + found.nextCursor());
        out.put("paged", cursor != null && !cursor.isEmpty());
        return out;
    }

    private void conversation(Page page, UUID id) throws IOException {
        if (page.session.isEmpty()) {
            redirect(page, "/signin?next=/c/" + id);
            return;
        }
        Identity caller = page.session.get().identity();
        int after = -1;
        String afterParam = page.request.getParameter("after");
        if (afterParam != null && afterParam.matches("-?\\d{1,9}")) {
            after = Math.max(-1, Integer.parseInt(afterParam));
        }
        ConversationView view;
        try {
            view = conversations.read(caller, id, after, Conversations.MAX_READ_LIMIT);
        } catch (BatonException e) {
            if (invisible(e)) {
                notFound(page);
                return;
            }
            throw e;
        }
        Conversation c = view.conversation();
        Map<String, Object> model = page.model(c.title());
        model.putAll(ConversationModel.of(view));
        model.put("id", c.id().toString());
        model.put("title", c.title());
        model.put("owner", c.ownerId());
        model.put("created", ConversationModel.time(c.createdAt()));
        model.put("is_owner", view.isOwner());
        model.put("is_shared", c.isShared());
        model.put("may_fork", caller.role().canWrite());
        model.put("may_share", view.isOwner() || caller.isAdmin());
        model.put("forked_from", forkedFrom(caller, c.forkedFrom()));
        model.put("share_url", publicUrl.conversation(c.id()));
        model.put("more", view.nextAfterIndex() == null ? null : "/c/" + c.id() + "?after=" + view.nextAfterIndex());
        model.put("earlier", after >= 0 ? "/c/" + c.id() : null);
        page.render(HttpServletResponse.SC_OK, "conversation", model);
    }

    /** Where a fork came from: a link when the caller may see the source, its id otherwise. */
    private Map<String, Object> forkedFrom(Identity caller, ForkedFrom from) {
        if (from == null) {
            return null;
        }
        boolean visible;
        try {
            conversations.metadata(caller, from.conversationId());
            visible = true;
        } catch (BatonException e) {
            if (!invisible(e)) {
                throw e;
            }
            visible = false;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", from.conversationId().toString());
        out.put("owner", from.ownerId());
        out.put("visible", visible);
        return out;
    }

    private void action(Page page, UUID id, String action) throws IOException {
        if (page.session.isEmpty() || !csrfOk(page)) {
            refused(page);
            return;
        }
        Identity caller = page.session.get().identity();
        try {
            switch (action) {
                case "share" -> ShareForm.read(page.request).submit(conversations, caller, id);
                case "unshare" -> conversations.unshare(caller, id);
                case "fork" -> {
                    ForkResult fork = conversations.fork(caller, id, null);
                    redirect(page, "/c/" + fork.conversation().id());
                    return;
                }
                default -> throw new IllegalStateException("unknown action " + action);
            }
            redirect(page, "/c/" + id);
        } catch (BatonException e) {
            if (invisible(e)) {
                notFound(page);
            } else if (e.code() == ErrorCode.ROLE_NOT_ALLOWED) {
                problem(page, HttpServletResponse.SC_FORBIDDEN, "Not allowed", e.getMessage());
            } else if (e.code() == ErrorCode.STORAGE_UNAVAILABLE || e.code() == ErrorCode.INTERNAL) {
                throw e;
            } else {
                problem(page, HttpServletResponse.SC_CONFLICT, "Could not " + action, e.getMessage());
            }
        }
    }

    /** Missing, of another project, not shared with the caller: one answer, so none is an existence oracle. */
    private static boolean invisible(BatonException e) {
        return e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.ACCESS_DENIED;
    }

    private void notFound(Page page) throws IOException {
        problem(page, HttpServletResponse.SC_NOT_FOUND, "Not found",
                "There is nothing here that you may see. It may not exist, or it is not shared with you.");
    }

    private void refused(Page page) throws IOException {
        problem(page, HttpServletResponse.SC_FORBIDDEN, "Refused",
                "This form was not sent from a page of this site signed in as you (its security token is missing or"
                        + " does not match); reload the page and try again.");
    }

    private void problem(Page page, int status, String heading, String sentence) throws IOException {
        Map<String, Object> model = page.model(heading);
        model.put("heading", heading);
        model.put("sentence", sentence);
        page.render(status, "problem", model);
    }

    private boolean csrfOk(Page page) {
        return page.session.isPresent() && WebSessions.csrfMatches(page.session.get(), page.request.getParameter("csrf"));
    }

    private static void redirect(Page page, String localPath) {
        page.response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        page.response.setHeader("Location", localPath);
    }

    /** Only a local page may follow sign-in, never another site. */
    static String safeNext(String next) {
        return next != null && CONVERSATION.matcher(next).matches() ? next : "/";
    }

    private static String cookie(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (name.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private static boolean constantTimeEquals(String a, String b) {
        return java.security.MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** One request's answer: who asked, the nonce of its CSP, and the common parts of every page's model. */
    private final class Page {
        final HttpServletRequest request;
        final HttpServletResponse response;
        final String nonce;
        final Optional<WebSessions.Session> session;

        Page(HttpServletRequest request, HttpServletResponse response, String nonce,
                Optional<WebSessions.Session> session) {
            this.request = request;
            this.response = response;
            this.nonce = nonce;
            this.session = session;
        }

        Map<String, Object> model(String title) {
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("page_title", title);
            model.put("nonce", nonce);
            model.put("signed_in", session.isPresent());
            session.ifPresent(s -> {
                model.put("user", s.identity().userId());
                model.put("project", s.identity().projectId());
                model.put("role", s.identity().role().wireName());
                model.put("csrf", s.csrfToken());
            });
            return model;
        }

        void render(int status, String template, Map<String, Object> model) throws IOException {
            StringWriter html = new StringWriter(16 * 1024);
            templates.render(template, model, html);
            byte[] body = html.toString().getBytes(StandardCharsets.UTF_8);
            response.setStatus(status);
            response.setContentType("text/html;charset=utf-8");
            response.setContentLength(body.length);
            if (!request.getMethod().equals("HEAD")) {
                response.getOutputStream().write(body);
            }
        }
    }
}
