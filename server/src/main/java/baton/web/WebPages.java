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
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
    static final String SESSION_COOKIE = SignInPages.SESSION_COOKIE;
    static final String SIGNIN_COOKIE = SignInPages.SIGNIN_COOKIE;
    static final int LIST_PAGE = 20;
    private static final Pattern CONVERSATION = Pattern.compile(
            "/c/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:/(share|unshare|fork))?");
    private static final Pattern SIGNIN_FLOW = Pattern.compile("/signin/([a-z]+)(/.*)?");

    private final Conversations conversations;
    private final PublicUrl publicUrl;
    private final SignInPages signIn;
    private final Templates templates = new Templates();

    public WebPages(Conversations conversations, WebSessions sessions, Tokens tokens, PublicUrl publicUrl,
            List<SignInFlow> flows) {
        this.conversations = Objects.requireNonNull(conversations, "conversations must not be null");
        this.publicUrl = Objects.requireNonNull(publicUrl, "publicUrl must not be null");
        this.signIn = new SignInPages(Objects.requireNonNull(sessions, "sessions must not be null"),
                Objects.requireNonNull(tokens, "tokens must not be null"), publicUrl, flows,
                next -> CONVERSATION.matcher(next).matches());
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
            Page page = new Page(request, response, nonce, signIn.session(request), templates);
            Matcher c = CONVERSATION.matcher(path);
            Matcher flow = SIGNIN_FLOW.matcher(path);
            if (path.equals("/signin") && get) {
                signIn.form(page, null, HttpServletResponse.SC_OK);
            } else if (path.equals("/signin") && post) {
                signIn.signIn(page);
            } else if (flow.matches() && get) {
                signIn.flow(page, flow.group(1), flow.group(2) == null ? "" : flow.group(2));
            } else if (path.equals("/signout") && post) {
                signIn.signOut(page);
            } else if (path.equals("/") && get) {
                list(page);
            } else if (c.matches() && c.group(2) == null && get) {
                conversation(page, UUID.fromString(c.group(1)));
            } else if (c.matches() && c.group(2) != null && post) {
                action(page, UUID.fromString(c.group(1)), c.group(2));
            } else {
                page.notFound();
            }
        } catch (BatonException e) {
            Page page = new Page(request, response, nonce, Optional.empty(), templates);
            if (e.code() == ErrorCode.STORAGE_UNAVAILABLE) {
                page.problem(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Try again shortly", e.getMessage());
            } else {
                log.warn("a page failed: {}", e.getMessage());
                page.problem(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Something went wrong",
                        "The server could not show this page; its log has the details.");
            }
        } catch (RuntimeException e) {
            // a bug, not the person's mistake: the log has it, the page one sentence (never a stack trace)
            log.error("a page failed: {} {}", method, path.length() <= 80 ? path : path.substring(0, 80), e);
            new Page(request, response, nonce, Optional.empty(), templates).problem(
                    HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Something went wrong",
                    "The server could not show this page; its log has the details.");
        }
    }

    // ---------------------------------------------------------------- pages

    private void list(Page page) throws IOException {
        if (page.session.isEmpty()) {
            page.redirect("/signin");
            return;
        }
        Identity caller = page.session.get().identity();
        Map<String, Object> model = page.model("Conversations");
        try {
            model.put("mine", listing(caller, ListScope.MINE, page.request.getParameter("mine"), "mine"));
            model.put("shared", listing(caller, ListScope.SHARED, page.request.getParameter("shared"), "shared"));
        } catch (BatonException e) {
            if (e.code() == ErrorCode.INVALID_ARGUMENT) {
                page.problem(HttpServletResponse.SC_BAD_REQUEST, "Cannot list", e.getMessage());
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
            page.redirect("/signin?next=/c/" + id);
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
                page.notFound();
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
        boolean mayShare = view.isOwner() || caller.isAdmin();
        model.put("may_share", mayShare);
        model.put("share", mayShare ? ShareForm.model(c) : null);
        if (mayShare) {
            String cursor = page.request.getParameter("activity");
            boolean paged = cursor != null && !cursor.isEmpty();
            try {
                model.put("activity", ActivityModel.of(c.id(),
                        conversations.activity(caller, c.id(), ActivityModel.PAGE, paged ? cursor : null), paged));
            } catch (BatonException e) {
                if (e.code() != ErrorCode.INVALID_ARGUMENT) {
                    throw e;
                }
                page.problem(HttpServletResponse.SC_BAD_REQUEST, "Cannot show the activity", e.getMessage());
                return;
            }
        }
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
        if (page.session.isEmpty() || !page.csrfOk()) {
            page.refused();
            return;
        }
        Identity caller = page.session.get().identity();
        try {
            switch (action) {
                case "share" -> ShareForm.read(page.request).submit(conversations, caller, id);
                case "unshare" -> conversations.unshare(caller, id);
                case "fork" -> {
                    ForkResult fork = conversations.fork(caller, id, null);
                    page.redirect("/c/" + fork.conversation().id());
                    return;
                }
                default -> throw new IllegalStateException("unknown action " + action);
            }
            page.redirect("/c/" + id);
        } catch (BatonException e) {
            if (invisible(e)) {
                page.notFound();
            } else if (e.code() == ErrorCode.ROLE_NOT_ALLOWED) {
                page.problem(HttpServletResponse.SC_FORBIDDEN, "Not allowed", e.getMessage());
            } else if (e.code() == ErrorCode.STORAGE_UNAVAILABLE || e.code() == ErrorCode.INTERNAL) {
                throw e;
            } else {
                page.problem(HttpServletResponse.SC_CONFLICT, "Could not " + action, e.getMessage());
            }
        }
    }

    /** Missing, of another project, not shared with the caller: one answer, so none is an existence oracle. */
    private static boolean invisible(BatonException e) {
        return e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.ACCESS_DENIED;
    }
}
